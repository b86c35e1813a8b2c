"""Copy kernels against the numpy reference, each input inside NaN/sentinel padding and each
output inside sentinel padding, on every code path at tiny sizes."""
import itertools

import numpy as np
import pytest

from tritorch import dtypes, reference
from tritorch.array_view import ArrayView, contiguous_strides
from tritorch.backend import cuda_backend
from harness import assert_padding_untouched, host, padded, permuted, record_launches, sample

KERNELS = cuda_backend()
ALL = (dtypes.float32, dtypes.float16, dtypes.bfloat16, dtypes.float64, dtypes.int64, dtypes.int32,
       dtypes.int8, dtypes.uint8, dtypes.bool_)


def reference_view(a: np.ndarray, dtype, shape, strides, offset) -> ArrayView:
    buf = np.array(a, dtype=dtype.np).reshape(-1).copy()
    return ArrayView(buf, offset, shape, strides, dtype)


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


@pytest.mark.parametrize("stored, perm", [((7,), (0,)), ((2, 3, 4), (2, 0, 1))])
def test_copy_int64_index_path(monkeypatch, stored, perm):
    """The int64 index path (taken when an extent or offset reaches 2^31) copies the same."""
    from tritorch.kernels import strided
    monkeypatch.setattr(strided, "INDEX_LIMIT", 0)
    a = sample(stored, dtypes.float32)
    src = permuted(padded(a, dtypes.float32), perm)
    out = padded(np.zeros(src.shape, np.float32), dtypes.float32)
    with record_launches() as launches:
        KERNELS.copy.copy(src, out)
    assert launches.calls[0][2]["I64"] is True
    np.testing.assert_array_equal(host(out), a.transpose(perm))
    assert_padding_untouched(out, dtypes.float32)
