"""Scans: cumsum along rows and columns, cummax and logcumsumexp along rows. Memory-bound.
Inputs are scaled by 1/sqrt(scan length) so prefix sums stay O(1) (see reduction.py)."""
from __future__ import annotations

from ..cases import ITEMSIZE, Case, normal

NAME = "scan"


def shape(ctx) -> tuple[int, int]:
    if ctx.smoke:
        return (5, 40)
    if ctx.gpu:
        return (4096, 4096) if ctx.quick else (4096, 8192)
    return (256, 512) if ctx.quick else (512, 2048)


def cases(ctx):
    m, n = shape(ctx)
    for dtype in ctx.dtypes:
        arrays = lambda length=n: [normal(5, (m, n)) / length ** 0.5]
        both = 2 * m * n * ITEMSIZE[dtype]
        yield Case(NAME, "cumsum dim=1", f"{m}x{n}", dtype, arrays, lambda lib, x: x.cumsum(1), both, reduction_len=n)
        yield Case(NAME, "cumsum dim=0", f"{m}x{n}", dtype, lambda: arrays(m), lambda lib, x: x.cumsum(0), both,
                   reduction_len=m)
        yield Case(NAME, "cummax dim=1", f"{m}x{n}", dtype, arrays, lambda lib, x: x.cummax(1).values,
                   both, reduction_len=n)
        yield Case(NAME, "logcumsumexp dim=1", f"{m}x{n}", dtype, arrays, lambda lib, x: x.logcumsumexp(1),
                   both, reduction_len=n)
