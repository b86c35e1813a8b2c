"""Selection and sorting kernels (`sort`, `arg_reduce`) against the oracle, exactly: values bit
for bit (the sign of zeros included) and indices. Inputs sit inside NaN/sentinel padding and
outputs inside sentinel padding; rows of length 1, odd, block-sized and longer than a block
(multi-pass merges, on a tiny block), with ties, NaN, +-0.0, +-inf and every dtype."""
import numpy as np
import pytest
from harness import assert_padding_untouched, host, padded, permuted

from tritorch import dtypes, reference
from tritorch.backend import cuda_backend
from tritorch.kernels import selection
from tritorch.testing import Out, oracle

KERNELS = cuda_backend()
ALL = [dtypes.float32, dtypes.float16, dtypes.bfloat16, dtypes.float64, dtypes.int64, dtypes.int32,
       dtypes.int16, dtypes.int8, dtypes.uint8, dtypes.bool_]


def awkward(shape, dtype, seed=0) -> np.ndarray:
    """Values full of ties, with the dtype's extremes; floats add NaN, +-0.0 and +-inf."""
    rng = np.random.default_rng(seed)
    if dtype is dtypes.bool_:
        return rng.random(shape) < 0.5
    if dtype.is_floating_point:
        pool = np.array([np.nan, -0.0, 0.0, np.inf, -np.inf, 1.5, -1.5, 2.0, 1e-3, -7.0, 3.0])
    else:
        info = np.iinfo(dtype.np)
        pool = np.array([info.min, info.max, 0, 1, 3, info.max - 1, info.min + 1] +
                        ([-1, -5] if info.min < 0 else [200]), dtype=np.int64)
    return rng.choice(pool, size=shape).astype(dtype.np)


def assert_exact(got: np.ndarray, want: np.ndarray, dtype) -> None:
    np.testing.assert_array_equal(got.astype(np.float64) if dtype is dtypes.bfloat16 else got,
                                  want.astype(np.float64) if dtype is dtypes.bfloat16 else want)
    if dtype.is_floating_point:  # -0.0 stays -0.0: values are gathered, not rebuilt from keys
        np.testing.assert_array_equal(np.signbit(got.astype(np.float32)), np.signbit(want.astype(np.float32)))


def run_sort(a, perm, dim, dtype, descending, with_values=True):
    x = permuted(padded(a, dtype), perm)
    shape = x.shape
    values = padded(np.zeros(shape, dtype.np), dtype) if with_values else None
    indices = padded(np.zeros(shape, np.int64), dtypes.int64)
    KERNELS.reduction.sort(x, dim, descending, True, values, indices)
    want_v, want_i = oracle(reference.reduction.sort, a.transpose(perm), dim, descending, True,
                            Out(shape, dtype), Out(shape, dtypes.int64))
    np.testing.assert_array_equal(host(indices), want_i)
    assert_padding_untouched(indices, dtypes.int64)
    if with_values:
        assert_exact(host(values), want_v, dtype)
        assert_padding_untouched(values, dtype)


SORT_CASES = [
    # (stored shape, permutation, dim): length 1, odd, a power of two, transposed (dim not the
    # stored last), strided with several kept dims, 5 kept dims that do not merge (staged)
    ((3, 1), (0, 1), 1), ((7,), (0,), 0), ((2, 8), (0, 1), 1), ((5, 3), (1, 0), 1),
    ((3, 4, 5), (2, 0, 1), 1), ((2, 1, 2, 1, 2, 2, 3), (6, 0, 2, 4, 5, 1, 3), 0),
]


@pytest.mark.parametrize("dtype", ALL, ids=str)
@pytest.mark.parametrize("stored, perm, dim", SORT_CASES)
@pytest.mark.parametrize("descending", [False, True])
def test_sort(dtype, stored, perm, dim, descending):
    run_sort(awkward(stored, dtype), perm, dim, dtype, descending)


@pytest.mark.parametrize("dtype", ALL, ids=str)
@pytest.mark.parametrize("length", [5, 8, 19])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_merges_runs_longer_than_a_block(monkeypatch, dtype, length, descending):
    """Runs of 4: 5 elements merge once (a run of 1 among them); 19 take 3 passes, through
    both scratch buffers, the last run without a partner in the first two."""
    monkeypatch.setattr(selection, "MAX_BLOCK", 4)
    run_sort(awkward((3, length), dtype, seed=length), (1, 0), 0, dtype, descending)


def test_sort_of_a_row_longer_than_the_real_block():
    a = awkward((1, selection.MAX_BLOCK + 77), dtypes.float32, seed=3)
    run_sort(a, (0, 1), 1, dtypes.float32, False)


@pytest.mark.parametrize("dtype", [dtypes.float64, dtypes.int8], ids=str)
def test_argsort_writes_indices_only(monkeypatch, dtype):
    monkeypatch.setattr(selection, "MAX_BLOCK", 4)
    run_sort(awkward((2, 11), dtype), (0, 1), 1, dtype, True, with_values=False)


def test_sort_keeps_equal_values_in_order_and_nan_last():
    a = np.array([[2.0, np.nan, -0.0, 2.0, 0.0, np.nan, -np.inf, 2.0]], np.float32)
    x = padded(a, dtypes.float32)
    values = padded(np.zeros(a.shape, np.float32), dtypes.float32)
    indices = padded(np.zeros(a.shape, np.int64), dtypes.int64)
    KERNELS.reduction.sort(x, 1, False, False, values, indices)
    np.testing.assert_array_equal(host(indices), [[6, 2, 4, 0, 3, 7, 1, 5]])
    KERNELS.reduction.sort(x, 1, True, False, values, indices)
    np.testing.assert_array_equal(host(indices), [[1, 5, 0, 3, 7, 2, 4, 6]])


ARG_CASES = [((3, 1), (0, 1), 1), ((1, 7), (0, 1), 1), ((4, 8), (1, 0), 1), ((3, 4, 5), (2, 0, 1), 0),
             ((2, 1, 2, 1, 2, 2, 3), (6, 0, 2, 4, 5, 1, 3), 2)]


@pytest.mark.parametrize("op", ["max", "min", "median", "mode"])
@pytest.mark.parametrize("dtype", ALL, ids=str)
@pytest.mark.parametrize("stored, perm, dim", ARG_CASES)
def test_arg_reduce(op, dtype, stored, perm, dim):
    a = awkward(stored, dtype, seed=len(stored))
    x = permuted(padded(a, dtype), perm)
    oshape = tuple(1 if d == dim else n for d, n in enumerate(x.shape))
    values = padded(np.zeros(oshape, dtype.np), dtype)
    indices = padded(np.zeros(oshape, np.int64), dtypes.int64)
    KERNELS.reduction.arg_reduce(op, x, dim, values, indices)
    want_v, want_i = oracle(reference.reduction.arg_reduce, op, a.transpose(perm), dim,
                            Out(oshape, dtype), Out(oshape, dtypes.int64))
    np.testing.assert_array_equal(host(indices), want_i)
    assert_exact(host(values), want_v, dtype)
    assert_padding_untouched(values, dtype)
    assert_padding_untouched(indices, dtypes.int64)
    only = padded(np.zeros(oshape, np.int64), dtypes.int64)
    KERNELS.reduction.arg_reduce(op, x, dim, None, only)
    np.testing.assert_array_equal(host(only), want_i)


@pytest.mark.parametrize("op", ["max", "min", "median", "mode"])
def test_arg_reduce_over_several_column_blocks(monkeypatch, op):
    """Rows longer than one step (of 8 here) carry their state across steps; median and mode
    read rows sorted by merges (runs of 4)."""
    monkeypatch.setattr(selection, "MAX_BLOCK", 4)
    monkeypatch.setattr(selection, "ROW_BLOCK", 8)
    a = awkward((2, 29), dtypes.int32, seed=9)
    x = padded(a, dtypes.int32)
    values = padded(np.zeros((2, 1), np.int32), dtypes.int32)
    indices = padded(np.zeros((2, 1), np.int64), dtypes.int64)
    KERNELS.reduction.arg_reduce(op, x, 1, values, indices)
    want_v, want_i = oracle(reference.reduction.arg_reduce, op, a, 1, Out((2, 1), dtypes.int32),
                            Out((2, 1), dtypes.int64))
    np.testing.assert_array_equal(host(indices), want_i)
    np.testing.assert_array_equal(host(values), want_v)


@pytest.mark.parametrize("op, row, want", [
    ("max", [1.0, 3.0, np.nan, 3.0, np.nan], 2), ("min", [0.0, -1.0, 5.0, -1.0], 1),
    ("max", [-0.0, 0.0, -1.0], 0), ("min", [np.inf, np.inf], 0), ("max", [-np.inf, -np.inf, -np.inf], 0),
    ("median", [3.0, 1.0, 3.0, 1.0], 3), ("median", [1.0, np.nan, 1.0, np.nan], 1),
    ("mode", [1.0, 2.0, 2.0, 1.0, 3.0], 3), ("mode", [5.0, 5.0, 2.0, 2.0], 3), ("mode", [-0.0, 0.0, 1.0], 1),
    ("mode", [np.nan, 1.0, np.nan, 2.0], 2), ("mode", [4.0], 0),
])
def test_arg_reduce_rules(op, row, want):
    """First index for max/min, a NaN winning; median: the stable sort's median position (index
    3 for [3, 1, 3, 1], as torch's cpu); mode: the smallest most frequent value, last index."""
    x = padded(np.array([row], np.float32), dtypes.float32)
    indices = padded(np.zeros((1, 1), np.int64), dtypes.int64)
    KERNELS.reduction.arg_reduce(op, x, 1, None, indices)
    assert host(indices)[0, 0] == want


def test_unknown_op_is_named():
    x = padded(np.zeros((2, 2), np.float32), dtypes.float32)
    out = padded(np.zeros((2, 1), np.int64), dtypes.int64)
    with pytest.raises(ValueError, match="unknown op 'mean'"):
        KERNELS.reduction.arg_reduce("mean", x, 1, None, out)
