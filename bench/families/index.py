"""Indexing: gather along rows, scatter_add into rows (each destination hit the same number of
times), index_select of rows. Memory-bound: bytes of the values and indices moved."""
from __future__ import annotations

import numpy as np

from ..cases import ITEMSIZE, Case, normal, rng

NAME = "index"


def shape(ctx) -> tuple[int, int]:
    if ctx.smoke:
        return (8, 16)
    if ctx.gpu:
        return (2048, 2048) if ctx.quick else (4096, 4096)
    return (256, 512) if ctx.quick else (1024, 1024)


def cases(ctx):
    m, n = shape(ctx)
    hits = 4  # scatter_add: each destination row receives exactly this many source rows
    for dtype in ctx.dtypes:
        size = ITEMSIZE[dtype]
        gathered = lambda: [normal(9, (m, n)), rng(10).integers(0, n, (m, n // 2))]
        yield Case(NAME, "gather dim=1", f"{m}x{n} -> {m}x{n // 2}", dtype, gathered,
                   lambda lib, x, i: lib.gather(x, 1, i), nbytes=m * (n // 2) * (2 * size + 8))
        destination = lambda: _rotations(rng(11).permutation(np.tile(np.arange(m), hits)), n)
        scattered = lambda: [np.zeros((m, n), "float32"), destination(),
                             normal(12, (hits * m, n))]
        yield Case(NAME, "scatter_add dim=0", f"{hits * m}x{n} -> {m}x{n}", dtype, scattered,
                   lambda lib, x, i, s: x.scatter_add(0, i, s), nbytes=hits * m * n * (size + 8) + 2 * m * n * size,
                   reduction_len=hits, note=f"{hits} sources per destination; tritorch: sorted, no atomics")
        selected = lambda: [normal(13, (m, n)), rng(14).integers(0, m, m)]
        yield Case(NAME, "index_select dim=0", f"{m}x{n}", dtype, selected,
                   lambda lib, x, i: lib.index_select(x, 0, i), nbytes=2 * m * n * size + 8 * m)


def _rotations(order: np.ndarray, columns: int) -> np.ndarray:
    """Column c is `order` rotated by c: every value keeps its count in every column."""
    rows = np.arange(len(order))[:, None] + np.arange(columns)[None, :]
    return order[rows % len(order)]
