"""Index family, Triton kernels (twins of `tritorch/reference/index.py`); the primitives not
defined here are still pending (`tritorch.backend` binds them to a NotImplementedError).

    for every index i of out:  out[i] = x[i with i_dim replaced by index[i]]       (gather)
    out = (min(index), max(index))                                                 (index_range)
    for every index i of index:  x[i with i_dim replaced by index[i]] = src[i]       (scatter;
                                 += with accumulate, duplicates summed deterministically)
    out = x[indices], x[indices] = values (+=)        (index_get, index_put: the indexed dims'
                                 storage offsets, then gather / scatter along them)
    count_nonzero, nonzero        (stream compaction: block counts, their scan, ranked writes)
    repeat_index                  (searchsorted of each output position in cumsum(repeats))
    scatter_reduce                (x[j] = reduce of x[j] if include_self and every src[i] sent
                                 to j, for sum, prod, mean, amax, amin: sorted runs, no atomics)
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
from .elementwise import arange
from .launch import launch
from .layout import launches, may_overlap
from .reduction import reduce
from .rows import dims_last
from .scan import cumulative
from .search import searchsorted
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
    for n, shape, offs, (xs, js, os), flat, i64 in _along_dim_launches(x, dim, index, out):
        launch(_gather_kernel, (triton.cdiv(n, BLOCK),),
            x.buffer, index.buffer, out.buffer, n, *offs, *shape[1:], *xs, *js, *os, x.strides[dim],
            FLAT=flat, I64=i64, BLOCK=BLOCK)


def _along_dim_launches(x: ArrayView, dim: int, index: ArrayView, other: ArrayView):
    """`element_launches` over index's shape for a kernel that reads or writes x at index's
    position with its `dim` coordinate replaced by the index value (gather, scatter): x's stride
    along dim is dropped (the kernel adds `index * x.strides[dim]`), and 64-bit index math is
    switched on when x's whole reach needs it."""
    x_strides = tuple(0 if d == dim else s for d, s in enumerate(x.strides))
    x_i64 = reach(x.offset, x.shape, x.strides) >= INDEX_LIMIT
    for n, shape, offs, strides, flat, i64 in element_launches(
            index.shape, (x.offset, index.offset, other.offset), (x_strides, index.strides, other.strides)):
        yield n, shape, offs, strides, flat, i64 or x_i64


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
def _max_nan(a, b):
    return tl.where((a > b) | (a != a), a, b)  # NaN wins, as torch's amax


@triton.jit
def _min_nan(a, b):
    return tl.where((a < b) | (a != a), a, b)


@triton.jit
def _combine(a, b, OP: tl.constexpr):
    """a OP b for the scatter reductions (mean sums; its count is kept apart)."""
    if OP == "prod":
        r = a * b
    elif OP == "amax":
        r = _max_nan(a, b)
    elif OP == "amin":
        r = _min_nan(a, b)
    else:
        r = a + b
    return r


# The segmented scans' combines of (opens a segment, running value) pairs, b after a.
@triton.jit
def _segment_sum(fa, va, fb, vb):
    return fa | fb, tl.where(fb != 0, vb, va + vb)


@triton.jit
def _segment_prod(fa, va, fb, vb):
    return fa | fb, tl.where(fb != 0, vb, va * vb)


@triton.jit
def _segment_max(fa, va, fb, vb):
    return fa | fb, tl.where(fb != 0, vb, _max_nan(va, vb))


@triton.jit
def _segment_min(fa, va, fb, vb):
    return fa | fb, tl.where(fb != 0, vb, _min_nan(va, vb))


@triton.jit
def _segment_scan(opens, v, OP: tl.constexpr):
    if OP == "prod":
        opened, total = tl.associative_scan((opens, v), 1, _segment_prod)
    elif OP == "amax":
        opened, total = tl.associative_scan((opens, v), 1, _segment_max)
    elif OP == "amin":
        opened, total = tl.associative_scan((opens, v), 1, _segment_min)
    else:
        opened, total = tl.associative_scan((opens, v), 1, _segment_sum)
    return opened, total


@triton.jit
def _carried(total, opened, carry, cols, start, L, BLOCK_N: tl.constexpr, OP: tl.constexpr):
    """The step's running values with the open segment of the step before combined in front,
    and the value the row's last column carries into the next step."""
    total = tl.where(opened == 0, _combine(carry[:, None], total, OP), total)
    return total, tl.sum(tl.where(cols[None, :] == tl.minimum(start + BLOCK_N, L) - 1, total, 0), axis=1)


# Tiling: BLOCK_M rows x BLOCK_N entries of index's rows along dim, each row sorted by
# destination first (`selection.sort`, stable: equal destinations keep index order); a program
# walks its rows in BLOCK_N steps. Design: sort, then reduce by key (the deterministic
# scatter-reduce of CUB's/thrust's reduce_by_key): a segmented inclusive scan in registers
# (tl.associative_scan over (opens a segment, value) pairs with OP's combine: a fixed tree for a
# given BLOCK_N) carrying the open segment's value from step to step (mean also scans a count);
# the last entry of each run of equal destinations combines its run's total with x there
# (INCLUDE_SELF) or replaces it. Every element of x is read and written by one lane of one
# program: no atomics, the same bits on every run. Half types and float32 reduce in float32 and
# round once into x, as the reference. Bound: bytes, per entry its sorted destination and
# position (8 + 8, neighbours from cache) and one gathered src read, one x read and write per
# distinct destination; the sort before it costs more.
@triton.jit
def _segment_reduce_kernel(x, src, dest, pos, M, L, x_off, s_off, d_off, R1, R2, R3, xr0, xr1, xr2, xr3,
                           sr0, sr1, sr2, sr3, dr0, dr1, dr2, dr3, x_step, s_step, OP: tl.constexpr,
                           INCLUDE_SELF: tl.constexpr, ACC: tl.constexpr, I64: tl.constexpr,
                           BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
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
    count_carry = tl.zeros((BLOCK_M,), tl.int32)
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
        opened, total = _segment_scan(opens, v, OP)
        total, carry = _carried(total, opened, carry, cols, start, L, BLOCK_N, OP)
        last = mask & (j != after)
        if INCLUDE_SELF:
            total = _combine(cast(widen(tl.load(x_at, mask=last, other=0)), ACC), total, OP)
        if OP == "mean":
            _, count = tl.associative_scan((opens, mask.to(tl.int32)), 1, _segment_sum)
            count, count_carry = _carried(count, opened, count_carry, cols, start, L, BLOCK_N, "sum")
            if INCLUDE_SELF:
                count += 1
            if X.is_floating():
                total = total / count
            else:  # torch sums an integer mean in x's dtype (wrapping) and floors it
                total = cast(total, X).to(ACC)
                q = total // count  # then the check makes either rounding of // floor
                total = tl.where(total - q * count < 0, q - 1, q)
        tl.store(x_at, cast(total, X), mask=last)


def _sorted_rows(index: ArrayView, dim: int) -> tuple[ArrayView, ArrayView]:
    """(destinations, their positions): index's rows along dim sorted stably, each row
    contiguous. Rows repeated by a broadcast (stride 0 along another dim, as index_put's
    offsets along the kept dims) are sorted once and their result broadcast the same way."""
    narrow = tuple(1 if d != dim and s == 0 else n for d, (n, s) in enumerate(zip(index.shape, index.strides)))
    dest, pos = dims_last(narrow, (dim,), dtypes.int64), dims_last(narrow, (dim,), dtypes.int64)
    sort(ArrayView(index.buffer, index.offset, narrow, index.strides, index.dtype), dim, False, True, dest, pos)

    def broadcast(v: ArrayView) -> ArrayView:
        strides = tuple(0 if m != n else s for m, n, s in zip(narrow, index.shape, v.strides))
        return ArrayView(v.buffer, v.offset, index.shape, strides, v.dtype)
    return broadcast(dest), broadcast(pos)


def _scatter_reduce_rows(x: ArrayView, dim: int, index: ArrayView, src: ArrayView, op: str,
                         include_self: bool) -> None:
    """x[... index[i] ...] = op(x there, src[i], ...) along dim, deterministically: index's rows
    sorted stably by destination, then `_segment_reduce_kernel` over the sorted rows."""
    dest, pos = _sorted_rows(index, dim)
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
            launch(_segment_reduce_kernel, (triton.cdiv(M, block_m),),
                x.buffer, src.buffer, dest.buffer, pos.buffer, M, L, *offs, *shape[1:], *xs, *ss, *ds,
                x.strides[dim], src.strides[dim], OP=op, INCLUDE_SELF=bool(include_self),
                ACC=accumulator(x.dtype), I64=i64, BLOCK_M=block_m, BLOCK_N=block_n)


def _read_first(src: ArrayView, x: ArrayView) -> ArrayView:
    """src, or a copy of it when it may overlap x: programs run in parallel, so all of src is
    read before x changes."""
    if not may_overlap(src, x):
        return src
    staged = ArrayView(memory.empty(src.numel, src.dtype), 0, src.shape, contiguous_strides(src.shape), src.dtype)
    copy(src, staged)
    return staged


def scatter(x: ArrayView, dim: int, index: ArrayView, src: ArrayView, accumulate: bool) -> None:
    """x[i with i_dim replaced by index[i]] = src[i] (or += with `accumulate`) for every i of
    index (torch.scatter_ / scatter_add_); index is int64 and in range (the op layer checks),
    src.shape == index.shape (src may broadcast with stride 0 or overlap x). Without
    `accumulate`, which of several writes to one element wins is unspecified; with it, the sum
    is deterministic (no atomics), half types summing in float32."""
    if index.numel == 0:
        return
    src = _read_first(src, x)
    if accumulate and index.shape[dim] > 1:
        _scatter_reduce_rows(x, dim, index, src, "sum", True)
        return
    for n, shape, offs, (xs, js, ss), flat, i64 in _along_dim_launches(x, dim, index, src):
        launch(_scatter_kernel, (triton.cdiv(n, BLOCK),),
            x.buffer, index.buffer, src.buffer, n, *offs, *shape[1:], *xs, *js, *ss, x.strides[dim],
            ACCUMULATE=bool(accumulate), ACC=accumulator(x.dtype), FLAT=flat, I64=i64, BLOCK=BLOCK)


def scatter_reduce(x: ArrayView, dim: int, index: ArrayView, src: ArrayView, reduce: str,
                   include_self: bool) -> None:
    """x[j] = reduce over x[j] (when `include_self`) and every src[i] whose position i with
    i_dim replaced by index[i] is j, for reduce in sum, prod, mean, amax, amin
    (torch.scatter_reduce_); elements no index names keep their value. Deterministic (sorted
    runs, no atomics); NaN wins amax/amin; an integer mean floors; half types reduce in
    float32. Index and src as for `scatter`."""
    if index.numel:
        _scatter_reduce_rows(x, dim, index, _read_first(src, x), reduce, include_self)


# --- advanced indexing: index_get, index_put, count_nonzero, nonzero, repeat_index -------------

def _indexed_dims(x: ArrayView, indices: tuple) -> list[int]:
    if len(indices) != x.ndim:
        raise ValueError(f"index: {len(indices)} index entries for a {x.ndim}-d tensor")
    picked = [d for d, j in enumerate(indices) if j is not None]
    if not picked:
        raise ValueError("index: at least one dimension must be indexed")
    return picked


# Tiling: one program per BLOCK consecutive elements of the broadcast index shape I (collapsed to
# 4-D), one lane per element: off[i] (+)= wrap(j[i]) * stride of the indexed dim, one launch per
# indexed dim. Design: the linearised offsets of torch's index kernel (TensorIterator's
# index/index_put: the indexed dims' offsets summed once per index element, not once per
# element of the result). Bound: bytes, 8 read of j plus 8 written (and 8 read after the first
# dim) per index element and indexed dim.
@triton.jit
def _index_offset_kernel(index, off, n, j_off, o_off, S1, S2, S3, j0, j1, j2, j3, o0, o1, o2, o3, base, size,
                         step, FIRST: tl.constexpr, FLAT: tl.constexpr, I64: tl.constexpr, BLOCK: tl.constexpr):
    lin, i0, i1, i2, i3 = element_block(S1, S2, S3, FLAT, I64, BLOCK)
    mask = lin < n
    j = tl.load(index + j_off + element_offsets(lin, i0, i1, i2, i3, j0, j1, j2, j3, FLAT), mask=mask, other=0)
    at = off + o_off + element_offsets(lin, i0, i1, i2, i3, o0, o1, o2, o3, FLAT)
    o = tl.where(j < 0, j + size, j) * step
    if FIRST:
        o += base
    else:
        o += tl.load(at, mask=mask, other=0)
    tl.store(at, o, mask=mask)


def _storage_offsets(x: ArrayView, indices: tuple) -> tuple[ArrayView, ArrayView]:
    """(flat, offs): x as a `gather`/`scatter` operand indexed along dim 0 by storage offset,
    and the offsets (int64, the index dims I then x's kept dims K, stride 0 along K), so that
    x[indices][i, k] == flat[offs[i, k], i..., k]. flat starts at the lowest element x reaches
    (strides may be negative), which keeps every offset >= 0."""
    picked = _indexed_dims(x, indices)
    kept = [d for d in range(x.ndim) if d not in picked]
    shape_i = tuple(indices[picked[0]].shape)
    low = x.offset + sum(min(0, (n - 1) * s) for n, s in zip(x.shape, x.strides))
    off = ArrayView(memory.empty(math.prod(shape_i), dtypes.int64), 0, shape_i, contiguous_strides(shape_i), dtypes.int64)
    for k, d in enumerate(picked):
        j = indices[d]
        for n, shape, offs, (js, os), flat, big in element_launches(shape_i, (j.offset, 0), (j.strides, off.strides)):
            launch(_index_offset_kernel, (triton.cdiv(n, BLOCK),),
                j.buffer, off.buffer, n, *offs, *shape[1:], *js, *os, x.offset - low, x.shape[d], x.strides[d],
                FIRST=k == 0, FLAT=flat, I64=big, BLOCK=BLOCK)
    shape_k, strides_k = tuple(x.shape[d] for d in kept), tuple(x.strides[d] for d in kept)
    broadcast = (0,) * (len(shape_i) - 1)
    flat_x = ArrayView(x.buffer, low, (reach(x.offset, x.shape, x.strides) - low + 1,) + shape_i[1:] + shape_k,
                       (1,) + broadcast + strides_k, x.dtype)
    offs = ArrayView(off.buffer, 0, shape_i + shape_k, off.strides + (0,) * len(kept), dtypes.int64)
    return flat_x, offs


def index_get(x: ArrayView, indices: tuple, out: ArrayView) -> None:
    """out = x[indices], index dims first (see the reference); indices are int64, broadcast to
    one shape and in range (the op layer checks). The storage offsets of the indexed dims, then
    `gather` along them."""
    _indexed_dims(x, indices)
    if out.numel == 0:
        return
    indices, out = _lifted(indices, out)
    flat_x, offs = _storage_offsets(x, indices)
    gather(flat_x, 0, offs, out)


def index_put(x: ArrayView, indices: tuple, values: ArrayView, accumulate: bool) -> None:
    """x[indices] = values (+= with `accumulate`, duplicates summed deterministically: sort by
    destination, then the segmented sum of `scatter`); values in the index-dims-first layout,
    converted to x's dtype, may broadcast or overlap x. The storage offsets, then `scatter`."""
    _indexed_dims(x, indices)
    if values.numel == 0:
        return
    indices, values = _lifted(indices, _read_first(values, x))
    flat_x, offs = _storage_offsets(x, indices)
    n_i = next(j for j in indices if j is not None).ndim
    if accumulate and n_i != 1:
        # one row of destinations per kept position: the index dims flattened into dim 0
        values = _merged_lead(values, n_i)
        flat_x = ArrayView(flat_x.buffer, flat_x.offset, flat_x.shape[:1] + flat_x.shape[n_i:],
                           flat_x.strides[:1] + flat_x.strides[n_i:], x.dtype)
        offs = ArrayView(offs.buffer, 0, values.shape, (1,) + offs.strides[n_i:], dtypes.int64)
    scatter(flat_x, 0, offs, values, accumulate)


def _merged_lead(v: ArrayView, n: int) -> ArrayView:
    """v with its first n >= 1 dims merged into one (a contiguous copy when they do not merge)."""
    shape = (math.prod(v.shape[:n]),) + v.shape[n:]
    if all(v.strides[d] == v.strides[d + 1] * v.shape[d + 1] for d in range(n - 1)):
        return ArrayView(v.buffer, v.offset, shape, (v.strides[n - 1],) + v.strides[n:], v.dtype)
    staged = ArrayView(memory.empty(v.numel, v.dtype), 0, v.shape, contiguous_strides(v.shape), v.dtype)
    copy(v, staged)
    return ArrayView(staged.buffer, 0, shape, contiguous_strides(shape), v.dtype)


def _lifted(indices: tuple, v: ArrayView) -> tuple[tuple, ArrayView]:
    """A 0-d index shape as (1,): the index views and v (out or values) get a leading size-1 dim."""
    if next(j for j in indices if j is not None).ndim:
        return indices, v

    def lift(a: ArrayView) -> ArrayView:
        return ArrayView(a.buffer, a.offset, (1,) + a.shape, (0,) + a.strides, a.dtype)
    return tuple(None if j is None else lift(j) for j in indices), lift(v)


# Tiling: one program per BLOCK consecutive elements of x in row-major order of its logical
# shape (collapsed to 4-D; one launch per index of any dims beyond 4), one lane per element.
# Design: stream compaction by a two-pass reduce-then-scan prefix sum (CUB's DeviceSelect::Flagged
# without decoupled look-back, so no program waits on another): pass 1 (WRITE false) stores its
# block's count of nonzeros; the counts are scanned (`scan.cumulative`); pass 2 recounts, ranks
# its nonzeros by an in-register scan (tl.cumsum) and writes each one's row-major index at its
# block's start + rank, in order. Bound: bytes, x read twice, 8 per nonzero written.
@triton.jit
def _compact_kernel(x, counts, ends, flat, n, x_off, S1, S2, S3, x0, x1, x2, x3, first, base,
                    WRITE: tl.constexpr, FLAT: tl.constexpr, I64: tl.constexpr, BLOCK: tl.constexpr):
    lin, i0, i1, i2, i3 = element_block(S1, S2, S3, FLAT, I64, BLOCK)
    mask = lin < n
    v = widen(tl.load(x + x_off + element_offsets(lin, i0, i1, i2, i3, x0, x1, x2, x3, FLAT), mask=mask, other=0))
    hit = ((v != 0) & mask).to(tl.int32)  # NaN != 0: it counts
    block = first + tl.program_id(0)
    if WRITE:
        start = tl.load(ends + block) - tl.sum(hit, 0)
        tl.store(flat + start + tl.cumsum(hit, 0) - 1, base + lin, mask=hit != 0)
    else:
        tl.store(counts + block, tl.sum(hit, 0).to(tl.int64))


def _compact(x: ArrayView, flat: ArrayView | None) -> ArrayView:
    """Pass 1 of `_compact_kernel` (the per-block counts, returned) and, given `flat`, pass 2."""
    runs = list(element_launches(x.shape, (x.offset,), (x.strides,)))
    n_blocks = sum(triton.cdiv(r[0], BLOCK) for r in runs)
    counts = ArrayView(memory.empty(n_blocks, dtypes.int64), 0, (n_blocks,), (1,), dtypes.int64)
    ends = ArrayView(memory.empty(n_blocks, dtypes.int64), 0, (n_blocks,), (1,), dtypes.int64)
    i64 = x.numel >= INDEX_LIMIT
    for write in (False, True) if flat is not None else (False,):
        if write:
            cumulative("cumsum", counts, 0, ends)
        first = base = 0
        for n, shape, (x_off,), (xs,), flat_path, big in runs:
            launch(_compact_kernel, (triton.cdiv(n, BLOCK),),
                x.buffer, counts.buffer, ends.buffer, flat.buffer if write else counts.buffer, n, x_off, *shape[1:],
                *xs, first, base, WRITE=write, FLAT=flat_path, I64=big or i64, BLOCK=BLOCK)
            first, base = first + triton.cdiv(n, BLOCK), base + n
    return counts


def count_nonzero(x: ArrayView, out: ArrayView) -> None:
    """out[()] = number of elements of x that are not zero (NaN counts); out is int64, 0-d.
    Per-block counts (pass 1 of `_compact_kernel`), summed by the reduction engine."""
    counts = _compact(x, None)
    reduce("sum", counts, (0,), ArrayView(out.buffer, out.offset, (1,), (1,), out.dtype))


# Tiling: one program per BLOCK rows of out (count, ndim), one lane per row: one launch per dim.
# Design: unravel a row-major index into coordinates, (lin // inner size) % size, in 32-bit
# math when x has fewer than 2**31 elements. Bound: bytes, 8 read and 8 written per element.
@triton.jit
def _unravel_kernel(flat, out, n, o_off, o_step, inner, size, I64: tl.constexpr, BLOCK: tl.constexpr):
    lin, _, _, _, _ = element_block(1, 1, 1, True, I64, BLOCK)
    mask = lin < n
    i = tl.load(flat + lin, mask=mask, other=0)
    if not I64:
        i = i.to(tl.int32)
    tl.store(out + o_off + lin * o_step, ((i // inner) % size).to(tl.int64), mask=mask)


def nonzero(x: ArrayView, out: ArrayView) -> None:
    """Row r of out (int64, (count_nonzero(x), x.ndim)) is the index of the r-th nonzero element
    of x in row-major order of its logical shape: `_compact_kernel`'s row-major indices, then
    unravelled one dim at a time (no host loop over elements, no atomics)."""
    count = out.shape[0]
    if count == 0:
        return
    flat = ArrayView(memory.empty(count, dtypes.int64), 0, (count,), (1,), dtypes.int64)
    _compact(x, flat)
    i64 = x.numel >= INDEX_LIMIT or count >= INDEX_LIMIT
    inner = x.numel
    for d in range(x.ndim):
        inner //= x.shape[d]
        launch(_unravel_kernel, (triton.cdiv(count, BLOCK),),
            flat.buffer, out.buffer, count, out.offset + d * out.strides[1], out.strides[0], inner, x.shape[d],
            I64=i64, BLOCK=BLOCK)


def repeat_index(repeats: ArrayView, out: ArrayView) -> None:
    """out = [0] * repeats[0] + [1] * repeats[1] + ... (1-D integer repeats, all >= 0; out is
    int64 of length sum(repeats)). Design: out[p] is the number of inclusive prefix sums of
    repeats that are <= p (searchsorted right over `scan.cumulative`'s sums, merge-path style):
    every output lane finds its source by binary search, no per-source loop, no atomics.
    Bound: the search's log2(len(repeats)) cached loads per output element."""
    if out.numel == 0:
        return
    n = repeats.shape[0]
    ends = ArrayView(memory.empty(n, dtypes.int64), 0, (n,), (1,), dtypes.int64)
    cumulative("cumsum", repeats, 0, ends)
    arange(0, 1, out)  # the positions p, searched in place: each lane reads its p, then writes
    searchsorted(ends, out, True, out)
