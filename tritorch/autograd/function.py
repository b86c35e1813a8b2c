"""`Function`: how every differentiable op is written, and what users subclass for custom ops.

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = ... compute on the backend ...
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            y, = ctx.saved_tensors
            return grad * y            # Tensor ops, so create_graph=True differentiates it again

`apply` runs forward without recording and, when grad mode is on and an input requires grad,
adds one node to the graph whose edges point at the inputs' nodes. Tensor inputs are the
positional arguments; keyword arguments are options.
"""
from __future__ import annotations

import weakref

from ..tensor import Tensor
from .grad_mode import _set_enabled, enable_grad, is_grad_enabled
from .graph import Node, edge_of

_MATERIALIZE = object()


class Context:
    """What forward leaves for backward. The defaults are class attributes: most ops run with
    nothing to record, and a context is made for every call."""

    _saved: tuple = ()
    _saved_versions: tuple = ()
    _non_differentiable: frozenset = frozenset()
    _dirty: frozenset = frozenset()
    _released = False
    _node = staticmethod(lambda: None)  # a weak reference to the graph node, once there is one
    materialize_grads = True

    def __init__(self, needs_input_grad: tuple[bool, ...] = ()):
        self.needs_input_grad = needs_input_grad

    def save_for_backward(self, *tensors) -> None:
        self._saved = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        self._non_differentiable = self._non_differentiable | {id(t) for t in tensors}

    def mark_dirty(self, *tensors) -> None:
        """Declare inputs that forward modified in place (and returns): their history is rebased."""
        self._dirty = self._dirty | {id(t) for t in tensors}

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value

    @property
    def saved_tensors(self) -> tuple:
        if self._released:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or if "
                "you need to access saved tensors after calling backward.")
        for i, (t, v) in enumerate(zip(self._saved, self._saved_versions)):
            if t is not None and t._storage.version != v:
                node = self._node()
                where = node.name() if node is not None else "a custom Function"
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an "
                    f"inplace operation: [{t.type()} {list(t.shape)}], which is saved tensor {i} of "
                    f"{where}, is at version {t._storage.version}; expected version {v} instead.")
        return self._saved

    def _snapshot_versions(self) -> None:
        self._saved_versions = tuple(None if t is None else t._storage.version for t in self._saved)


class FunctionNode(Node):
    """The graph node of one `Function.apply` call."""

    def __init__(self, fn_cls, ctx: Context, next_functions: tuple):
        super().__init__(next_functions)
        self.fn_cls, self.ctx = fn_cls, ctx
        ctx._node = weakref.ref(self)  # the node owns its context: no reference cycle to collect

    def name(self) -> str:
        """PyTorch's names: built-in ops give e.g. `MulBackward0`, custom Functions `MyFnBackward`."""
        cls = self.fn_cls
        if getattr(self.ctx, "node_name", None) or cls.node_name:
            return getattr(self.ctx, "node_name", None) or cls.node_name
        return f"{cls.__name__}Backward{'0' if cls._builtin else ''}"

    def apply(self, grads: list):
        if self.ctx._released:
            self.ctx.saved_tensors  # raises the "backward through the graph a second time" error
        out = self.fn_cls.backward(self.ctx, *grads)
        out = out if isinstance(out, tuple) else (out,)
        n = len(self.next_functions)
        if len(out) < n or any(o is not None for o in out[n:]):
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients "
                               f"(expected {n}, got {len(out)})")
        return out[:n]

    def release(self) -> None:
        self.ctx._released = True
        self.ctx._saved = ()

    @property
    def saved_tensors(self):
        return self.ctx.saved_tensors


class Function:
    """Base class of differentiable ops; see the module docstring."""

    node_name: str | None = None  # graph node name, e.g. "MulBackward0" (default: <Class>Backward)
    inplace = False  # True when forward writes into its first argument and returns it
    _builtin = False  # tritorch's own ops; a user's forward always runs under no_grad

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._builtin = cls.__module__.startswith("tritorch.")

    @staticmethod
    def forward(ctx: Context, *args, **kwargs):
        raise NotImplementedError("a Function subclass must implement forward(ctx, ...)")

    @staticmethod
    def backward(ctx: Context, *grad_outputs):
        raise NotImplementedError("a Function subclass must implement backward(ctx, ...) to be differentiated")

    @classmethod
    def apply(cls, *args, **kwargs):
        recording = is_grad_enabled()
        if recording:
            needs = tuple([isinstance(a, Tensor) and a.requires_grad for a in args])
            if cls.inplace:
                check_inplace_allowed(args[0])
        else:
            needs = (False,) * len(args)
        ctx = Context(needs)
        differentiable = True in needs
        if not recording or (not differentiable and cls._builtin):
            # tritorch's own forwards record nothing when no input requires grad
            return cls.forward(ctx, *args, **kwargs)
        _set_enabled(False)  # forward never records: no_grad, without its context manager
        try:
            out = cls.forward(ctx, *args, **kwargs)
        finally:
            _set_enabled(True)
        if not differentiable:
            return out
        ctx._snapshot_versions()
        edges = tuple(edge_of(a) if n else (None, 0) for a, n in zip(args, needs))
        node = FunctionNode(cls, ctx, edges)
        return _attach(out, node, ctx, args)


def _attach(out, node: FunctionNode, ctx: Context, args):
    """Make `node` the grad_fn of each differentiable output (rebasing in-place outputs);
    returns the outputs, with inputs returned unchanged replaced by aliases."""
    outputs = out if isinstance(out, tuple) else (out,)
    for i, t in enumerate(outputs):
        if t is None or not hasattr(t, "grad_fn"):
            node.output_meta.append(None)
            continue
        node.output_meta.append((tuple(t.shape), t.dtype, t.device))
        if id(t) in ctx._non_differentiable or not t.dtype.is_floating_point:
            continue
        if any(t is a for a in args):
            if not (node.fn_cls.inplace or id(t) in ctx._dirty):
                # an input returned unchanged is an alias of it, as in PyTorch
                t = t.as_strided_view(tuple(t.shape), t.stride(), t.storage_offset())
                outputs = outputs[:i] + (t,) + outputs[i + 1:]
            else:
                check_inplace_allowed(t)
                if t._base is not None:
                    _rebase_view(t, node)
                    continue
        t.grad_fn, t._output_nr, t.requires_grad = node, i, True
    return outputs if isinstance(out, tuple) else outputs[0]


def _rebase_view(view, node: FunctionNode) -> None:
    """An in-place op on a view changes its base too: the base's new history is CopySlices
    (the old base with the view's region replaced by the op's result), and the view's history
    becomes a view of that."""
    base = view._base
    if not base.is_contiguous():
        raise NotImplementedError(
            f"in-place operation on a view of a non-contiguous tensor (shape {list(base.shape)}, strides "
            f"{list(base.stride())}) that is part of the autograd graph is not supported; clone it first")
    geometry = (tuple(view.shape), view.stride(), view.storage_offset() - base.storage_offset())
    base.grad_fn = CopySlices(base, geometry, node)
    base._output_nr, base.requires_grad = 0, True
    refresh_view_history(view)


def refresh_view_history(view) -> None:
    """A view's history after its storage was written in place: the view of its base's current
    history (PyTorch regenerates a view's grad_fn the same way)."""
    base = view._base
    if not base.is_contiguous():
        raise NotImplementedError(
            f"a view of a non-contiguous tensor (shape {list(base.shape)}, strides {list(base.stride())}) "
            "was modified in place while part of the autograd graph; clone the tensor first")
    geometry = (tuple(view.shape), view.stride(), view.storage_offset() - base.storage_offset())
    with enable_grad():
        fresh = _region(base, geometry)
    view.grad_fn, view._output_nr, view.requires_grad = fresh._grad_fn, fresh._output_nr, True


Tensor.refresh_view_history = refresh_view_history


def _region(t, geometry):
    """The view of contiguous-layout tensor `t` at (shape, strides, offset relative to t)."""
    shape, strides, rel = geometry
    t = t.contiguous()
    return t.as_strided(shape, strides, t.storage_offset() + rel)


class CopySlices(Node):
    """Gradient of `base` after an in-place op wrote into one of its views: outside the view the
    gradient flows to the old base unchanged; inside, through the op's own backward."""

    def __init__(self, base, geometry: tuple, op: FunctionNode):
        super().__init__((edge_of(base),) + op.next_functions[1:])
        self.geometry, self.op = geometry, op
        self.output_meta = [(tuple(base.shape), base.dtype, base.device)]

    def name(self) -> str:
        return "CopySlices"

    def apply(self, grads: list):
        grad = grads[0]
        op_grads = self.op.apply([_region(grad, self.geometry).clone()])
        result = grad.clone()
        region = _region(result, self.geometry)
        region.copy_(op_grads[0] if op_grads[0] is not None else region.new_zeros(tuple(region.shape)))
        return (result,) + tuple(op_grads[1:])

    def release(self) -> None:
        self.op.release()



def check_inplace_allowed(t) -> None:
    """PyTorch forbids in-place changes of a leaf that requires grad (or of a view of one)."""
    if t.grad_fn is None and t.requires_grad:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    base = getattr(t, "_base", None)
    if base is not None and base.grad_fn is None and base.requires_grad:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
