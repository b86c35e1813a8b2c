"""Joining and rearranging against torch: cat/concat/concatenate, stack, hstack/vstack/dstack,
flip/fliplr/flipud, roll, repeat, tile, repeat_interleave, meshgrid, on non-contiguous,
broadcast (stride 0), 0-size and size-1 inputs, with dtype promotion and the errors."""
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tritorch
from helpers import assert_close, assert_same_storage, to_numpy
from strategies import SETTINGS, shapes, tensors
from tritorch.reference import copy as reference_copy


def pair(shape, dtype=np.float32, seed=0):
    """(tritorch tensor, torch tensor) with equal values; the tritorch one is non-contiguous."""
    a = np.random.default_rng(seed).integers(-9, 10, shape).astype(dtype)
    order = list(reversed(range(len(shape))))
    return tritorch.tensor(a.transpose(order).copy()).permute(*order), torch.from_numpy(a.copy())


def check(actual, expected: torch.Tensor) -> None:
    assert actual.dtype.name == str(expected.dtype).removeprefix("torch."), (actual.dtype, expected.dtype)
    assert_close(actual, expected.numpy())


def check_all(actual, expected) -> None:
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        check(a, e)


# --- cat and stack ----------------------------------------------------------------------------

@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
def test_cat_matches_torch_on_non_contiguous_inputs(dim):
    shapes_ = [[2, 3, 4], [2, 3, 4], [2, 3, 4]]
    for s in shapes_[1:]:
        s[dim] = 1 + (s[dim] % 2)
    xs, rs = zip(*(pair(s, seed=i) for i, s in enumerate(shapes_)))
    check(tritorch.cat(xs, dim), torch.cat(rs, dim))
    check(tritorch.concat(list(xs), dim=dim), torch.concat(rs, dim=dim))
    check(tritorch.concatenate(xs, dim), torch.concatenate(rs, dim))


def test_cat_promotes_dtypes_and_skips_legacy_empty_tensors():
    a, b = tritorch.tensor([1, 2], dtype=tritorch.int8), tritorch.tensor([3], dtype=tritorch.uint8)
    check(tritorch.cat([a, b]), torch.cat([torch.tensor([1, 2], dtype=torch.int8), torch.tensor([3], dtype=torch.uint8)]))
    x, r = pair((2, 3), dtype=np.float16)
    check(tritorch.cat([tritorch.tensor([], dtype=tritorch.float64), x, tritorch.empty(0)], 1),
          torch.cat([torch.tensor([], dtype=torch.float64), r, torch.empty(0)], 1))
    check(tritorch.cat([tritorch.empty(0), tritorch.empty(0)]), torch.cat([torch.empty(0), torch.empty(0)]))


def test_cat_zero_size_broadcast_and_bool_inputs():
    x, r = pair((0, 3))
    y = tritorch.tensor([[1.0, 2.0, 3.0]]).expand(2, 3)
    check(tritorch.cat([x, y, x]), torch.cat([r, torch.tensor([[1.0, 2.0, 3.0]]).expand(2, 3), r]))
    m = tritorch.tensor([[True], [False]])
    check(tritorch.cat([m, m], 1), torch.cat([torch.tensor([[True], [False]])] * 2, 1))


def test_cat_out_writes_the_given_tensor():
    out = tritorch.empty(4, 3, dtype=tritorch.float64)
    x, r = pair((2, 3))
    got = tritorch.cat([x, x], out=out)
    assert got is out
    check(out, torch.cat([r, r]).double())
    with pytest.raises(RuntimeError, match=r"cat: out= has shape \[4, 2\] but the result has shape \[4, 3\]"):
        tritorch.cat([x, x], out=tritorch.empty(4, 2))
    with pytest.raises(RuntimeError, match="result type float32 can't be cast to the desired output type int64"):
        tritorch.cat([x, x], out=tritorch.empty(4, 3, dtype=tritorch.int64))


@settings(**SETTINGS)
@given(data=st.data())
def test_cat_and_stack_match_numpy(data):
    shape = data.draw(shapes(min_dims=1, max_dims=3))
    dim = data.draw(st.integers(0, len(shape) - 1))
    parts = []
    for _ in range(data.draw(st.integers(1, 3))):
        s = list(shape)
        s[dim] = data.draw(st.integers(0, 3))
        parts.append(data.draw(tensors(shape=tuple(s))))
    assert_close(tritorch.cat([t for t, _ in parts], dim), np.concatenate([a for _, a in parts], dim))
    same = [data.draw(tensors(shape=shape)) for _ in range(len(parts))]
    sdim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    assert_close(tritorch.stack([t for t, _ in same], sdim), np.stack([a for _, a in same], sdim))


@pytest.mark.parametrize("tensors_,error,match", [
    ([tritorch.ones(2, 3), tritorch.ones(2, 4)], RuntimeError,
     r"Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1 "
     r"in the list \(shapes \[2, 3\] and \[2, 4\]\)"),
    ([tritorch.ones(2, 3), tritorch.ones(3)], RuntimeError, "Tensors must have same number of dimensions: got 2 and 1"),
    ([tritorch.ones(()), tritorch.ones(3)], RuntimeError, r"zero-dimensional tensor \(at position 0\) cannot be concatenated"),
    ([], ValueError, "expected a non-empty list of Tensors"),
    ([tritorch.ones(2), [1.0]], TypeError, "expected a Tensor at position 1, got list"),
    (tritorch.ones(2, 2), TypeError, "must be a sequence of Tensors, not Tensor"),
])
def test_cat_errors(tensors_, error, match):
    with pytest.raises(error, match=match):
        tritorch.cat(tensors_)


def test_cat_dim_out_of_range():
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-1, 0\], but got 1\)"):
        tritorch.cat([tritorch.ones(3), tritorch.ones(3)], dim=1)


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_stack_matches_torch(dim):
    (x, r), (y, s) = pair((2, 3), seed=1), pair((2, 3), seed=2)
    check(tritorch.stack([x, y], dim), torch.stack([r, s], dim))
    check(tritorch.stack((x,), dim=dim), torch.stack((r,), dim=dim))


def test_stack_errors():
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, "
                                           r"but got \[2, 3\] at entry 0 and \[2, 4\] at entry 1"):
        tritorch.stack([tritorch.ones(2, 3), tritorch.ones(2, 4)])
    with pytest.raises(RuntimeError, match="stack expects a non-empty TensorList"):
        tritorch.stack([])
    with pytest.raises(IndexError, match="Dimension out of range"):
        tritorch.stack([tritorch.ones(2), tritorch.ones(2)], dim=2)


@pytest.mark.parametrize("shapes_", [[(), (2,)], [(3,), (2,)], [(2, 3), (2, 1)], [(2, 3, 1), (2, 3, 2)], [(2,), (2,)]])
def test_hstack_vstack_dstack_match_torch(shapes_):
    xs, rs = zip(*(pair(s, seed=i) for i, s in enumerate(shapes_)))
    for name in ("hstack", "vstack", "dstack", "row_stack"):
        try:
            want = getattr(torch, name)(rs)
        except RuntimeError:
            with pytest.raises(RuntimeError, match="Sizes of tensors must match"):
                getattr(tritorch, name)(xs)
            continue
        check(getattr(tritorch, name)(xs), want)


# --- flip, roll -------------------------------------------------------------------------------

@pytest.mark.parametrize("dims", [(0,), (1,), (0, 2), (-1,), (), (0, 1, 2)])
def test_flip_matches_torch(dims):
    x, r = pair((2, 3, 4))
    check(tritorch.flip(x, dims), torch.flip(r, dims))
    if dims:
        check(x.flip(*dims), r.flip(*dims))
    check(tritorch.flip(x, dims=list(dims)), torch.flip(r, dims=list(dims)))


def test_flip_copies_and_handles_scalars_broadcasts_and_empty():
    x, r = pair((3, 2))
    got = x.flip(0)
    assert got.untyped_storage() is not x.untyped_storage()
    check(tritorch.flip(tritorch.tensor(5.0), (0,)), torch.flip(torch.tensor(5.0), (0,)))
    check(tritorch.tensor([1, 2, 3]).expand(2, 3).flip(1), torch.tensor([1, 2, 3]).expand(2, 3).flip(1))
    check(tritorch.empty(0, 2).flip(0), torch.empty(0, 2).flip(0))
    check(tritorch.fliplr(x), torch.fliplr(r))
    check(x.flipud(), r.flipud())


def test_flip_primitive_may_write_over_its_input():
    x = tritorch.arange(6).view(2, 3)
    reference_copy.flip(x.array, (0, 1), x.array)
    assert x.tolist() == [[5, 4, 3], [2, 1, 0]]


def test_flip_errors():
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times"):
        tritorch.flip(tritorch.ones(3), (0, 0))
    with pytest.raises(IndexError, match="Dimension out of range"):
        tritorch.flip(tritorch.ones(3), (1,))
    with pytest.raises(RuntimeError, match=r"fliplr: Input must be >= 2-d, got shape \[3\]"):
        tritorch.fliplr(tritorch.ones(3))
    with pytest.raises(RuntimeError, match="flipud: Input must be >= 1-d"):
        tritorch.flipud(tritorch.tensor(1.0))


@pytest.mark.parametrize("shifts,dims", [(1, None), (-7, None), (1, 0), (2, 1), ((1, -1), (0, 1)),
                                         ((3, 5), (1, 1)), (0, -1), (25, None)])
def test_roll_matches_torch(shifts, dims):
    x, r = pair((3, 4))
    check(tritorch.roll(x, shifts, dims), torch.roll(r, shifts, dims))
    check(x.roll(shifts, dims), r.roll(shifts, dims))


def test_roll_scalar_empty_and_copy():
    check(tritorch.roll(tritorch.tensor(5.0), 1), torch.roll(torch.tensor(5.0), 1))
    check(tritorch.roll(tritorch.empty(0, 3), 2, 0), torch.roll(torch.empty(0, 3), 2, 0))
    x = tritorch.arange(3)
    assert x.roll(0, 0).untyped_storage() is not x.untyped_storage()


def test_roll_errors():
    with pytest.raises(RuntimeError, match="shifts and dimensions must align. shifts: 2, dims:1"):
        tritorch.roll(tritorch.ones(3, 3), (1, 2), (0,))
    with pytest.raises(RuntimeError, match="shifts and dimensions must align. shifts: 2, dims:0"):
        tritorch.roll(tritorch.ones(3, 3), (1, 2))
    with pytest.raises(IndexError, match="Dimension out of range"):
        tritorch.roll(tritorch.ones(3), 1, 1)


# --- repeat, tile, repeat_interleave ----------------------------------------------------------

@pytest.mark.parametrize("shape,sizes", [((2, 3), (2, 1)), ((2, 3), (1, 2, 3)), ((3,), (0,)), ((), (2, 2)), ((), ()),
                                         ((0, 2), (2, 2)), ((1, 2), (3, 1))])
def test_repeat_matches_torch(shape, sizes):
    x, r = pair(shape)
    if sizes:
        check(x.repeat(*sizes), r.repeat(*sizes))
    check(x.repeat(sizes), r.repeat(sizes))


def test_repeat_of_a_broadcast_view():
    x = tritorch.tensor([[1], [2]]).expand(2, 3)
    check(x.repeat(2, 2), torch.tensor([[1], [2]]).expand(2, 3).repeat(2, 2))


def test_repeat_errors():
    with pytest.raises(RuntimeError, match=r"Number of dimensions of repeat dims \(1\) can not be "
                                           r"smaller than number of dimensions of tensor \(2"):
        tritorch.ones(3, 2).repeat(2)
    with pytest.raises(RuntimeError, match=r"negative dimension: repeat sizes \[-1\]"):
        tritorch.ones(3).repeat(-1)


@pytest.mark.parametrize("shape,dims", [((2, 3), (2,)), ((2, 3), (2, 1, 2)), ((3,), (2, 2)), ((2, 3), ())])
def test_tile_matches_torch(shape, dims):
    x, r = pair(shape)
    check(tritorch.tile(x, dims), torch.tile(r, dims))
    if dims:
        check(x.tile(*dims), r.tile(*dims))


@pytest.mark.parametrize("repeats,dim", [(2, None), (2, 0), (3, 1), (0, 1), ([1, 0, 2], 1), ([2], 0), ([0, 3], 0), (1, -1)])
def test_repeat_interleave_matches_torch(repeats, dim):
    x, r = pair((2, 3))
    tr = repeats if isinstance(repeats, int) else torch.tensor(repeats)
    xr = repeats if isinstance(repeats, int) else tritorch.tensor(repeats)
    check(tritorch.repeat_interleave(x, xr, dim), torch.repeat_interleave(r, tr, dim))
    check(x.repeat_interleave(xr, dim=dim), r.repeat_interleave(tr, dim=dim))


def test_repeat_interleave_of_counts_and_scalars():
    check(tritorch.repeat_interleave(tritorch.tensor([2, 0, 1])), torch.repeat_interleave(torch.tensor([2, 0, 1])))
    check(tritorch.repeat_interleave(tritorch.tensor(5.0), 2), torch.repeat_interleave(torch.tensor(5.0), 2))
    check(tritorch.repeat_interleave(tritorch.tensor([1, 2]), tritorch.tensor([1, 2]), output_size=3),
          torch.repeat_interleave(torch.tensor([1, 2]), torch.tensor([1, 2]), output_size=3))


@pytest.mark.parametrize("call,match", [
    (lambda: tritorch.repeat_interleave(tritorch.ones(3), tritorch.tensor([1, 2])),
     r"repeats must have the same size as input along dim, but got repeats.size\(0\) = 2 and input.size\(0\) = 3"),
    (lambda: tritorch.repeat_interleave(tritorch.ones(3), tritorch.tensor([1, -2, 1])), "repeats can not be negative, got -2"),
    (lambda: tritorch.repeat_interleave(tritorch.ones(3), -1), "Repeats must be non-negative, got -1"),
    (lambda: tritorch.repeat_interleave(tritorch.ones(2, 2), tritorch.tensor([[1, 2]]), dim=1),
     r"repeats must be 0-dim or 1-dim tensor, got shape \[1, 2\]"),
    (lambda: tritorch.repeat_interleave(tritorch.tensor([1.0, 2.0])), "repeats must be an integer tensor, got float32"),
    (lambda: tritorch.repeat_interleave(tritorch.ones(2), 2, output_size=3), "output_size 3 does not match the result's size 4"),
])
def test_repeat_interleave_errors(call, match):
    with pytest.raises(RuntimeError, match=match):
        call()


# --- meshgrid ---------------------------------------------------------------------------------

@pytest.mark.parametrize("indexing", ["ij", "xy"])
@pytest.mark.parametrize("sizes", [(3,), (3, 2), (2, 0, 4), (1, 3, 2)])
def test_meshgrid_matches_torch_and_returns_views(indexing, sizes):
    pairs = [pair((n,), seed=i) for i, n in enumerate(sizes)]
    got = tritorch.meshgrid(*(x for x, _ in pairs), indexing=indexing)
    check_all(got, torch.meshgrid(*(r for _, r in pairs), indexing=indexing))
    for g, (x, _) in zip(got, pairs):
        assert_same_storage(g, x)
    check_all(tritorch.meshgrid([x for x, _ in pairs], indexing=indexing),
              torch.meshgrid([r for _, r in pairs], indexing=indexing))


def test_meshgrid_scalar_input_and_default_indexing_warns():
    a, b = tritorch.tensor([1, 2, 3]), tritorch.tensor(7)
    with pytest.warns(UserWarning, match="indexing argument"):
        got = tritorch.meshgrid(a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = torch.meshgrid(torch.tensor([1, 2, 3]), torch.tensor(7))
    check_all(got, want)


def test_meshgrid_errors():
    with pytest.raises(RuntimeError, match=r"Expected 0D or 1D tensor in the tensor list but got a "
                                           r"tensor of shape \[2, 2\] at position 1"):
        tritorch.meshgrid(tritorch.ones(3), tritorch.ones(2, 2), indexing="ij")
    with pytest.raises(RuntimeError, match='indexing must be one of "xy" or "ij", but received: foo'):
        tritorch.meshgrid(tritorch.ones(3), indexing="foo")
    with pytest.raises(RuntimeError, match="meshgrid expects all tensors to have the same dtype, got float32 and int64"):
        tritorch.meshgrid(tritorch.ones(3), tritorch.ones(2, dtype=tritorch.int64), indexing="ij")


def test_meshgrid_writes_through_to_the_input_because_it_is_a_view():
    a = tritorch.zeros(3)
    grid_a, _ = tritorch.meshgrid(a, tritorch.zeros(2), indexing="ij")
    a[1] = 4.0
    assert to_numpy(grid_a)[1].tolist() == [4.0, 4.0]
