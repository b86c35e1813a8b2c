"""Softmax family, Triton kernels (twins of `tritorch/reference/softmax.py`).

    for every row r along dim:  m = max(r);  s = sum(exp(r - m))
        softmax:      out_row = exp(r - m) * (1 / s)
        log_softmax:  out_row = (r - m) - log(s)

x's values are converted to out's dtype first (PyTorch's `dtype=`), then computed in float32
(float64 for float64 outputs).
"""
from __future__ import annotations

import triton
import triton.language as tl

from ..array_view import ArrayView
from .cast import accumulator, as_output_then, cast
from .math import div
from .rows import run_by_rows
from .strided import row_block


# Tiling: BLOCK_M rows x BLOCK_N elements of each row; a program owns BLOCK_M rows and walks
# them twice in BLOCK_N steps: an online max and rescaled sum of exponentials, then the write
# (softmax: times the row's reciprocal sum, 1 IEEE division per row rather than per element).
# Design: the online softmax normaliser (Milakov & Gimelshein) with a separate write pass.
# Bound: bytes, 2 reads of x and 1 write of out per element (a row that fits one block could
# stay in registers and be read once: a later optimisation).
@triton.jit
def _softmax_kernel(x, out, M, N, x_off, o_off, R1, R2, R3, xr0, xr1, xr2, xr3, or0, or1, or2, or3,
                    x_step, o_step, LOG: tl.constexpr, ACC: tl.constexpr,
                    BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    rows, row_mask, x_row, o_row = row_block(M, x, x_off, out, o_off, R1, R2, R3, xr0, xr1, xr2, xr3,
                                             or0, or1, or2, or3, BLOCK_M)
    m = tl.full((BLOCK_M,), float("-inf"), ACC)
    s = tl.zeros((BLOCK_M,), ACC)
    for start in range(0, N, BLOCK_N):
        cols = start + tl.arange(0, BLOCK_N).to(tl.int64)
        mask = row_mask[:, None] & (cols < N)[None, :]
        v = _load(x_row, cols, x_step, mask, out.dtype.element_ty, ACC)
        m_new = tl.maximum(m, tl.max(v, axis=1))
        # a row still all -inf keeps m == m_new == -inf: no rescale, and -inf lanes add 0
        # (exp(-inf - -inf) would be NaN)
        rescale = tl.where(m == m_new, 1.0, tl.exp(m - m_new))
        e = tl.where(v == float("-inf"), 0.0, tl.exp(v - m_new[:, None]))
        s = s * rescale + tl.sum(e, axis=1)
        m = m_new
    if LOG:
        norm = tl.log(s)
    else:  # one IEEE reciprocal per row, then a multiply per element (not an IEEE division each)
        norm = div(tl.full((BLOCK_M,), 1.0, ACC), s)
    for start in range(0, N, BLOCK_N):
        cols = start + tl.arange(0, BLOCK_N).to(tl.int64)
        mask = row_mask[:, None] & (cols < N)[None, :]
        v = _load(x_row, cols, x_step, mask, out.dtype.element_ty, ACC)
        if LOG:
            y = (v - m[:, None]) - norm[:, None]
        else:
            y = tl.exp(v - m[:, None]) * norm[:, None]
        tl.store(o_row[:, None] + cols[None, :] * o_step, cast(y, out.dtype.element_ty), mask=mask)


@triton.jit
def _load(x_row, cols, x_step, mask, OUT: tl.constexpr, ACC: tl.constexpr):
    """A tile of x converted to out's dtype (the `dtype=` cast), then to the compute dtype;
    masked lanes are -inf, which adds nothing to the sum."""
    v = as_output_then(tl.load(x_row[:, None] + cols[None, :] * x_step, mask=mask, other=0), OUT, ACC)
    return tl.where(mask, v, float("-inf"))


def softmax(x: ArrayView, dim: int, out: ArrayView) -> None:
    """out = exp(x) / sum(exp(x)) along `dim` (max-shifted; see the module docstring)."""
    run_by_rows(_softmax_kernel, x, dim, out, 4096, LOG=False, ACC=accumulator(out.dtype))


def log_softmax(x: ArrayView, dim: int, out: ArrayView) -> None:
    """out = x - log(sum(exp(x))) along `dim` (max-shifted)."""
    run_by_rows(_softmax_kernel, x, dim, out, 4096, LOG=True, ACC=accumulator(out.dtype))
