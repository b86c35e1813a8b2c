"""The short op path (issue 8): the shortcuts taken for common calls give exactly what the
general path gives, and the caches behind them never serve stale data.

Shortcuts under test: `pointwise._prepare_common` (one dtype, one shape, one device), the
one-view basic indexing of `indexing._basic_view`, `Function.apply` without a graph when no
input requires grad, and the ArrayView (with its numpy view) that a Tensor keeps."""
import gc
import os
import platform
import subprocess
import sys

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tritorch
from helpers import assert_close
from strategies import SETTINGS
from tritorch.ops import pointwise

DEVICES = ["cpu", "cuda"]
BINARY = ["add", "sub", "mul", "div", "maximum", "eq", "lt", "remainder", "floor_divide", "pow"]


def _inputs(dtype, device):
    g = np.random.default_rng(0)
    a = g.integers(1, 9, (3, 4)).astype(dtype)
    b = g.integers(1, 9, (3, 4)).astype(dtype)
    return tritorch.tensor(a, device=device), tritorch.tensor(b, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.float16])
@pytest.mark.parametrize("op", BINARY)
@pytest.mark.parametrize("other", ["tensor", "row", "0-d", 2, 2.5, True])
def test_common_path_matches_general_path(op, dtype, device, other, monkeypatch):
    a, b = _inputs(dtype, device)
    rhs = {"tensor": b, "row": b[0], "0-d": b[0, 0]}.get(other, other)

    def outcome():
        try:
            y = getattr(tritorch, op)(a, rhs)
        except Exception as e:  # the same refusal on both paths counts as the same result
            return type(e), str(e)
        return y.dtype, tuple(y.shape), y.cpu().numpy().tobytes()
    fast = outcome()
    monkeypatch.setattr(pointwise, "_prepare_common", lambda *args: None)
    assert fast == outcome()


@pytest.mark.parametrize("device", DEVICES)
def test_common_path_in_place_and_differentiated(device, monkeypatch):
    results = []
    for shortcut in (True, False):
        if not shortcut:
            monkeypatch.setattr(pointwise, "_prepare_common", lambda *args: None)
        a, b = _inputs(np.float32, device)
        a.requires_grad_()
        y = (a * b + 1.5).sub(b[1], alpha=2) / a[:, :1]
        c = b.clone()
        c.mul_(b).add_(3).sub_(b[2])
        y.sum().backward()
        results.append((y.detach().cpu().numpy(), c.cpu().numpy(), a.grad.cpu().numpy(), y.grad_fn.name()))
    for fast, general in zip(*results):
        np.testing.assert_array_equal(fast, general)


def test_common_path_refuses_what_the_general_path_refuses():
    a, b = _inputs(np.int32, "cpu")
    with pytest.raises(RuntimeError, match="result type float32 can't be cast"):
        a.add_(b.float())
    with pytest.raises(OverflowError, match="too big to convert to int64"):
        a + 2 ** 70
    with pytest.raises(RuntimeError, match="shapes \\[3, 4\\] and \\[4, 3\\] cannot be broadcast"):
        a + b.t()


_ENTRY = st.one_of(st.integers(-4, 3), st.none(), st.just(Ellipsis),
                   st.builds(slice, st.none() | st.integers(-5, 5), st.none() | st.integers(-5, 5),
                             st.none() | st.integers(1, 3)))


@settings(**SETTINGS)
@given(key=_ENTRY | st.lists(_ENTRY, max_size=5).map(tuple).filter(lambda k: k.count(Ellipsis) < 2))
def test_basic_view_matches_torch(key):
    x = np.arange(2 * 3 * 4 * 5, dtype=np.float64).reshape(2, 3, 4, 5)
    t = torch.tensor(x, requires_grad=True)
    try:
        want = t[key]
    except IndexError:
        with pytest.raises(IndexError):
            tritorch.tensor(x)[key]
        return
    v = tritorch.tensor(x, requires_grad=True)
    got = v[key]
    assert tuple(got.shape) == tuple(want.shape)
    assert_close(got.detach(), want.detach().numpy())
    if got.numel():
        assert got.grad_fn.name() == want.grad_fn.name()
        (got * got).sum().backward()
        (want * want).sum().backward()
        assert_close(v.grad, t.grad.numpy())


def test_basic_view_gradient_is_twice_differentiable():
    x = tritorch.tensor(np.arange(60.).reshape(3, 4, 5), requires_grad=True)
    assert tritorch.autograd.gradgradcheck(lambda t: t[1:, None, ::2][0, ..., -1] ** 2, (x,))


def test_custom_function_forward_never_records():
    class Scale(tritorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            w = tritorch.ones(x.shape, requires_grad=True)
            return x * w

        @staticmethod
        def backward(ctx, grad):
            return grad

    y = Scale.apply(tritorch.ones(3))
    assert not y.requires_grad and y.grad_fn is None


def test_numpy_arrays_are_new_objects_sharing_memory():
    x = tritorch.zeros(4)
    first, second = x.numpy(), x.numpy()
    assert first is not second
    first.flags.writeable = False
    x.add_(1)
    second[0] = 7
    np.testing.assert_array_equal(x.numpy(), [7, 1, 1, 1])


def test_cached_view_follows_data_assignment():
    x = tritorch.zeros(3)
    x.numpy()
    x.data = tritorch.arange(4.)[1:]
    np.testing.assert_array_equal((x + 0).numpy(), [1, 2, 3])


def test_a_training_step_leaves_no_reference_cycles():
    """Graph nodes and their contexts are freed by reference counting when a step ends: cyclic
    garbage would make Python's collector walk every step's graph (a third of a small MLP step)."""
    w = tritorch.randn(8, 4, requires_grad=True)
    x, y = tritorch.randn(16, 8), tritorch.randint(0, 4, (16,))

    def step():
        logp = (x @ w).relu().log_softmax(-1)
        (-logp[tritorch.arange(16), y].mean()).backward()
        with tritorch.no_grad():
            w.sub_(0.1 * w.grad)
            w.grad = None
    step()
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        step()
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()


@pytest.mark.parametrize("setting, kept", [("1", True), ("0", False)])
def test_freed_heap_is_kept_unless_switched_off(setting, kept):
    if platform.libc_ver()[0] != "glibc":
        pytest.skip("the setting is glibc's")
    code = "import tritorch.reference.memory as m; print(m.HEAP_KEPT)"
    env = {**os.environ, "TRITORCH_KEEP_HEAP": setting}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(kept)
