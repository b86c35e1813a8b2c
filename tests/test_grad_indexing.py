"""Gradients of indexing and joining (x[key], x[key] = v, gather/scatter, index_*, cat/stack,
flip, roll, repeat, meshgrid): finite-difference checks in float64 on tiny shapes, second
derivatives, and gradients compared with torch's."""
import numpy as np
import pytest
import torch

import tritorch
from tritorch.autograd import gradcheck, gradgradcheck

F64 = tritorch.float64


def leaf(*shape, seed=0):
    """A float64 leaf that requires grad, with distinct values (so max-like ties cannot hide a
    wrong gradient)."""
    values = np.random.default_rng(seed).standard_normal(shape)
    return tritorch.tensor(values, dtype=F64, requires_grad=True)


def leaves(*shapes):
    return tuple(leaf(*s, seed=i) for i, s in enumerate(shapes))


def index(values):
    return tritorch.tensor(values, dtype=tritorch.int64)


def mask(values):
    return tritorch.tensor(values, dtype=tritorch.bool)


def check(fn, *inputs):
    assert gradcheck(fn, inputs)


# --- x[key] ----------------------------------------------------------------------------------

GETITEM_KEYS = {
    "int": 1,
    "negative int": -1,
    "slice": (slice(None), slice(1, 3)),
    "stepped slice": (slice(None, None, 2), slice(1, None, 2)),
    "None and ellipsis": (None, Ellipsis, 0),
    "ellipsis alone": Ellipsis,
    "int, None, slice": (1, None, slice(None, 2)),
    "list with duplicates": [0, 2, 0],
    "2-d index tensor": index([[0, 1], [1, 1]]),
    "two lists": ([0, 1, 2], [3, 0, 3]),
    "slice then list": (slice(1, None), [0, 3, 0]),
    "list then slice": ([2, 0], slice(1, 3)),
    "negative indices": (Ellipsis, [0, -1]),
    "bool mask": mask([[True, False, True, False], [False, False, True, True], [True, False, False, False]]),
    "bool rows": mask([True, False, True]),
    "bool and int": (mask([True, False, True]), 2),
    "0-d True": True,
    "0-d False": False,
}


@pytest.mark.parametrize("key", GETITEM_KEYS.values(), ids=GETITEM_KEYS.keys())
def test_getitem_gradients(key):
    check(lambda x: x[key], leaf(3, 4))


@pytest.mark.parametrize("key", [(slice(None, None, 2), 0), (slice(None), [1, 0, 1]),
                                 (slice(1, None), slice(None, None, 2))], ids=str)
def test_getitem_gradients_on_transposed_input(key):
    check(lambda x: x.t()[key], leaf(3, 4))


def test_getitem_non_adjacent_advanced_dims_go_first():
    check(lambda x: x[[0, 1, 1], :, [2, 0, 2]], leaf(2, 2, 3))


def test_getitem_of_getitem_and_views():
    check(lambda x: x[1:][:, [0, 0, 1]][::2].sum(0), leaf(3, 4))


# --- x[key] = value --------------------------------------------------------------------------

def _set(key):
    def fn(x, v):
        y = x.clone()
        y[key] = v
        return y
    return fn


SETITEM_CASES = {
    "int": (1, (4,)),
    "slice": ((slice(None), slice(1, 3)), (3, 2)),
    "stepped slice broadcast": ((slice(None, None, 2),), (1, 4)),
    "list": ([2, 0], (2, 4)),
    "list broadcast value": ([2, 0], (4,)),
    "two lists": (([0, 2, 1], [3, 0, 0]), (3,)),
    "int then list": ((0, [1, 3]), (2,)),
    "slice then list": ((slice(1, None), [0, 3]), (2, 2)),
    "bool mask": (GETITEM_KEYS["bool mask"], (5,)),
    "bool rows": (mask([False, True, True]), (4,)),
    "0-d value": ([1, 2], ()),
}


@pytest.mark.parametrize("key, value_shape", SETITEM_CASES.values(), ids=SETITEM_CASES.keys())
def test_setitem_gradients_reach_base_and_values(key, value_shape):
    check(_set(key), *leaves((3, 4), value_shape))


def test_setitem_scalar_zeroes_the_gradient_there():
    x = leaf(3, 4)
    check(lambda x: _set(([0, 2], [1, 3]))(x, 7.0), x)
    y = x.clone()
    y[mask([True, False, True])] = 0.5
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0] * 4, [1] * 4, [0] * 4])


def test_setitem_value_of_another_dtype_gets_its_gradient_in_its_dtype():
    x = leaf(3)
    v = tritorch.tensor([1.0, 2.0], requires_grad=True)  # float32
    y = x.clone()
    y[[0, 2]] = v
    (y * y).sum().backward()
    assert v.grad.dtype == tritorch.float32
    np.testing.assert_allclose(v.grad.numpy(), [2.0, 4.0])


def test_augmented_assignment_through_an_index():
    def fn(x, v):
        y = x.clone()
        y[[0, 2]] += v
        y[1:, ::2] *= 2
        return y
    check(fn, *leaves((3, 4), (2, 4)))


def test_index_put_gradients():
    idx = (index([0, 2, 0]), index([1, 1, 1]))
    check(lambda x, v: x.index_put(idx, v, accumulate=True), *leaves((3, 2), (3,)))
    unique = (index([0, 2]), index([1, 0]))
    check(lambda x, v: x.index_put(unique, v), *leaves((3, 2), (2,)))
    check(lambda x, v: x.clone().index_put_((index([2, 1]),), v), *leaves((3, 2), (2,)))


# --- index_select, take, masked_select -------------------------------------------------------

def test_index_select_gradients_accumulate_over_duplicates():
    check(lambda x: x.index_select(0, index([2, 0, 2])), leaf(3, 2))
    check(lambda x: x.t().index_select(1, index([1, 1])), leaf(2, 3))
    check(lambda x: x.index_select(0, index([0])), leaf())


def test_take_gradients():
    check(lambda x: x.take(index([[0, -1], [5, 0]])), leaf(2, 3))
    check(lambda x: x.t().take(index([1, 2, 1])), leaf(2, 3))


def test_masked_select_gradients():
    check(lambda x: x.masked_select(mask([[True, False, True], [False, True, True]])), leaf(2, 3))
    check(lambda x: x.masked_select(mask([True, False, True])), leaf(2, 3))  # broadcast mask
    check(lambda x: x.masked_select(mask([[True], [False], [True]])), leaf(3))  # broadcast input


# --- gather and scatter ----------------------------------------------------------------------

def test_gather_gradients_accumulate_over_duplicates():
    check(lambda x: x.gather(1, index([[0, 0, 2], [1, 0, 1]])), leaf(2, 3))
    check(lambda x: x.t().gather(0, index([[2, 2], [0, 1]])), leaf(2, 3))
    check(lambda x: x.gather(0, index(0)), leaf())


# each (row, column) target is written once: scatter without accumulate is well defined
UNIQUE_TARGETS = index([[2, 0], [1, 2]])
DUPLICATE_TARGETS = index([[2, 2], [0, 2]])


def test_scatter_gradients():
    check(lambda x, src: x.scatter(1, UNIQUE_TARGETS, src), *leaves((2, 3), (2, 2)))
    check(lambda x, src: x.scatter(1, UNIQUE_TARGETS, src), *leaves((2, 3), (3, 3)))  # larger src
    check(lambda x: x.scatter(1, UNIQUE_TARGETS, 1.5), leaf(2, 3))
    check(lambda x, src: x.scatter(0, index([[1, 0, 1]]), src.t()), *leaves((2, 3), (3, 1)))


def test_scatter_add_gradients_accumulate_over_duplicates():
    check(lambda x, src: x.scatter_add(1, DUPLICATE_TARGETS, src), *leaves((2, 3), (2, 2)))
    check(lambda x, src: x.scatter(1, DUPLICATE_TARGETS, src, reduce="add"), *leaves((2, 3), (2, 2)))


def test_in_place_scatter_gradients():
    check(lambda x, src: x.clone().scatter_(1, UNIQUE_TARGETS, src), *leaves((2, 3), (2, 2)))
    check(lambda x, src: x.clone().scatter_add_(1, DUPLICATE_TARGETS, src), *leaves((2, 3), (2, 2)))

    def on_a_view(x, src):
        y = x.clone()
        y[1:].scatter_add_(1, index([[2, 2]]), src)
        return y
    check(on_a_view, *leaves((2, 3), (1, 2)))


# --- index_fill, index_copy, index_add -------------------------------------------------------

def test_index_fill_gradients():
    check(lambda x: x.index_fill(1, index([2, 0, -1]), 3.0), leaf(2, 3))
    # a tensor value gets the gradient of every filled element, each counted once
    check(lambda x, v: x.index_fill(0, index([1, 1, -2]), v), *leaves((3, 2), ()))


def test_index_copy_gradients():
    check(lambda x, s: x.index_copy(1, index([2, 0]), s), *leaves((2, 3), (2, 2)))
    check(lambda x, s: x.clone().index_copy_(0, index([1]), s), *leaves((3, 2), (1, 2)))


def test_index_add_gradients_accumulate_over_duplicates():
    check(lambda x, s: x.index_add(0, index([1, 1, 0]), s), *leaves((2, 2), (3, 2)))
    check(lambda x, s: x.index_add(1, index([0, 0]), s.t(), alpha=2.0), *leaves((2, 3), (2, 2)))
    check(lambda x, s: x.clone().index_add_(0, index([2, 2]), s), *leaves((3,), (2,)))


# --- cat, stack and friends ------------------------------------------------------------------

def test_cat_gradients():
    check(lambda a, b: tritorch.cat([a, b], 0), *leaves((1, 2), (2, 2)))
    check(lambda a, b, c: tritorch.cat([a, b.t(), c], -1), *leaves((2, 1), (3, 2), (2, 2)))
    check(lambda a, e: tritorch.cat([a, e, a], 1), *leaves((2, 2), (0,)))  # legacy 1-D empty


def test_cat_gradient_comes_back_in_each_input_dtype():
    a = tritorch.tensor([1.0, 2.0], requires_grad=True)
    b = tritorch.tensor([3.0], dtype=F64, requires_grad=True)
    out = tritorch.cat([a, b])
    assert out.dtype == F64
    (out * tritorch.tensor([1.0, 2.0, 3.0], dtype=F64)).sum().backward()
    assert a.grad.dtype == tritorch.float32 and b.grad.dtype == F64
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(b.grad.numpy(), [3.0])


def test_stack_family_gradients():
    check(lambda a, b: tritorch.stack([a, b], 1), *leaves((2, 2), (2, 2)))
    check(lambda a, b: tritorch.hstack([a, b]), *leaves((2,), (3,)))
    check(lambda a, b: tritorch.hstack([a, b]), *leaves((2, 1), (2, 2)))
    check(lambda a, b: tritorch.vstack([a, b]), *leaves((3,), (2, 3)))
    check(lambda a, b: tritorch.dstack([a, b]), *leaves((3,), (1, 3)))


# --- flip, roll, repeat, tile, repeat_interleave, meshgrid -----------------------------------

def test_flip_gradients():
    check(lambda x: x.flip(0, 1), leaf(2, 3))
    check(lambda x: x.t().flip(-1), leaf(2, 3))
    check(lambda x: x.fliplr() * x.flipud(), leaf(2, 3))


def test_roll_gradients():
    check(lambda x: x.roll(1), leaf(2, 3))
    check(lambda x: x.roll((1, -4), (0, 1)), leaf(2, 3))
    check(lambda x: x.t().roll(2, 0), leaf(2, 3))


def test_repeat_and_tile_gradients():
    check(lambda x: x.repeat(2, 1), leaf(2, 3))
    check(lambda x: x.t().repeat(1, 2, 2), leaf(2, 3))
    check(lambda x: x.repeat(3), leaf())
    check(lambda x: x.tile((2,)), leaf(2, 2))


def test_repeat_interleave_gradients():
    check(lambda x: x.repeat_interleave(2), leaf(2, 2))
    check(lambda x: x.repeat_interleave(index([2, 0, 1]), dim=1), leaf(2, 3))
    check(lambda x: x.t().repeat_interleave(2, dim=0), leaf(2, 3))


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_gradients(indexing):
    check(lambda a, b: tritorch.meshgrid(a, b, indexing=indexing), *leaves((2,), (3,)))


# --- second derivatives of the index family --------------------------------------------------

def _square(t):
    """A nonlinear map after the op, so that second derivatives are not all zero."""
    return t * t


def test_second_derivatives_of_gather_scatter_and_index():
    assert gradgradcheck(lambda x: _square(x[[0, 2, 0]]), (leaf(3, 2),))
    assert gradgradcheck(lambda x, s: _square(x.scatter_add(1, DUPLICATE_TARGETS, s)), leaves((2, 3), (2, 2)))
    assert gradgradcheck(lambda x: _square(x.gather(0, index([[1, 1, 0]]))), (leaf(2, 3),))
    assert gradgradcheck(lambda x, v: _square(_set([1, 0])(x, v)), leaves((3,), (2,)))


# --- against torch ---------------------------------------------------------------------------

# fn(lib, *tensors) runs with lib = tritorch and lib = torch
TORCH_CASES = {
    "advanced getitem": (lambda lib, x: x[[0, 2, 0], 1:][lib.tensor([True, False, True])], [(3, 3)]),
    "setitem": (lambda lib, x, v: lib.index_put(x, (lib.tensor([2, 0]),), v), [(3, 2), (2, 2)]),
    "index_add": (lambda lib, x, s: x.index_add(0, lib.tensor([1, 1, 0]), s), [(2, 3), (3, 3)]),
    "scatter": (lambda lib, x, s: x.scatter(1, lib.tensor([[2, 0], [1, 2]]), s), [(2, 3), (2, 2)]),
    "gather": (lambda lib, x: x.gather(0, lib.tensor([[1, 1, 0]])), [(2, 3)]),
    "cat repeat roll": (lambda lib, a, b: lib.cat([a.repeat(2, 1), b.roll(1, 1)], 1), [(1, 2), (2, 3)]),
}


def assert_gradients_match_torch(fn, shapes):
    """The gradients of fn(lib, *leaves) under one random upstream gradient, tritorch's and
    torch's (float64, cpu), agree to 1e-12."""
    arrays = [np.random.default_rng(i).standard_normal(s) for i, s in enumerate(shapes)]
    ours = [tritorch.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = fn(tritorch, *ours), fn(torch, *theirs)
    seed = np.random.default_rng(9).standard_normal(tuple(expected.shape))
    out.backward(tritorch.tensor(seed))
    expected.backward(torch.tensor(seed))
    for t, e in zip(ours, theirs):
        np.testing.assert_allclose(t.grad.numpy(), e.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("fn, shapes", TORCH_CASES.values(), ids=TORCH_CASES.keys())
def test_gradients_match_torch(fn, shapes):
    assert_gradients_match_torch(fn, shapes)
