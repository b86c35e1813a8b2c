"""Gradients of cummax, cummin and logcumsumexp: `gradcheck` and `gradgradcheck` on the cpu in
float64 (finite differences, tiny shapes), PyTorch's gradients where finite differences say
nothing (ties, NaN, +-1e4), and on cuda the same gradients as the cpu at the same inputs."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import tritorch
from tritorch.autograd import gradcheck, gradgradcheck
from helpers import assert_close, to_numpy


def leaf(*shape, seed: int = 0) -> tritorch.Tensor:
    """A float64 leaf that requires grad, its values distinct and 0.1 apart (no ties for finite
    differences to trip on)."""
    n = math.prod(shape)
    values = np.random.default_rng(seed).permutation(np.linspace(-1.1, 1.2, n) + 0.013)
    return tritorch.tensor(values.reshape(shape), dtype=tritorch.float64, requires_grad=True)


SCANS = [(f"{op}{dim}", lambda x, op=op, dim=dim: getattr(x, op)(dim)[0]) for op in ("cummax", "cummin")
         for dim in (0, 1, -1)]
SCANS += [(f"logcumsumexp{dim}", lambda x, dim=dim: x.logcumsumexp(dim)) for dim in (0, 1, -1)]
SCANS += [("cummax_permuted", lambda x: x.permute(2, 0, 1).cummax(1)[0]),
          ("logcumsumexp_permuted", lambda x: (x.permute(2, 0, 1) * 3).logcumsumexp(2))]


@pytest.mark.parametrize("name, fn", SCANS, ids=[c[0] for c in SCANS])
def test_gradcheck(name, fn):
    assert gradcheck(fn, (leaf(2, 3, 2),))


@pytest.mark.parametrize("name, fn", SCANS, ids=[c[0] for c in SCANS])
def test_gradgradcheck(name, fn):
    assert gradgradcheck(fn, (leaf(2, 3, 2, seed=1),))


@pytest.mark.parametrize("op", ["cummax", "cummin", "logcumsumexp"])
def test_zero_dim_and_empty(op):
    fn = (lambda t: t.logcumsumexp(0)) if op == "logcumsumexp" else (lambda t: getattr(t, op)(0).values)
    assert gradcheck(fn, (tritorch.tensor(0.7, dtype=tritorch.float64, requires_grad=True),))
    x = tritorch.zeros(2, 0, dtype=tritorch.float64, requires_grad=True)
    fn(x.transpose(0, 1)).sum().backward()
    assert x.grad.shape == (2, 0)


def grads(fn, values, seed: int = 1):
    """x.grad of fn(x) under a random upstream gradient, in tritorch and in torch (fn takes either)."""
    upstream = np.random.default_rng(seed).standard_normal(np.shape(values))
    x = tritorch.tensor(values, dtype=tritorch.float64, requires_grad=True)
    fn(x).backward(tritorch.tensor(upstream, dtype=tritorch.float64))
    t = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    fn(t).backward(torch.tensor(upstream))
    return x.grad, t.grad.numpy()


@pytest.mark.parametrize("op", ["cummax", "cummin"])
def test_ties_and_nan_send_the_gradient_where_torch_does(op):
    """Several running values pointing at one element add up there (scatter_add)."""
    nan = math.nan
    values = [[1.0, 3.0, 3.0, 2.0, nan, 5.0, nan, 7.0], [2.0, 2.0, -0.0, 0.0, 2.0, 1.0, 2.0, 2.0]]
    got, want = grads(lambda t: getattr(t, op)(1)[0], values)
    assert_close(got, want)


def test_logcumsumexp_backward_is_stable_at_large_magnitudes():
    values = [[1e4, 1e4, -1e4, 0.0], [-1e4, -1e4, 1e4, -1e4], [0.0, 1.0, 2.0, 3.0]]
    got, want = grads(lambda t: t.logcumsumexp(1), values)
    assert np.isfinite(to_numpy(got)).all()
    assert_close(got, want, reduction_len=4)


def cuda_grads_equal_cpu_grads(fn, dtype):
    x = leaf(3, 4, seed=2).detach().to(dtype)
    upstream = tritorch.tensor(np.random.default_rng(3).standard_normal((3, 4)), dtype=dtype)
    grads = []
    for device in ("cpu", "cuda"):
        t = x.to(device).detach().requires_grad_()
        fn(t).backward(upstream.to(device))
        assert t.grad.device.type == device
        grads.append(t.grad.cpu())
    assert_close(grads[1], to_numpy(grads[0]), reduction_len=4)


@pytest.mark.parametrize("dtype", [tritorch.float32, tritorch.float64], ids=str)
@pytest.mark.parametrize("dim", [0, 1])
def test_logcumsumexp_gradients_on_cuda_equal_the_cpu(dim, dtype):
    cuda_grads_equal_cpu_grads(lambda t: (t * 3).logcumsumexp(dim), dtype)


@pytest.mark.parametrize("op", ["cummax", "cummin"])
def test_cummax_cummin_gradients_on_cuda_equal_the_cpu(op):
    cuda_grads_equal_cpu_grads(lambda t: getattr(t.round(), op)(1)[0] * t, tritorch.float32)


# --- cumprod under create_graph: O(n) with or without zeros ---------------------------------------

ZERO_PATTERNS = {"none": [0.7, -1.3, 1.1, 0.9, -0.6], "one": [0.7, 0.0, 1.1, 0.9, -0.6],
                 "two": [0.0, -1.3, 1.1, 0.0, -0.6], "adjacent": [0.7, 0.0, 0.0, 0.9, -0.6],
                 "last": [0.7, -1.3, 1.1, 0.9, 0.0], "three": [0.0, 0.0, 1.1, 0.0, -0.6]}


@pytest.mark.parametrize("pattern", ZERO_PATTERNS)
@pytest.mark.parametrize("dim", [0, 1])
def test_cumprod_gradgradcheck_with_zeros(pattern, dim):
    values = np.stack([ZERO_PATTERNS[pattern], np.roll(ZERO_PATTERNS[pattern], 2)])
    x = tritorch.tensor(values if dim else values.T, dtype=tritorch.float64, requires_grad=True)
    assert gradgradcheck(lambda t: t.cumprod(dim), (x,))


@pytest.mark.parametrize("pattern", ZERO_PATTERNS)
def test_cumprod_double_backward_equals_torch(pattern):
    """First and second derivatives (create_graph) against PyTorch's O(n^2) formula, at zeros."""
    values = np.array(ZERO_PATTERNS[pattern])
    upstream = np.random.default_rng(3).standard_normal(values.shape)
    direction = np.random.default_rng(4).standard_normal(values.shape)
    results = []
    for lib in (tritorch, torch):
        x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
        y = x.cumprod(0)
        g, = lib.autograd.grad(y, x, lib.tensor(upstream, dtype=lib.float64), create_graph=True)
        gg, = lib.autograd.grad(g, x, lib.tensor(direction, dtype=lib.float64))
        results.append((g.detach(), gg))
    for ours, theirs in zip(*results):
        assert_close(ours, to_numpy(theirs), reduction_len=len(values))


def test_cumprod_create_graph_backward_launches_do_not_grow_with_the_length():
    """The create_graph gradient is a fixed number of scans (O(n) work), not one slice per element."""
    from harness import record_launches
    counts = []
    for n in (4, 12):
        x = tritorch.tensor(np.linspace(-1, 1, n) + 0.05, device="cuda", requires_grad=True)
        y = x.cumprod(0)
        with record_launches() as log:
            tritorch.autograd.grad(y, x, tritorch.ones_like(y), create_graph=True)
        counts.append(len(log))
    assert counts[0] == counts[1] > 0
