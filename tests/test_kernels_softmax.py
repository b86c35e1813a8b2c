"""Softmax kernels against the float64 oracle, inputs in NaN padding and outputs in sentinel
padding, on every code path at tiny sizes."""
import numpy as np
import pytest

from tritorch import dtypes, reference
from tritorch.backend import cuda_backend
from tritorch.testing import Out, assert_allclose, oracle
from harness import assert_padding_untouched, host, padded, permuted

KERNELS = cuda_backend()
FLOATS = (dtypes.float32, dtypes.float16, dtypes.bfloat16, dtypes.float64)


def check(op, a, dtype, out_dtype, perm, dim):
    x = permuted(padded(a, dtype), perm)
    out = padded(np.zeros(x.shape, out_dtype.np), out_dtype)
    getattr(KERNELS.softmax, op)(x, dim, out)
    # PyTorch's dtype= converts the input first (an input conversion): the oracle gets x so converted
    with np.errstate(over="ignore"):
        converted = a.transpose(perm).astype(out_dtype.np)
    want = oracle(getattr(reference.softmax, op), converted, dim, Out(x.shape, out_dtype))
    assert_allclose(host(out), want, out_dtype, x.shape[dim])
    assert_padding_untouched(out, out_dtype)


# (stored shape, permutation, dim): a contiguous last dim, a strided dim, rows longer than one
# block (several steps), more rows than one program holds, >4 kept dims (staged), size-1 rows
CASES = [((3, 5), (0, 1), 1), ((3, 5), (1, 0), 1), ((4, 5000), (0, 1), 1), ((300, 3), (0, 1), 1),
         ((2, 3, 4), (2, 0, 1), 0), ((2, 2, 2, 2, 2, 3), (5, 0, 3, 1, 4, 2), 0), ((6, 1), (0, 1), 1)]


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("stored, perm, dim", CASES)
def test_softmax_matches_reference(op, dtype, stored, perm, dim):
    a = (np.random.default_rng(0).standard_normal(stored) * 4).astype(dtype.np)
    check(op, a, dtype, dtype, perm, dim)


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dtype, out_dtype", [(dtypes.float64, dtypes.float32), (dtypes.bfloat16, dtypes.float32),
                                              (dtypes.float32, dtypes.float64), (dtypes.float32, dtypes.float16)])
def test_dtype_argument_converts_the_input_first(op, dtype, out_dtype):
    a = (np.random.default_rng(1).standard_normal((3, 7)) * 3).astype(dtype.np)
    check(op, a, dtype, out_dtype, (0, 1), 1)


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_special_rows_follow_the_reference(op):
    inf, nan = np.inf, np.nan
    a = np.array([[-inf, -inf, -inf], [-inf, 0.0, 1.0], [inf, 0.0, 1.0], [nan, 0.0, 1.0], [1e4, -1e4, 0.0]],
                 np.float32)
    check(op, a, dtypes.float32, dtypes.float32, (0, 1), 1)


def test_a_row_whose_first_block_is_all_minus_inf():
    a = np.full((2, 5000), -np.inf, np.float32)
    a[:, 4500:] = np.random.default_rng(2).standard_normal((2, 500))
    check("softmax", a, dtypes.float32, dtypes.float32, (0, 1), 1)
