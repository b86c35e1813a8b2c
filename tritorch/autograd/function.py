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

from .grad_mode import is_grad_enabled, no_grad
from .graph import Node, edge_of

_MATERIALIZE = object()


class Context:
    """What forward leaves for backward."""

    def __init__(self):
        self.needs_input_grad: tuple[bool, ...] = ()
        self._saved: tuple = ()
        self._saved_versions: tuple = ()
        self._non_differentiable: set[int] = set()
        self._released = False
        self._node: FunctionNode | None = None
        self.materialize_grads = True

    def save_for_backward(self, *tensors) -> None:
        self._saved = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        self._non_differentiable.update(id(t) for t in tensors)

    def mark_dirty(self, *tensors) -> None:
        """Accepted for PyTorch compatibility: tritorch detects in-place outputs itself."""

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
                where = self._node.name() if self._node is not None else "a custom Function"
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
        ctx._node = self

    def name(self) -> str:
        """PyTorch's names: built-in ops give e.g. `MulBackward0`, custom Functions `MyFnBackward`."""
        cls = self.fn_cls
        if getattr(self.ctx, "node_name", None) or cls.node_name:
            return getattr(self.ctx, "node_name", None) or cls.node_name
        builtin = cls.__module__.startswith("tritorch.")
        return f"{cls.__name__}Backward{'0' if builtin else ''}"

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

    @staticmethod
    def forward(ctx: Context, *args, **kwargs):
        raise NotImplementedError("a Function subclass must implement forward(ctx, ...)")

    @staticmethod
    def backward(ctx: Context, *grad_outputs):
        raise NotImplementedError("a Function subclass must implement backward(ctx, ...) to be differentiated")

    @classmethod
    def apply(cls, *args, **kwargs):
        from ..tensor import Tensor  # autograd sits above tensor.py; the import is lazy to keep Tensor's module light
        needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        if cls.inplace and is_grad_enabled():
            check_inplace_allowed(args[0])
        ctx = Context()
        ctx.needs_input_grad = needs
        with no_grad():
            out = cls.forward(ctx, *args, **kwargs)
        ctx._snapshot_versions()
        if not (is_grad_enabled() and any(needs)):
            return out
        edges = tuple(edge_of(a) if n else (None, 0) for a, n in zip(args, needs))
        node = FunctionNode(cls, ctx, edges)
        _attach(out, node, ctx, args)
        return out


def _attach(out, node: FunctionNode, ctx: Context, args) -> None:
    """Make `node` the grad_fn of each differentiable output (rebasing in-place outputs)."""
    outputs = out if isinstance(out, tuple) else (out,)
    for i, t in enumerate(outputs):
        if t is None or not hasattr(t, "grad_fn"):
            node.output_meta.append(None)
            continue
        node.output_meta.append((tuple(t.shape), t.dtype, t.device))
        if id(t) in ctx._non_differentiable or not t.dtype.is_floating_point:
            continue
        if any(t is a for a in args):
            check_inplace_allowed(t)
        t.grad_fn, t._output_nr, t.requires_grad = node, i, True


def check_inplace_allowed(t) -> None:
    """PyTorch forbids in-place changes of a leaf that requires grad (or of a view of one)."""
    if t.grad_fn is None and t.requires_grad:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    base = getattr(t, "_base", None)
    if base is not None and base.grad_fn is None and base.requires_grad:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
