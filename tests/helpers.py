"""Shared test machinery: the one tolerance rule and comparisons against numpy."""
from __future__ import annotations

import numpy as np

import tritorch
from tritorch import dtypes


def tolerance(dtype: dtypes.DType, reduction_len: int = 1) -> tuple[float, float]:
    """(rtol, atol) for results of `dtype` after summing `reduction_len` terms: a few epsilons,
    growing with the square root of the reduction length (rounding errors add like a random walk).
    Exact dtypes (integers, bool) get zero. (Triton's interpreter truncates float32-to-bfloat16
    casts; the kernels round to nearest even by hand there, so bfloat16 needs no extra ulp.)"""
    if not dtype.is_floating_point:
        return 0.0, 0.0
    eps = tritorch.finfo(dtype).eps
    tol = eps * 4.0 * max(1.0, float(np.sqrt(reduction_len)))
    return tol, tol


def to_numpy(t) -> np.ndarray:
    a = np.asarray(t.detach().cpu().numpy() if isinstance(t, tritorch.Tensor) else t)
    return a.astype(np.float64) if a.dtype == dtypes.bfloat16.np else a


def assert_close(actual, expected, *, dtype: dtypes.DType | None = None, reduction_len: int = 1,
                 check_dtype: bool = True) -> None:
    """Compare a tensor with an expected array (numpy, list or tensor): same shape, same dtype
    (when `expected` is a tensor or `dtype` is given), values within `tolerance`."""
    assert isinstance(actual, tritorch.Tensor), f"expected a Tensor, got {type(actual).__name__}"
    if isinstance(expected, tritorch.Tensor) and check_dtype:
        assert actual.dtype == expected.dtype, f"dtype {actual.dtype} != {expected.dtype}"
    if dtype is not None and check_dtype:
        assert actual.dtype == dtype, f"dtype {actual.dtype} != {dtype}"
    a, e = to_numpy(actual), to_numpy(expected)
    assert a.shape == e.shape, f"shape {a.shape} != {e.shape}"
    rtol, atol = tolerance(actual.dtype, reduction_len)
    if a.dtype.kind in "biu" and e.dtype.kind in "biu":
        np.testing.assert_array_equal(a, e)
    else:
        np.testing.assert_allclose(a.astype(np.float64), e.astype(np.float64), rtol=rtol, atol=atol,
                                   equal_nan=True)


def assert_same_storage(a, b) -> None:
    assert a.untyped_storage() is b.untyped_storage(), "expected a view sharing storage"
