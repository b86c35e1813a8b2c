"""Reductions: sum, max, argmax, var over rows (dim=1), over columns (dim=0) and the whole
tensor. Memory-bound: the input is read once. Inputs are scaled by 1/sqrt(reduction length) so a
sum is O(1), where the tolerance rule's absolute term means what it says."""
from __future__ import annotations

from ..cases import ITEMSIZE, Case, normal

NAME = "reduction"

OPS = {"sum": lambda x, **k: x.sum(**k), "max": lambda x, **k: x.max(**k).values if k else x.max(),
       "argmax": lambda x, **k: x.argmax(**k), "var": lambda x, **k: x.var(**k)}


def shape(ctx) -> tuple[int, int]:
    if ctx.smoke:
        return (7, 33)
    if ctx.gpu:
        return (4096, 4096) if ctx.quick else (4096, 8192)
    return (512, 512) if ctx.quick else (1024, 2048)


def cases(ctx):
    m, n = shape(ctx)
    for dtype in ctx.dtypes:
        for op, f in OPS.items():
            for over, kw, length, out in (("rows", {"dim": 1}, n, m), ("columns", {"dim": 0}, m, n),
                                          ("whole", {}, m * n, 1)):
                arrays = lambda length=length: [normal(4, (m, n)) / length ** 0.5]
                out_size = 8 if op == "argmax" else ITEMSIZE[dtype]
                yield Case(NAME, f"{op} over {over}", f"{m}x{n}", dtype, arrays,
                           lambda lib, x, f=f, kw=kw: f(x, **kw),
                           nbytes=m * n * ITEMSIZE[dtype] + out * out_size, reduction_len=length)
