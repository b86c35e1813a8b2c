"""The autograd side of Tensor: backward, hooks, retain_grad, detach_, .data."""
from __future__ import annotations

import weakref

from ..autograd import engine
from ..autograd.graph import RemovableHandle, accumulator_of
from ..tensor import Tensor
from .registry import as_property, method


@method()
def backward(self: Tensor, gradient=None, retain_graph=None, create_graph: bool = False, inputs=None) -> None:
    """Accumulate the gradient of this tensor into `.grad` of the leaves that require grad."""
    engine.backward(self, None if gradient is None else [gradient], retain_graph, create_graph, inputs)


@method()
def register_hook(self: Tensor, hook) -> RemovableHandle:
    """Call `hook(grad)` whenever this tensor's gradient is computed; a returned tensor replaces
    the gradient. Returns a handle whose `remove()` unregisters the hook."""
    if not self.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    node, nr = (self.grad_fn, self._output_nr) if self.grad_fn is not None else (accumulator_of(self), 0)
    hooks = node.tensor_pre_hooks.setdefault(nr, {})
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle


@method()
def retain_grad(self: Tensor) -> None:
    """Keep this non-leaf tensor's gradient in `.grad` after backward."""
    if not self.requires_grad:
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    if self.grad_fn is not None:
        self.grad_fn.retained[self._output_nr] = weakref.ref(self)


@method("retains_grad")
@as_property
def _retains_grad(self: Tensor) -> bool:
    """Whether this non-leaf tensor keeps its gradient in `.grad` (see `retain_grad`)."""
    return self.grad_fn is not None and self._output_nr in self.grad_fn.retained


@method()
def detach_(self: Tensor) -> Tensor:
    """Cut this tensor from the graph in place; it becomes a leaf."""
    self.grad_fn, self.requires_grad = None, False
    return self


def _get_data(self: Tensor) -> Tensor:
    """The tensor's values without its autograd history (a detached alias)."""
    return self.detach()


def _set_data(self: Tensor, value: Tensor) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
    self._storage, self._shape, self._strides, self._offset = (
        value._storage, value.shape, value.stride(), value.storage_offset())
    self._array = None


method("data")(property(_get_data, _set_data))
