"""The autograd engine: graph recording, backward, grad, hooks, grad mode, custom Functions,
in-place semantics and version counters, gradcheck. Per-op gradients live in test_gradients.py."""
import threading

import numpy as np
import pytest
import torch

import tritorch
from tritorch.autograd import Function


def leaf(values, dtype=tritorch.float64):
    return tritorch.tensor(values, dtype=dtype, requires_grad=True)


# --- recording ----------------------------------------------------------------------------------
def test_graph_structure_and_names():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    y = (x * w).sum()
    assert x.is_leaf and not y.is_leaf and y.requires_grad
    assert y.grad_fn.name() == "SumBackward0"
    (mul, _), = y.grad_fn.next_functions
    assert mul.name() == "MulBackward0"
    assert {type(n).__name__ for n, _ in mul.next_functions} == {"AccumulateGrad"}
    assert "grad_fn=<SumBackward0>" in repr(y)


def test_backward_accumulates_into_leaves():
    x = leaf([1.0, 2.0, 3.0])
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2, 4, 6])
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [5, 7, 9])


def test_backward_with_gradient_argument_and_broadcasting():
    x, b = leaf([[1.0, 2.0], [3.0, 4.0]]), leaf([10.0, 20.0])
    y = x * b
    y.backward(tritorch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=tritorch.float64))
    np.testing.assert_allclose(b.grad.numpy(), [1.0, 4.0])
    np.testing.assert_allclose(x.grad.numpy(), [[10, 0], [0, 20]])


def test_integer_outputs_are_not_differentiable():
    x = leaf([3.0, 1.0, 2.0])
    values, indices = x.sort()
    assert values.requires_grad and not indices.requires_grad
    assert not (x > 1).requires_grad


def test_no_recording_when_nothing_requires_grad():
    y = tritorch.ones(3) * 2
    assert y.grad_fn is None and not y.requires_grad


# --- retain_graph, create_graph, grad -----------------------------------------------------------
def test_second_backward_through_freed_graph_raises():
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_grad_with_create_graph_gives_higher_derivatives():
    x = leaf(2.0)
    y = x ** 3
    (dy,) = tritorch.autograd.grad(y, x, create_graph=True)
    (d2y,) = tritorch.autograd.grad(dy, x, create_graph=True)
    (d3y,) = tritorch.autograd.grad(d2y, x)
    assert (dy.item(), d2y.item(), d3y.item()) == (12.0, 12.0, 6.0)
    assert x.grad is None


def test_backward_create_graph_then_differentiate_grad():
    x = leaf([1.0, 2.0])
    (x.sin() * x).sum().backward(create_graph=True)
    g = x.grad
    assert g.requires_grad
    (h,) = tritorch.autograd.grad(g.sum(), x)
    want = 2 * np.cos([1.0, 2.0]) - np.array([1.0, 2.0]) * np.sin([1.0, 2.0])
    np.testing.assert_allclose(h.numpy(), want)


def test_grad_unused_input():
    x, z = leaf([1.0]), leaf([2.0])
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        tritorch.autograd.grad(y, [x, z], retain_graph=True)
    gx, gz = tritorch.autograd.grad(y, [x, z], allow_unused=True)
    assert gz is None and gx.tolist() == [2.0]


def test_grad_of_non_leaf_input():
    x = leaf([1.0, 2.0])
    h = x * 3
    y = (h * h).sum()
    (gh,) = tritorch.autograd.grad(y, h)
    np.testing.assert_allclose(gh.numpy(), [6.0, 12.0])


def test_backward_inputs_restricts_accumulation():
    x, w = leaf([1.0]), leaf([2.0])
    (x * w).sum().backward(inputs=[w])
    assert x.grad is None and w.grad.tolist() == [1.0]


def test_shared_subexpression_gradients_add():
    x = leaf([1.0, -2.0])
    a = x * 2
    y = (a * a + a).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * (2 * 2 * np.array([1.0, -2.0]) + 1))


def test_long_chain_is_iterative():
    x = leaf([1.0])
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0001 ** 10_000], rtol=1e-9)


# --- errors ---------------------------------------------------------------------------------------
def test_backward_errors():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match=r"Mismatch in shape: grad_output\[0\] has a shape of \[3\]"):
        (x * 2).backward(tritorch.ones(3, dtype=tritorch.float64))
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        tritorch.ones(2).sum().backward()
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require gradients"):
        tritorch.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        x.numpy()
    np.testing.assert_array_equal(x.detach().numpy(), [1.0, 2.0])


def test_inplace_on_leaf_that_requires_grad_raises():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"):
        x.add_(1)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0:1].mul_(2)
    with tritorch.no_grad():
        x.add_(1)
    assert x.tolist() == [2.0, 3.0]


def test_modified_saved_tensor_raises_naming_the_op():
    x = leaf([1.0, 2.0])
    h = x * 3
    w = h.exp()  # saves its result w, not h
    s = h.sin()  # saves its input h
    h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*SinBackward0.*is at version 1; expected version 0"):
        s.sum().backward()
    w.sum().backward()  # w itself was not modified: fine
    np.testing.assert_allclose(x.grad.numpy(), 3 * np.exp([3.0, 6.0]))


# --- in-place on non-leaves and views --------------------------------------------------------------
def test_inplace_on_non_leaf_is_recorded():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 2
    y.mul_(x)
    y.add_(1)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 4 * np.array([1.0, 2.0, 3.0]))


def test_inplace_on_view_of_non_leaf_updates_base_history():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    y = x * 1
    y[0].mul_(10)
    y[1, 1] = 0.0
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[10.0, 10.0], [1.0, 0.0]])


def test_setitem_with_tensor_that_requires_grad():
    v = leaf([5.0, 6.0])
    y = tritorch.zeros(3, 2, dtype=tritorch.float64)
    y[1] = v * 2
    assert y.requires_grad
    (y * y).sum().backward()
    np.testing.assert_allclose(v.grad.numpy(), 8 * np.array([5.0, 6.0]))


def test_inplace_matches_torch_on_a_mixed_program():
    def program(lib, x):
        y = x.clone()
        y[:, 1:] *= 3
        y[0] += y[1]
        z = y.t().exp()
        return (z * x.t()).sum()
    a = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
    ours, theirs = leaf(a), torch.tensor(a, requires_grad=True)
    program(tritorch, ours).backward()
    program(torch, theirs).backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)


# --- hooks, retain_grad, detach ------------------------------------------------------------------
def test_tensor_hooks_can_replace_gradients_and_be_removed():
    x = leaf([1.0, 2.0])
    seen = []
    h = x * 2
    handle = h.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
    leaf_handle = x.register_hook(lambda g: g + 1)
    h.sum().backward()
    assert seen == [[1.0, 1.0]]
    np.testing.assert_allclose(x.grad.numpy(), [21.0, 21.0])
    handle.remove()
    leaf_handle.remove()
    x.grad = None
    (x * 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


@pytest.mark.parametrize("where", ["leaf", "non-leaf"])
def test_tensor_hooks_run_in_registration_order(where):
    """Each hook sees the previous one's result: g * 2 then g + 1 gives 3, not (1 + 1) * 2 = 4."""
    x = leaf([1.0, 2.0])
    t = x if where == "leaf" else x * 1
    t.register_hook(lambda g: g * 2)
    t.register_hook(lambda g: g + 1)
    t.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])
    theirs = torch.tensor([1.0, 2.0], requires_grad=True)
    u = theirs if where == "leaf" else theirs * 1
    u.register_hook(lambda g: g * 2)
    u.register_hook(lambda g: g + 1)
    u.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), theirs.grad.numpy())


def test_retain_grad():
    x = leaf([1.0, 2.0])
    h = x * 3
    h.retain_grad()
    assert h.retains_grad
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), [6.0, 12.0])
    with pytest.raises(RuntimeError, match="can't retain_grad on Tensor that has requires_grad=False"):
        tritorch.ones(1).retain_grad()


def test_detach_and_data():
    x = leaf([1.0, 2.0])
    d = x.detach()
    assert not d.requires_grad and d.untyped_storage() is x.untyped_storage()
    y = x * 2
    y.detach_()
    assert y.is_leaf and not y.requires_grad
    x.data.mul_(3)
    assert x.tolist() == [3.0, 6.0]
    x.data = tritorch.zeros(3, dtype=tritorch.float64)
    assert x.shape == (3,) and x.requires_grad


# --- grad mode ------------------------------------------------------------------------------------
def test_grad_modes_as_context_managers_and_decorators():
    x = leaf([1.0])
    with tritorch.no_grad():
        assert not tritorch.is_grad_enabled()
        assert (x * 2).grad_fn is None
        with tritorch.enable_grad():
            assert (x * 2).grad_fn is not None
    assert tritorch.is_grad_enabled()

    @tritorch.no_grad()
    def f(t):
        return t * 2
    assert f(x).grad_fn is None and tritorch.is_grad_enabled()

    with tritorch.set_grad_enabled(False):
        assert (x * 2).grad_fn is None
    assert tritorch.is_grad_enabled()
    tritorch.set_grad_enabled(False)
    assert not tritorch.is_grad_enabled()
    tritorch.set_grad_enabled(True)

    with tritorch.inference_mode():
        assert (x * 2).grad_fn is None and tritorch.autograd.is_inference_mode_enabled()
    with tritorch.inference_mode(False):
        assert (x * 2).grad_fn is not None


def test_grad_mode_is_thread_local():
    seen = []
    with tritorch.no_grad():
        t = threading.Thread(target=lambda: seen.append(tritorch.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


# --- custom Functions --------------------------------------------------------------------------------
class Cube(Function):
    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return x * x * x * scale

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x * ctx.scale, None


class SplitSign(Function):
    @staticmethod
    def forward(ctx, x):
        idx = (x > 0).long()
        ctx.mark_non_differentiable(idx)
        ctx.save_for_backward(x)
        return x.abs(), idx

    @staticmethod
    def backward(ctx, grad, _):
        (x,) = ctx.saved_tensors
        assert ctx.needs_input_grad == (True,)
        return grad * x.sign()


def test_custom_function():
    x = leaf([1.0, -2.0])
    y = Cube.apply(x, 2.0)
    assert y.grad_fn.name() == "CubeBackward"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 24.0])
    assert tritorch.autograd.gradcheck(lambda t: Cube.apply(t, 0.5), (leaf([0.3, -0.7]),))
    assert tritorch.autograd.gradgradcheck(lambda t: Cube.apply(t, 0.5), (leaf([0.3, -0.7]),))


def test_custom_function_non_differentiable_output():
    x = leaf([1.5, -2.0])
    a, idx = SplitSign.apply(x)
    assert not idx.requires_grad and a.requires_grad
    a.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, -1.0])


class WrongCube(Cube):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x * ctx.scale, None


def test_gradcheck_catches_a_wrong_backward():
    x = leaf([0.3, -0.7, 1.1])
    assert not tritorch.autograd.gradcheck(lambda t: WrongCube.apply(t, 1.0), (x,), raise_exception=False)
    with pytest.raises(tritorch.autograd.GradcheckError, match="Jacobian mismatch for input 0"):
        tritorch.autograd.gradcheck(lambda t: WrongCube.apply(t, 1.0), (x,))


class Identity(Function):
    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, grad):
        return grad * 2


class AddOneInPlace(Function):
    @staticmethod
    def forward(ctx, x):
        x.add_(1)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, grad):
        return grad


def test_custom_function_returning_its_input_gives_an_alias():
    x = leaf([1.0, 2.0])
    y = Identity.apply(x)
    assert y is not x and y.untyped_storage() is x.untyped_storage() and x.is_leaf
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_mark_dirty_records_an_in_place_custom_function():
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        AddOneInPlace.apply(leaf([1.0]))
    x = leaf([1.0, 2.0])
    h = x * 3
    out = AddOneInPlace.apply(h)
    assert out is h and h.grad_fn.name() == "AddOneInPlaceBackward"
    (h * h).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * (3 * np.array([1.0, 2.0]) + 1))


def test_views_taken_before_an_in_place_write_see_it():
    for write, want in [(lambda a, v1, v2: a.mul_(10), [10.0, 10.0, 0.0, 0.0]),
                        (lambda a, v1, v2: v2.mul_(2), [1.0, 2.0, 0.0, 0.0])]:
        results = []
        for lib in (tritorch, torch):
            x = lib.tensor([1.0, 2.0, 3.0, 4.0], dtype=lib.float64, requires_grad=True)
            a = x * 1
            v1, v2 = a[:2], a[1:3]
            write(a, v1, v2)
            v1.sum().backward()
            results.append(x.grad.tolist())
        assert results[0] == results[1] == want


def test_detached_tensors_never_regain_history():
    x = leaf([1.0, 2.0])
    d = (x * 2).detach()
    d.add_(1)
    assert d.grad_fn is None and not d.requires_grad
    x.detach().mul_(2)  # a leaf's detached alias may be written in place
    assert x.tolist() == [2.0, 4.0]


def test_autograd_argument_errors_and_bare_no_grad():
    y = leaf([1.0, 2.0]) * 2
    with pytest.raises(TypeError, match="gradient 0 must be a Tensor or None, not list"):
        y.backward([1.0, 1.0])
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables"):
        y.requires_grad_(False)

    @tritorch.no_grad
    def double(t):
        return t * 2
    assert double(leaf([1.0])).grad_fn is None


def test_fill_with_a_tensor_value_passes_the_gradient_to_the_value():
    v = leaf(2.0)
    x = tritorch.zeros(3, dtype=tritorch.float64) * 1
    x.fill_(v)
    (x * tritorch.tensor([1.0, 2.0, 3.0], dtype=tritorch.float64)).sum().backward()
    assert v.grad.item() == 6.0
