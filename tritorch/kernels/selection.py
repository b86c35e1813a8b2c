"""Selection and sorting of the reduction family, Triton kernels (twins of `arg_reduce` and
`sort` in `tritorch/reference/reduction.py`).

    sort:        for every row r along dim:  order = stable argsort of r (NaN largest)
                 values_out_row = r[order];  indices_out_row = order
    arg_reduce:  max/min: the first index of the row's extremum (a NaN wins: its first index);
                 median/mode: read off the stably sorted row (see the reference for the rules).

Sorting compares order-preserving unsigned keys: each value (half types widened to float32)
becomes an unsigned integer of its width that orders as the values do, with -0.0 equal to 0.0
and every NaN the largest; descending sorts invert the key's bits, so NaNs come first and equal
values keep their order. A key of at most 32 bits is packed with its position in the row into
one uint64 (every packed key is distinct, so any sort of them is stable); 64-bit keys travel
beside an int32 position and compare as (key, position) pairs. Values are never rebuilt from
keys: outputs gather the input at the sorted positions, bit for bit.
"""
from __future__ import annotations


import numpy as np
import triton
import triton.language as tl

from .. import dtypes
from ..array_view import ArrayView
from . import memory
from .cast import widen
from .copy import copy
from .launch import launch
from .rows import dims_last, rows_of
from .strided import offsets

ARG_REDUCE_OPS = ("max", "min", "median", "mode")
MAX_BLOCK = 1024  # longest run a program sorts in registers; longer rows merge runs
TILE = 2048  # elements per program of the register sort (BLOCK_M rows x BLOCK_N)
ROW_BLOCK = 1024  # longest step of the arg-reduction kernels along a row
FULL = tl.constexpr(0xFFFFFFFFFFFFFFFF)  # the key of a lane past the row's end: after every element


# --- keys and the bitonic network ----------------------------------------------------------

@triton.jit
def _key(v, DESCENDING: tl.constexpr):
    """An unsigned key of v's width (32 bits for narrower dtypes) that orders as the values:
    -0.0 == 0.0 and NaN above +inf; bits inverted when DESCENDING."""
    if v.dtype == tl.float64:
        f = tl.where(v == 0, 0.0, v)
        b = f.to(tl.uint64, bitcast=True)
        k = tl.where((b >> 63) != 0, ~b, b | 0x8000000000000000)
        k = tl.where(f != f, 0xFFFFFFFFFFFFFFFF, k)
    elif v.dtype.is_floating():
        f = widen(v).to(tl.float32)
        f = tl.where(f == 0, 0.0, f)
        b = f.to(tl.uint32, bitcast=True)
        k = tl.where((b >> 31) != 0, ~b, b | 0x80000000)
        k = tl.where(f != f, 0xFFFFFFFF, k)
    elif v.dtype == tl.int64:
        k = v.to(tl.uint64, bitcast=True) ^ 0x8000000000000000
    elif v.dtype == tl.int8 or v.dtype == tl.int16 or v.dtype == tl.int32:
        k = v.to(tl.int32).to(tl.uint32, bitcast=True) ^ 0x80000000
    else:  # uint8, bool
        k = v.to(tl.uint32)
    if DESCENDING:
        k = ~k
    return k


@triton.jit
def _after(ka, ia, kb, ib, PAIRED: tl.constexpr):
    """Whether (ka, ia) sorts after (kb, ib): keys first, then positions (PAIRED), else the
    packed keys alone."""
    if PAIRED:
        out = (ka > kb) | ((ka == kb) & (ia > ib))
    else:
        out = ka > kb
    return out


@triton.jit
def _bitonic_sort(k, i, LOG_N: tl.constexpr, BLOCK_M: tl.constexpr, PAIRED: tl.constexpr):
    """Sort each row of k (BLOCK_M rows of 2**LOG_N) ascending, carrying i when PAIRED: the
    bitonic network of triton.language.standard.sort on (key, position) pairs, its partners
    split apart by reshape/permute/split (register-local) rather than by sums. One function:
    the interpreter pays for every nested call."""
    for stage in tl.static_range(1, LOG_N + 1):
        for s in tl.static_range(stage):
            # partners at distance B: axis 1 of an (A, 2, B) reshape; blocks of 2**stage elements
            # alternate direction (bitonic sequences) until the last stage sorts ascending
            # (constexprs cannot be rebound in the unrolled loop: A and B are spelt out)
            if stage < LOG_N:
                flip = ((tl.arange(0, BLOCK_M * 2**(s + LOG_N - stage)) >> s) & 1)[:, None] == 1
            else:
                flip = tl.zeros((BLOCK_M * 2**(s + LOG_N - stage), 1), tl.int1)
            lk, rk = tl.split(tl.permute(tl.reshape(k, [BLOCK_M * 2**(s + LOG_N - stage), 2, 2**(stage - 1 - s)]),
                                         (0, 2, 1)))
            if PAIRED:
                li, ri = tl.split(tl.permute(tl.reshape(i, [BLOCK_M * 2**(s + LOG_N - stage), 2, 2**(stage - 1 - s)]),
                                             (0, 2, 1)))
                swap = ((lk > rk) | ((lk == rk) & (li > ri))) != flip
                i = tl.reshape(tl.permute(tl.join(tl.where(swap, ri, li), tl.where(swap, li, ri)), (0, 2, 1)), i.shape)
            else:
                swap = (lk > rk) != flip
            k = tl.reshape(tl.permute(tl.join(tl.where(swap, rk, lk), tl.where(swap, lk, rk)), (0, 2, 1)), k.shape)
    return k, i


@triton.jit
def _emit(x_row, v_row, i_row, pos, src, x_step, v_step, i_step, mask, HAS_VALUES: tl.constexpr):
    """Write sorted element `pos` of each row: its source index, and x's value there."""
    src = src.to(tl.int64)
    pos = pos.to(tl.int64)
    tl.store(i_row + pos * i_step, src, mask=mask)
    if HAS_VALUES:
        tl.store(v_row + pos * v_step, tl.load(x_row + src * x_step, mask=mask), mask=mask)


# Tiling: BLOCK_M rows x one run of BLOCK_N = 2**LOG_N elements per program, sorted in
# registers by a bitonic network (log2(BLOCK_N)^2 / 2 compare-and-swap steps on packed uint64
# keys, or on (uint64 key, int32 position) pairs for 64-bit dtypes). A row of at most BLOCK_N
# elements is done here (FINAL: indices written, values gathered from x); longer rows leave
# sorted runs in `scratch` for `_merge_kernel`. Bound: compare-and-swap ALU work,
# O(log^2 BLOCK_N) per element; memory is one read of x and one write of each output.
@triton.jit
def _sort_runs_kernel(x, vals, idxs, scratch_k, scratch_i, M, N, TILES, x_off, v_off, i_off,
                      R1, R2, R3, xr0, xr1, xr2, xr3, vr0, vr1, vr2, vr3, ir0, ir1, ir2, ir3,
                      x_step, v_step, i_step, DESCENDING: tl.constexpr, PAIRED: tl.constexpr,
                      FINAL: tl.constexpr, HAS_VALUES: tl.constexpr, BLOCK_M: tl.constexpr,
                      LOG_N: tl.constexpr):
    BLOCK_N: tl.constexpr = 2**LOG_N
    pid = tl.program_id(0)
    rows = (pid // TILES).to(tl.int64) * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = (pid % TILES) * BLOCK_N + tl.arange(0, BLOCK_N)
    mask = (rows < M)[:, None] & (cols < N)[None, :]
    x_row = x + x_off + offsets(rows, R1, R2, R3, xr0, xr1, xr2, xr3)
    k = _key(tl.load(x_row[:, None] + cols[None, :].to(tl.int64) * x_step, mask=mask, other=0), DESCENDING)
    at = tl.broadcast_to(cols[None, :], (BLOCK_M, BLOCK_N))
    if PAIRED:
        i = tl.where(mask, at, 0x7FFFFFFF)
    else:
        k = (k.to(tl.uint64) << 32) | at.to(tl.uint64)
        i = at
    k, i = _bitonic_sort(tl.where(mask, k, FULL), i, LOG_N, BLOCK_M, PAIRED)
    if FINAL:
        src = i if PAIRED else (k & 0xFFFFFFFF)
        _emit(x_row[:, None], (vals + v_off + offsets(rows, R1, R2, R3, vr0, vr1, vr2, vr3))[:, None],
              (idxs + i_off + offsets(rows, R1, R2, R3, ir0, ir1, ir2, ir3))[:, None], cols[None, :], src,
              x_step, v_step, i_step, mask, HAS_VALUES)
    else:
        at_scratch = rows[:, None] * N + cols[None, :]
        tl.store(scratch_k + at_scratch, k.to(tl.int64, bitcast=True), mask=mask)
        if PAIRED:
            tl.store(scratch_i + at_scratch, i, mask=mask)


# Tiling: BLOCK elements of one row per program (spanning any number of runs). A pass merges
# pairs of sorted runs of L = 2**LOG_L elements: each element's output position is its place in
# its own run plus its rank in the partner run, found by a binary search (LOG_L + 1 probes) -- a rank-based merge
# (as in merge path / ModernGPU's merge), with no program waiting on another. Elements are
# distinct (key, position) pairs, and a left run's positions precede its partner's, so equal
# values keep their order (stable). Ping-pongs src -> dst; the last pass (FINAL) writes the
# outputs. Bound: bytes, one read and one write of 12-16 bytes per element per pass plus the
# probes (cached), log2(N / MAX_BLOCK) passes.
@triton.jit
def _merge_kernel(x, vals, idxs, src_k, src_i, dst_k, dst_i, N, TILES, x_off, v_off, i_off,
                  R1, R2, R3, xr0, xr1, xr2, xr3, vr0, vr1, vr2, vr3, ir0, ir1, ir2, ir3,
                  x_step, v_step, i_step, LOG_L, PAIRED: tl.constexpr, FINAL: tl.constexpr,
                  HAS_VALUES: tl.constexpr, BLOCK: tl.constexpr):
    pid = tl.program_id(0)
    row = (pid // TILES).to(tl.int64)
    pos = (pid % TILES) * BLOCK + tl.arange(0, BLOCK)
    mask = pos < N
    base = row * N
    k = tl.load(src_k + base + pos, mask=mask, other=0).to(tl.uint64, bitcast=True)
    i = tl.load(src_i + base + pos, mask=mask, other=0) if PAIRED else k
    run = pos >> LOG_L
    partner = (run ^ 1) << LOG_L
    lo = tl.zeros((BLOCK,), tl.int32)
    hi = tl.minimum(tl.maximum(N - partner, 0), 1 << LOG_L)  # the partner run's length
    for _ in range(LOG_L + 1):
        active = mask & (lo < hi)
        mid = (lo + hi) >> 1
        pk = tl.load(src_k + base + partner + mid, mask=active, other=0).to(tl.uint64, bitcast=True)
        pi = tl.load(src_i + base + partner + mid, mask=active, other=0) if PAIRED else pk
        after = active & _after(k, i, pk, pi, PAIRED)
        lo = tl.where(after, mid + 1, lo)
        hi = tl.where(active & (after == 0), mid, hi)
    out = ((run >> 1) << (LOG_L + 1)) + (pos - (run << LOG_L)) + lo
    if FINAL:
        src = i if PAIRED else (k & 0xFFFFFFFF)
        _emit(x + x_off + offsets(row, R1, R2, R3, xr0, xr1, xr2, xr3),
              vals + v_off + offsets(row, R1, R2, R3, vr0, vr1, vr2, vr3),
              idxs + i_off + offsets(row, R1, R2, R3, ir0, ir1, ir2, ir3), out, src,
              x_step, v_step, i_step, mask, HAS_VALUES)
    else:
        tl.store(dst_k + base + out, k.to(tl.int64, bitcast=True), mask=mask)
        if PAIRED:
            tl.store(dst_i + base + out, i, mask=mask)


# --- arg-reductions ----------------------------------------------------------------------------

# Tiling: BLOCK_M rows x BLOCK_N elements; a program owns BLOCK_M rows and walks them once in
# BLOCK_N steps, each lane keeping its best (value, index) pair -- strict comparisons keep a
# lane's first occurrence, and a NaN, once taken, is never replaced -- then the lanes combine
# to the first index of the row's winner. Bound: bytes, one read of x per element.
@triton.jit
def _extremum_kernel(x, vals, idxs, M, N, x_off, v_off, i_off, R1, R2, R3, xr0, xr1, xr2, xr3,
                     vr0, vr1, vr2, vr3, ir0, ir1, ir2, ir3, x_step, MAX: tl.constexpr,
                     HAS_VALUES: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    rows = tl.program_id(0).to(tl.int64) * BLOCK_M + tl.arange(0, BLOCK_M)
    row_mask = rows < M
    x_row = x + x_off + offsets(rows, R1, R2, R3, xr0, xr1, xr2, xr3)
    FLOAT: tl.constexpr = x.dtype.element_ty.is_floating()
    ACC: tl.constexpr = tl.float64 if x.dtype.element_ty == tl.float64 else (tl.float32 if FLOAT else tl.int64)
    if FLOAT:
        best = tl.full((BLOCK_M, BLOCK_N), float("-inf") if MAX else float("inf"), ACC)
    else:
        best = tl.full((BLOCK_M, BLOCK_N), -9223372036854775807 - 1 if MAX else 9223372036854775807, ACC)
    # a lane that never takes keeps index 0: it only matters when the winner equals the initial
    # value, and then every element (element 0 among them) equals it
    at = tl.zeros((BLOCK_M, BLOCK_N), tl.int32)
    for start in range(0, N, BLOCK_N):
        cols = start + tl.arange(0, BLOCK_N)
        mask = row_mask[:, None] & (cols < N)[None, :]
        v = widen(tl.load(x_row[:, None] + cols[None, :].to(tl.int64) * x_step, mask=mask, other=0)).to(ACC)
        better = (v > best) if MAX else (v < best)
        take = mask & (better | ((v != v) & (best == best)))
        best = tl.where(take, v, best)
        at = tl.where(take, cols[None, :], at)
    nan = best != best
    any_nan = tl.max(nan.to(tl.int32), axis=1) > 0
    winner = tl.max(best, axis=1) if MAX else tl.min(best, axis=1)
    hit = tl.where(any_nan[:, None], nan, best == winner[:, None])
    idx = tl.min(tl.where(hit, at, 0x7FFFFFFF), axis=1).to(tl.int64)
    tl.store(idxs + i_off + offsets(rows, R1, R2, R3, ir0, ir1, ir2, ir3), idx, mask=row_mask)
    if HAS_VALUES:
        tl.store(vals + v_off + offsets(rows, R1, R2, R3, vr0, vr1, vr2, vr3),
                 tl.load(x_row + idx * x_step, mask=row_mask), mask=row_mask)


@triton.jit
def _max_combine(a, b):
    return tl.maximum(a, b)


@triton.jit
def _same(a, b):
    """Equal values, NaN equal to NaN (as the sort orders them)."""
    return (a == b) | ((a != a) & (b != b))


# Tiling: BLOCK_M rows x BLOCK_N elements of stably sorted rows (sv, si: contiguous, row r at
# r * N). median: count the NaNs, then read one position. mode: walk the row once in BLOCK_N
# steps, the start of each element's run of equal values by a max-scan, carrying the current
# run's start and the longest run so far (strictly longer wins: ties keep the smaller value);
# the answer is that run's last element, the value's last occurrence. Bound: bytes, one read
# of the sorted values (two for mode's neighbour) per element.
@triton.jit
def _select_kernel(sv, si, vals, idxs, M, N, v_off, i_off, R1, R2, R3, vr0, vr1, vr2, vr3,
                   ir0, ir1, ir2, ir3, MODE: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    rows = tl.program_id(0).to(tl.int64) * BLOCK_M + tl.arange(0, BLOCK_M)
    row_mask = rows < M
    base = rows * N
    if MODE:
        run_start = tl.zeros((BLOCK_M,), tl.int32)
        best_len = tl.zeros((BLOCK_M,), tl.int32)
        pick = tl.zeros((BLOCK_M,), tl.int32)
        for start in range(0, N, BLOCK_N):
            cols = start + tl.arange(0, BLOCK_N)
            mask = row_mask[:, None] & (cols < N)[None, :]
            v = widen(tl.load(sv + base[:, None] + cols[None, :], mask=mask, other=0))
            prev = widen(tl.load(sv + base[:, None] + cols[None, :] - 1, mask=mask & (cols > 0)[None, :], other=0))
            new_run = (cols == 0)[None, :] | (_same(v, prev) == 0)
            starts = tl.associative_scan(tl.where(new_run, cols[None, :], -1), 1, _max_combine)
            starts = tl.maximum(starts, run_start[:, None])
            length = tl.where(mask, cols[None, :] - starts + 1, 0)
            longest = tl.max(length, axis=1)
            first = tl.min(tl.where(length == longest[:, None], cols[None, :], 0x7FFFFFFF), axis=1)
            pick = tl.where(longest > best_len, first, pick)
            best_len = tl.maximum(longest, best_len)
            run_start = tl.max(starts, axis=1)
    else:
        nans = tl.zeros((BLOCK_M,), tl.int32)
        for start in range(0, N, BLOCK_N):
            cols = start + tl.arange(0, BLOCK_N)
            mask = row_mask[:, None] & (cols < N)[None, :]
            v = widen(tl.load(sv + base[:, None] + cols[None, :], mask=mask, other=0))
            nans += tl.sum((mask & (v != v)).to(tl.int32), axis=1)
        pick = tl.where(nans > 0, N - nans, (N - 1) // 2)  # NaNs sort last: the first NaN
    tl.store(idxs + i_off + offsets(rows, R1, R2, R3, ir0, ir1, ir2, ir3),
             tl.load(si + base + pick, mask=row_mask), mask=row_mask)
    tl.store(vals + v_off + offsets(rows, R1, R2, R3, vr0, vr1, vr2, vr3),
             tl.load(sv + base + pick, mask=row_mask), mask=row_mask)


# --- host side ---------------------------------------------------------------------------------

def _staged(primitive, x: ArrayView, dim: int, *outs) -> None:
    """Run `primitive(x, *outs)` on dim-last copies, for views whose kept dims do not collapse
    to 4 (rare), copying the outputs back."""
    tmp_x = dims_last(x.shape, (dim,), x.dtype)
    copy(x, tmp_x)
    tmp = [None if o is None else dims_last(o.shape, (dim,), o.dtype) for o in outs]
    primitive(tmp_x, *tmp)
    for o, t in zip(outs, tmp):
        if o is not None:
            copy(t, o)


def _check_length(name: str, x: ArrayView, dim: int) -> None:
    if x.shape[dim] >= 2**31:
        raise ValueError(f"{name}: rows of {x.shape[dim]} elements along dim {dim} (shape {list(x.shape)}) "
                         f"are too long: at most 2**31 - 1")


def sort(x: ArrayView, dim: int, descending: bool, stable: bool,
         values_out: ArrayView | None, indices_out: ArrayView) -> None:
    """Sort along `dim`: values and int64 source indices (outputs of x's shape; `values_out` may
    be None). Always stable (`stable` is accepted for PyTorch's signature); NaN is the largest
    value (first when descending)."""
    if x.numel == 0:
        return
    _check_length("sort", x, dim)
    geo = rows_of(x, dim, (x, indices_out if values_out is None else values_out, indices_out))
    if geo is None:
        _staged(lambda *v: sort(v[0], dim, descending, stable, v[1], v[2]), x, dim, values_out, indices_out)
        return
    M, N = geo.M, geo.N
    paired = x.dtype.itemsize == 8
    log_n = min(triton.next_power_of_2(N), MAX_BLOCK).bit_length() - 1
    tiles = triton.cdiv(N, 1 << log_n)
    block_m = max(1, min(TILE >> log_n, triton.next_power_of_2(M)))
    merge_block = min(triton.next_power_of_2(N), 1024)  # any tile: each element finds its own runs

    def scratch():
        return (memory.empty(M * N, dtypes.int64), memory.empty(M * N, dtypes.int32) if paired else indices_out.buffer)

    values = indices_out if values_out is None else values_out
    src = scratch() if tiles > 1 else (indices_out.buffer, indices_out.buffer)
    common = (x.offset, values.offset, indices_out.offset, *geo.sizes, *geo.strides, *geo.steps)
    with np.errstate(all="ignore"):  # the interpreter computes masked-off lanes too
        launch(_sort_runs_kernel, (triton.cdiv(M, block_m) * tiles,),
            x.buffer, values.buffer, indices_out.buffer, *src, M, N, tiles, *common, DESCENDING=bool(descending),
            PAIRED=paired, FINAL=tiles == 1, HAS_VALUES=values_out is not None, BLOCK_M=block_m, LOG_N=log_n)
        log_l, dst = log_n, None
        while (1 << log_l) < N:
            final = (2 << log_l) >= N
            dst = src if final else (dst or scratch())  # the last pass writes the outputs
            merge_tiles = triton.cdiv(N, merge_block)
            launch(_merge_kernel, (M * merge_tiles,),
                x.buffer, values.buffer, indices_out.buffer, *src, *dst, N, merge_tiles, *common, log_l,
                PAIRED=paired, FINAL=final, HAS_VALUES=values_out is not None, BLOCK=merge_block)
            src, dst = dst, src
            log_l += 1


def arg_reduce(op: str, x: ArrayView, dim: int, values_out: ArrayView | None, indices_out: ArrayView) -> None:
    """max/min/median/mode along `dim` and its int64 index (outputs: x's ndim, size 1 at dim;
    `values_out` may be None). max/min: the first index of the extremum, a NaN winning;
    median/mode: from the stable sort, as the reference."""
    if op not in ARG_REDUCE_OPS:
        raise ValueError(f"arg_reduce: unknown op {op!r}; expected one of {', '.join(ARG_REDUCE_OPS)}")
    if x.numel == 0:
        return
    _check_length("arg_reduce", x, dim)
    values = indices_out if values_out is None else values_out
    geo = rows_of(x, dim, (x, values, indices_out))
    if geo is None:
        _staged(lambda *v: arg_reduce(op, v[0], dim, v[1], v[2]), x, dim, values_out, indices_out)
        return
    M, N = geo.M, geo.N
    block_n = min(triton.next_power_of_2(N), ROW_BLOCK)
    block_m = max(1, min(4096 // block_n, triton.next_power_of_2(M)))
    grid = (triton.cdiv(M, block_m),)
    with np.errstate(all="ignore"):
        if op in ("max", "min"):
            launch(_extremum_kernel, grid, x.buffer, values.buffer, indices_out.buffer, M, N, x.offset,
                   values.offset, indices_out.offset, *geo.sizes, *geo.strides, geo.steps[0], MAX=op == "max",
                   HAS_VALUES=values_out is not None, BLOCK_M=block_m, BLOCK_N=block_n)
            return
        sorted_values, sorted_indices = dims_last(x.shape, (dim,), x.dtype), dims_last(x.shape, (dim,), dtypes.int64)
        sort(x, dim, False, True, sorted_values, sorted_indices)
        if values_out is None:
            values = dims_last(indices_out.shape, (dim,), x.dtype)
            geo = rows_of(x, dim, (x, values, indices_out))
        launch(_select_kernel, grid, sorted_values.buffer, sorted_indices.buffer, values.buffer, indices_out.buffer,
               M, N, values.offset, indices_out.offset, *geo.sizes, *geo.strides[4:],
               MODE=op == "mode", BLOCK_M=block_m, BLOCK_N=block_n)
