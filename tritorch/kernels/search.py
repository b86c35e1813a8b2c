"""Binary search of the reduction family, Triton kernel (twin of `searchsorted` in
`tritorch/reference/reduction.py`).

    for every value v and its row r of the sorted sequence:  lo, hi = 0, N
        while lo < hi:  mid = (lo + hi) // 2;  lo, hi = (mid + 1, hi) if not r[mid] >= v else (lo, mid)
        out = lo                                         (right: `r[mid] > v`)
"""
from __future__ import annotations

import numpy as np
import triton
import triton.language as tl

from ..array_view import ArrayView
from .cast import widen
from .launch import launch
from .layout import launches
from .strided import INDEX_LIMIT, offsets


# Tiling: a BLOCK_M x BLOCK_L tile of (rows) x (values of a row), one lane per value. Design:
# branch-free binary search (lanes step in lockstep: every lane runs bit_length(N) masked
# steps, a finished lane's `lo < hi` is false and it stops moving), with PyTorch's probe order
# `mid = lo + (hi - lo) / 2` and its `!(r[mid] >= v)` test, so NaNs land where PyTorch puts them.
# Bound: latency of log2(N) dependent loads per value (the top levels of the search tree are
# shared by all lanes and stay in L1/L2); bytes, one read of values and one write of out.
@triton.jit
def _search_kernel(seq, vals, out, M, L, N, steps, s_off, v_off, o_off, R1, R2, R3,
                   s0, s1, s2, s3, v0, v1, v2, v3, o0, o1, o2, o3, s_step, v_step, o_step,
                   RIGHT: tl.constexpr, I64: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_L: tl.constexpr):
    rows = tl.program_id(0).to(tl.int64) * BLOCK_M + tl.arange(0, BLOCK_M)
    s_row = seq + s_off + offsets(rows, R1, R2, R3, s0, s1, s2, s3)
    v_row = vals + v_off + offsets(rows, R1, R2, R3, v0, v1, v2, v3)
    o_row = out + o_off + offsets(rows, R1, R2, R3, o0, o1, o2, o3)
    cols = tl.program_id(1) * BLOCK_L + tl.arange(0, BLOCK_L)
    mask = (rows < M)[:, None] & (cols < L)[None, :]
    v = widen(tl.load(v_row[:, None] + cols[None, :] * v_step, mask=mask))
    if I64:
        lo = tl.zeros((BLOCK_M, BLOCK_L), tl.int64)
    else:
        lo = tl.zeros((BLOCK_M, BLOCK_L), tl.int32)
    hi = lo + N
    for _ in range(steps):
        active = lo < hi
        mid = lo + ((hi - lo) >> 1)
        probe = widen(tl.load(s_row[:, None] + mid * s_step, mask=mask & active))
        if RIGHT:
            go_right = (probe > v) == 0
        else:
            go_right = (probe >= v) == 0
        lo = tl.where(active & go_right, mid + 1, lo)
        hi = tl.where(active & (go_right == 0), mid, hi)
    tl.store(o_row[:, None] + cols[None, :] * o_step, lo.to(out.dtype.element_ty), mask=mask)


def searchsorted(sorted_sequence: ArrayView, values: ArrayView, right: bool, out: ArrayView) -> None:
    """Insertion points of `values` (..., L) in the rows of `sorted_sequence` (..., N) with the
    same leading index (see the reference); out is int64 or int32 of values' shape."""
    if out.numel == 0:
        return
    n, length = sorted_sequence.shape[-1], values.shape[-1]
    lead = values.shape[:-1]
    block_l = min(triton.next_power_of_2(length), 1024)
    i64 = n * abs(sorted_sequence.strides[-1]) >= INDEX_LIMIT
    with np.errstate(all="ignore"):  # the interpreter computes masked-off lanes too
        for shape, (s_off, v_off, o_off), (s_st, v_st, o_st) in launches(
                lead, (sorted_sequence.offset, values.offset, out.offset),
                (sorted_sequence.strides[:-1], values.strides[:-1], out.strides[:-1])):
            m = shape[0] * shape[1] * shape[2] * shape[3]
            block_m = max(1, min(4096 // block_l, triton.next_power_of_2(m)))
            launch(_search_kernel, (triton.cdiv(m, block_m), triton.cdiv(length, block_l)),
                sorted_sequence.buffer, values.buffer, out.buffer, m, length, n, n.bit_length(),
                s_off, v_off, o_off, *shape[1:], *s_st, *v_st, *o_st,
                sorted_sequence.strides[-1], values.strides[-1], out.strides[-1],
                RIGHT=bool(right), I64=i64, BLOCK_M=block_m, BLOCK_L=block_l)
