"""Index family, Triton kernels (twins of `tritorch/reference/index.py`); the primitives not
defined here are still pending (`tritorch.backend` binds them to a NotImplementedError).

    for every index i of out:  out[i] = x[i with i_dim replaced by index[i]]       (gather)
    out = (min(index), max(index))                                                 (index_range)
    for every index i of index:  x[i with i_dim replaced by index[i]] = src[i]       (scatter;
                                 += with accumulate, duplicates summed deterministically)
"""
from __future__ import annotations

import math

import numpy as np
import triton
import triton.language as tl

from .. import dtypes
from ..array_view import ArrayView, contiguous_strides
from . import memory
from .cast import accumulator, as_output_then, cast, widen
from .copy import copy
from .layout import launches, may_overlap
from .reduction import reduce
from .rows import dim_last
from .selection import sort
from .strided import INDEX_LIMIT, element_block, element_launches, element_offsets, offsets, reach

BLOCK = 1024
SEGMENT_TILE = 1024  # entries per program of the scatter-add kernel (BLOCK_M rows x BLOCK_N)


# Tiling: one program per BLOCK consecutive elements of out (row-major over index's shape,
# collapsed to 4-D), one lane per element: load its index, then the element of x it names.
# Design: a plain indexed load (what torch's gather kernel does); reads of x are coalesced when
# neighbouring indices are. Bound: bytes, index (8) + out itemsize per element plus one x read.
@triton.jit
def _gather_kernel(x, index, out, n, x_off, j_off, o_off, S1, S2, S3, x0, x1, x2, x3, j0, j1, j2, j3,
                   o0, o1, o2, o3, x_step, FLAT: tl.constexpr, I64: tl.constexpr, BLOCK: tl.constexpr):
    lin, i0, i1, i2, i3 = element_block(S1, S2, S3, FLAT, I64, BLOCK)
    mask = lin < n
    j = tl.load(index + j_off + element_offsets(lin, i0, i1, i2, i3, j0, j1, j2, j3, FLAT), mask=mask, other=0)
    v = tl.load(x + x_off + element_offsets(lin, i0, i1, i2, i3, x0, x1, x2, x3, FLAT) + j * x_step, mask=mask)
    tl.store(out + o_off + element_offsets(lin, i0, i1, i2, i3, o0, o1, o2, o3, FLAT),
             cast(v, out.dtype.element_ty), mask=mask)


def gather(x: ArrayView, dim: int, index: ArrayView, out: ArrayView) -> None:
    """out[i] = x[i with i_dim replaced by index[i]] (torch.gather); index is int64 and in
    range (the op layer checks), out.shape == index.shape."""
    if out.numel == 0:
        return
    x_strides = tuple(0 if d == dim else s for d, s in enumerate(x.strides))
    x_reach = reach(x.offset, x.shape, x.strides)
    for n, shape, offs, (xs, js, os), flat, i64 in element_launches(
            index.shape, (x.offset, index.offset, out.offset), (x_strides, index.strides, out.strides)):
        _gather_kernel[(triton.cdiv(n, BLOCK),)](
            x.buffer, index.buffer, out.buffer, n, *offs, *shape[1:], *xs, *js, *os, x.strides[dim],
            FLAT=flat, I64=i64 or x_reach >= INDEX_LIMIT, BLOCK=BLOCK)


def index_range(index: ArrayView, out: ArrayView) -> None:
    """out[0] = min(index), out[1] = max(index) for a non-empty integer index; out is int64 (2,).
    Two launches of the reduction engine over every dim (its tiling and bound)."""
    dims = tuple(range(index.ndim))
    for k, op in enumerate(("min", "max")):
        reduce(op, index, dims, ArrayView(out.buffer, out.offset + k * out.strides[0], (1,) * index.ndim,
                                          (1,) * index.ndim, out.dtype))


# Tiling: one program per BLOCK consecutive elements of index (row-major over its shape,
# collapsed to 4-D), one lane per element: load its index and its src value, store into the
# element of x it names; ACCUMULATE adds to that element instead, which is race-free only when
# no two lanes name the same element of x (index.shape[dim] == 1: every lane its own row).
# Design: a plain indexed store, gather's mirror (torch's scatter kernel, without atomics).
# Bound: bytes, index (8) + src itemsize per element plus one x write (and read).
@triton.jit
def _scatter_kernel(x, index, src, n, x_off, j_off, s_off, S1, S2, S3, x0, x1, x2, x3, j0, j1, j2, j3,
                    s0, s1, s2, s3, x_step, ACCUMULATE: tl.constexpr, ACC: tl.constexpr, FLAT: tl.constexpr,
                    I64: tl.constexpr, BLOCK: tl.constexpr):
    lin, i0, i1, i2, i3 = element_block(S1, S2, S3, FLAT, I64, BLOCK)
    mask = lin < n
    j = tl.load(index + j_off + element_offsets(lin, i0, i1, i2, i3, j0, j1, j2, j3, FLAT), mask=mask, other=0)
    v = tl.load(src + s_off + element_offsets(lin, i0, i1, i2, i3, s0, s1, s2, s3, FLAT), mask=mask)
    if not I64:
        j = j.to(tl.int32)  # x fits 32-bit offsets: the cheaper index math
    at = x + x_off + element_offsets(lin, i0, i1, i2, i3, x0, x1, x2, x3, FLAT) + j * x_step
    X: tl.constexpr = x.dtype.element_ty
    if ACCUMULATE:
        v = cast(widen(tl.load(at, mask=mask, other=0)), ACC) + as_output_then(v, X, ACC)
    tl.store(at, cast(widen(v), X), mask=mask)


@triton.jit
def _segment_sum(fa, va, fb, vb):
    """The segmented sum's combine of (opens a segment, running sum) pairs, b after a."""
    return fa | fb, tl.where(fb != 0, vb, va + vb)


# Tiling: BLOCK_M rows x BLOCK_N entries of index's rows along dim, each row sorted by
# destination first (`selection.sort`, stable: equal destinations keep index order); a program
# walks its rows in BLOCK_N steps. Design: sort, then reduce by key (the deterministic
# scatter-add of CUB's/thrust's reduce_by_key): a segmented inclusive scan in registers
# (tl.associative_scan over (opens a segment, sum) pairs: a fixed tree for a given BLOCK_N)
# carrying the open segment's sum from step to step; the last entry of each run of equal
# destinations adds its run's total to x there. Every element of x is read and written by one
# lane of one program: no atomics, the same bits on every run. Half types and float32 sum in
# float32 and round once into x, as the reference. Bound: bytes, per entry its sorted
# destination and position (8 + 8, neighbours from cache) and one gathered src read, one x
# read and write per distinct destination; the sort before it costs more.
@triton.jit
def _segment_add_kernel(x, src, dest, pos, M, L, x_off, s_off, d_off, R1, R2, R3, xr0, xr1, xr2, xr3,
                        sr0, sr1, sr2, sr3, dr0, dr1, dr2, dr3, x_step, s_step, ACC: tl.constexpr,
                        I64: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    if I64:
        rows = tl.program_id(0).to(tl.int64) * BLOCK_M + tl.arange(0, BLOCK_M).to(tl.int64)
    else:
        rows = tl.program_id(0) * BLOCK_M + tl.arange(0, BLOCK_M)
    row_mask = rows < M
    x_row = x + x_off + offsets(rows, R1, R2, R3, xr0, xr1, xr2, xr3)
    s_row = src + s_off + offsets(rows, R1, R2, R3, sr0, sr1, sr2, sr3)
    d_row = d_off + offsets(rows, R1, R2, R3, dr0, dr1, dr2, dr3)
    X: tl.constexpr = x.dtype.element_ty
    carry = tl.zeros((BLOCK_M,), ACC)
    for start in range(0, L, BLOCK_N):
        cols = start + tl.arange(0, BLOCK_N)
        mask = row_mask[:, None] & (cols < L)[None, :]
        at = d_row[:, None] + cols[None, :]
        j = tl.load(dest + at, mask=mask, other=-1)
        prev = tl.load(dest + at - 1, mask=mask & (cols > 0)[None, :], other=-1)
        after = tl.load(dest + at + 1, mask=mask & (cols < L - 1)[None, :], other=-1)
        k = tl.load(pos + at, mask=mask, other=0)
        if not I64:
            j, k = j.to(tl.int32), k.to(tl.int32)  # x and src fit 32-bit offsets
        x_at = x_row[:, None] + j * x_step
        v = tl.where(mask, as_output_then(tl.load(s_row[:, None] + k * s_step, mask=mask, other=0), X, ACC), 0)
        opens = ((j != prev) | (mask == 0)).to(tl.int32)  # masked lanes: empty segments of their own
        opened, total = tl.associative_scan((opens, v), 1, _segment_sum)
        total = tl.where(opened == 0, total + carry[:, None], total)
        carry = tl.sum(tl.where(cols[None, :] == tl.minimum(start + BLOCK_N, L) - 1, total, 0), axis=1)
        last = mask & (j != after)
        old = cast(widen(tl.load(x_at, mask=last, other=0)), ACC)
        tl.store(x_at, cast(old + total, X), mask=last)


def _scatter_add_rows(x: ArrayView, dim: int, index: ArrayView, src: ArrayView) -> None:
    """x[... index[i] ...] += src[i] along dim, duplicates summed deterministically: index's
    rows sorted stably by destination, then `_segment_add_kernel` over the sorted rows."""
    dest, pos = dim_last(index.shape, dim, dtypes.int64), dim_last(index.shape, dim, dtypes.int64)
    sort(index, dim, False, True, dest, pos)
    L = index.shape[dim]
    kept = [d for d in range(index.ndim) if d != dim]
    views = (x, src, dest)
    i64 = max(reach(v.offset, v.shape, v.strides) for v in (x, src, index)) >= INDEX_LIMIT or index.numel >= INDEX_LIMIT
    block_n = min(triton.next_power_of_2(L), SEGMENT_TILE)
    for shape, offs, (xs, ss, ds) in launches([index.shape[d] for d in kept], [v.offset for v in views],
                                              [[v.strides[d] for d in kept] for v in views]):
        M = math.prod(shape)
        block_m = max(1, min(SEGMENT_TILE // block_n, triton.next_power_of_2(M)))
        with np.errstate(all="ignore"):  # the interpreter computes masked-off lanes too
            _segment_add_kernel[(triton.cdiv(M, block_m),)](
                x.buffer, src.buffer, dest.buffer, pos.buffer, M, L, *offs, *shape[1:], *xs, *ss, *ds,
                x.strides[dim], src.strides[dim], ACC=accumulator(x.dtype), I64=i64, BLOCK_M=block_m,
                BLOCK_N=block_n)


def scatter(x: ArrayView, dim: int, index: ArrayView, src: ArrayView, accumulate: bool) -> None:
    """x[i with i_dim replaced by index[i]] = src[i] (or += with `accumulate`) for every i of
    index (torch.scatter_ / scatter_add_); index is int64 and in range (the op layer checks),
    src.shape == index.shape (src may broadcast with stride 0 or overlap x). Without
    `accumulate`, which of several writes to one element wins is unspecified; with it, the sum
    is deterministic (no atomics), half types summing in float32."""
    if index.numel == 0:
        return
    if may_overlap(src, x):  # programs run in parallel: read all of src before x changes
        staged = ArrayView(memory.empty(src.numel, src.dtype), 0, src.shape, contiguous_strides(src.shape), src.dtype)
        copy(src, staged)
        src = staged
    if accumulate and index.shape[dim] > 1:
        _scatter_add_rows(x, dim, index, src)
        return
    x_strides = tuple(0 if d == dim else s for d, s in enumerate(x.strides))
    x_reach = reach(x.offset, x.shape, x.strides)
    for n, shape, offs, (xs, js, ss), flat, i64 in element_launches(
            index.shape, (x.offset, index.offset, src.offset), (x_strides, index.strides, src.strides)):
        _scatter_kernel[(triton.cdiv(n, BLOCK),)](
            x.buffer, index.buffer, src.buffer, n, *offs, *shape[1:], *xs, *js, *ss, x.strides[dim],
            ACCUMULATE=bool(accumulate), ACC=accumulator(x.dtype), FLAT=flat, I64=i64 or x_reach >= INDEX_LIMIT,
            BLOCK=BLOCK)
