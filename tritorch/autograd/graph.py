"""Graph nodes. A node turns the gradients of its outputs into gradients of its inputs and
points at the nodes that produced those inputs (`next_functions`)."""
from __future__ import annotations

import itertools
from collections import OrderedDict

_sequence = itertools.count()


class RemovableHandle:
    """Returned by `register_hook`; `remove()` unregisters the hook."""

    _ids = itertools.count()

    def __init__(self, hooks: OrderedDict):
        self.hooks, self.id = hooks, next(RemovableHandle._ids)

    def remove(self) -> None:
        self.hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class Node:
    """Base of every graph node. Subclasses implement `apply(grads) -> input grads`."""

    def __init__(self, next_functions: tuple = ()):
        self.next_functions: tuple = next_functions  # ((node or None, output_nr), ...)
        self.sequence_nr = next(_sequence)  # later nodes run first among the ready ones
        self.output_meta: list = []  # (shape, dtype, device) per output, to make zero grads
        self.tensor_pre_hooks: dict[int, OrderedDict] = {}  # output_nr -> hooks on that grad
        self.retained: dict[int, object] = {}  # output_nr -> tensor that called retain_grad
        self.hooks: OrderedDict = OrderedDict()  # called with (grad_inputs, grad_outputs)
        self.pre_hooks: OrderedDict = OrderedDict()  # called with grad_outputs

    def name(self) -> str:
        return type(self).__name__

    def apply(self, grads: list):
        raise NotImplementedError

    def release(self) -> None:
        """Drop what backward needed (saved tensors), after a backward without retain_graph."""

    def register_hook(self, fn) -> RemovableHandle:
        handle = RemovableHandle(self.hooks)
        self.hooks[handle.id] = fn
        return handle

    def register_prehook(self, fn) -> RemovableHandle:
        handle = RemovableHandle(self.pre_hooks)
        self.pre_hooks[handle.id] = fn
        return handle

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"


class AccumulateGrad(Node):
    """The node of a leaf that requires grad: adds the incoming gradient to `leaf.grad`."""

    def __init__(self, leaf):
        super().__init__()
        self.variable = leaf
        self.output_meta = [(tuple(leaf.shape), leaf.dtype, leaf.device)]

    def apply(self, grads: list):
        return ()


def accumulator_of(leaf) -> AccumulateGrad:
    """The one AccumulateGrad of a leaf (made on first use)."""
    acc = getattr(leaf, "_accumulator", None)
    if acc is None:
        acc = leaf._accumulator = AccumulateGrad(leaf)
    return acc


def edge_of(t) -> tuple:
    """Where the gradient of tensor `t` flows: (node, output_nr), or (None, 0) if nowhere."""
    if t.grad_fn is not None:
        return t.grad_fn, t._output_nr
    if t.requires_grad:
        return accumulator_of(t), 0
    return None, 0
