"""Gradient checking: analytical gradients (the engine) against central finite differences.

Run it in float64 on the cpu: the numpy reference is then accurate enough that a mismatch
means a wrong backward formula, not rounding.
"""
from __future__ import annotations

import numpy as np

from .engine import grad
from .grad_mode import enable_grad, no_grad


class GradcheckError(RuntimeError):
    pass


def _tensors(xs) -> tuple:
    return tuple(xs) if isinstance(xs, (tuple, list)) else (xs,)


def _is_tensor(x) -> bool:
    return hasattr(x, "grad_fn")


def _outputs(fn, inputs) -> tuple:
    return tuple(o for o in _tensors(fn(*inputs)) if _is_tensor(o) and o.dtype.is_floating_point)


def _element(x, flat_index: int):
    """A 0-d view of element `flat_index` (row-major) of `x`, over x's own storage."""
    idx = np.unravel_index(flat_index, tuple(x.shape))
    offset = x.storage_offset() + sum(int(i) * s for i, s in zip(idx, x.stride()))
    return x.detach().as_strided((), (), offset)


def _numerical(fn, inputs, i: int, eps: float, n_out: list[int]) -> np.ndarray:
    """d(all outputs, flattened)/d(inputs[i]) by central differences: shape (out, in)."""
    x = inputs[i]
    jac = np.zeros((sum(n_out), x.numel()))
    for j in range(x.numel()):
        cell = _element(x, j)
        orig = cell.item()
        with no_grad():
            cell.fill_(orig + eps)
            plus = _flat_outputs(fn, inputs)
            cell.fill_(orig - eps)
            minus = _flat_outputs(fn, inputs)
            cell.fill_(orig)
        jac[:, j] = (plus - minus) / (2 * eps)
    return jac


def _flat_outputs(fn, inputs) -> np.ndarray:
    outs = _outputs(fn, inputs)
    return np.concatenate([np.asarray(o.detach().numpy(force=True), dtype=np.float64).reshape(-1)
                           for o in outs]) if outs else np.zeros(0)


def _analytical(fn, inputs, diff: list[int]) -> tuple[list[np.ndarray], list[int]]:
    """Rows of the Jacobian by one backward pass per output element."""
    outs = _outputs(fn, inputs)
    n_out = [o.numel() for o in outs]
    jacs = [np.zeros((sum(n_out), inputs[i].numel())) for i in diff]
    row = 0
    for o in outs:
        for k in range(o.numel()):
            if o.requires_grad:
                seed = o.new_zeros(tuple(o.shape))
                _element(seed, k).fill_(1.0)
                gs = grad(o, [inputs[i] for i in diff], seed, retain_graph=True, allow_unused=True)
                for jac, g in zip(jacs, gs):
                    if g is not None:
                        jac[row] = np.asarray(g.detach().numpy(force=True), dtype=np.float64).reshape(-1)
            row += 1
    return jacs, n_out


def gradcheck(fn, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True) -> bool:
    """Check the gradients of `fn` at `inputs` (tensors that require grad, ideally float64).

    >>> x = tritorch.randn(3, dtype=tritorch.float64, requires_grad=True)
    >>> tritorch.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
    True
    """
    inputs = _tensors(inputs)
    diff = [i for i, x in enumerate(inputs) if _is_tensor(x) and x.requires_grad]
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient")
    analytical, n_out = _analytical(fn, inputs, diff)
    for i, a in zip(diff, analytical):
        n = _numerical(fn, inputs, i, eps, n_out)
        if not np.allclose(a, n, rtol=rtol, atol=atol):
            if not raise_exception:
                return False
            raise GradcheckError(f"Jacobian mismatch for input {i} (shape {list(inputs[i].shape)}),\n"
                                 f"numerical:\n{n}\nanalytical:\n{a}\n")
    return True


def gradgradcheck(fn, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Check second derivatives: gradcheck of the map (inputs, v) -> v^T J(inputs), built with
    create_graph=True."""
    inputs = _tensors(inputs)
    diff = [i for i, x in enumerate(inputs) if _is_tensor(x) and x.requires_grad]
    outs = _outputs(fn, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(_like(o, rng) for o in outs)
    grad_outputs = _tensors(grad_outputs)
    n_in = len(inputs)

    def first_order(*args):
        xs, vs = args[:n_in], args[n_in:]
        with enable_grad():  # finite differences call this under no_grad, but it needs a graph
            ys = _outputs(fn, xs)
            gs = grad(list(ys), [xs[i] for i in diff], list(vs), create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_order, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)


def _like(o, rng):
    v = o.detach().clone()
    v.copy_(v.new_tensor(rng.standard_normal(tuple(o.shape))))
    return v.requires_grad_(True)
