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


def _launch(kernel, x: ArrayView, out: ArrayView, rows: Rows, max_block_n: int, constexprs: dict) -> None:
    """BLOCK_M rows of BLOCK_N elements per program: short rows share a program."""
    block_n = min(triton.next_power_of_2(rows.N), max_block_n)
    block_m = max(1, min(4096 // block_n, triton.next_power_of_2(rows.M)))
    with np.errstate(all="ignore"):  # the interpreter computes masked-off lanes too
        kernel[(triton.cdiv(rows.M, block_m),)](
            x.buffer, out.buffer, rows.M, rows.N, x.offset, out.offset, *rows.sizes, *rows.x_strides,
            *rows.out_strides, rows.x_step, rows.out_step, **constexprs, BLOCK_M=block_m, BLOCK_N=block_n)


def run_by_rows(kernel, x: ArrayView, dim: int, out: ArrayView, max_block_n: int, **constexprs) -> None:
    """Launch a row kernel over the rows of x and out along `dim`, staging both through
    contiguous buffers when the kept dims do not collapse to 4."""
    if out.numel == 0:
        return
    rows = rows_of(x, dim, out)
    if rows is not None:
        _launch(kernel, x, out, rows, max_block_n, constexprs)
        return
    tmp_x, tmp_out = dim_last(x.shape, dim, x.dtype), dim_last(out.shape, dim, out.dtype)
    copy(x, tmp_x)
    _launch(kernel, tmp_x, tmp_out, rows_of(tmp_x, dim, tmp_out), max_block_n, constexprs)
    copy(tmp_out, out)


def dim_last(shape, dim: int, dtype) -> ArrayView:
    """A fresh buffer viewed with `shape`, stored row-major with `dim` moved last (each row
    along dim contiguous, rows in order)."""
    order = [d for d in range(len(shape)) if d != dim] + [dim]
    strides, step = [0] * len(shape), 1
    for d in reversed(order):
        strides[d] = step
        step *= shape[d]
    return ArrayView(memory.empty(math.prod(shape), dtype), 0, tuple(shape), tuple(strides), dtype)
