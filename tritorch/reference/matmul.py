"""Matmul family, numpy reference: batched matrix products.

    for every batch index b, row m, column n:  out[b, m, n] = sum_k a[b, m, k] * b[b, k, n]

Half-precision inputs are multiplied and accumulated in float32 and rounded once on store, as
the Triton kernels do; float64 stays float64.
"""
from __future__ import annotations

import numpy as np

from ..array_view import ArrayView
from .memory import ndarray

PRIMITIVES = ("matmul",)  # check_shapes is the contract both backends enforce, not a primitive


def matmul(a: ArrayView, b: ArrayView, out: ArrayView) -> None:
    """out = a @ b for a (B..., M, K), b (B..., K, N), out (B..., M, N), floating dtypes.

    The batch dims B... are equal in all three (the caller broadcasts, so a stride of 0 is
    allowed); any strides. K == 0 gives zeros. `out` may overlap `a` or `b`: the product is
    computed completely before it is stored."""
    check_shapes(a, b, out)
    accumulate = np.float64 if out.dtype.np == np.float64 else np.float32
    x = ndarray(a).astype(accumulate, copy=False)
    y = ndarray(b).astype(accumulate, copy=False)
    ndarray(out)[...] = np.matmul(x, y).astype(out.dtype.np, copy=False)


def check_shapes(a: ArrayView, b: ArrayView, out: ArrayView) -> None:
    """The ops validate user input; this only catches a caller that broke the contract."""
    ok = (a.ndim == b.ndim == out.ndim >= 2 and a.shape[:-2] == b.shape[:-2] == out.shape[:-2]
          and a.shape[-1] == b.shape[-2] and out.shape[-2:] == (a.shape[-2], b.shape[-1]))
    if not ok:
        raise ValueError(f"matmul primitive: shapes a {list(a.shape)}, b {list(b.shape)}, "
                         f"out {list(out.shape)} are not (B..., M, K), (B..., K, N), (B..., M, N)")
