"""Random numbers: rand and randn (`rand_like`), write-bound. The two libraries' streams differ,
so a draw is checked by its mean and variance against torch's, not value by value."""
from __future__ import annotations

import numpy as np

from ..cases import ITEMSIZE, Case

NAME = "random"


def size(ctx) -> int:
    if ctx.smoke:
        return 4096
    if ctx.gpu:
        return 1 << 24 if ctx.quick else 1 << 26
    return 1 << 18 if ctx.quick else 1 << 20


def cases(ctx):
    n = size(ctx)
    for dtype in ctx.dtypes:
        like = lambda: [np.zeros(n, "float32")]
        for op in ("rand", "randn"):
            yield Case(NAME, op, f"{n}", dtype, like, lambda lib, x, op=op: getattr(lib, f"{op}_like")(x),
                       nbytes=n * ITEMSIZE[dtype], check="moments",
                       note="checked by mean and variance against torch's draw (different streams)")
