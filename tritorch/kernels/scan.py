"""Scans of the reduction family, Triton kernels (twins of the scans in
`tritorch/reference/reduction.py`).

    for every row r along dim:  acc = identity;  for k in range(len(r)):  acc = op(acc, r[k]);  out_row[k] = acc

Every scan walks a row once in BLOCK_N steps: it scans a step in registers (`tl.cumsum`,
`tl.cumprod` or `tl.associative_scan` over a combine function), combines the step with the
running result carried from the steps before, and stores. One program owns whole rows, so
results are deterministic and no program waits on another.
"""
from __future__ import annotations

import triton
import triton.language as tl

from ..array_view import ArrayView
from .cast import accumulator, as_output_then, cast, widen
from .rows import rows_of, run_by_rows
from .strided import offsets, row_block

CUMULATIVE_OPS = ("cumsum", "cumprod", "logcumsumexp")
EXTREMUM_OPS = ("max", "min")


MAX_BLOCK_N = 1024  # row elements scanned per step (tests shrink it to reach the carry at tiny sizes)


@triton.jit
def _multiply(a, b):
    return a * b


@triton.jit
def product(acc):
    """The product of a 2-D block along axis 1."""
    return tl.reduce(acc, 1, _multiply)


@triton.jit
def _log_add_exp(ma, sa, mb, sb):
    """Combine two running log-sum-exp states (m, s), meaning m + log(s), with b after a: rescale
    both sums to the larger max. Equal maxima scale by 1, so rows of -inf or +inf never compute
    inf - inf; a NaN max wins and propagates."""
    m = tl.where((mb > ma) | (mb != mb), mb, ma)
    sa = sa * tl.where(ma == m, 1.0, tl.exp(ma - m))
    sb = sb * tl.where(mb == m, 1.0, tl.exp(mb - m))
    return m, sa + sb


# Tiling: BLOCK_M rows x BLOCK_N elements; a program owns BLOCK_M rows and walks them once in
# BLOCK_N steps, scanning each step in registers and carrying the running total between steps.
# Design: the blocked scan with a carry (each step is a work-efficient tree scan in registers);
# logcumsumexp carries the (running max, sum of exp(x - max)) pair of the online softmax, so one
# exp per combine and one log per element keep +-1e4 inputs finite.
# Bound: bytes, one read of x and one write of out per element.
@triton.jit
def _scan_kernel(x, out, M, N, x_off, o_off, R1, R2, R3, xr0, xr1, xr2, xr3, or0, or1, or2, or3,
                 x_step, o_step, OP: tl.constexpr, ACC: tl.constexpr,
                 BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    rows, row_mask, x_row, o_row = row_block(M, x, x_off, out, o_off, R1, R2, R3, xr0, xr1, xr2, xr3,
                                             or0, or1, or2, or3, BLOCK_M)
    carry = tl.full((BLOCK_M,), 1 if OP == "cumprod" else 0, ACC)
    carry_max = tl.full((BLOCK_M,), float("-inf"), ACC) if OP == "logcumsumexp" else carry  # (carry_max, carry)
    for start in range(0, N, BLOCK_N):
        cols = start + tl.arange(0, BLOCK_N).to(tl.int64)
        mask = row_mask[:, None] & (cols < N)[None, :]
        v = tl.load(x_row[:, None] + cols[None, :] * x_step, mask=mask, other=0)
        v = as_output_then(v, out.dtype.element_ty, ACC)
        if OP == "cumprod":
            v = tl.where(mask, v, 1)
            y = tl.cumprod(v, axis=1) * carry[:, None]
            carry = carry * product(v)
        elif OP == "cumsum":
            v = tl.where(mask, v, 0)
            y = tl.cumsum(v, axis=1) + carry[:, None]
            carry = carry + tl.sum(v, axis=1)
        else:
            m = tl.where(mask, v, float("-inf"))  # masked lanes are the identity (-inf, 0)
            s = tl.where(mask, 1.0, 0.0).to(ACC)
            step_max, step_sum = tl.reduce((m, s), 1, _log_add_exp)
            m, s = tl.associative_scan((m, s), 1, _log_add_exp)
            m, s = _log_add_exp(carry_max[:, None], carry[:, None], m, s)
            y = m + tl.log(s)
            carry_max, carry = _log_add_exp(carry_max, carry, step_max, step_sum)
        tl.store(o_row[:, None] + cols[None, :] * o_step, cast(y, out.dtype.element_ty), mask=mask)


def cumulative(op: str, x: ArrayView, dim: int, out: ArrayView) -> None:
    """Inclusive scan along `dim` for op in CUMULATIVE_OPS; out has x's shape. Accumulates in
    float32 (float64 for float64 outputs, int64 for integers)."""
    if op not in CUMULATIVE_OPS:
        raise ValueError(f"cumulative: unknown op {op!r}; expected one of {CUMULATIVE_OPS}")
    run_by_rows(_scan_kernel, x, dim, out, MAX_BLOCK_N, OP=op, ACC=accumulator(out.dtype))


@triton.jit
def _later_max(va, ia, vb, ib):
    """cummax's combine of (value, index) pairs, b after a: b wins when it is NaN, or when
    neither is NaN and vb >= va (ties go to the later index, as PyTorch)."""
    take = (vb != vb) | ((va == va) & (vb >= va))
    return tl.where(take, vb, va), tl.where(take, ib, ia)


@triton.jit
def _later_min(va, ia, vb, ib):
    """cummin's combine: as `_later_max` with vb <= va."""
    take = (vb != vb) | ((va == va) & (vb <= va))
    return tl.where(take, vb, va), tl.where(take, ib, ia)


@triton.jit
def _last(va, ia, vb, ib):
    """The pair of the larger index: after the scan, indices never decrease along a row, and
    equal indices hold equal values, so this reduces a scanned step to its last pair in any
    order (tl.reduce does not promise to combine left to right)."""
    take = ib > ia
    return tl.where(take, vb, va), tl.where(take, ib, ia)


@triton.jit
def _as_comparable(v):
    """Loaded values as the combine compares them: half types as float32 (the interpreter
    compares them on raw bits), bool as int8."""
    v = widen(v)
    if v.dtype == tl.int1:
        v = v.to(tl.int8)
    return v


# Tiling: as _scan_kernel, BLOCK_M rows x BLOCK_N elements, a program walking its rows in BLOCK_N
# steps. Design: the blocked scan with a carry, over (value, int32 index) pairs combined by
# `_later_max`/`_later_min` in `tl.associative_scan`; the carry is the last pair of the step.
# STORE says which outputs this launch writes: "both" (out = values, idx = indices, same strides),
# or "values"/"indices" alone into out when the two outputs are laid out differently.
# Bound: bytes, one read of x, one write of the values and one of the int64 indices per element
# (x is read twice when the outputs go in two launches).
@triton.jit
def _extremum_kernel(x, out, M, N, x_off, o_off, R1, R2, R3, xr0, xr1, xr2, xr3, or0, or1, or2, or3,
                     x_step, o_step, idx, i_off, MAX: tl.constexpr, STORE: tl.constexpr,
                     BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    rows, row_mask, x_row, o_row = row_block(M, x, x_off, out, o_off, R1, R2, R3, xr0, xr1, xr2, xr3,
                                             or0, or1, or2, or3, BLOCK_M)
    i_row = idx + i_off + offsets(rows, R1, R2, R3, or0, or1, or2, or3)
    # The carry starts as each row's first pair: max and min are idempotent and ties go to the
    # later pair, so combining it with a prefix that holds it already changes nothing.
    carry_v = _as_comparable(tl.load(x_row, mask=row_mask, other=0))
    carry_j = tl.zeros((BLOCK_M,), tl.int32)
    for start in range(0, N, BLOCK_N):
        cols = start + tl.arange(0, BLOCK_N)
        mask = row_mask[:, None] & (cols < N)[None, :]
        v = _as_comparable(tl.load(x_row[:, None] + cols[None, :].to(tl.int64) * x_step, mask=mask, other=0))
        j = tl.broadcast_to(cols[None, :], (BLOCK_M, BLOCK_N))
        if MAX:
            v, j = tl.associative_scan((v, j), 1, _later_max)
            v, j = _later_max(carry_v[:, None], carry_j[:, None], v, j)
        else:
            v, j = tl.associative_scan((v, j), 1, _later_min)
            v, j = _later_min(carry_v[:, None], carry_j[:, None], v, j)
        carry_v, carry_j = tl.reduce((v, j), 1, _last)  # masked lanes count in the last step only
        offs = cols[None, :].to(tl.int64) * o_step
        if STORE == "indices":
            tl.store(o_row[:, None] + offs, j.to(tl.int64), mask=mask)
        else:
            tl.store(o_row[:, None] + offs, cast(v, out.dtype.element_ty), mask=mask)
        if STORE == "both":
            tl.store(i_row[:, None] + offs, j.to(tl.int64), mask=mask)


def cumulative_extremum(op: str, x: ArrayView, dim: int, values_out: ArrayView, indices_out: ArrayView) -> None:
    """Running max or min along `dim` (op in EXTREMUM_OPS) and its int64 index; outputs have x's
    shape. Ties take the later index, a NaN sticks until the next NaN (PyTorch's cummax/cummin)."""
    if op not in EXTREMUM_OPS:
        raise ValueError(f"cumulative_extremum: unknown op {op!r}; expected one of {EXTREMUM_OPS}")
    if values_out.strides == indices_out.strides and rows_of(x, dim, (x, values_out)) is not None:
        run_by_rows(_extremum_kernel, x, dim, values_out, MAX_BLOCK_N, idx=indices_out.buffer, i_off=indices_out.offset,
                    MAX=op == "max", STORE="both")
        return
    for store, out in (("values", values_out), ("indices", indices_out)):
        run_by_rows(_extremum_kernel, x, dim, out, MAX_BLOCK_N, idx=out.buffer, i_off=out.offset, MAX=op == "max",
                    STORE=store)
