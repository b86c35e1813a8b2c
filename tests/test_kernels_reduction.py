"""Reduction kernels against the float64 oracle, each input inside NaN/sentinel padding and each
output inside sentinel padding, on every code path at tiny sizes."""
import numpy as np
import pytest

from tritorch import dtypes, reference
from tritorch.backend import cuda_backend
from tritorch.testing import Out, assert_allclose, oracle
from harness import assert_padding_untouched, host, padded, permuted, sample

KERNELS = cuda_backend()


REDUCE_CASES = [
    # (stored shape, permutation, reduced dims): contiguous rows, strided rows, several kept and
    # reduced dims, K > 1024 (several BLOCK_K steps), several programs, size-1 and size-0 dims
    ((3, 5), (0, 1), (1,)), ((3, 5), (1, 0), (1,)), ((2, 3, 4), (2, 0, 1), (0, 2)),
    ((2, 2, 3, 2, 2), (4, 0, 3, 1, 2), (1, 3)), ((2, 2100), (0, 1), (1,)), ((700, 3), (1, 0), (0,)),
    ((3, 2500), (1, 0), (1,)),  # M = 2500 rows > BLOCK_M = 1024: several programs
    ((1, 6), (0, 1), (0,)), ((3, 0), (0, 1), (1,)), ((5,), (0,), (0,)),
    ((2, 2, 2, 2, 2, 2, 2, 2, 2, 2), tuple(range(10)), (0, 2, 4, 6, 8)),
]
OPS = {"sum": None, "mean": None, "prod": None, "max": None, "min": None, "any": dtypes.bool_,
       "all": dtypes.bool_, "count_nonzero": dtypes.int64}


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("dtype", [dtypes.float32, dtypes.float16, dtypes.bfloat16, dtypes.float64, dtypes.int32,
                                   dtypes.bool_])
@pytest.mark.parametrize("stored, perm, dims", REDUCE_CASES)
def test_reduce(op, dtype, stored, perm, dims):
    if op == "mean" and not dtype.is_floating_point:
        pytest.skip("mean needs a floating dtype")
    if op in ("max", "min") and 0 in stored:
        pytest.skip("max/min of nothing has no value: the op layer raises before any kernel runs")
    a = sample(stored, dtype, seed=1)
    if op == "prod" and dtype.is_floating_point:
        a = (1 + a / 30).astype(dtype.np)  # keep products of many terms finite
    x = permuted(padded(a, dtype), perm)
    out_dtype = OPS[op] or (dtypes.int64 if not dtype.is_floating_point and op in ("sum", "prod") else dtype)
    if dtype is dtypes.bool_ and op in ("max", "min", "sum", "prod"):
        out_dtype = dtypes.int64 if op in ("sum", "prod") else dtypes.bool_
    oshape = tuple(1 if d in dims else n for d, n in enumerate(x.shape))
    out = padded(np.zeros(oshape, out_dtype.np), out_dtype)
    KERNELS.reduction.reduce(op, x, dims, out)
    want = oracle(reference.reduction.reduce, op, a.transpose(perm), dims, Out(oshape, out_dtype))
    n = int(np.prod([x.shape[d] for d in dims]))
    assert_allclose(host(out), want, out_dtype, n if op in ("sum", "mean", "prod") else 1)
    assert_padding_untouched(out, out_dtype)


def test_reduce_max_propagates_nan():
    a = np.array([[1.0, np.nan, 3.0], [4.0, 5.0, 6.0]], np.float32)
    x = padded(a, dtypes.float32, fill=0.0)
    out = padded(np.zeros((2, 1), np.float32), dtypes.float32)
    KERNELS.reduction.reduce("max", x, (1,), out)
    got = host(out).ravel()
    assert np.isnan(got[0]) and got[1] == 6.0


def test_reduce_tests_half_precision_values_not_bits():
    a = np.array([[-0.0, 0.0, 0.0], [0.0, -0.0, 1.0]], dtype=dtypes.bfloat16.np)
    for op, out_dtype, want in [("any", dtypes.bool_, [[False], [True]]),
                                ("count_nonzero", dtypes.int64, [[0], [1]])]:
        out = padded(np.zeros((2, 1), out_dtype.np), out_dtype)
        KERNELS.reduction.reduce(op, padded(a, dtypes.bfloat16), (1,), out)
        np.testing.assert_array_equal(host(out), want)
