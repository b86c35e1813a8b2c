"""The scan kernel (cumsum, cumprod) against the numpy reference, in padded buffers: strided
rows, rows longer than one block (the carry), several programs, >4 kept dims (staged), the
dtype= conversion, integers and bool."""
import numpy as np
import pytest

from tritorch import dtypes, reference
from tritorch.array_view import ArrayView, contiguous_strides
from tritorch.backend import cuda_backend
from harness import assert_padding_untouched, host, padded
from helpers import tolerance

KERNELS = cuda_backend()


def permuted(v: ArrayView, perm) -> ArrayView:
    return ArrayView(v.buffer, v.offset, tuple(v.shape[p] for p in perm), tuple(v.strides[p] for p in perm), v.dtype)


def sample(shape, dtype, op, seed=0):
    rng = np.random.default_rng(seed)
    if dtype is dtypes.bool_:
        return rng.random(shape) < 0.7
    if not dtype.is_floating_point:
        return rng.integers(-3, 4, shape).astype(dtype.np)
    a = rng.standard_normal(shape)
    return (1 + a / 100 if op == "cumprod" else a).astype(dtype.np)  # products of many terms stay finite


CASES = [((3, 5), (0, 1), 1), ((3, 5), (1, 0), 1), ((2, 3000), (0, 1), 1), ((700, 3), (1, 0), 1),
         ((2, 3, 4), (2, 0, 1), 0), ((2, 2, 2, 2, 2, 3), (5, 0, 3, 1, 4, 2), 0), ((5,), (0,), 0)]


@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
@pytest.mark.parametrize("dtype, out_dtype", [(dtypes.float32, dtypes.float32), (dtypes.bfloat16, dtypes.bfloat16),
                                              (dtypes.float64, dtypes.float64), (dtypes.int32, dtypes.int64),
                                              (dtypes.bool_, dtypes.int64), (dtypes.float64, dtypes.float32),
                                              (dtypes.float16, dtypes.float32)])
@pytest.mark.parametrize("stored, perm, dim", CASES)
def test_scan_matches_reference(op, dtype, out_dtype, stored, perm, dim):
    a = sample(stored, dtype, op)
    x = permuted(padded(a, dtype), perm)
    out = padded(np.zeros(x.shape, out_dtype.np), out_dtype)
    KERNELS.reduction.cumulative(op, x, dim, out)
    want = np.empty(x.shape, out_dtype.np)
    src = ArrayView(np.asarray(a, dtype.np).reshape(-1).copy(), 0, a.shape, contiguous_strides(a.shape), dtype)
    reference.reduction.cumulative(op, permuted(src, perm), dim,
                                   ArrayView(want.reshape(-1), 0, x.shape, contiguous_strides(x.shape), out_dtype))
    rtol, atol = tolerance(out_dtype, x.shape[dim])
    got = host(out)
    if out_dtype.is_floating_point:
        np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=rtol, atol=atol)
    else:
        np.testing.assert_array_equal(got, want)
    assert_padding_untouched(out, out_dtype)
