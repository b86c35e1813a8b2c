"""softmax and log_softmax against torch (the oracle): float dtypes, `dtype=`, contiguous,
permuted, broadcast, narrowed, size-1, empty and 0-d inputs, infinities and NaN, errors."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tritorch
from helpers import assert_close
from strategies import SETTINGS, tensors
from test_reduction import as_torch, check, dt, make

FLOATS = [tritorch.float32, tritorch.float64, tritorch.float16, tritorch.bfloat16]
LAYOUTS = ["contiguous", "permuted", "expanded", "narrowed", "size1", "empty"]
LAYOUT_DIMS = [(layout, dim) for layout in LAYOUTS for dim in (0, 1, -1)] + [("scalar", 0), ("scalar", -1)]


def _dim_len(x: tritorch.Tensor, dim: int) -> int:
    return x.shape[dim] if x.ndim else 1


@pytest.mark.parametrize("layout,dim", LAYOUT_DIMS)
@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_matches_torch(name, dtype, layout, dim):
    x = make(layout, dtype)
    check(lambda t: getattr(t, name)(dim), x, _dim_len(x, dim))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("src,dst", [(tritorch.float16, tritorch.float32), (tritorch.float32, tritorch.float64),
                                     (tritorch.int64, tritorch.float32), (tritorch.float64, tritorch.bfloat16)],
                         ids=str)
def test_dtype_casts_the_input_first(name, src, dst):
    x = make("permuted", src)
    check(lambda t: getattr(t, name)(1, dtype=dt(t, dst)), x, 4)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_functions_match_methods(name):
    x = make("narrowed", tritorch.float32)
    assert_close(getattr(tritorch, name)(x, 2), getattr(x, name)(2))
    assert_close(getattr(tritorch, name)(x, dim=0, dtype=tritorch.float64),
                 getattr(x, name)(0, tritorch.float64))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_large_values_infinities_and_nan(name):
    x = tritorch.tensor([[1000.0, 1001.0, 999.0], [-1000.0, -1001.0, -999.0],
                         [-math.inf, -math.inf, -math.inf], [-math.inf, 1.0, 2.0],
                         [math.inf, 1.0, 2.0], [math.nan, 1.0, 2.0]])
    check(lambda t: getattr(t, name)(1), x, 3)
    check(lambda t: getattr(t, name)(1), x.half(), 3)


@settings(**SETTINGS)
@given(tensors(dtype=tritorch.float64, low=-30, high=30).filter(lambda xa: xa[1].ndim > 0), st.data())
def test_softmax_is_a_distribution_and_log_softmax_its_log(xa, data):
    x, a = xa
    dim = data.draw(st.integers(-a.ndim, a.ndim - 1))
    n = a.shape[dim]
    p = x.softmax(dim)
    shifted = a - np.max(a, axis=dim, keepdims=True, initial=-np.inf)
    expected = np.exp(shifted) / np.sum(np.exp(shifted), axis=dim, keepdims=True)
    assert_close(p, expected, reduction_len=n)
    assert_close(x.log_softmax(dim), np.log(expected), reduction_len=n)
    if n:
        assert_close(p.sum(dim), np.ones(np.delete(a.shape, dim % a.ndim)), reduction_len=n)


def test_errors():
    x = tritorch.ones(2, 3)
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected .*\[-2, 1\], but got 2\)"):
        x.softmax(2)
    with pytest.raises(IndexError, match=r"Dimension out of range .*but got -3\)"):
        tritorch.log_softmax(x, -3)
    with pytest.raises(RuntimeError, match="softmax: needs a floating point result, got dtype int64 "
                                           r"\(input dtype int64\)"):
        tritorch.tensor([1, 2]).softmax(0)
    with pytest.raises(RuntimeError, match=r"log_softmax: needs a floating point result, got dtype int32 "
                                           r"\(input dtype float32\)"):
        x.log_softmax(0, dtype=tritorch.int32)
    with pytest.raises(TypeError, match="dim must be an int, got tuple"):
        x.softmax((0, 1))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_graph_node_is_named_as_in_torch(name):
    x = make("permuted", tritorch.float32).requires_grad_()
    assert getattr(x, name)(1).grad_fn.name() == getattr(as_torch(x).requires_grad_(), name)(1).grad_fn.name()
