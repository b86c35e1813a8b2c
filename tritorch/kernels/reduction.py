"""Reduction family, Triton kernels (twins of `tritorch/reference/reduction.py`).

    for each kept index r:  out[r] = combine(x[r, k] for every reduced index k)

Deterministic: each output element is reduced by one program in a fixed order, with no
floating-point atomics. Accumulation is float32 for float32/float16/bfloat16 outputs, float64
for float64, int64 for integers.
"""
from __future__ import annotations

import triton
import triton.language as tl

from ..array_view import ArrayView, contiguous_strides, is_row_major
from . import memory
from .cast import accumulator, as_output_then, cast, widen
from .copy import copy
from .layout import MAX_DIMS, collapse
from .scan import cumulative, product  # noqa: F401  (cumulative: a primitive of this family)
from .strided import offsets

REDUCE_OPS = ("sum", "mean", "prod", "max", "min", "any", "all", "count_nonzero")


# Tiling: a BLOCK_M x BLOCK_K tile of (kept rows) x (reduced elements); each program owns
# BLOCK_M output elements and walks the K reduced elements in BLOCK_K steps, so a row is
# combined in one fixed order. Bound: bytes, one read of x (itemsize per element).
@triton.jit
def _reduce_kernel(x, out, M, K, x_off, out_off,
                   R1, R2, R3, r0, r1, r2, r3,  # kept dims (sizes 1..3, x strides)
                   K1, K2, K3, k0, k1, k2, k3,  # reduced dims (sizes 1..3, x strides)
                   OP: tl.constexpr, ACC: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_K: tl.constexpr):
    rows = tl.program_id(0).to(tl.int64) * BLOCK_M + tl.arange(0, BLOCK_M)
    row_mask = rows < M
    row_off = offsets(rows, R1, R2, R3, r0, r1, r2, r3)
    if OP == "sum" or OP == "mean" or OP == "any" or OP == "count_nonzero":
        acc = tl.zeros((BLOCK_M, BLOCK_K), ACC)
    elif OP == "prod" or OP == "all":
        acc = tl.full((BLOCK_M, BLOCK_K), 1, ACC)
    elif OP == "max":
        acc = tl.full((BLOCK_M, BLOCK_K), float("-inf"), ACC) if ACC.is_floating() else \
            tl.full((BLOCK_M, BLOCK_K), -9223372036854775807 - 1, ACC)
    else:
        acc = tl.full((BLOCK_M, BLOCK_K), float("inf"), ACC) if ACC.is_floating() else \
            tl.full((BLOCK_M, BLOCK_K), 9223372036854775807, ACC)
    for start in range(0, K, BLOCK_K):
        ks = start + tl.arange(0, BLOCK_K).to(tl.int64)
        k_off = offsets(ks, K1, K2, K3, k0, k1, k2, k3)
        mask = row_mask[:, None] & (ks < K)[None, :]
        v = tl.load(x + x_off + row_off[:, None] + k_off[None, :], mask=mask)
        if OP == "any" or OP == "all" or OP == "count_nonzero":
            v = (widen(v) != 0).to(ACC)
        else:
            v = as_output_then(v, out.dtype.element_ty, ACC)  # as the reference: x as out's dtype
        if OP == "sum" or OP == "mean" or OP == "any" or OP == "count_nonzero":
            acc += tl.where(mask, v, 0)
        elif OP == "prod" or OP == "all":
            acc *= tl.where(mask, v, 1)
        elif OP == "max":
            take = mask & ((v > acc) | (v != v))  # NaN wins, as in PyTorch
            acc = tl.where(take, v, acc)
        else:
            take = mask & ((v < acc) | (v != v))
            acc = tl.where(take, v, acc)
    if OP == "sum" or OP == "mean" or OP == "count_nonzero":
        res = tl.sum(acc, axis=1)
    elif OP == "any":
        res = tl.max(acc, axis=1)
    elif OP == "prod" or OP == "all":
        res = product(acc)
    elif OP == "max":
        nan = tl.max((acc != acc).to(tl.int32), axis=1) > 0
        res = tl.where(nan, float("nan"), tl.max(acc, axis=1)) if ACC.is_floating() else tl.max(acc, axis=1)
    else:
        nan = tl.max((acc != acc).to(tl.int32), axis=1) > 0
        res = tl.where(nan, float("nan"), tl.min(acc, axis=1)) if ACC.is_floating() else tl.min(acc, axis=1)
    if OP == "mean":
        if ACC == tl.float32:  # IEEE division, as numpy's mean (a float32 `/` is approximate on the GPU)
            res = tl.div_rn(res, tl.full(res.shape, K, ACC))
        else:
            res = res / K
    tl.store(out + out_off + rows, cast(res, out.dtype.element_ty), mask=row_mask)


def _acc_dtype(op: str, out: ArrayView):
    return tl.int32 if op in ("any", "all") else accumulator(out.dtype)


def _split(x: ArrayView, dims: tuple[int, ...]):
    """(kept sizes, kept strides, reduced sizes, reduced strides) of x, each collapsed."""
    kept = [d for d in range(x.ndim) if d not in dims]
    ks, (kst,) = collapse([x.shape[d] for d in kept], [[x.strides[d] for d in kept]])
    rs, (rst,) = collapse([x.shape[d] for d in dims], [[x.strides[d] for d in dims]])
    return ks, kst, rs, rst


def _pad(sizes, strides):
    pad = MAX_DIMS - len(sizes)
    return (1,) * pad + tuple(sizes), (0,) * pad + tuple(strides)


def reduce(op: str, x: ArrayView, dims: tuple[int, ...], out: ArrayView) -> None:
    """out (x's ndim, size 1 at `dims`) = op over `dims` of x; op in REDUCE_OPS."""
    if op not in REDUCE_OPS:
        raise ValueError(f"reduce: unknown op {op!r}; expected one of {REDUCE_OPS}")
    if out.numel == 0:
        return
    kept_sizes, kept_strides, red_sizes, red_strides = _split(x, dims)
    if len(kept_sizes) > MAX_DIMS or len(red_sizes) > MAX_DIMS:
        x = _regroup(x, dims)  # rare: more than 4 non-mergeable dims on one side
        kept_sizes, kept_strides, red_sizes, red_strides = _split(x, dims)
    M = out.numel
    K = 1
    for d in dims:
        K *= x.shape[d]
    if not is_row_major(out.shape, out.strides):
        raise ValueError(f"reduce: out must be contiguous, got strides {out.strides} for shape {out.shape}")
    (_, R1, R2, R3), rstr = _pad(kept_sizes, kept_strides)
    (_, K1, K2, K3), kstr = _pad(red_sizes, red_strides)
    block_k = min(triton.next_power_of_2(max(K, 1)), 1024)
    block_m = max(1, min(4096 // block_k, triton.next_power_of_2(M)))
    _reduce_kernel[(triton.cdiv(M, block_m),)](
        x.buffer, out.buffer, M, K, x.offset, out.offset, R1, R2, R3, *rstr, K1, K2, K3, *kstr,
        OP=op, ACC=_acc_dtype(op, out), BLOCK_M=block_m, BLOCK_K=block_k)


def _regroup(x: ArrayView, dims: tuple[int, ...]) -> ArrayView:
    """A copy of x stored as (kept dims..., reduced dims...) in row-major order, viewed in x's
    dim order: each side then collapses to a single dimension."""
    order = [d for d in range(x.ndim) if d not in dims] + list(dims)
    stored = contiguous_strides(tuple(x.shape[d] for d in order))
    strides = [0] * x.ndim
    for d, s in zip(order, stored):
        strides[d] = s
    tmp = ArrayView(memory.empty(x.numel, x.dtype), 0, x.shape, tuple(strides), x.dtype)
    copy(x, tmp)
    return tmp
