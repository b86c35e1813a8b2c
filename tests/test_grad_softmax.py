"""Gradients of softmax and log_softmax: `gradcheck` (finite differences, float64, tiny shapes)
on every dim, on permuted views, 0-d, empty and size-1 inputs; `gradgradcheck`; and PyTorch's
own gradients (the oracle) where finite differences say nothing: NaN, infinities, `dtype=`
casts, second derivatives."""
import math

import pytest

import tritorch
from tritorch.autograd import gradcheck, gradgradcheck
from test_grad_reduction import assert_grads_match, leaf, permuted

OPS = ("softmax", "log_softmax")

# (name, fn of a (2, 3, 2) tensor)
CASES = [(f"{op}{dim}", lambda x, op=op, dim=dim: getattr(x, op)(dim)) for op in OPS for dim in (0, 1, -1)]
CASES += [(f"{op}_dtype", lambda x, op=op: getattr(tritorch, op)(x, 1, dtype=tritorch.float64)) for op in OPS]


@pytest.mark.parametrize("name,fn", CASES, ids=[c[0] for c in CASES])
def test_gradcheck(name, fn):
    x = leaf(2, 3, 2)
    assert gradcheck(fn, (x,))
    assert gradcheck(lambda t: fn(permuted(t)), (x,))


@pytest.mark.parametrize("fn", [lambda x: x.softmax(0), lambda x: x.log_softmax(-1)], ids=OPS)
def test_gradcheck_zero_dim(fn):
    assert gradcheck(fn, (tritorch.tensor(0.7, dtype=tritorch.float64, requires_grad=True),))


def test_empty_input_gets_an_empty_gradient():
    x = tritorch.zeros(0, 3, dtype=tritorch.float64, requires_grad=True)
    x.softmax(1).sum().backward()
    assert x.grad.shape == (0, 3)


def test_size_one_dim():
    assert gradcheck(lambda t: t.softmax(0), (leaf(1, 3),))


GRADGRAD = [("softmax", lambda x: x.softmax(1)), ("softmax0", lambda x: x.softmax(0)),
            ("log_softmax", lambda x: x.log_softmax(1)), ("log_softmax0", lambda x: x.log_softmax(0))]


@pytest.mark.parametrize("name,fn", GRADGRAD, ids=[c[0] for c in GRADGRAD])
def test_gradgradcheck(name, fn):
    x = leaf(2, 3)
    assert gradgradcheck(fn, (x,))
    assert gradgradcheck(lambda t: fn(t.t()), (x,))


def test_nan_matches_torch():
    assert_grads_match(lambda x, _: x.softmax(1), [[1.0, math.nan, 2.0], [0.5, -1.0, 0.25]])


def test_infinities_match_torch():
    row = [-math.inf, 0.5, 1.0]
    assert_grads_match(lambda x, _: x.softmax(1), [row])
    assert_grads_match(lambda x, _: x.log_softmax(1), [row])


@pytest.mark.parametrize("fn", [lambda x, lib: lib.softmax(x, 1, dtype=lib.float64),
                                lambda x, lib: lib.log_softmax(x, 0, dtype=lib.float64)], ids=OPS)
def test_dtype_argument_gives_gradients_of_the_input_dtype(fn):
    assert_grads_match(fn, [[1.5, -0.5, 2.0], [0.25, 3.0, -1.0]], dtype=tritorch.float32)


def test_second_derivatives_match_torch():
    def hessian_vector(x, lib, fn):
        g, = lib.autograd.grad(fn(x), x, create_graph=True)
        return (g * g).sum()

    values = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]
    for fn in (lambda x: x.softmax(1)[:, 0].sum(), lambda x: x.log_softmax(0)[0].sum()):
        assert_grads_match(lambda x, lib, fn=fn: hessian_vector(x, lib, fn), values)
