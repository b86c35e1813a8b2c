"""Copy and reduction kernels against the numpy reference, each input inside NaN/sentinel
padding and each output inside sentinel padding, on every code path at tiny sizes."""
import itertools

import numpy as np
import pytest

from tritorch import dtypes, reference
from tritorch.array_view import ArrayView, contiguous_strides
from tritorch.backend import cuda_backend
from harness import assert_padding_untouched, host, padded, record_launches
from helpers import tolerance

KERNELS = cuda_backend()
ALL = (dtypes.float32, dtypes.float16, dtypes.bfloat16, dtypes.float64, dtypes.int64, dtypes.int32,
       dtypes.int8, dtypes.uint8, dtypes.bool_)


def sample(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if dtype is dtypes.bool_:
        return rng.random(shape) < 0.5
    if dtype.is_floating_point:
        return (rng.standard_normal(shape) * 3).astype(dtype.np)
    lo, hi = (0, 100) if dtype is dtypes.uint8 else (-50, 50)
    return rng.integers(lo, hi, shape).astype(dtype.np)


def reference_view(a: np.ndarray, dtype, shape, strides, offset) -> ArrayView:
    buf = np.array(a, dtype=dtype.np).reshape(-1).copy()
    return ArrayView(buf, offset, shape, strides, dtype)


def permuted(v: ArrayView, perm) -> ArrayView:
    return ArrayView(v.buffer, v.offset, tuple(v.shape[p] for p in perm), tuple(v.strides[p] for p in perm), v.dtype)


def assert_matches(got: np.ndarray, want: np.ndarray, dtype, n=1):
    rtol, atol = tolerance(dtype, n)
    if dtype.is_floating_point:
        np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=rtol, atol=atol)
    else:
        np.testing.assert_array_equal(got, want)


# (shape of the stored array, permutation giving the view) -> every copy path: flat contiguous,
# transposed (strided 4-D), broadcast, >4 non-mergeable dims (host split), size 0
LAYOUTS = [((7,), (0,)), ((3, 5), (1, 0)), ((2, 3, 4), (2, 0, 1)), ((2, 1, 3, 1, 2, 2), (5, 3, 1, 0, 2, 4)),
           ((0, 3), (1, 0)), ((1,), (0,))]


@pytest.mark.parametrize("src_dtype, out_dtype", [(d, d) for d in ALL] + [
    (dtypes.float32, dtypes.bfloat16), (dtypes.bfloat16, dtypes.float32), (dtypes.float32, dtypes.float16),
    (dtypes.float64, dtypes.float32), (dtypes.float32, dtypes.int32), (dtypes.int64, dtypes.float32),
    (dtypes.bool_, dtypes.float32), (dtypes.float32, dtypes.bool_), (dtypes.int32, dtypes.int8),
    (dtypes.int32, dtypes.bfloat16), (dtypes.float64, dtypes.bfloat16), (dtypes.bool_, dtypes.bfloat16),
    (dtypes.int64, dtypes.bfloat16), (dtypes.float32, dtypes.uint8), (dtypes.float64, dtypes.int8),
    (dtypes.bfloat16, dtypes.int16)])
@pytest.mark.parametrize("stored, perm", LAYOUTS)
def test_copy(src_dtype, out_dtype, stored, perm):
    a = sample(stored, src_dtype)
    src = permuted(padded(a, src_dtype), perm)
    shape = src.shape
    out = padded(np.zeros(shape, out_dtype.np), out_dtype)
    with record_launches() as launches:
        KERNELS.copy.copy(src, out)
    want = np.empty(shape, out_dtype.np)
    reference.copy.copy(permuted(reference_view(a, src_dtype, stored, contiguous_strides(stored), 0), perm),
                        ArrayView(want.reshape(-1), 0, shape, contiguous_strides(shape), out_dtype))
    # a conversion is exact: bit for bit what numpy's astype gives (negative floats wrap into
    # unsigned types, bfloat16 rounds to nearest even)
    np.testing.assert_array_equal(host(out).view(np.uint8), want.view(np.uint8))
    assert_padding_untouched(out, out_dtype)
    assert len(launches) == (1 if 0 not in shape else 0) or len(shape) > 4


def test_copy_broadcast_source():
    a = sample((3, 1), dtypes.float32)
    src = padded(a, dtypes.float32)
    src = ArrayView(src.buffer, src.offset, (2, 3, 4), (0, 1, 0), src.dtype)
    out = padded(np.zeros((2, 3, 4), np.float32), dtypes.float32)
    KERNELS.copy.copy(src, out)
    np.testing.assert_array_equal(host(out), np.broadcast_to(a.reshape(1, 3, 1), (2, 3, 4)))
    assert_padding_untouched(out, dtypes.float32)


def test_copy_between_overlapping_views_is_staged():
    buf = padded(np.arange(10, dtype=np.float32), dtypes.float32)
    src = ArrayView(buf.buffer, buf.offset, (8,), (1,), buf.dtype)
    dst = ArrayView(buf.buffer, buf.offset + 2, (8,), (1,), buf.dtype)
    with record_launches() as launches:
        KERNELS.copy.copy(src, dst)
    assert len(launches) == 2  # through a temporary
    np.testing.assert_array_equal(host(ArrayView(buf.buffer, buf.offset, (10,), (1,), buf.dtype)),
                                  [0, 1, 0, 1, 2, 3, 4, 5, 6, 7])


@pytest.mark.parametrize("dims", [(0,), (1,), (0, 2), (0, 1, 2)])
@pytest.mark.parametrize("dtype", [dtypes.float32, dtypes.int16, dtypes.bfloat16])
def test_flip(dims, dtype):
    a = sample((2, 3, 4), dtype)
    x = permuted(padded(a, dtype), (0, 2, 1))
    out = padded(np.zeros(x.shape, dtype.np), dtype)
    KERNELS.copy.flip(x, dims, out)
    np.testing.assert_array_equal(host(out), np.flip(a.transpose(0, 2, 1), dims))
    assert_padding_untouched(out, dtype)


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
    want = np.empty(oshape, out_dtype.np)
    reference.reduction.reduce(op, permuted(reference_view(a, dtype, stored, contiguous_strides(stored), 0), perm),
                               dims, ArrayView(want.reshape(-1), 0, oshape, contiguous_strides(oshape), out_dtype))
    n = int(np.prod([x.shape[d] for d in dims]))
    assert_matches(host(out), want, out_dtype, n if op in ("sum", "mean", "prod") else 1)
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


def test_layout_collapse_merges_only_mergeable_dims():
    from tritorch.kernels.layout import collapse, launches
    assert collapse((2, 3, 4), [(12, 4, 1)]) == ((24,), [(1,)])
    assert collapse((2, 3, 4), [(12, 4, 1), (1, 2, 6)]) == ((2, 3, 4), [(12, 4, 1), (1, 2, 6)])
    assert collapse((2, 1, 3), [(3, 99, 1)]) == ((6,), [(1,)])
    assert collapse((1, 1), [(5, 7)]) == ((1,), [(0,)])
    shape = (2, 2, 2, 2, 2, 2)
    strides = [tuple(2 ** (2 * i) for i in range(6))]
    parts = list(launches(shape, [0], strides))
    assert len(parts) == 4 and all(len(s) == 4 for s, _, _ in parts)
    assert sorted(o[0] for _, o, _ in parts) == [0, 1, 4, 5]
    assert list(itertools.chain.from_iterable(st for _, _, (st,) in parts[:1])) == [16, 64, 256, 1024]


def test_copy_between_aliasing_buffers_is_staged():
    # two buffers over one allocation (as two DLPack imports give): found by address, not identity
    base = padded(np.arange(3000, dtype=np.float32), dtypes.float32, pad=0)
    src_buf, dst_buf = base.buffer[0:2998], base.buffer[2:3000]
    src = ArrayView(src_buf, 0, (2998,), (1,), dtypes.float32)
    dst = ArrayView(dst_buf, 0, (2998,), (1,), dtypes.float32)
    KERNELS.copy.copy(src, dst)
    np.testing.assert_array_equal(host(base)[2:], np.arange(2998, dtype=np.float32))
