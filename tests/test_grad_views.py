"""Gradients through views and copies: gradcheck and gradgradcheck for every view op, the
conversions (to, clone, contiguous, copy_), and fill_ on views of graph tensors."""
import numpy as np
import pytest
import torch

import tritorch
from tritorch.autograd import gradcheck, gradgradcheck


def leaf(shape, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape)
    return tritorch.tensor(a, dtype=tritorch.float64, requires_grad=True)


VIEWS = {
    "view": lambda x: x.view(6, 2), "reshape_copy": lambda x: x.t().reshape(12),
    "permute": lambda x: x.view(2, 3, 2).permute(2, 0, 1), "transpose": lambda x: x.transpose(0, 1),
    "t": lambda x: x.t(), "T": lambda x: x.T, "mT": lambda x: x.view(2, 2, 3).mT,
    "movedim": lambda x: x.view(2, 3, 2).movedim(0, -1), "expand": lambda x: x[:, :1].expand(4, 5),
    "broadcast_to": lambda x: tritorch.broadcast_to(x[0], (2, 4, 3)), "squeeze": lambda x: x.view(1, 4, 1, 3).squeeze(),
    "squeeze_dim": lambda x: x.view(4, 1, 3).squeeze(1), "unsqueeze": lambda x: x.unsqueeze(1),
    "flatten": lambda x: x.t().flatten(), "unflatten": lambda x: x.unflatten(1, (3, 1)),
    "narrow": lambda x: x.narrow(1, 1, 2), "select": lambda x: x.select(0, -2),
    "unbind": lambda x: x.unbind(1)[2], "split": lambda x: x.split([1, 2], dim=1)[1],
    "chunk": lambda x: x.chunk(3, 0)[1], "diagonal": lambda x: x.diagonal(1),
    "diagonal_3d": lambda x: x.view(2, 2, 3).diagonal(0, 0, 2), "unfold": lambda x: x.unfold(0, 3, 1),
    "unfold_step": lambda x: x.t().unfold(1, 2, 2), "as_strided": lambda x: x.as_strided((3, 3), (3, 1), 2),
    "view_as": lambda x: x.view_as(tritorch.zeros(2, 6)), "expand_as": lambda x: x[:1].expand_as(x),
    "chain": lambda x: x.t()[1:].unsqueeze(0).expand(2, 2, 4).flatten(1),
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_view_gradients(name):
    x = leaf((4, 3))
    f = VIEWS[name]
    assert gradcheck(lambda t: f(t) * 1.5, (x,))
    assert gradgradcheck(lambda t: f(t) * f(t), (x,))


def test_views_share_storage_and_record_their_names():
    x = leaf((4, 3))
    for name, want in [("permute", "PermuteBackward0"), ("expand", "ExpandBackward0"), ("narrow", "NarrowBackward0"),
                       ("select", "SelectBackward0"), ("diagonal", "DiagonalBackward0"), ("unfold", "UnfoldBackward0"),
                       ("unsqueeze", "UnsqueezeBackward0"), ("view", "ViewBackward0")]:
        y = VIEWS[name](x)
        assert y.untyped_storage() is x.untyped_storage()
        assert y.grad_fn.name() == want


CONVERSIONS = {
    "to_float32_and_back": lambda x: x.to(tritorch.float32).to(tritorch.float64),
    "clone": lambda x: x.clone(), "contiguous": lambda x: x.t().contiguous(),
    "copy_into_fresh": lambda x: tritorch.zeros(3, 4, dtype=tritorch.float64).copy_(x.t()),
    "copy_broadcast": lambda x: tritorch.zeros(2, 4, 3, dtype=tritorch.float64).copy_(x),
    "fill_view": lambda x: _fill_row(x.clone()),
}


def _fill_row(y):
    y[1].fill_(2.0)
    return y


@pytest.mark.parametrize("name", list(CONVERSIONS))
def test_conversion_gradients(name):
    x = leaf((4, 3), seed=1)
    f = CONVERSIONS[name]
    if name == "to_float32_and_back":
        # a float32 round trip rounds the input: check the gradient (identity) directly
        y = f(x)
        y.backward(tritorch.ones(4, 3, dtype=tritorch.float64) * 3)
        assert x.grad.tolist() == [[3.0] * 3] * 4 and y.grad_fn.name() == "ToCopyBackward0"
        return
    assert gradcheck(lambda t: f(t) * 2, (x,))
    assert gradgradcheck(lambda t: f(t) * f(t), (x,))


def test_as_strided_backward_honours_the_storage_offset():
    """as_strided's storage_offset counts from the storage's start, not from the view's: on a view
    that starts at element 2, offset 4 picks the view's elements 2..4 (base elements 4..6)."""
    upstream = np.array([1.0, 2.0, 3.0])
    x = leaf((8,))
    (x * 1)[2:].as_strided((3,), (1,), 4).backward(tritorch.tensor(upstream, dtype=tritorch.float64))
    theirs = torch.tensor(x.detach().numpy(), requires_grad=True)
    (theirs * 1)[2:].as_strided((3,), (1,), 4).backward(torch.tensor(upstream))
    np.testing.assert_array_equal(x.grad.numpy(), theirs.grad.numpy())
    assert gradcheck(lambda t: (t * 1)[2:].as_strided((2, 2), (1, 2), 3), (leaf((8,), seed=1),))


def test_as_strided_refuses_what_it_cannot_differentiate():
    x = leaf((4, 3))
    with pytest.raises(NotImplementedError, match="non-contiguous tensor that requires grad"):
        x.t().as_strided((2,), (1,))
    with pytest.raises(NotImplementedError, match="overlapping elements"):
        x.as_strided((3, 3), (1, 1))
    assert x.detach().as_strided((3, 3), (1, 1)).shape == (3, 3)
