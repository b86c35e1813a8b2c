"""Matmul family, Triton kernels (twins of `tritorch/reference/matmul.py`).

    for every batch index b, row m, column n:  out[b, m, n] = sum_k a[b, m, k] * b[b, k, n]

Half-precision inputs are multiplied on the tensor cores and accumulated in float32; float32
uses IEEE products (`input_precision="ieee"`: TF32 would cost ~1e-3 relative error); float64
stays float64.
"""
from __future__ import annotations

import itertools

import numpy as np
import triton
import triton.language as tl

from ..array_view import ArrayView, contiguous_strides
from ..reference.matmul import check_shapes
from . import memory
from .cast import cast
from .copy import copy
from .launch import launch
from .layout import collapse, may_overlap

BLOCK_M, BLOCK_N, BLOCK_K = 64, 64, 32
INTERPRET = tl.constexpr(memory.interpreted())


# Tiling: one program per BLOCK_M x BLOCK_N tile of one batch's output (grid axis 1 is the
# batch), walking K in BLOCK_K steps with strided, masked loads of an A and a B tile and one
# tl.dot each. Bound: FLOPs, 2*M*N*K per batch (a later persistent, TMA-fed variant will add
# grouped tile order and pipelining; see TRITON_NOTES section 4).
@triton.jit
def _matmul_kernel(a, b, out, M, N, K, a_off, b_off, o_off, a_bs, b_bs, o_bs,
                   a_m, a_k, b_k, b_n, o_m, o_n,
                   ACC: tl.constexpr, PRECISION: tl.constexpr,
                   BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr):
    tiles_n = tl.cdiv(N, BLOCK_N)
    pid = tl.program_id(0)
    batch = tl.program_id(1).to(tl.int64)
    rows = (pid // tiles_n).to(tl.int64) * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = (pid % tiles_n).to(tl.int64) * BLOCK_N + tl.arange(0, BLOCK_N)
    a_rows = a + a_off + batch * a_bs + rows[:, None] * a_m
    b_cols = b + b_off + batch * b_bs + cols[None, :] * b_n
    acc = tl.zeros((BLOCK_M, BLOCK_N), ACC)
    for start in range(0, K, BLOCK_K):
        ks = start + tl.arange(0, BLOCK_K).to(tl.int64)
        x = tl.load(a_rows + ks[None, :] * a_k, mask=(rows[:, None] < M) & (ks[None, :] < K), other=0)
        y = tl.load(b_cols + ks[:, None] * b_k, mask=(ks[:, None] < K) & (cols[None, :] < N), other=0)
        if x.dtype == tl.bfloat16 or x.dtype == tl.float16:
            if INTERPRET:  # the interpreter multiplies bfloat16 bit patterns: go through float32
                x = x.to(tl.float32)
                y = y.to(tl.float32)
        acc = tl.dot(x, y, acc, input_precision=PRECISION, out_dtype=ACC)
    mask = (rows[:, None] < M) & (cols[None, :] < N)
    tl.store(out + o_off + batch * o_bs + rows[:, None] * o_m + cols[None, :] * o_n,
             cast(acc, out.dtype.element_ty), mask=mask)


def matmul(a: ArrayView, b: ArrayView, out: ArrayView) -> None:
    """out = a @ b for a (B..., M, K), b (B..., K, N), out (B..., M, N), floating dtypes; batch
    dims equal in all three (stride 0 allowed), any strides. K == 0 gives zeros. `out` may
    overlap `a` or `b` (then the product goes through a temporary)."""
    check_shapes(a, b, out)
    if out.numel == 0:
        return
    if may_overlap(a, out) or may_overlap(b, out):
        tmp = ArrayView(memory.empty(out.numel, out.dtype), 0, out.shape, contiguous_strides(out.shape), out.dtype)
        matmul(a, b, tmp)
        copy(tmp, out)
        return
    M, K, N = a.shape[-2], a.shape[-1], b.shape[-1]
    batch, (a_bs, b_bs, o_bs) = collapse(out.shape[:-2], [a.strides[:-2], b.strides[:-2], out.strides[:-2]])
    acc = tl.float64 if out.dtype.name == "float64" else tl.float32
    precision = "ieee" if a.dtype.name in ("float32", "float64") else "tf32"
    grid = (triton.cdiv(M, BLOCK_M) * triton.cdiv(N, BLOCK_N), batch[-1])
    # batch dims that do not merge into one are looped on the host (grid axis 1 takes the last)
    for lead in itertools.product(*(range(n) for n in batch[:-1])):
        shift = [sum(i * s for i, s in zip(lead, st)) for st in (a_bs, b_bs, o_bs)]
        with np.errstate(all="ignore"):  # the interpreter computes masked-off lanes too
            launch(_matmul_kernel, grid,
                a.buffer, b.buffer, out.buffer, M, N, K, a.offset + shift[0], b.offset + shift[1],
                out.offset + shift[2], a_bs[-1], b_bs[-1], o_bs[-1], a.strides[-2], a.strides[-1],
                b.strides[-2], b.strides[-1], out.strides[-2], out.strides[-1],
                ACC=acc, PRECISION=precision, BLOCK_M=BLOCK_M, BLOCK_N=BLOCK_N, BLOCK_K=BLOCK_K)

