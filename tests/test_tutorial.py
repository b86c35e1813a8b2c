"""PyTorch's "Learning PyTorch with Examples" (tensors and autograd part), written once against a
module `lib` and run with `lib = tritorch` and `lib = torch` from the same starting weights."""
import math

import numpy as np
import pytest
import torch

import tritorch

STEPS = 2000
START = np.random.default_rng(7).standard_normal(4)


def data(lib):
    x = lib.linspace(-math.pi, math.pi, 2000, dtype=lib.float32)
    return x, lib.sin(x)


def weights(lib, requires_grad=False):
    return [lib.tensor(float(w), dtype=lib.float32, requires_grad=requires_grad) for w in START]


def fit_manual_gradients(lib):
    x, y = data(lib)
    a, b, c, d = weights(lib)
    learning_rate = 1e-6
    for _ in range(STEPS):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum().item()
        grad_y_pred = 2.0 * (y_pred - y)
        grad_a = grad_y_pred.sum()
        grad_b = (grad_y_pred * x).sum()
        grad_c = (grad_y_pred * x ** 2).sum()
        grad_d = (grad_y_pred * x ** 3).sum()
        a -= learning_rate * grad_a
        b -= learning_rate * grad_b
        c -= learning_rate * grad_c
        d -= learning_rate * grad_d
    return loss, [w.item() for w in (a, b, c, d)]


def fit_autograd(lib):
    x, y = data(lib)
    a, b, c, d = weights(lib, requires_grad=True)
    learning_rate = 1e-6
    for _ in range(STEPS):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with lib.no_grad():
            for w in (a, b, c, d):
                w -= learning_rate * w.grad
                w.grad = None
    return loss.item(), [w.item() for w in (a, b, c, d)]


def legendre(lib):
    class LegendrePolynomial3(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)
    return LegendrePolynomial3


def fit_custom_function(lib):
    x, y = data(lib)
    a = lib.full((), 0.0, dtype=lib.float32, requires_grad=True)
    b = lib.full((), -1.0, dtype=lib.float32, requires_grad=True)
    c = lib.full((), 0.0, dtype=lib.float32, requires_grad=True)
    d = lib.full((), 0.3, dtype=lib.float32, requires_grad=True)
    P3 = legendre(lib).apply
    learning_rate = 5e-6
    for _ in range(STEPS):
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with lib.no_grad():
            for w in (a, b, c, d):
                w -= learning_rate * w.grad
                w.grad = None
    return loss.item(), [w.item() for w in (a, b, c, d)]


@pytest.mark.parametrize("fit", [fit_manual_gradients, fit_autograd, fit_custom_function])
def test_tutorial_reaches_torch_loss(fit):
    ours_loss, ours_w = fit(tritorch)
    torch_loss, torch_w = fit(torch)
    # float32 sums over 2000 points, rounded differently by numpy and torch, then 2000 steps of
    # gradient descent: the trajectories agree to a few parts in 10^4
    assert ours_loss == pytest.approx(torch_loss, rel=1e-3)
    np.testing.assert_allclose(ours_w, torch_w, rtol=1e-3, atol=1e-4)
    assert ours_loss < 100  # the fit converged (the loss starts in the thousands)
