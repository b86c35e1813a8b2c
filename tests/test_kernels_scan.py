"""The scan kernels (cumsum, cumprod, logcumsumexp; cummax/cummin with indices) against the
float64 oracle, in padded buffers: strided rows, rows longer than one block (the carry),
several programs, >4 kept dims (staged), the dtype= conversion, integers and bool, and the
special values (NaN, infinities, ties) whose handling PyTorch defines."""
import numpy as np
import pytest

from tritorch import dtypes, reference
from tritorch.backend import cuda_backend
from tritorch.kernels import scan
from tritorch.testing import Out, assert_allclose, oracle
from harness import assert_padding_untouched, host, padded, permuted

KERNELS = cuda_backend()


def sample(shape, dtype, op, seed=0):
    rng = np.random.default_rng(seed)
    if dtype is dtypes.bool_:
        return rng.random(shape) < 0.7
    if not dtype.is_floating_point:
        return rng.integers(-3, 4, shape).astype(dtype.np)
    a = rng.standard_normal(shape)
    return (1 + a / 100 if op == "cumprod" else a).astype(dtype.np)  # products of many terms stay finite


# Rows of 50 with 16-element steps (the `short_steps` fixture) reach the carry between steps at
# tiny sizes; the real 1024-element step is crossed by test_logcumsumexp_special_values.
CASES = [((3, 5), (0, 1), 1), ((3, 5), (1, 0), 1), ((2, 50), (0, 1), 1), ((50, 3), (1, 0), 1),
         ((2, 3, 4), (2, 0, 1), 0), ((2, 2, 2, 2, 2, 3), (5, 0, 3, 1, 4, 2), 0), ((5,), (0,), 0)]
CONVERSIONS = [(dtypes.float32, dtypes.float32), (dtypes.bfloat16, dtypes.bfloat16), (dtypes.float64, dtypes.float64),
               (dtypes.int32, dtypes.int64), (dtypes.bool_, dtypes.int64), (dtypes.float64, dtypes.float32),
               (dtypes.float16, dtypes.float32)]


@pytest.fixture
def short_steps(monkeypatch):
    monkeypatch.setattr(scan, "MAX_BLOCK_N", 16)


def run_cumulative(op, a, dtype, out_dtype, perm, dim):
    x = permuted(padded(a, dtype), perm)
    out = padded(np.zeros(x.shape, out_dtype.np), out_dtype)
    KERNELS.reduction.cumulative(op, x, dim, out)
    assert_padding_untouched(out, out_dtype)
    return host(out), oracle(reference.reduction.cumulative, op, a.transpose(perm), dim, Out(x.shape, out_dtype))


@pytest.mark.parametrize("op", ["cumsum", "cumprod", "logcumsumexp"])
@pytest.mark.parametrize("dtype, out_dtype", CONVERSIONS)
@pytest.mark.parametrize("stored, perm, dim", CASES)
def test_scan_matches_reference(op, dtype, out_dtype, stored, perm, dim, short_steps):
    if op == "logcumsumexp" and not out_dtype.is_floating_point:
        pytest.skip("logcumsumexp has floating outputs only (the op layer raises)")
    got, want = run_cumulative(op, sample(stored, dtype, op), dtype, out_dtype, perm, dim)
    assert_allclose(got, want, out_dtype, stored[perm[dim]])


def test_logcumsumexp_special_values():
    """Infinite rows never compute inf - inf; NaN propagates; +-1e4 stays finite (the running max
    is carried across a block boundary: rows of 1100 > 1024)."""
    inf, nan = np.inf, np.nan
    rows = [[-inf, -inf, 1.0, -inf], [inf, 1.0, inf, -inf], [inf, -inf, -inf, -inf], [1.0, nan, 2.0, inf],
            [1e4, 1e4, -1e4, -1e4], [-1e4, -1e4, 1e4, 0.0]]
    a = np.array(rows, np.float32)
    got, want = run_cumulative("logcumsumexp", a, dtypes.float32, dtypes.float32, (0, 1), 1)
    assert_allclose(got, want, dtypes.float32, 4)
    assert np.isfinite(got[4:]).all()
    long = np.concatenate([np.full((2, 1024), 1e4), np.full((2, 76), -1e4)], axis=1)
    long[1, 1030] = inf
    got, want = run_cumulative("logcumsumexp", long.astype(np.float32), dtypes.float32, dtypes.float32, (0, 1), 1)
    assert_allclose(got, want, dtypes.float32, 1100)


def run_extremum(op, a, dtype, perm, dim, index_order=None):
    """The kernel's (values, indices) and the oracle's; `index_order` stores the indices in
    another dim order than the values (the kernel then writes them in two launches)."""
    x = permuted(padded(a, dtype), perm)
    values = padded(np.zeros(x.shape, dtype.np), dtype)
    if index_order is None:
        indices = padded(np.zeros(x.shape, np.int64), dtypes.int64)
    else:
        inverse = tuple(np.argsort(index_order))
        indices = permuted(padded(np.zeros(tuple(x.shape[p] for p in index_order), np.int64), dtypes.int64), inverse)
    KERNELS.reduction.cumulative_extremum(op, x, dim, values, indices)
    assert_padding_untouched(values, dtype)
    assert_padding_untouched(indices, dtypes.int64)
    want = oracle(reference.reduction.cumulative_extremum, op, a.transpose(perm), dim, Out(x.shape, dtype),
                  Out(x.shape, dtypes.int64))
    return (host(values), host(indices)), want


@pytest.mark.parametrize("op", ["max", "min"])
@pytest.mark.parametrize("dtype", [dtypes.float32, dtypes.bfloat16, dtypes.float16, dtypes.float64, dtypes.int32,
                                   dtypes.uint8, dtypes.bool_])
@pytest.mark.parametrize("stored, perm, dim", CASES)
def test_extremum_matches_reference(op, dtype, stored, perm, dim, short_steps):
    a = sample(stored, dtype, op)
    if dtype.is_floating_point:
        a = np.round(a * 2).astype(dtype.np)  # ties on purpose: the later index wins
    (values, indices), (want_values, want_indices) = run_extremum(op, a, dtype, perm, dim)
    np.testing.assert_array_equal(indices, want_indices)
    np.testing.assert_array_equal(values.view(np.uint8), want_values.view(np.uint8))  # bit for bit: signed zeros


@pytest.mark.parametrize("op", ["max", "min"])
def test_extremum_nan_sticks_until_the_next_nan(op):
    nan, inf = np.nan, np.inf
    a = np.array([[1.0, 3.0, 3.0, 2.0, nan, 5.0, nan, 7.0], [-inf, -inf, -0.0, 0.0, -0.0, inf, inf, -inf],
                  [nan, nan, 1.0, 2.0, 0.0, nan, -1.0, 4.0]], np.float32)
    (values, indices), (want_values, want_indices) = run_extremum(op, a, dtypes.float32, (0, 1), 1)
    np.testing.assert_array_equal(indices, want_indices)
    np.testing.assert_array_equal(values.view(np.uint32), want_values.view(np.uint32))


@pytest.mark.parametrize("stored, perm, dim, index_order",
                         [((3, 5), (0, 1), 1, (1, 0)), ((2, 50), (0, 1), 1, (1, 0)),
                          ((2, 3, 4), (2, 0, 1), 0, (1, 2, 0))])
def test_extremum_outputs_in_different_layouts(stored, perm, dim, index_order, short_steps):
    a = np.round(sample(stored, dtypes.float32, "max") * 2).astype(np.float32)
    (values, indices), (want_values, want_indices) = run_extremum("max", a, dtypes.float32, perm, dim, index_order)
    np.testing.assert_array_equal(indices, want_indices)
    np.testing.assert_array_equal(values, want_values)


def test_unknown_ops_are_named():
    x = padded(np.zeros(3, np.float32), dtypes.float32)
    with pytest.raises(ValueError, match="cumulative: unknown op 'cummax'"):
        KERNELS.reduction.cumulative("cummax", x, 0, x)
    with pytest.raises(ValueError, match="cumulative_extremum: unknown op 'sum'"):
        KERNELS.reduction.cumulative_extremum("sum", x, 0, x, x)
