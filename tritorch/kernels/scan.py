"""Scans of the reduction family, Triton kernels (twins of the scans in
`tritorch/reference/reduction.py`).

    for every row r along dim:  acc = identity;  for k in range(len(r)):  acc = op(acc, r[k]);  out_row[k] = acc
"""
from __future__ import annotations

import triton
import triton.language as tl

from ..array_view import ArrayView
from .cast import accumulator, as_output_then, cast
from .rows import run_by_rows
from .strided import row_block


@triton.jit
def _multiply(a, b):
    return a * b


@triton.jit
def product(acc):
    """The product of a 2-D block along axis 1."""
    return tl.reduce(acc, 1, _multiply)


# Tiling: BLOCK_M rows x BLOCK_N elements; a program owns BLOCK_M rows and walks them once in
# BLOCK_N steps, scanning each step in registers and carrying the running total between steps.
# Bound: bytes, one read of x and one write of out per element.
@triton.jit
def _scan_kernel(x, out, M, N, x_off, o_off, R1, R2, R3, xr0, xr1, xr2, xr3, or0, or1, or2, or3,
                 x_step, o_step, PROD: tl.constexpr, ACC: tl.constexpr,
                 BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    rows, row_mask, x_row, o_row = row_block(M, x, x_off, out, o_off, R1, R2, R3, xr0, xr1, xr2, xr3,
                                             or0, or1, or2, or3, BLOCK_M)
    carry = tl.full((BLOCK_M,), 1 if PROD else 0, ACC)
    for start in range(0, N, BLOCK_N):
        cols = start + tl.arange(0, BLOCK_N).to(tl.int64)
        mask = row_mask[:, None] & (cols < N)[None, :]
        v = tl.load(x_row[:, None] + cols[None, :] * x_step, mask=mask, other=0)
        v = as_output_then(v, out.dtype.element_ty, ACC)
        if PROD:
            v = tl.where(mask, v, 1)
            y = tl.cumprod(v, axis=1) * carry[:, None]
            carry = carry * product(v)
        else:
            v = tl.where(mask, v, 0)
            y = tl.cumsum(v, axis=1) + carry[:, None]
            carry = carry + tl.sum(v, axis=1)
        tl.store(o_row[:, None] + cols[None, :] * o_step, cast(y, out.dtype.element_ty), mask=mask)


def cumulative(op: str, x: ArrayView, dim: int, out: ArrayView) -> None:
    """Inclusive scan along `dim` for op in ('cumsum', 'cumprod'); out has x's shape. Accumulates
    in float32 (float64 for float64 outputs, int64 for integers)."""
    if op not in ("cumsum", "cumprod"):
        raise ValueError(f"cumulative: unknown op {op!r}; expected one of ('cumsum', 'cumprod')")
    run_by_rows(_scan_kernel, x, dim, out, 1024, PROD=op == "cumprod", ACC=accumulator(out.dtype))
