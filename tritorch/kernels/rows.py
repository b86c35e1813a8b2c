"""Row-wise launches: a view seen as M rows of N elements along one dim, for kernels that work
on whole rows (softmax, scans). The kept dims collapse to at most 4 (padded with size-1 dims);
a view whose kept dims do not is staged through contiguous buffers that store dim last.

A row kernel takes (x, out, M, N, x_off, o_off, R1, R2, R3, the 4 kept strides of x, those of
out, x's and out's stride along dim), then its constexprs, BLOCK_M and BLOCK_N."""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import triton

from ..array_view import ArrayView
from . import memory
from .copy import copy
from .launch import launch
from .layout import MAX_DIMS, collapse


class Rows(NamedTuple):
    M: int  # number of rows
    N: int  # row length (the size of dim)
    sizes: tuple[int, ...]  # kept dims 1..3, collapsed over every view (dim 0's size is implied by M)
    strides: tuple[int, ...]  # the 4 kept strides of each view, concatenated
    steps: tuple[int, ...]  # each view's stride along dim


def rows_of(x: ArrayView, dim: int, views) -> Rows | None:
    """The row geometry x shares with `views` (x among them; each of x's ndim, outputs of a
    reduction with size 1 at dim), or None when the kept dims do not collapse to 4."""
    kept = [d for d in range(x.ndim) if d != dim]
    sizes, strides = collapse([x.shape[d] for d in kept], [[v.strides[d] for d in kept] for v in views])
    if len(sizes) > MAX_DIMS:
        return None
    pad = MAX_DIMS - len(sizes)
    flat = sum(((0,) * pad + s for s in strides), ())
    return Rows(x.numel // x.shape[dim], x.shape[dim], ((1,) * pad + sizes)[1:], flat,
                tuple(v.strides[dim] for v in views))


def _launch(kernel, x: ArrayView, out: ArrayView, rows: Rows, max_block_n: int, constexprs: dict) -> None:
    """BLOCK_M rows of BLOCK_N elements per program: short rows share a program."""
    block_n = min(triton.next_power_of_2(rows.N), max_block_n)
    block_m = max(1, min(4096 // block_n, triton.next_power_of_2(rows.M)))
    with np.errstate(all="ignore"):  # the interpreter computes masked-off lanes too
        launch(kernel, (triton.cdiv(rows.M, block_m),),
            x.buffer, out.buffer, rows.M, rows.N, x.offset, out.offset, *rows.sizes, *rows.strides, *rows.steps,
            **constexprs, BLOCK_M=block_m, BLOCK_N=block_n)


def run_by_rows(kernel, x: ArrayView, dim: int, out: ArrayView, max_block_n: int, **constexprs) -> None:
    """Launch a row kernel over the rows of x and out along `dim`, staging both through
    contiguous buffers when the kept dims do not collapse to 4."""
    if out.numel == 0:
        return
    rows = rows_of(x, dim, (x, out))
    if rows is not None:
        _launch(kernel, x, out, rows, max_block_n, constexprs)
        return
    tmp_x, tmp_out = dims_last(x.shape, (dim,), x.dtype), dims_last(out.shape, (dim,), out.dtype)
    copy(x, tmp_x)
    _launch(kernel, tmp_x, tmp_out, rows_of(tmp_x, dim, (tmp_x, tmp_out)), max_block_n, constexprs)
    copy(tmp_out, out)


def dims_last(shape, dims: tuple[int, ...], dtype) -> ArrayView:
    """A fresh buffer viewed with `shape`, stored row-major with `dims` moved last, in their
    order (for one dim: each row along it contiguous, rows in order)."""
    order = [d for d in range(len(shape)) if d not in dims] + list(dims)
    strides, step = [0] * len(shape), 1
    for d in reversed(order):
        strides[d] = step
        step *= shape[d]
    return ArrayView(memory.empty(math.prod(shape), dtype), 0, tuple(shape), tuple(strides), dtype)
