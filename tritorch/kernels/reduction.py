"""Reduction family, Triton kernels (twins of `tritorch/reference/reduction.py`).

    for each kept index r:  out[r] = combine(x[r, k] for every reduced index k)

reduce (sum, mean, prod, max, min, any, all, count_nonzero) and norm share one kernel; var and
logsumexp have their own (their running state has three parts). Few long rows are split over a
second grid axis (`plan`): stage 1 writes each chunk's partial state, stage 2 combines them.
Deterministic: every output is combined in a fixed order, with no floating-point atomics.
Accumulation is float32 for float32/float16/bfloat16 outputs, float64 for float64, int64 for
integers and bool.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import triton
import triton.language as tl

from .. import dtypes
from ..array_view import ArrayView, is_row_major
from . import memory
from .cast import accumulator, as_output_then, cast, widen
from .copy import copy
from .launch import launch
from .layout import MAX_DIMS, collapse
from .rows import dims_last
from .math import div, sqrt
from .scan import cumulative, product  # noqa: F401  (cumulative: a primitive of this family)
from .scan import cumulative_extremum  # noqa: F401  (a primitive of this family)
from .selection import arg_reduce, sort  # noqa: F401  (primitives of this family)
from .search import searchsorted  # noqa: F401
from .strided import INDEX_LIMIT, offsets, reach

REDUCE_OPS = ("sum", "mean", "prod", "max", "min", "any", "all", "count_nonzero")

# Each reduction is MAP (what an element contributes), COMBINE (how contributions merge, the same
# in both stages) and POST (applied once to the merged result):
_REDUCE_PLAN = {"sum": ("value", "sum", "none"), "mean": ("value", "sum", "mean"),
                "prod": ("value", "prod", "none"), "max": ("value", "max", "none"),
                "min": ("value", "min", "none"), "any": ("nonzero", "sum", "none"),
                "all": ("nonzero", "prod", "none"), "count_nonzero": ("nonzero", "sum", "none")}

# --- launch planning (host) ---------------------------------------------------------------------
TILE = 4096  # elements of one program's BLOCK_M x BLOCK_K tile
MAX_BLOCK_K = 1024  # the longest step along a row
SMS = 132  # streaming multiprocessors of an H100 SXM
TARGET_PROGRAMS = 4 * SMS  # ~4 resident programs per SM hide the loads' latency
MIN_WORK = 2048  # elements a stage-1 program reads at least: below that a second stage costs more
                 # than the parallelism it buys

_ACC_DTYPES = {"fp32": dtypes.float32, "fp64": dtypes.float64, "int64": dtypes.int64}


class Plan(NamedTuple):
    """How a reduction of M rows of K elements is launched: BLOCK_M rows x BLOCK_K elements per
    step; `split` programs per row block (1: a single stage), each reducing `chunk` elements."""
    block_m: int
    block_k: int
    split: int
    chunk: int


def plan(M: int, K: int, columns: bool = False) -> Plan:
    """The launch geometry of a reduction of M rows of K elements. `columns`: the rows are
    contiguous and the reduced elements are not (a column sum), so the tile's long axis is M and
    warps read consecutive rows (coalesced).

    Rows of M alone fill the GPU when there are enough of them; else each row block is split into
    `split` chunks over a second grid axis (stage 1) whose partial results stage 2 combines,
    enough for ~TARGET_PROGRAMS programs, each reading at least MIN_WORK elements."""
    block_m, block_k = _blocks(M, K, columns)
    programs = triton.cdiv(M, block_m)
    split = 1
    if programs < TARGET_PROGRAMS:
        split = max(1, min(triton.cdiv(TARGET_PROGRAMS, programs), K * min(block_m, M) // MIN_WORK))
    if split == 1:
        return Plan(block_m, block_k, 1, max(K, 1))
    per_program = triton.cdiv(K, split)
    block_k = min(block_k, triton.next_power_of_2(per_program))
    chunk = triton.cdiv(per_program, block_k) * block_k  # whole steps: aligned chunk starts
    return Plan(block_m, block_k, triton.cdiv(K, chunk), chunk)


def _blocks(M: int, K: int, columns: bool = False) -> tuple[int, int]:
    """BLOCK_M x BLOCK_K: TILE elements, long along K, or along M for columns."""
    if columns:
        block_m = min(triton.next_power_of_2(M), 256)
        return block_m, max(1, min(TILE // block_m, triton.next_power_of_2(max(K, 1)), MAX_BLOCK_K))
    block_k = min(triton.next_power_of_2(max(K, 1)), MAX_BLOCK_K)
    return max(1, min(TILE // block_k, triton.next_power_of_2(M))), block_k


class _Geometry(NamedTuple):
    """x seen as M rows (its kept dims) of K elements (its reduced dims), each side collapsed and
    padded to 4 dims (sizes 1..3, then strides 0..3), and how a kernel indexes each side:
    'contiguous' (ptr + i), 'strided' (ptr + i * stride: one dim) or 'general' (decomposed)."""
    x: ArrayView
    M: int
    K: int
    rows: tuple[int, ...]
    elements: tuple[int, ...]
    m_path: str
    k_path: str


def _geometry(x: ArrayView, dims: tuple[int, ...]) -> _Geometry:
    kept_sizes, kept_strides, red_sizes, red_strides = _split(x, dims)
    if len(kept_sizes) > MAX_DIMS or len(red_sizes) > MAX_DIMS:
        x = _regroup(x, dims)  # rare: more than 4 non-mergeable dims on one side
        kept_sizes, kept_strides, red_sizes, red_strides = _split(x, dims)
    M = math.prod(x.shape[d] for d in range(x.ndim) if d not in dims)
    K = math.prod(x.shape[d] for d in dims)
    (_, *R), rstr = _pad(kept_sizes, kept_strides)
    (_, *S), kstr = _pad(red_sizes, red_strides)
    m_path = "general" if len(kept_sizes) > 1 else ("contiguous" if kept_strides[0] == 1 else "strided")
    k_path = "general" if len(red_sizes) > 1 else ("contiguous" if red_strides[0] == 1 else "strided")
    return _Geometry(x, M, K, (*R, *rstr), (*S, *kstr), m_path, k_path)


def _split(x: ArrayView, dims: tuple[int, ...]):
    """(kept sizes, kept strides, reduced sizes, reduced strides) of x, each collapsed."""
    kept = [d for d in range(x.ndim) if d not in dims]
    ks, (kst,) = collapse([x.shape[d] for d in kept], [[x.strides[d] for d in kept]])
    rs, (rst,) = collapse([x.shape[d] for d in dims], [[x.strides[d] for d in dims]])
    return ks, kst, rs, rst


def _pad(sizes, strides):
    pad = MAX_DIMS - len(sizes)
    return (1,) * pad + tuple(sizes), (0,) * pad + tuple(strides)


def _regroup(x: ArrayView, dims: tuple[int, ...]) -> ArrayView:
    """A copy of x stored as (kept dims..., reduced dims...) in row-major order, viewed in x's
    dim order: each side then collapses to a single dimension."""
    tmp = dims_last(x.shape, dims, x.dtype)
    copy(x, tmp)
    return tmp


def _needs_i64(*extents: int) -> bool:
    return max(extents) >= INDEX_LIMIT


def _float_bits(value: float) -> int:
    """A float64 as the int64 that carries it to a kernel bit for bit (a Python float argument
    would be narrowed to float32)."""
    return int(np.asarray(value, np.float64).view(np.int64))


def _run(kernel, name: str, x: ArrayView, dims: tuple[int, ...], out: ArrayView, parts: int, acc,
         param: float = 0.0, **constexprs) -> None:
    """Launch `kernel` (a reduction kernel of this module, whose state has `parts` components) to
    reduce x over `dims` into out: one stage, or stage 1 into float32/float64/int64 partials and
    stage 2 combining each row's partials in a fixed order (deterministic, no atomics)."""
    if not is_row_major(out.shape, out.strides):
        raise ValueError(f"{name}: out must be contiguous, got strides {out.strides} for shape {out.shape}")
    if out.numel == 0:
        return
    g = _geometry(x, dims)
    p = plan(g.M, g.K, columns=g.m_path == "contiguous" and g.k_path != "contiguous")
    x_reach = reach(g.x.offset, g.x.shape, g.x.strides)
    scratch = parts * g.M * p.split
    common = dict(constexprs, ACC=acc)
    bits = _float_bits(param)
    with np.errstate(all="ignore"):  # the interpreter computes masked-off lanes too
        if p.split == 1:
            launch(kernel, (triton.cdiv(g.M, p.block_m), 1),
                g.x.buffer, out.buffer, out.buffer, g.M, g.K, p.chunk, g.K, bits, g.x.offset, out.offset,
                *g.rows, *g.elements, PARTIAL=False, FINAL=True, M_PATH=g.m_path, K_PATH=g.k_path,
                I64=_needs_i64(g.M, g.K, x_reach, out.offset + g.M), BLOCK_M=p.block_m, BLOCK_K=p.block_k, **common)
            return
        partials = memory.empty(scratch, _ACC_DTYPES[acc.name])
        launch(kernel, (triton.cdiv(g.M, p.block_m), p.split),
            g.x.buffer, out.buffer, partials, g.M, g.K, p.chunk, g.K, bits, g.x.offset, out.offset,
            *g.rows, *g.elements, PARTIAL=False, FINAL=False, M_PATH=g.m_path, K_PATH=g.k_path,
            I64=_needs_i64(g.M, g.K, x_reach, scratch), BLOCK_M=p.block_m, BLOCK_K=p.block_k, **common)
        block_m, block_k = _blocks(g.M, p.split)  # stage 2: rows of `split` contiguous partials
        launch(kernel, (triton.cdiv(g.M, block_m), 1),
            partials, out.buffer, partials, g.M, p.split, p.split, g.K, bits, 0, out.offset,
            1, 1, 1, 0, 0, 0, p.split, 1, 1, 1, 0, 0, 0, 1, PARTIAL=True, FINAL=True, M_PATH="strided",
            K_PATH="contiguous", I64=_needs_i64(scratch, out.offset + g.M), BLOCK_M=block_m,
            BLOCK_K=block_k, **common)


# --- device helpers (inlined) -------------------------------------------------------------------

@triton.jit
def _indices(start, BLOCK: tl.constexpr, I64: tl.constexpr):
    """start + [0, BLOCK) in the launch's index width (int32 is the cheaper index math)."""
    if I64:
        return start + tl.arange(0, BLOCK).to(tl.int64)
    else:
        return start + tl.arange(0, BLOCK)


@triton.jit
def _offsets(i, S1, S2, S3, s0, s1, s2, s3, PATH: tl.constexpr):
    """Storage offsets of indices `i` along one side (rows or reduced elements): no index
    decomposition (no division) when that side collapsed to one dim."""
    if PATH == "contiguous":
        return i
    elif PATH == "strided":
        return i * s3
    else:
        return offsets(i, S1, S2, S3, s0, s1, s2, s3)


@triton.jit
def _prologue(x, x_off, M, K, chunk, R1, R2, R3, r0, r1, r2, r3,
              M_PATH: tl.constexpr, I64: tl.constexpr, BLOCK_M: tl.constexpr):
    """This program's rows, their mask, pointers to each row's first element, and the range
    [k_start, k_end) of reduced elements it covers (its chunk: program_id(1))."""
    if I64:
        start_m = tl.program_id(0).to(tl.int64) * BLOCK_M
        k_start = tl.program_id(1).to(tl.int64) * chunk
    else:
        start_m = tl.program_id(0) * BLOCK_M
        k_start = tl.program_id(1) * chunk
    rows = _indices(start_m, BLOCK_M, I64)
    x_rows = x + x_off + _offsets(rows, R1, R2, R3, r0, r1, r2, r3, M_PATH)
    return rows, rows < M, x_rows, k_start, k_start + tl.minimum(chunk, K - k_start)


@triton.jit
def _tile(x_rows, row_mask, start, k_end, K1, K2, K3, k0, k1, k2, k3,
          K_PATH: tl.constexpr, I64: tl.constexpr, BLOCK_K: tl.constexpr):
    """Pointers to a BLOCK_M x BLOCK_K tile (the reduced elements start .. start + BLOCK_K of
    each row) and its mask."""
    ks = _indices(start, BLOCK_K, I64)
    mask = row_mask[:, None] & (ks < k_end)[None, :]
    return x_rows[:, None] + _offsets(ks, K1, K2, K3, k0, k1, k2, k3, K_PATH)[None, :], mask


@triton.jit
def _param(bits, ACC: tl.constexpr):
    """A host float64 (passed as its int64 bits) as ACC."""
    return bits.to(tl.int64).to(tl.float64, bitcast=True).to(ACC)


@triton.jit
def _store_partial(part, c, M, rows, row_mask, value):
    """Component c of this program's partial state into part[c, row, chunk]: each row's partials
    are contiguous, so stage 2 reads them as a contiguous row."""
    n_chunks = tl.num_programs(1)
    tl.store(part + (c * M + rows) * n_chunks + tl.program_id(1), value, mask=row_mask)


@triton.jit
def _map(v, MAP: tl.constexpr, OUT: tl.constexpr, ACC: tl.constexpr, p):
    """An element's contribution. x is read as out's dtype first (PyTorch's `dtype=` casts the
    input), except by the nonzero tests of any/all/count_nonzero, which see x itself."""
    if MAP == "nonzero":
        r = (widen(v) != 0).to(ACC)
    else:
        a = as_output_then(v, OUT, ACC)
        if MAP == "value":
            r = a
        elif MAP == "abs":
            r = tl.abs(a)
        elif MAP == "square":
            r = a * a
        elif MAP == "count":
            r = (a != 0).to(ACC)
        else:  # "power": |a|^p = exp(p log|a|); 0 gives 0 (p > 0) or inf (p < 0), as pow does
            r = tl.exp(p * tl.log(tl.abs(a)))
    return r


@triton.jit
def _identity(COMBINE: tl.constexpr, ACC: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_K: tl.constexpr):
    if COMBINE == "sum":
        acc = tl.zeros((BLOCK_M, BLOCK_K), ACC)
    elif COMBINE == "prod":
        acc = tl.full((BLOCK_M, BLOCK_K), 1, ACC)
    elif COMBINE == "max":
        acc = tl.full((BLOCK_M, BLOCK_K), float("-inf"), ACC) if ACC.is_floating() else \
            tl.full((BLOCK_M, BLOCK_K), -9223372036854775807 - 1, ACC)
    else:
        acc = tl.full((BLOCK_M, BLOCK_K), float("inf"), ACC) if ACC.is_floating() else \
            tl.full((BLOCK_M, BLOCK_K), 9223372036854775807, ACC)
    return acc


@triton.jit
def _combine(acc, v, mask, COMBINE: tl.constexpr):
    """Each lane of acc merged with its new element (masked lanes unchanged); a NaN sticks in
    max/min, as in PyTorch."""
    if COMBINE == "sum":
        acc += tl.where(mask, v, 0)
    elif COMBINE == "prod":
        acc *= tl.where(mask, v, 1)
    elif COMBINE == "max":
        acc = tl.where(mask & ((v > acc) | (v != v)), v, acc)
    else:
        acc = tl.where(mask & ((v < acc) | (v != v)), v, acc)
    return acc


@triton.jit
def _finish(acc, COMBINE: tl.constexpr, ACC: tl.constexpr):
    """The lanes of each row of acc merged in a fixed order."""
    if COMBINE == "sum":
        res = tl.sum(acc, axis=1)
    elif COMBINE == "prod":
        res = product(acc)
    else:
        if COMBINE == "max":
            res = tl.max(acc, axis=1)
        else:
            res = tl.min(acc, axis=1)
        if ACC.is_floating():
            res = tl.where(tl.max((acc != acc).to(tl.int32), axis=1) > 0, float("nan"), res)
    return res


# --- kernels ------------------------------------------------------------------------------------
# Every kernel below has the same arguments. Grid (row blocks, chunks). x is the input (PARTIAL
# False: stage 1 or a single stage) or stage 1's partials (PARTIAL: stage 2, M rows of K partials,
# a component after another); `part` takes stage 1's partials unless FINAL, when `out` takes the
# result. `count` is the reduced length (mean's divisor), `param` a float64 parameter's bits.

# Tiling: BLOCK_M rows x BLOCK_K reduced elements; each lane of the tile keeps its own running
# result over the program's chunk (no cross-lane work in the loop), and the lanes of a row merge
# once at the end. Design: the classic two-stage tree reduction (as CUB's DeviceReduce and
# PyTorch's split-K reduce): a second grid axis splits long rows, partials in fixed slots, a
# second launch combines them in a fixed order, so results are deterministic without atomics.
# Contiguous rows index as ptr + k, a single strided dim as ptr + k * stride, and only views whose
# reduced dims do not collapse decompose indices (32-bit index math while everything fits).
# Bound: bytes, one read of x (itemsize per element); two stages add one write and one read of
# a partial per row and chunk.
@triton.jit
def _reduce_kernel(x, out, part, M, K, chunk, count, param, x_off, out_off,
                   R1, R2, R3, r0, r1, r2, r3, K1, K2, K3, k0, k1, k2, k3,
                   MAP: tl.constexpr, COMBINE: tl.constexpr, POST: tl.constexpr,
                   ACC: tl.constexpr, PARTIAL: tl.constexpr, FINAL: tl.constexpr, M_PATH: tl.constexpr,
                   K_PATH: tl.constexpr, I64: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_K: tl.constexpr):
    rows, row_mask, x_rows, k_start, k_end = _prologue(x, x_off, M, K, chunk, R1, R2, R3, r0, r1, r2, r3,
                                                       M_PATH, I64, BLOCK_M)
    if MAP == "power" or POST == "root":
        p = _param(param, ACC)
    else:
        p = 0.0
    acc = _identity(COMBINE, ACC, BLOCK_M, BLOCK_K)
    for start in range(k_start, k_end, BLOCK_K):
        ptrs, mask = _tile(x_rows, row_mask, start, k_end, K1, K2, K3, k0, k1, k2, k3, K_PATH, I64, BLOCK_K)
        v = tl.load(ptrs, mask=mask, other=0)
        if not PARTIAL:
            v = _map(v, MAP, out.dtype.element_ty, ACC, p)
        acc = _combine(acc, v, mask, COMBINE)
    res = _finish(acc, COMBINE, ACC)
    if FINAL:
        if POST == "mean":  # divided once, IEEE (numpy's mean; a float32 `/` is approximate on the GPU)
            res = div(res, tl.full(res.shape, count, ACC))
        elif POST == "sqrt":
            res = sqrt(res)
        elif POST == "root":  # s^(1/p) = exp(log(s) / p)
            res = tl.exp(div(tl.log(res), tl.zeros_like(res) + p))
        tl.store(out + out_off + rows, cast(res, out.dtype.element_ty), mask=row_mask)
    else:
        _store_partial(part, 0, M, rows, row_mask, res)


# Tiling: BLOCK_M rows x BLOCK_K elements; a program keeps (count, mean, M2) per row. Design:
# Chan's parallel variance: each step computes its tile's exact two-pass statistics in registers
# (tile mean, then the sum of squared deviations from it) and merges them into the running state
# with Chan et al.'s formula; stage 2 merges the chunks' (count, mean, M2) partials the same way.
# Nothing subtracts two large sums of squares, so a large common offset costs no digits.
# Bound: bytes, one read of x.
@triton.jit
def _var_kernel(x, out, part, M, K, chunk, count, param, x_off, out_off,
                R1, R2, R3, r0, r1, r2, r3, K1, K2, K3, k0, k1, k2, k3,
                SQRT: tl.constexpr, ACC: tl.constexpr, PARTIAL: tl.constexpr,
                FINAL: tl.constexpr, M_PATH: tl.constexpr, K_PATH: tl.constexpr, I64: tl.constexpr,
                BLOCK_M: tl.constexpr, BLOCK_K: tl.constexpr):
    rows, row_mask, x_rows, k_start, k_end = _prologue(x, x_off, M, K, chunk, R1, R2, R3, r0, r1, r2, r3,
                                                       M_PATH, I64, BLOCK_M)
    n = tl.zeros((BLOCK_M,), ACC)
    mean = tl.zeros((BLOCK_M,), ACC)
    m2 = tl.zeros((BLOCK_M,), ACC)
    for start in range(k_start, k_end, BLOCK_K):
        ptrs, mask = _tile(x_rows, row_mask, start, k_end, K1, K2, K3, k0, k1, k2, k3, K_PATH, I64, BLOCK_K)
        if PARTIAL:  # stage 1's (count, mean, M2) of each chunk
            n_i = tl.load(ptrs, mask=mask, other=0)
            mean_i = tl.load(ptrs + M * K, mask=mask, other=0)
            m2_i = tl.load(ptrs + 2 * M * K, mask=mask, other=0)
        else:  # each element: count 1, mean x, M2 0
            n_i = mask.to(ACC)
            mean_i = tl.where(mask, as_output_then(tl.load(ptrs, mask=mask, other=0), out.dtype.element_ty, ACC), 0)
            m2_i = tl.zeros((BLOCK_M, BLOCK_K), ACC)
        nb = tl.sum(n_i, axis=1)
        mean_b = tl.sum(n_i * mean_i, axis=1) / tl.maximum(nb, 1)
        d = mean_i - mean_b[:, None]
        m2_b = tl.sum(m2_i + tl.where(n_i > 0, n_i * d * d, 0), axis=1)
        total = n + nb
        w = nb / tl.maximum(total, 1)  # Chan: the tile's weight in the merged mean
        delta = mean_b - mean
        mean += delta * w
        m2 += m2_b + delta * delta * n * w
        n = total
    if FINAL:  # M2 / max(0, N - correction): 0 dof gives inf (or NaN for 0 / 0), as PyTorch
        res = div(m2, tl.zeros_like(m2) + _param(param, ACC))
        if SQRT:
            res = sqrt(res)
        tl.store(out + out_off + rows, cast(res, out.dtype.element_ty), mask=row_mask)
    else:
        _store_partial(part, 0, M, rows, row_mask, n)
        _store_partial(part, 1, M, rows, row_mask, mean)
        _store_partial(part, 2, M, rows, row_mask, m2)


# Tiling: BLOCK_M rows x BLOCK_K elements; a program keeps (max, scaled sum, extra) per row.
# Design: the online softmax normaliser (Milakov & Gimelshein): a running max of the finite
# values and the sum of exp(x - max), rescaled whenever the max grows; +inf and NaN elements go
# to `extra` (their sum: 0, inf or NaN), which overrides the finite result. Stage 2 merges the
# chunks' (max, sum, extra) partials the same way. Bound: bytes, one read of x (one exp each).
@triton.jit
def _logsumexp_kernel(x, out, part, M, K, chunk, count, param, x_off, out_off,
                      R1, R2, R3, r0, r1, r2, r3, K1, K2, K3, k0, k1, k2, k3,
                      ACC: tl.constexpr, PARTIAL: tl.constexpr, FINAL: tl.constexpr,
                      M_PATH: tl.constexpr, K_PATH: tl.constexpr, I64: tl.constexpr,
                      BLOCK_M: tl.constexpr, BLOCK_K: tl.constexpr):
    rows, row_mask, x_rows, k_start, k_end = _prologue(x, x_off, M, K, chunk, R1, R2, R3, r0, r1, r2, r3,
                                                       M_PATH, I64, BLOCK_M)
    m = tl.full((BLOCK_M,), float("-inf"), ACC)
    s = tl.zeros((BLOCK_M,), ACC)
    extra = tl.zeros((BLOCK_M,), ACC)
    for start in range(k_start, k_end, BLOCK_K):
        ptrs, mask = _tile(x_rows, row_mask, start, k_end, K1, K2, K3, k0, k1, k2, k3, K_PATH, I64, BLOCK_K)
        if PARTIAL:  # stage 1's (max, sum, extra) of each chunk
            m_i = tl.load(ptrs, mask=mask, other=float("-inf"))
            s_i = tl.load(ptrs + M * K, mask=mask, other=0)
            e_i = tl.load(ptrs + 2 * M * K, mask=mask, other=0)
        else:  # each element: a finite x is (x, 1); -inf adds nothing; +inf and NaN go to extra
            v = as_output_then(tl.load(ptrs, mask=mask, other=0), out.dtype.element_ty, ACC)
            finite = mask & (tl.abs(v) < float("inf"))
            m_i = tl.where(finite, v, float("-inf"))
            s_i = tl.full((BLOCK_M, BLOCK_K), 1, ACC)
            e_i = tl.where(mask & (v != v), float("nan"), tl.where(mask & (v == float("inf")), float("inf"), 0.0))
        m_new = tl.maximum(m, tl.max(m_i, axis=1))
        # equal maxima (still -inf) scale by 1: never exp(-inf - -inf)
        s = s * tl.where(m == m_new, 1.0, tl.exp(m - m_new)) + \
            tl.sum(tl.where(m_i == float("-inf"), 0.0, s_i * tl.exp(m_i - m_new[:, None])), axis=1)
        extra += tl.sum(e_i.to(ACC), axis=1)
        m = m_new
    if FINAL:  # all -inf (or nothing): s = 0 and m = -inf give -inf
        res = tl.where(extra == 0, m + tl.log(s), extra)
        tl.store(out + out_off + rows, cast(res, out.dtype.element_ty), mask=row_mask)
    else:
        _store_partial(part, 0, M, rows, row_mask, m)
        _store_partial(part, 1, M, rows, row_mask, s)
        _store_partial(part, 2, M, rows, row_mask, extra)


# --- primitives ---------------------------------------------------------------------------------

def reduce(op: str, x: ArrayView, dims: tuple[int, ...], out: ArrayView) -> None:
    """out (x's ndim, size 1 at `dims`) = op over `dims` of x; op in REDUCE_OPS."""
    if op not in REDUCE_OPS:
        raise ValueError(f"reduce: unknown op {op!r}; expected one of {REDUCE_OPS}")
    map_, combine, post = _REDUCE_PLAN[op]
    _run(_reduce_kernel, "reduce", x, dims, out, 1, accumulator(out.dtype), MAP=map_, COMBINE=combine, POST=post)


def var(x: ArrayView, dims: tuple[int, ...], correction: float, out: ArrayView, take_sqrt: bool = False) -> None:
    """Variance over `dims` dividing by max(0, N - correction), or its square root when
    `take_sqrt`; out has x's ndim, size 1 at `dims`."""
    n = math.prod(x.shape[d] for d in dims)
    _run(_var_kernel, "var", x, dims, out, 3, accumulator(out.dtype), param=max(0.0, n - correction),
         SQRT=bool(take_sqrt))


def logsumexp(x: ArrayView, dims: tuple[int, ...], out: ArrayView) -> None:
    """out = log(sum(exp(x))) over `dims`, max-shifted (all -inf gives -inf, +inf gives +inf,
    NaN gives NaN)."""
    _run(_logsumexp_kernel, "logsumexp", x, dims, out, 3, accumulator(out.dtype))


def norm(x: ArrayView, dims: tuple[int, ...], p: float, out: ArrayView) -> None:
    """The vector p-norm over `dims`: p = inf (max |x|), -inf (min |x|), 0 (count of nonzeros),
    1, 2, or any other p as (sum |x|^p)^(1/p)."""
    p = float(p)
    if p == math.inf:
        steps = ("abs", "max", "none")
    elif p == -math.inf:
        steps = ("abs", "min", "none")
    elif p == 0:
        steps = ("count", "sum", "none")
    elif p == 1:
        steps = ("abs", "sum", "none")
    elif p == 2:
        steps = ("square", "sum", "sqrt")
    else:
        steps = ("power", "sum", "root")
    _run(_reduce_kernel, "norm", x, dims, out, 1, accumulator(out.dtype), param=p,
         MAP=steps[0], COMBINE=steps[1], POST=steps[2])
