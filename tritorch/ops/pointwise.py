"""The pointwise machinery every elementwise op is built on (`ops/elementwise.py`, and ops of
the same shape: activations, ...): check and promote operands, allocate or check the tensor a
result is written to, run a `Function` out of place or in place, register the public names.

Every op follows one path: check the operands, promote them as PyTorch does
(`dtypes.result_type`: dimensioned tensors, then 0-dim tensors, then Python scalars), cast the
tensors to the compute dtype and broadcast them to the result's shape as stride-0 views
(`prepare`), then hand them to one primitive of the backend's `elementwise` family, which writes
a tensor allocated here, the `out=` tensor, or `self` for an in-place op (`target`).

Differentiable ops are `Function`s whose forward receives those prepared operands (one shape,
one dtype), so their backward needs no broadcasting logic: the cast and the expand before them
are differentiable ops of their own, whose backward casts back and sums. Backward formulas are
Tensor ops, so `create_graph=True` differentiates them again. The tensor written is the keyword
`out`, not an input of the graph; an in-place op instead runs the Function's in-place version
(`inplace_version`), whose first positional argument is `self`, uncast: autograd then records
the write on self (rebasing a view's base through CopySlices), and forward reads self at the
compute dtype itself.

`Unary` and `Binary` are the base Functions of one- and two-operand ops; `unary` and `binary`
run one from its public function (or, given a primitive's op name, an op no gradient flows
through); `register_unary` and `register_binary` declare `tritorch.<name>`, `Tensor.<name>`
and `Tensor.<name>_` at once.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .. import dtypes
from ..autograd import Context, Function
from ..autograd.function import check_inplace_allowed
from ..autograd.grad_mode import enable_grad, is_grad_enabled
from ..device import device as Device
from ..tensor import Tensor
from . import common
from .creation import tensor
from .registry import function, method

_INT64 = (-2 ** 63, 2 ** 63 - 1)
_KIND_NAMES = {"b": "bool", "u": "unsigned", "i": "integer", "f": "floating point"}


# --- operands, targets ------------------------------------------------------------------------

class Prepared(NamedTuple):
    operands: tuple  # tensors cast to `dtype` and expanded to `shape`, scalars and None as
    #                  given; an in-place op's self (the first) as given too
    shape: tuple[int, ...]
    dtype: dtypes.DType  # the compute dtype
    device: Device


_OPTIONAL = ("min", "max")  # clamp's bounds may be absent; every other operand must be given


def as_operand(name: str, arg: str, x):
    """x checked: a Tensor, a Python number (numpy scalars become Python numbers), or None for
    an optional bound."""
    if isinstance(x, Tensor) or (x is None and arg in _OPTIONAL):
        return x
    if isinstance(x, np.generic) and common.is_scalar(x):
        x = x.item()
    if not common.is_scalar(x):
        raise TypeError(f"{name}(): argument '{arg}' must be a Tensor or a number, not {type(x).__name__}")
    if isinstance(x, int) and not isinstance(x, bool) and not _INT64[0] <= x <= _INT64[1]:
        raise OverflowError(f"{name}(): Python int {x} is too big to convert to int64")
    return x


def check_kind(name: str, dtype: dtypes.DType, allowed: str) -> None:
    """Reject a compute dtype outside `allowed` ('b' bool, 'u'/'i' integer, 'f' floating)."""
    if dtype.kind not in allowed:
        expected = " or ".join(dict.fromkeys(_KIND_NAMES[k] for k in allowed))
        raise TypeError(f"{name}: dtype {dtype.name} is not supported (expected {expected} tensors)")


def check_fits(name: str, value, dtype: dtypes.DType) -> None:
    """Where PyTorch converts a scalar with a range check (pow's exponent, clamp's bounds,
    where's and masked_fill's values) rather than wrapping it around, so does tritorch."""
    if not common.is_scalar(value) or dtype is dtypes.bool_:
        return
    info = dtypes.finfo(dtype) if dtype.is_floating_point else dtypes.iinfo(dtype)
    low = -info.max if dtype.kind == "u" else info.min  # negatives wrap into unsigned types
    finite = math.isfinite(value)
    if (finite and not low <= value <= info.max) or (not finite and not dtype.is_floating_point):
        raise RuntimeError(f"{name}: value {value} cannot be converted to type {dtype.name} without overflow")


def expand(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    return x if tuple(x.shape) == shape else x.expand(shape)


def prepare(name: str, operands: dict, *, compute=None, also: tuple[Tensor, ...] = (),
            inplace: bool = False) -> Prepared:
    """Check, promote, cast and broadcast `operands` (argument name -> Tensor, scalar or None).

    `compute` is the compute dtype, or a function of the promoted dtype giving it (default:
    the promoted dtype itself). Tensors in `also` join the broadcast and the device check only.
    A 0-dim cpu tensor operand moves to the device of the others, as in PyTorch.
    For an in-place op the first operand is self, returned as given: the op's in-place Function
    reads it at the compute dtype (`target` checks that it has the broadcast shape)."""
    fast = _prepare_common(tuple(operands.values()), compute, also, inplace)
    if fast is not None:
        return fast
    operands = {arg: as_operand(name, arg, x) for arg, x in operands.items()}
    present = [x for x in operands.values() if x is not None]
    tensors = [x for x in present if isinstance(x, Tensor)] + list(also)
    if not tensors:
        raise TypeError(f"{name}(): expected at least one Tensor argument, got "
                        f"{', '.join(type(x).__name__ for x in present)}")
    values = list(operands.values())
    written = values[:1] if inplace else []
    device = common.operand_device([x for x in values[len(written):] if isinstance(x, Tensor)],
                                   written + list(also))
    if isinstance(compute, dtypes.DType):
        dtype = compute
    else:
        dtype = dtypes.result_type(*present)
        dtype = dtype if compute is None else compute(dtype)
    shape = common.broadcast_shapes(*(t.shape for t in tensors))
    cast = [expand(x.to(dtype=dtype, device=device), shape) if isinstance(x, Tensor) else x for x in values[len(written):]]
    return Prepared(tuple(written + cast), shape, dtype, device)


_KEEPS_FLOAT = (float, int, bool)  # scalars that leave a floating tensor's dtype as it is
_KEEPS_INTEGER = (int, bool)


def _prepare_common(values: tuple, compute, also: tuple, inplace: bool) -> Prepared | None:
    """`prepare` for the common case, at a fraction of its cost: tensors of one dtype on one
    device, or one tensor and a Python number that does not change its dtype. None sends every
    other case down the general path."""
    if also:
        return None
    first = values[0]
    if type(first) is not Tensor:
        return None
    dtype, shape, device = first.dtype, first._shape, first._storage.device
    broadcast = False
    for x in values[1:]:
        if type(x) is Tensor:
            other = x._storage.device
            if x.dtype is not dtype or (other is not device and other != device):
                return None
            broadcast = broadcast or x._shape != shape
        elif type(x) not in (_KEEPS_FLOAT if dtype.kind == "f" else _KEEPS_INTEGER if dtype.kind in "iu" else ()):
            return None
        elif type(x) is int and not _INT64[0] <= x <= _INT64[1]:
            return None
    if isinstance(compute, dtypes.DType):
        if compute is not dtype and inplace:
            return None
        dtype = compute
    elif compute is not None:
        dtype = compute(dtype)
    if dtype is not first.dtype:
        if inplace:
            return None
        values = tuple(x.to(dtype) if type(x) is Tensor else x for x in values)
    if broadcast:
        shape = common.broadcast_shapes(*(x.shape for x in values if type(x) is Tensor))
        if inplace and first.shape != shape:
            return None  # `target` words the error
        values = values[:1] + tuple(expand(x, shape) if type(x) is Tensor else x for x in values[1:])
        if not inplace:
            values = (expand(values[0], shape),) + values[1:]
    return Prepared(values, tuple(shape), dtype, device)


def _check_out_not_differentiated(name: str, out: Tensor, inputs: tuple) -> None:
    """PyTorch does not differentiate ops with out=: it refuses them when anything requires
    grad (a result written into out= could not carry the op's history into out's base)."""
    tensors = (out,) + tuple(x for x in inputs if isinstance(x, Tensor))
    if is_grad_enabled() and any(t.requires_grad for t in tensors):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")


def target(name: str, out: Tensor | None, shape, dtype: dtypes.DType, device: Device,
           inplace: bool = False, inputs: tuple = ()) -> Tensor:
    """The tensor a result of `shape` and `dtype` is written to: a new one, `out=` or, for an
    in-place op, `out` is self and must already have the broadcast shape. `inputs` are the
    op's operands (out= refuses them when they require grad). Its version is bumped here,
    before the write, so that a Function saving it records the new version."""
    if out is None:
        return common.empty(shape, dtype, device)
    if not inplace:
        common.check_out(name, out, shape, dtype, device)
        _check_out_not_differentiated(name, out, inputs)
    elif tuple(out.shape) != tuple(shape):
        raise RuntimeError(f"{name}: output with shape {list(out.shape)} doesn't match the "
                           f"broadcast shape {list(shape)}")
    elif not dtypes.can_cast(dtype, out.dtype):
        raise RuntimeError(f"{name}: result type {dtype.name} can't be cast to the desired "
                           f"output type {out.dtype.name}")
    common.check_writable(name, out)
    if inplace and is_grad_enabled():
        check_inplace_allowed(out)  # before the version bump: a refused write leaves self as it was
    common.bump_version(out)
    return out


def array(x):
    """What a primitive takes for an operand: a tensor's view, or the scalar itself."""
    return x.array if isinstance(x, Tensor) else x


def launch_binary(op: str, a, b, out: Tensor, alpha=1) -> Tensor:
    out.backend.elementwise.binary(op, array(a), array(b), out.array, alpha)
    return out


def launch_unary(op: str, x: Tensor, out: Tensor) -> Tensor:
    out.backend.elementwise.unary(op, x.array, out.array)
    return out


def save(ctx: Context, out: Tensor, operands: tuple = (), keep: tuple[bool, ...] | None = None,
         result: bool | None = None) -> None:
    """Save, before the write, what backward needs: each tensor operand whose `keep` is True
    (default: all of them when any input needs a gradient; None in the other slots), then, if
    `result` is not None, a slot for the output (filled when `result`). Scalar operands go to
    `ctx.scalars` (None in a tensor's slot). A kept operand sharing storage with `out` (an
    in-place op) is saved as a copy of its values before the write; the copy is recorded, so
    that the gradient computed from it is differentiable again (create_graph=True). Nothing
    is saved when no input needs a gradient: no graph node is made, so backward never runs."""
    if not any(ctx.needs_input_grad):
        return
    if keep is None:
        keep = (True,) * len(operands)

    def kept(x, wanted: bool):
        if not wanted or not isinstance(x, Tensor):
            return None
        if x.untyped_storage() is not out.untyped_storage():
            return x
        with enable_grad():
            return x.clone()
    saved = tuple(kept(x, k) for x, k in zip(operands, keep))
    ctx.save_for_backward(*saved, *(() if result is None else (out if result else None,)))
    ctx.scalars = tuple(None if isinstance(x, Tensor) else x for x in operands)


def saved_operands(ctx: Context) -> tuple:
    """The operands as forward saw them: saved tensors and scalars (None where not kept)."""
    return tuple(t if t is not None else s for t, s in zip(ctx.saved_tensors, ctx.scalars))


def to_float(dtype: dtypes.DType) -> dtypes.DType:
    """The dtype integer and bool inputs of a floating-only op are computed in."""
    return dtype if dtype.is_floating_point else dtypes.get_default_dtype()


def zeros_like(grad: Tensor) -> Tensor:
    return grad.new_zeros(tuple(grad.shape))


# --- in-place versions --------------------------------------------------------------------------

class _InPlace:
    """Mixed into a Function to make its in-place version (see `inplace_version`)."""
    inplace = True

    @classmethod
    def forward(cls, ctx: Context, self: Tensor, *operands, dtype: dtypes.DType, **options):
        # The cast is recorded so that a copy of self saved for backward keeps self's old
        # history, as the result of `self.to(dtype)` before an out-of-place op would.
        with enable_grad():
            x = self.to(dtype)
        return super().forward(ctx, x, *operands, out=self, **options)


@functools.cache
def inplace_version(fn: type[Function]) -> type[Function]:
    """The in-place version of Function `fn`: `apply(self, *operands, dtype=compute dtype,
    **options)` writes fn's result into self (converting it to self's dtype) and returns self;
    its graph node has fn's name, as in PyTorch (`add_` records AddBackward0)."""
    return type(fn.__name__, (_InPlace, fn), {"__module__": fn.__module__, "__doc__": f"In-place {fn.__name__}."})


class NoGradient(Function):
    """An op no gradient flows through (a comparison, logical or bitwise op), for its in-place
    form only: written into a floating self, it gives self's old values a zero gradient and
    its other operands none, as PyTorch does (`y.eq_(z)` records EqBackward)."""

    @staticmethod
    def forward(ctx: Context, x: Tensor, *operands, op: str, out: Tensor) -> Tensor:
        ctx.node_name = "".join(word.capitalize() for word in op.split("_")) + "Backward0"
        ctx.n_others = len(operands)
        if operands:
            return launch_binary(op, x, operands[0], out)
        return launch_unary(op, x, out)

    @staticmethod
    def backward(ctx: Context, grad: Tensor):
        return (zeros_like(grad),) + (None,) * ctx.n_others


# --- Functions of one and two operands ---------------------------------------------------------

class Unary(Function):
    """One tensor in, one out. `op` names the primitive's op; `saves` what `derivative` gets:
    the 'input', the 'output' or 'none'."""
    op = ""
    saves = "none"

    @classmethod
    def forward(cls, ctx: Context, x: Tensor, *, out: Tensor) -> Tensor:
        needed = ctx.needs_input_grad[0]
        if cls.saves == "input":
            save(ctx, out, (x,), keep=(needed,))
        elif cls.saves == "output":
            save(ctx, out, result=needed)
        return launch_unary(cls.op, x, out)

    @classmethod
    def backward(cls, ctx: Context, grad: Tensor):
        saved = ctx.saved_tensors
        return cls.derivative(grad, saved[0] if saved else None)

    @staticmethod
    def derivative(grad: Tensor, saved: Tensor | None) -> Tensor:
        """The gradient of the input, from the output's and the saved input or output."""
        raise NotImplementedError


class Binary(Function):
    """Two operands (tensors of one shape and dtype, or a scalar) in, one tensor out; both
    saved when a gradient is needed, unless `keeps` says which. `derivatives` gives the
    gradient of each operand that needs one."""
    op = ""

    @staticmethod
    def keeps(needs: tuple[bool, ...]) -> tuple[bool, bool] | None:
        return None

    @classmethod
    def forward(cls, ctx: Context, a, b, *, out: Tensor) -> Tensor:
        save(ctx, out, (a, b), keep=cls.keeps(ctx.needs_input_grad))
        return launch_binary(cls.op, a, b, out)

    @classmethod
    def backward(cls, ctx: Context, grad: Tensor):
        a, b = saved_operands(ctx)
        return cls.derivatives(grad, a, b, ctx.needs_input_grad)

    @staticmethod
    def derivatives(grad: Tensor, a, b, needs: tuple[bool, ...]) -> tuple:
        raise NotImplementedError


# --- drivers: prepare, check, write -----------------------------------------------------------

def apply(fn: type[Function], operands: tuple, dest: Tensor, dtype: dtypes.DType, inplace: bool,
          **options) -> Tensor:
    """Run Function `fn` on prepared operands, writing `dest`; an in-place op runs fn's
    in-place version, whose first operand is self (which is `dest`)."""
    if inplace:
        return inplace_version(fn).apply(*operands, dtype=dtype, **options)
    return fn.apply(*operands, out=dest, **options)


def unary(name: str, fn, input: Tensor, out: Tensor | None, inplace: bool = False, *,
          kinds: str = "buif", floating: bool = False, result: dtypes.DType | None = None,
          **options) -> Tensor:
    """Run a unary op. `fn` is a Function subclass (given `options`), or the op name of a
    primitive that no gradient flows through; `floating` computes integer inputs in the default
    float dtype; `result` is the result dtype when it is not the compute dtype (bool for isnan)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be a Tensor, not {type(input).__name__}")
    check_kind(name, input.dtype, kinds)
    dtype = to_float(input.dtype) if floating else input.dtype
    dest = target(name, out, tuple(input.shape), result or dtype, input.device, inplace, (input,))
    if isinstance(fn, str):
        if inplace:
            return apply(NoGradient, (input,), dest, dtype, inplace, op=fn)
        return launch_unary(fn, input.to(dtype), dest)
    return apply(fn, (input if inplace else input.to(dtype),), dest, dtype, inplace, **options)


def binary(name: str, fn, input, other, out: Tensor | None, inplace: bool = False, *,
           kinds: str = "buif", compute=None, result: dtypes.DType | None = None,
           **options) -> Tensor:
    """Run a binary op (see `unary` for `fn` and `result`; `compute` as in `prepare`)."""
    p = prepare(name, {"input": input, "other": other}, compute=compute, inplace=inplace)
    check_kind(name, p.dtype, kinds)
    dest = target(name, out, p.shape, result or p.dtype, p.device, inplace, p.operands)
    if isinstance(fn, str):
        if inplace:
            return apply(NoGradient, p.operands, dest, p.dtype, inplace, op=fn)
        return launch_binary(fn, *p.operands, dest)
    return apply(fn, p.operands, dest, p.dtype, inplace, **options)


# --- registration ----------------------------------------------------------------------------

def register_unary(name: str, run: Callable, doc: str) -> None:
    """`tritorch.<name>`, `Tensor.<name>` and `Tensor.<name>_`, computed by
    `run(op_name, input, out, inplace)`."""
    def op(input: Tensor, *, out: Tensor | None = None) -> Tensor:
        return run(name, input, out, False)

    def op_(self: Tensor) -> Tensor:
        return run(name + "_", self, self, True)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    op_.__name__ = op_.__qualname__ = name + "_"
    op_.__doc__ = f"In-place {name}."
    function(op)
    method(name)(op)
    method(name + "_")(op_)


def register_binary(name: str, kinds: str, compute, result, aliases: tuple[str, ...], doc: str):
    """`tritorch.<name>`, `Tensor.<name>` and `Tensor.<name>_` for an op no gradient flows through."""
    def op(input, other, *, out: Tensor | None = None) -> Tensor:
        return binary(name, name, input, other, out, kinds=kinds, compute=compute, result=result)

    def op_(self: Tensor, other) -> Tensor:
        return binary(name + "_", name, self, other, self, inplace=True, kinds=kinds,
                      compute=compute, result=result)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    op_.__name__ = op_.__qualname__ = name + "_"
    function(op, aliases=aliases)
    method(name, *aliases)(op)
    method(name + "_")(op_)
    return op, op_


def operator_method(fn: Callable, reflected: bool = False) -> Callable:
    """A Tensor dunder: NotImplemented for operands that are neither tensors nor numbers, so
    Python can try the other side (and `t == None` is False)."""
    def op(self: Tensor, other):
        if isinstance(other, np.ndarray):  # as PyTorch: the array joins as a tensor
            other = tensor(other, device=self.device)
        if not isinstance(other, Tensor) and not common.is_scalar(other):
            return NotImplemented
        return fn(other, self) if reflected else fn(self, other)
    return op
