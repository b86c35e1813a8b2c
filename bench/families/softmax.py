"""softmax and log_softmax over rows: 4096 rows x N on a GPU. Memory-bound (read once, write
once, when a row fits on chip)."""
from __future__ import annotations

from ..cases import ITEMSIZE, Case, normal

NAME = "softmax"


def shapes(ctx) -> list[tuple[int, int]]:
    if ctx.smoke:
        return [(3, 50)]
    if ctx.gpu:
        ns = (1024, 16384) if ctx.quick else (256, 512, 1024, 2048, 4096, 8192, 16384)
        return [(4096, n) for n in ns]
    return [(256, n) for n in ((256, 4096) if ctx.quick else (256, 1024, 4096))]


def cases(ctx):
    for m, n in shapes(ctx):  # shapes outer: the cached inputs of a shape serve every dtype
        for dtype in ctx.dtypes:
            arrays = lambda m=m, n=n: [normal(6, (m, n))]
            for op in ("softmax", "log_softmax"):
                yield Case(NAME, op, f"{m}x{n}", dtype, arrays, lambda lib, x, op=op: getattr(lib, op)(x, dim=1),
                           nbytes=2 * m * n * ITEMSIZE[dtype], reduction_len=n)
