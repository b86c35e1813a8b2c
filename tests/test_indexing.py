"""Indexing against torch and numpy: x[key] (views for basic keys, copies for advanced ones),
x[key] = value, index_put_, index_select, take, masked_select, nonzero, gather, scatter,
index_fill_/index_copy_/index_add_, and the index primitives, on non-contiguous, broadcast,
0-size and size-1 inputs."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tritorch
from helpers import assert_close, assert_same_storage, to_numpy
from strategies import SETTINGS, shapes, tensors
from tritorch.reference import index as reference


def pair(shape, dtype=np.float32, seed=0):
    """(tritorch tensor, torch tensor) with equal values; the tritorch one is non-contiguous
    (stored with its dims reversed), so every key also sees permuted strides."""
    a = np.random.default_rng(seed).integers(-9, 10, shape).astype(dtype)
    order = list(reversed(range(len(shape))))
    stored = tritorch.tensor(a.transpose(order).copy())
    return stored.permute(*order), torch.from_numpy(a.copy())


def check(actual, expected: torch.Tensor) -> None:
    """Same dtype, shape and values as the torch result."""
    assert actual.dtype.name == str(expected.dtype).removeprefix("torch."), (actual.dtype, expected.dtype)
    assert_close(actual, expected.numpy())


def as_torch_key(key):
    """The same key for torch: tritorch tensors become torch tensors."""
    if isinstance(key, tuple):
        return tuple(as_torch_key(k) for k in key)
    if isinstance(key, tritorch.Tensor):
        return torch.from_numpy(key.numpy().copy())
    return key


def long(values):
    return tritorch.tensor(values, dtype=tritorch.int64)


# --- basic indexing: views --------------------------------------------------------------------

BASIC_KEYS = [
    1, -1, (0, 2), (1, slice(None), -2), slice(1, None), slice(None, None, 2), slice(-10, 10),
    slice(5, 1), slice(3, 100, 3), (Ellipsis, 1), (None, 0), (slice(None), None, 1), (Ellipsis, None),
    (1, Ellipsis, slice(0, 3, 2)), (), Ellipsis, (Ellipsis, Ellipsis), (0, 1, 2),
    (np.int64(1), slice(np.int64(0), 2)),
]


@pytest.mark.parametrize("key", BASIC_KEYS)
def test_basic_key_is_a_view_with_torch_values(key):
    x, r = pair((2, 3, 4))
    v = x[key]
    check(v, r[key])
    assert_same_storage(v, x)
    assert v is not x


def test_zero_dim_integer_tensor_indexes_like_an_int_and_gives_a_view():
    x, r = pair((3, 4))
    v = x[tritorch.tensor(2)]
    check(v, r[2])
    assert_same_storage(v, x)


def test_stepped_slice_view_strides_and_offset():
    x = tritorch.arange(24).view(4, 6)
    v = x[1:4:2, 1::2]
    assert v.shape == (2, 3) and v.stride() == (12, 2) and v.storage_offset() == 7


def test_writes_through_a_view_land_in_the_base():
    x, _ = pair((3, 4))
    v = x[1:, ::2]
    v.copy_(tritorch.full((2, 2), 100.0))
    want = to_numpy(pair((3, 4))[0]).copy()
    want[1:, ::2] = 100
    assert_close(x, want)


def test_indexing_a_zero_dim_tensor():
    x = tritorch.tensor(5.0)
    assert x[None].shape == (1,) and x[...].shape == () and x[()].item() == 5.0
    assert_same_storage(x[None], x)


@st.composite
def basic_entries(draw, sizes):
    """One int or slice (steps, negative and out-of-range bounds) per size, with some None."""
    key = []
    for size in sizes:
        kind = draw(st.sampled_from(["int", "slice", "slice"] if size else ["slice"]))
        if draw(st.booleans()) and draw(st.booleans()):
            key.append(None)
        if kind == "int":
            key.append(draw(st.integers(-size, size - 1)))
        else:
            bound = st.none() | st.integers(-size - 2, size + 2)
            key.append(slice(draw(bound), draw(bound), draw(st.sampled_from([None, 1, 2, 3]))))
    return key


@st.composite
def basic_keys(draw, shape):
    """A random basic key for `shape`: entries for leading dims, and maybe an Ellipsis standing
    for the middle dims followed by entries for trailing dims."""
    lead = draw(st.integers(0, len(shape)))
    key = draw(basic_entries(shape[:lead]))
    if draw(st.booleans()):
        trail = draw(st.integers(lead, len(shape)))
        key += [Ellipsis] + draw(basic_entries(shape[trail:]))
    return tuple(key)


@settings(**SETTINGS)
@given(data=st.data())
def test_basic_indexing_reads_and_writes_like_numpy(data):
    x, a = data.draw(tensors(shape=data.draw(shapes(min_dims=1, max_dims=4))))
    key = data.draw(basic_keys(tuple(a.shape)))
    v = x[key]
    assert_close(v, a[key])
    assert_same_storage(v, x)
    x[key] = -100.0
    a = a.copy()
    a[key] = -100.0
    assert_close(x, a)


# --- advanced indexing: copies ----------------------------------------------------------------

ADVANCED_KEYS = [
    [1, 0, 1], [[0, 1], [1, 0]], [], np.array([1, -1]), (slice(None), [2, 0, 2]),
    ([0, 1], [1, 2]), ([0, 1], slice(None), [1, 2]), ([0, 1], Ellipsis, [3, 0]),
    ([[0], [1]], [0, 2]), (slice(None), [[0], [1]], [0, 2]), (0, slice(None), [0, 2]),
    ([1, 0], 0, [1, 3]), ([0, 1], None, [0, 1]), (None, [0, 1], [2, 1]), (Ellipsis, [0, -1]),
    ([True, False]), (slice(None), [True, False, True]),
    ([[True, False, True], [False, False, True]]), ([True, False], slice(None), [0, 3]),
    (True,), (False,), (0, True), (slice(None), False), ([], slice(None), []),
    ([0, 1], [[2], [1], [0]]), (slice(1, 2), [0, 0, 0], slice(None, None, 2)),
    (slice(None), np.array([[True, True, False, False]] * 3)),
]


@pytest.mark.parametrize("key", ADVANCED_KEYS, ids=str)
def test_advanced_key_matches_torch_and_copies(key):
    x, r = pair((2, 3, 4))
    key = key if isinstance(key, tuple) else (key,)
    with np.errstate(all="ignore"):
        got = x[key]
    check(got, r[key])
    if got.numel():
        assert got.untyped_storage() is not x.untyped_storage()
        assert got.is_contiguous()


def test_a_list_of_sequences_indexes_several_dims_as_in_torch():
    x, r = pair((2, 3))
    with pytest.warns(UserWarning, match="non-tuple sequence"):
        got = x[[[0, 1], [2, 0]]]
    with pytest.warns(UserWarning):
        want = r[[[0, 1], [2, 0]]]
    check(got, want)


@pytest.mark.parametrize("kind", [tritorch.int64, tritorch.int32, tritorch.int16, tritorch.uint8, tritorch.bool])
def test_index_tensor_dtypes(kind):
    x, r = pair((4, 3))
    if kind in (tritorch.uint8, tritorch.bool):
        idx = tritorch.tensor([1, 0, 1, 1], dtype=kind)
        with pytest.warns(UserWarning) if kind is tritorch.uint8 else np.errstate():
            got = x[idx]
        check(got, r[torch.tensor([True, False, True, True])])
    else:
        check(x[tritorch.tensor([[3, -4], [1, 1]], dtype=kind)], r[torch.tensor([[3, -4], [1, 1]])])


def test_index_tensor_may_broadcast_with_stride_zero():
    x, r = pair((5, 3))
    idx = long([4]).expand(3)
    check(x[idx, [0, 1, 2]], r[torch.tensor([4, 4, 4]), [0, 1, 2]])


def test_broadcast_input_is_read_through_its_zero_strides():
    x = tritorch.tensor([[1.0, 2.0, 3.0]]).expand(4, 3)
    r = torch.tensor([[1.0, 2.0, 3.0]]).expand(4, 3)
    check(x[[0, 3], [2, 1]], r[[0, 3], [2, 1]])
    check(x[range(1, 3)], r[range(1, 3)])
    check(x.index_select(1, long([2, 2, 0])), r.index_select(1, torch.tensor([2, 2, 0])))
    check(x.gather(0, long([[3, 0, 1]])), r.gather(0, torch.tensor([[3, 0, 1]])))
    check(x.take(long([0, 5, 11])), r.take(torch.tensor([0, 5, 11])))


def test_zero_size_tensor_indexed_by_empty_index():
    x, r = pair((0, 3))
    check(x[long([])], r[torch.tensor([], dtype=torch.int64)])
    check(x[:, [2, 0]], r[:, [2, 0]])


@settings(**SETTINGS)
@given(data=st.data())
def test_advanced_indexing_matches_numpy(data):
    x, a = data.draw(tensors(shape=data.draw(shapes(min_dims=1, max_dims=4, min_side=1))))
    dims = sorted(data.draw(st.sets(st.integers(0, a.ndim - 1), min_size=1)))
    ishape = data.draw(shapes(max_dims=2, max_side=3))
    key = []
    for d in range(a.ndim):
        if d in dims:
            sub = tuple(s if data.draw(st.booleans()) else 1 for s in ishape)
            key.append(np.asarray(data.draw(st.lists(st.integers(-a.shape[d], a.shape[d] - 1),
                                                     min_size=int(np.prod(sub)), max_size=int(np.prod(sub)))),
                                  dtype=np.int64).reshape(sub))
        else:
            key.append(slice(None))
    key = tuple(key)
    assert_close(x[tuple(long(k) if isinstance(k, np.ndarray) else k for k in key)], a[key])
    x[key] = 50.0
    a = a.copy()
    a[key] = 50.0
    assert_close(x, a)


def test_masked_indexing_with_comparisons():
    x, r = pair((3, 4))
    if not hasattr(tritorch.Tensor, "__gt__") or tritorch.Tensor.__gt__ is object.__gt__:
        pytest.skip("comparisons (tritorch/ops/elementwise.py) are not in yet")
    check(x[x > 0], r[r > 0])
    x[x < 0] = 0.0
    r[r < 0] = 0.0
    check(x, r)


# --- x[key] = value ---------------------------------------------------------------------------

SET_CASES = [
    (1, 7.5), ((slice(None), 2), tritorch.tensor([1.0, 2.0])), (slice(None, None, 2), tritorch.tensor([[1.0, 2.0, 3.0]])),
    (0, tritorch.ones(1, 1, 3)), (Ellipsis, -1), ((0, 0), tritorch.tensor(4)), ((slice(None), [0, 2]), 9),
    ([1, 0], tritorch.tensor([[1.0], [2.0]])), (([0, 1], [2, 0]), tritorch.tensor([5.0, 6.0])),
    ((slice(None), [True, False, True]), tritorch.tensor([[1.0, 2.0]])), (([[True, False, True], [True] * 3],), 0),
    ([1, 0], [[1, 2, 3], [4, 5, 6]]), (1, np.array([1.5, 2.5, 3.5])), (([], slice(None)), 3.0),
]


@pytest.mark.parametrize("key,value", SET_CASES, ids=str)
def test_setitem_matches_torch(key, value):
    x, r = pair((2, 3))
    version = x.untyped_storage().version
    x[key] = value
    tvalue = torch.from_numpy(value.numpy().copy()) if isinstance(value, tritorch.Tensor) else (
        torch.tensor(value, dtype=r.dtype) if isinstance(value, (list, np.ndarray)) else value)
    r[key] = tvalue
    check(x, r)
    assert x.untyped_storage().version > version


def test_setitem_converts_the_value_to_the_tensor_dtype():
    x = tritorch.zeros(3, dtype=tritorch.int32)
    x[0] = 2.7
    x[[1, 2]] = tritorch.tensor([-1.9, 3.2], dtype=tritorch.float64)
    assert x.dtype is tritorch.int32 and x.tolist() == [2, -1, 3]


def test_setitem_with_an_overlapping_value_reads_before_writing():
    x, r = pair((6,))
    x[1:] = x[:-1]
    r[1:] = r[:-1].clone()
    check(x, r)
    x[[0, 1, 2]] = x[[2, 1, 0]]
    r[[0, 1, 2]] = r[[2, 1, 0]]
    check(x, r)


def test_setitem_through_a_view_of_a_view():
    base = tritorch.zeros(4, 5)
    v = base.t()[1:3]
    v[:, [0, 3]] = 1.0
    want = np.zeros((4, 5), np.float32)
    want[[0, 3], 1:3] = 1.0
    assert_close(base, want)


def test_index_put_accumulates_repeated_indices():
    x, r = pair((4, 3))
    idx = (long([0, 0, 3, 0]), long([1, 1, 2, 1]))
    vals = tritorch.tensor([1.0, 2.0, 3.0, 4.0])
    x.index_put_(idx, vals, accumulate=True)
    r.index_put_(as_torch_key(idx), torch.tensor([1.0, 2.0, 3.0, 4.0]), accumulate=True)
    check(x, r)
    check(tritorch.index_put(x, (None, long([2])), tritorch.tensor([[7.0]])),
          torch.index_put(r, (torch.tensor([0, 1, 2, 3]), torch.tensor([2])), torch.tensor(7.0)))


@pytest.mark.parametrize("dtype", [tritorch.float16, tritorch.bfloat16, tritorch.int8, tritorch.bool])
def test_index_put_accumulate_in_small_dtypes(dtype):
    x = tritorch.zeros(3, dtype=dtype)
    vals = tritorch.ones(4, dtype=dtype)
    x.index_put_((long([1, 1, 1, 2]),), vals, accumulate=True)
    r = torch.zeros(3, dtype=getattr(torch, dtype.name)).index_put_(
        (torch.tensor([1, 1, 1, 2]),), torch.ones(4, dtype=getattr(torch, dtype.name)), accumulate=True)
    assert_close(x, r.float().numpy(), check_dtype=False)


# --- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("key,error,match", [
    (5, IndexError, "index 5 is out of bounds for dimension 0 with size 2"),
    ((0, -4), IndexError, "index -4 is out of bounds for dimension 1 with size 3"),
    (long([0, 2]), IndexError, "index 2 is out of bounds for dimension 0 with size 2"),
    ((slice(None), slice(None), [4]), IndexError, "index 4 is out of bounds for dimension 2 with size 4"),
    ((slice(None), [-4]), IndexError, "index -4 is out of bounds for dimension 1 with size 3"),
    (slice(None, None, -1), ValueError, "step must be greater than zero"),
    ((slice(None), slice(None, None, 0)), ValueError, "step must be greater than zero"),
    ((0, 0, 0, 0), IndexError, "too many indices for tensor of dimension 3"),
    (1.5, IndexError, r"valid indices \(got float\)"),
    ("a", IndexError, r"valid indices \(got str\)"),
    (tritorch.tensor([1.0]), IndexError, "tensors used as indices must be long, int, byte or bool tensors, got float32"),
    (tritorch.tensor([True, False, True]), IndexError,
     r"The shape of the mask \[3\] at index 0 does not match the shape of the indexed tensor \[2, 3, 4\] at index 0"),
    (([0, 1], [0, 1, 2]), IndexError,
     r"shape mismatch: indexing tensors could not be broadcast together with shapes \[2\], \[3\]"),
])
def test_bad_keys_raise(key, error, match):
    x, _ = pair((2, 3, 4))
    with pytest.raises(error, match=match):
        x[key]
    with pytest.raises(error, match=match):
        x[key] = 0.0


def test_index_on_an_empty_dimension_is_out_of_bounds():
    with pytest.raises(IndexError, match="index 0 is out of bounds for dimension 0 with size 0"):
        tritorch.zeros(0, 2)[[0]]


@pytest.mark.parametrize("key,value,match", [
    (0, tritorch.ones(2, 4), r"value tensor of shape \[2, 4\] cannot be broadcast to indexing result of shape \[4\]"),
    ([0, 1], tritorch.ones(3, 4), r"value tensor of shape \[3, 4\] cannot be broadcast to indexing result of shape \[2, 4\]"),
])
def test_setitem_value_shape_mismatch(key, value, match):
    with pytest.raises(RuntimeError, match=match):
        tritorch.zeros(3, 4)[key] = value


def test_index_put_requires_matching_dtypes():
    with pytest.raises(RuntimeError, match="dtypes match, got float32 for the destination and float64 for the source"):
        tritorch.zeros(3).index_put_((long([0]),), tritorch.ones(1, dtype=tritorch.float64))


# --- index_select, take, masked_select, nonzero -----------------------------------------------

@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("index", [[2, 0, 1, 2], [1], []])
def test_index_select_matches_torch(dim, index):
    x, r = pair((3, 4, 5))
    got = tritorch.index_select(x, dim, long(index))
    check(got, torch.index_select(r, dim, torch.tensor(index, dtype=torch.int64)))
    check(x.index_select(dim, tritorch.tensor(index, dtype=tritorch.int32)),
          r.index_select(dim, torch.tensor(index, dtype=torch.int32)))


def test_index_select_scalar_cases():
    check(tritorch.index_select(tritorch.tensor(5.0), 0, long([0])), torch.index_select(torch.tensor(5.0), 0, torch.tensor([0])))
    check(tritorch.index_select(tritorch.arange(3), 0, long(1)), torch.index_select(torch.arange(3), 0, torch.tensor(1)))


@pytest.mark.parametrize("index,error,match", [
    (long([3]), IndexError, "index_select\\(\\): index 3 is out of bounds for dimension 0 with size 3"),
    (long([-1]), IndexError, "index -1 is out of bounds"),
    (long([[0]]), IndexError, r"Index is supposed to be a vector, got shape \[1, 1\]"),
    (tritorch.tensor([0.0]), RuntimeError, "Expected dtype int64 or int32 for index, got float32"),
])
def test_index_select_errors(index, error, match):
    with pytest.raises(error, match=match):
        tritorch.index_select(tritorch.ones(3), 0, index)


def test_take_matches_torch():
    x, r = pair((3, 4))
    check(tritorch.take(x, long([[-1, 0], [5, 11]])), torch.take(r, torch.tensor([[-1, 0], [5, 11]])))
    check(x.take(long([])), r.take(torch.tensor([], dtype=torch.int64)))
    with pytest.raises(IndexError, match="tried to access index 12 on a tensor of 12 elements"):
        x.take(long([12]))
    with pytest.raises(RuntimeError, match="take\\(\\): Expected dtype int64 for index, got int32"):
        x.take(tritorch.tensor([1], dtype=tritorch.int32))


@pytest.mark.parametrize("xshape,mshape", [((3, 4), (3, 4)), ((3, 4), (4,)), ((1, 4), (3, 1)), ((), ()), ((0, 2), (2,))])
def test_masked_select_broadcasts(xshape, mshape):
    x, r = pair(xshape)
    m = np.random.default_rng(1).integers(0, 2, mshape).astype(bool)
    check(tritorch.masked_select(x, tritorch.tensor(m)), torch.masked_select(r, torch.from_numpy(m)))
    check(x.masked_select(tritorch.tensor(m)), r.masked_select(torch.from_numpy(m)))


def test_masked_select_errors():
    with pytest.raises(RuntimeError, match="expected BoolTensor for mask, got float32"):
        tritorch.masked_select(tritorch.ones(3), tritorch.ones(3))
    with pytest.raises(RuntimeError, match=r"shapes \[3\] and \[4\] cannot be broadcast"):
        tritorch.masked_select(tritorch.ones(3), tritorch.ones(4, dtype=tritorch.bool))


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (5,), (), (0, 3), (1, 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.bool_])
def test_nonzero_matches_torch(shape, dtype):
    x, r = pair(shape, dtype=np.int64, seed=3)
    x, r = x.to(tritorch.dtypes.from_numpy(dtype)), r.to(getattr(torch, np.dtype(dtype).name))
    check(tritorch.nonzero(x), torch.nonzero(r))
    check(x.argwhere(), r.argwhere())
    got, want = x.nonzero(as_tuple=True), r.nonzero(as_tuple=True)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        check(g, w)


def test_nonzero_counts_nan_and_reads_stride_zero():
    x = tritorch.tensor([[0.0, float("nan")]]).expand(3, 2)
    assert tritorch.nonzero(x).tolist() == [[0, 1], [1, 1], [2, 1]]
    assert tritorch.nonzero(tritorch.tensor([0.0, 1.0], dtype=tritorch.bfloat16)).tolist() == [[1]]


# --- gather and scatter -----------------------------------------------------------------------

@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gather_matches_torch(dim):
    x, r = pair((3, 4, 5))
    size = (3, 4, 5)[dim]
    idx = np.random.default_rng(2).integers(0, size, (2, 3, 4))
    check(tritorch.gather(x, dim, long(idx)), torch.gather(r, dim, torch.from_numpy(idx)))
    idx_t = long(idx).permute(2, 0, 1).permute(1, 2, 0)  # a non-contiguous index
    check(x.gather(dim, idx_t), r.gather(dim, torch.from_numpy(idx)))


def test_gather_scalar_and_empty():
    check(tritorch.gather(tritorch.tensor(5.0), 0, long(0)), torch.gather(torch.tensor(5.0), 0, torch.tensor(0)))
    check(tritorch.gather(tritorch.ones(2, 3), 1, tritorch.zeros(2, 0, dtype=tritorch.int64)),
          torch.gather(torch.ones(2, 3), 1, torch.zeros(2, 0, dtype=torch.int64)))


@pytest.mark.parametrize("index,match", [
    (long([[3]]), r"gather\(\): index 3 is out of bounds for dimension 1 with size 3"),
    (long([[-1]]), r"gather\(\): index -1 is out of bounds for dimension 1 with size 3"),
    (long([0]), r"Index tensor must have the same number of dimensions as input tensor \(index shape \[1\], input shape \[3, 3\]\)"),
    (tritorch.zeros(4, 1, dtype=tritorch.int64), r"expected index \[4, 1\] to be no larger than self \[3, 3\] apart from dimension 1"),
])
def test_gather_errors(index, match):
    with pytest.raises(RuntimeError, match=match):
        tritorch.gather(tritorch.ones(3, 3), 1, index)


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
@pytest.mark.parametrize("dim", [0, 1])
def test_scatter_and_scatter_add_match_torch(dim):
    x, r = pair((3, 4))
    src, tsrc = pair((3, 5), seed=4)
    idx = np.random.default_rng(5).integers(0, (3, 4)[dim], (2, 3))
    tidx = torch.from_numpy(idx)
    check(tritorch.scatter_add(x, dim, long(idx), src), torch.scatter_add(r, dim, tidx, tsrc))
    check(x.scatter(dim, long(idx), 2.5), r.scatter(dim, tidx, 2.5))
    check(x.scatter(dim, long(idx), src, reduce="add"), r.scatter(dim, tidx, tsrc, reduce="add"))
    unique = np.argsort(np.random.default_rng(6).random((3, 4)), axis=dim)[:2, :3]  # no repeats along dim
    check(tritorch.scatter(x, dim, long(unique), src), torch.scatter(r, dim, torch.from_numpy(unique), tsrc))
    x.scatter_add_(dim, long(idx), src)
    r.scatter_add_(dim, tidx, tsrc)
    check(x, r)
    x.scatter_(dim, long(unique), src)
    r.scatter_(dim, torch.from_numpy(unique), tsrc)
    check(x, r)


def test_scatter_writes_into_a_view_and_bumps_the_version():
    base = tritorch.zeros(3, 4)
    version = base.untyped_storage().version
    base.t().scatter_(0, long([[1, 2, 3]]), 7.0)
    assert base.tolist() == [[0.0, 7.0, 0.0, 0.0], [0.0, 0.0, 7.0, 0.0], [0.0, 0.0, 0.0, 7.0]]
    assert base.untyped_storage().version > version


@pytest.mark.parametrize("call,error,match", [
    (lambda x: x.scatter(1, long([[5]]), 1.0), RuntimeError, r"scatter\(\): index 5 is out of bounds for dimension 1 with size 3"),
    (lambda x: x.scatter(1, long([[0]]), tritorch.ones(1, 1, dtype=tritorch.float64)), RuntimeError,
     "Expected self.dtype to be equal to src.dtype, got float32 and float64"),
    (lambda x: x.scatter(1, tritorch.zeros(2, 2, dtype=tritorch.int64), tritorch.ones(1, 1)), RuntimeError,
     r"Expected index \[2, 2\] to be no larger size than src \[1, 1\]"),
    (lambda x: x.scatter_add(1, tritorch.zeros(4, 1, dtype=tritorch.int64), tritorch.ones(4, 1)), RuntimeError,
     r"Expected index \[4, 1\] to be no larger than self \[3, 3\] apart from dimension 1"),
    (lambda x: x.scatter_(0, long([[0]]), 1.0, reduce="multiply"), NotImplementedError, "reduce='multiply'"),
    (lambda x: x.scatter_(0, long([[0]]), 1.0, reduce="max"), RuntimeError, "reduce argument must be either add or multiply"),
    (lambda x: x.scatter_(0, long([0]), 1.0), RuntimeError, "Index tensor must have the same number of dimensions as self"),
])
def test_scatter_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(tritorch.ones(3, 3))


# --- index_fill_, index_copy_, index_add_ -----------------------------------------------------

@pytest.mark.parametrize("dim", [0, 1])
def test_index_fill_copy_add_match_torch(dim):
    x, r = pair((4, 3))
    idx = [2, 0] if dim else [3, 0, 1]
    src, tsrc = pair((len(idx), 3) if dim == 0 else (4, 2), seed=7)
    check(x.index_fill(dim, long(idx), -5.0), r.index_fill(dim, torch.tensor(idx), -5.0))
    check(tritorch.index_copy(x, dim, long(idx), src), torch.index_copy(r, dim, torch.tensor(idx), tsrc))
    check(tritorch.index_add(x, dim, long(idx), src), torch.index_add(r, dim, torch.tensor(idx), tsrc))
    dup = [0, 0][:len(idx)] + idx[2:]
    check(x.index_add(dim, long(dup), src), r.index_add(dim, torch.tensor(dup), tsrc))
    x.index_fill_(dim, long([-1]), tritorch.tensor(8.0))
    r.index_fill_(dim, torch.tensor([-1]), torch.tensor(8.0))
    check(x, r)


def test_index_family_errors():
    x = tritorch.zeros(3)
    with pytest.raises(IndexError, match=r"index_copy_\(\): index -1 is out of bounds for dimension 0 with size 3"):
        x.index_copy_(0, long([-1]), tritorch.ones(1))
    with pytest.raises(RuntimeError, match=r"source shape \[2\] does not match self shape \[3\] with dimension 0 replaced"):
        x.index_add_(0, long([1]), tritorch.ones(2))
    with pytest.raises(RuntimeError, match=r"self \(float32\) and source \(float64\) must have the same scalar type"):
        x.index_add_(0, long([1]), tritorch.ones(1, dtype=tritorch.float64))
    with pytest.raises(RuntimeError, match="only supports a 0-dimensional value tensor"):
        x.index_fill_(0, long([1]), tritorch.ones(1))
    with pytest.raises(RuntimeError, match=r"Index has to be a vector/scalar, got shape \[1, 1\]"):
        x.index_fill_(0, long([[1]]), 1.0)


# --- the primitives ---------------------------------------------------------------------------

def test_index_get_primitive_puts_index_dims_first():
    x = tritorch.arange(24.0).view(2, 3, 4)
    i0, i2 = long([[1], [0]]).expand(2, 3), long([0, 3, 1]).expand(2, 3)
    out = tritorch.empty(2, 3, 3)
    reference.index_get(x.array, (i0.array, None, i2.array), out.array)
    a = np.arange(24.0).reshape(2, 3, 4)
    want = np.stack([a[i, :, k] for i, k in zip(to_numpy(i0).ravel(), to_numpy(i2).ravel())]).reshape(2, 3, 3)
    assert_close(out, want)


def test_index_primitives_wrap_negative_indices_and_report_the_range():
    x = tritorch.arange(5.0)
    out = tritorch.empty(2)
    reference.index_get(x.array, (long([-1, -5]).array,), out.array)
    assert out.tolist() == [4.0, 0.0]
    rng = tritorch.empty(2, dtype=tritorch.int64)
    reference.index_range(long([[3, -2], [7, 0]]).t().array, rng.array)
    assert rng.tolist() == [-2, 7]


def test_repeat_index_primitive():
    out = tritorch.empty(4, dtype=tritorch.int64)
    reference.repeat_index(tritorch.tensor([1, 0, 3], dtype=tritorch.int32).array, out.array)
    assert out.tolist() == [0, 2, 2, 2]
