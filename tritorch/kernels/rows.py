"""Row-wise launches: a view seen as M rows of N elements along one dim, for kernels that work
on whole rows (softmax, scans). The kept dims collapse to at most 4 (padded with size-1 dims);
a view whose kept dims do not is staged through contiguous buffers that store dim last."""
from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from ..array_view import ArrayView
from . import memory
from .copy import copy
from .layout import MAX_DIMS, collapse


class Rows(NamedTuple):
    M: int  # number of rows
    N: int  # row length (the size of dim)
    sizes: tuple[int, ...]  # kept dims 1..3 (dim 0's size is implied by M)
    x_strides: tuple[int, ...]  # x's strides of the 4 kept dims
    out_strides: tuple[int, ...]
    x_step: int  # x's stride along dim
    out_step: int


def rows_of(x: ArrayView, dim: int, out: ArrayView) -> Rows | None:
    """The row geometry shared by x and out (same shape), or None past 4 kept dims."""
    kept = [d for d in range(x.ndim) if d != dim]
    sizes, (x_st, o_st) = collapse([x.shape[d] for d in kept], [[x.strides[d] for d in kept],
                                                                [out.strides[d] for d in kept]])
    if len(sizes) > MAX_DIMS:
        return None
    pad = MAX_DIMS - len(sizes)
    sizes, x_st, o_st = (1,) * pad + sizes, (0,) * pad + x_st, (0,) * pad + o_st
    return Rows(out.numel // x.shape[dim], x.shape[dim], sizes[1:], x_st, o_st, x.strides[dim], out.strides[dim])


def run_by_rows(launch: Callable[[ArrayView, ArrayView, Rows], None], x: ArrayView, dim: int,
                out: ArrayView) -> None:
    """launch(x, out, rows) on the row geometry, staging x and out when it has too many dims."""
    if out.numel == 0:
        return
    rows = rows_of(x, dim, out)
    if rows is not None:
        launch(x, out, rows)
        return
    order = [d for d in range(x.ndim) if d != dim] + [dim]
    strides, step = [0] * x.ndim, 1
    for d in reversed(order):
        strides[d] = step
        step *= x.shape[d]
    tmp_x = ArrayView(memory.empty(x.numel, x.dtype), 0, x.shape, tuple(strides), x.dtype)
    tmp_out = ArrayView(memory.empty(out.numel, out.dtype), 0, out.shape, tuple(strides), out.dtype)
    copy(x, tmp_x)
    launch(tmp_x, tmp_out, rows_of(tmp_x, dim, tmp_out))
    copy(tmp_out, out)
