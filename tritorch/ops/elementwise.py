"""Elementwise ops: arithmetic, math functions, comparisons, logical and bitwise ops, selection.

Every op follows one path: check the operands, promote them as PyTorch does
(`dtypes.result_type`: dimensioned tensors, then 0-dim tensors, then Python scalars), cast the
tensors to the compute dtype and broadcast them to the result's shape as stride-0 views, then
hand them to one primitive of the backend's `elementwise` family, which writes a tensor
allocated here, the `out=` tensor, or `self` for an in-place op.

Differentiable ops are `Function`s whose forward receives those prepared operands (one shape,
one dtype), so their backward needs no broadcasting logic: the cast and the expand before them
are differentiable ops of their own, whose backward casts back and sums. Backward formulas are
Tensor ops, so `create_graph=True` differentiates them again. The tensor written is the keyword
`out`, not an input of the graph; an in-place op instead runs the Function's in-place version
(`inplace_version`), whose first positional argument is `self`, uncast: autograd then records
the write on self (rebasing a view's base through CopySlices), and forward reads self at the
compute dtype itself.
"""
from __future__ import annotations

import functools
import math
import operator
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
from .conversion import copy_into
from .creation import arange, tensor
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


def _as_operand(name: str, arg: str, x):
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


def _check_kind(name: str, dtype: dtypes.DType, allowed: str) -> None:
    """Reject a compute dtype outside `allowed` ('b' bool, 'u'/'i' integer, 'f' floating)."""
    if dtype.kind not in allowed:
        expected = " or ".join(dict.fromkeys(_KIND_NAMES[k] for k in allowed))
        raise TypeError(f"{name}: dtype {dtype.name} is not supported (expected {expected} tensors)")


def _check_fits(name: str, value, dtype: dtypes.DType) -> None:
    """Where PyTorch converts a scalar with a range check (pow's exponent, clamp's bounds,
    where's and masked_fill's values) rather than wrapping it around, so does tritorch."""
    if not common.is_scalar(value) or dtype is dtypes.bool_:
        return
    info = dtypes.finfo(dtype) if dtype.is_floating_point else dtypes.iinfo(dtype)
    low = -info.max if dtype.kind == "u" else info.min  # negatives wrap into unsigned types
    finite = math.isfinite(value)
    if (finite and not low <= value <= info.max) or (not finite and not dtype.is_floating_point):
        raise RuntimeError(f"{name}: value {value} cannot be converted to type {dtype.name} without overflow")


def _expand(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    return x if tuple(x.shape) == shape else x.expand(shape)


def prepare(name: str, operands: dict, *, compute=None, also: tuple[Tensor, ...] = (),
            inplace: bool = False) -> Prepared:
    """Check, promote, cast and broadcast `operands` (argument name -> Tensor, scalar or None).

    `compute` is the compute dtype, or a function of the promoted dtype giving it (default:
    the promoted dtype itself). Tensors in `also` join the broadcast and the device check only.
    For an in-place op the first operand is self, returned as given: the op's in-place Function
    reads it at the compute dtype (`target` checks that it has the broadcast shape)."""
    operands = {arg: _as_operand(name, arg, x) for arg, x in operands.items()}
    present = [x for x in operands.values() if x is not None]
    tensors = [x for x in present if isinstance(x, Tensor)] + list(also)
    if not tensors:
        raise TypeError(f"{name}(): expected at least one Tensor argument, got "
                        f"{', '.join(type(x).__name__ for x in present)}")
    device = common.same_device(*tensors)
    if isinstance(compute, dtypes.DType):
        dtype = compute
    else:
        dtype = dtypes.result_type(*present)
        dtype = dtype if compute is None else compute(dtype)
    shape = common.broadcast_shapes(*(t.shape for t in tensors))
    values = list(operands.values())
    written = values[:1] if inplace else []
    cast = [_expand(x.to(dtype), shape) if isinstance(x, Tensor) else x for x in values[len(written):]]
    return Prepared(tuple(written + cast), shape, dtype, device)


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


def _array(x):
    """What a primitive takes for an operand: a tensor's view, or the scalar itself."""
    return x.array if isinstance(x, Tensor) else x


def _launch_binary(op: str, a, b, out: Tensor, alpha=1) -> Tensor:
    out.backend.elementwise.binary(op, _array(a), _array(b), out.array, alpha)
    return out


def _launch_unary(op: str, x: Tensor, out: Tensor) -> Tensor:
    out.backend.elementwise.unary(op, x.array, out.array)
    return out


def _save(ctx: Context, out: Tensor, operands: tuple = (), keep: tuple[bool, ...] | None = None,
          result: bool | None = None) -> None:
    """Save, before the write, what backward needs: each tensor operand whose `keep` is True
    (default: all of them when any input needs a gradient; None in the other slots), then, if
    `result` is not None, a slot for the output (filled when `result`). Scalar operands go to
    `ctx.scalars` (None in a tensor's slot). A kept operand sharing storage with `out` (an
    in-place op) is saved as a copy of its values before the write; the copy is recorded, so
    that the gradient computed from it is differentiable again (create_graph=True)."""
    if keep is None:
        keep = (any(ctx.needs_input_grad),) * len(operands)

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


def _saved_operands(ctx: Context) -> tuple:
    """The operands as forward saw them: saved tensors and scalars (None where not kept)."""
    return tuple(t if t is not None else s for t, s in zip(ctx.saved_tensors, ctx.scalars))


def _to_float(dtype: dtypes.DType) -> dtypes.DType:
    """The dtype integer and bool inputs of a floating-only op are computed in."""
    return dtype if dtype.is_floating_point else dtypes.get_default_dtype()


def _zeros_like(grad: Tensor) -> Tensor:
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
            return _launch_binary(op, x, operands[0], out)
        return _launch_unary(op, x, out)

    @staticmethod
    def backward(ctx: Context, grad: Tensor):
        return (_zeros_like(grad),) + (None,) * ctx.n_others


# --- differentiable ops: Functions on prepared operands ------------------------------------------

class _Unary(Function):
    """One tensor in, one out. `op` names the primitive's op; `saves` what `derivative` gets:
    the 'input', the 'output' or 'none'."""
    op = ""
    saves = "none"

    @classmethod
    def forward(cls, ctx: Context, x: Tensor, *, out: Tensor) -> Tensor:
        needed = ctx.needs_input_grad[0]
        if cls.saves == "input":
            _save(ctx, out, (x,), keep=(needed,))
        elif cls.saves == "output":
            _save(ctx, out, result=needed)
        return _launch_unary(cls.op, x, out)

    @classmethod
    def backward(cls, ctx: Context, grad: Tensor):
        saved = ctx.saved_tensors
        return cls.derivative(grad, saved[0] if saved else None)

    @staticmethod
    def derivative(grad: Tensor, saved: Tensor | None) -> Tensor:
        """The gradient of the input, from the output's and the saved input or output."""
        raise NotImplementedError


class Exp(_Unary):
    op, saves = "exp", "output"

    @staticmethod
    def derivative(grad, y):
        return grad * y


class Exp2(_Unary):
    op, saves = "exp2", "output"

    @staticmethod
    def derivative(grad, y):
        return grad * y * math.log(2)


class Expm1(_Unary):
    op, saves = "expm1", "output"

    @staticmethod
    def derivative(grad, y):
        return grad * (y + 1)


class Log(_Unary):
    op, saves = "log", "input"

    @staticmethod
    def derivative(grad, x):
        return grad / x


class Log2(_Unary):
    op, saves = "log2", "input"

    @staticmethod
    def derivative(grad, x):
        return grad / (x * math.log(2))


class Log10(_Unary):
    op, saves = "log10", "input"

    @staticmethod
    def derivative(grad, x):
        return grad / (x * math.log(10))


class Log1p(_Unary):
    op, saves = "log1p", "input"

    @staticmethod
    def derivative(grad, x):
        return grad / (x + 1)


class Sqrt(_Unary):
    op, saves = "sqrt", "output"

    @staticmethod
    def derivative(grad, y):
        return grad / (2 * y)


class Rsqrt(_Unary):
    op, saves = "rsqrt", "output"

    @staticmethod
    def derivative(grad, y):
        return -0.5 * grad * y.pow(3)


class Reciprocal(_Unary):
    op, saves = "reciprocal", "output"

    @staticmethod
    def derivative(grad, y):
        return -grad * (y * y)


class Sin(_Unary):
    op, saves = "sin", "input"

    @staticmethod
    def derivative(grad, x):
        return grad * x.cos()


class Cos(_Unary):
    op, saves = "cos", "input"

    @staticmethod
    def derivative(grad, x):
        return grad * -x.sin()


class Tan(_Unary):
    op, saves = "tan", "output"

    @staticmethod
    def derivative(grad, y):
        return grad * (1 + y.pow(2))


class Tanh(_Unary):
    op, saves = "tanh", "output"

    @staticmethod
    def derivative(grad, y):
        return grad * (1 - y * y)


class Sigmoid(_Unary):
    op, saves = "sigmoid", "output"

    @staticmethod
    def derivative(grad, y):
        return grad * (1 - y) * y


class Neg(_Unary):
    op = "neg"

    @staticmethod
    def derivative(grad, _):
        return -grad


class Abs(_Unary):
    op, saves = "abs", "input"

    @staticmethod
    def derivative(grad, x):
        return grad * x.sign()  # 0 at 0, as PyTorch


class Relu(_Unary):
    op, saves = "relu", "output"

    @staticmethod
    def derivative(grad, y):
        return grad.masked_fill(y <= 0, 0)  # 0 at 0; NaN passes the gradient, as PyTorch


class _Piecewise(_Unary):
    """A piecewise-constant function: its gradient is 0 (where it exists), as in PyTorch."""

    @staticmethod
    def derivative(grad, _):
        return _zeros_like(grad)


class Sign(_Piecewise):
    op = "sign"


class Floor(_Piecewise):
    op = "floor"


class Ceil(_Piecewise):
    op = "ceil"


class Trunc(_Piecewise):
    op = "trunc"


class Round(_Piecewise):
    op = "round"


class RoundDecimals(Function):
    @staticmethod
    def forward(ctx: Context, x: Tensor, *, decimals: int, out: Tensor) -> Tensor:
        out.backend.elementwise.round_decimals(x.array, decimals, out.array)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor):
        return _zeros_like(grad)


class _Binary(Function):
    """Two operands (tensors of one shape and dtype, or a scalar) in, one tensor out; both
    saved when a gradient is needed, unless `keeps` says which. `derivatives` gives the
    gradient of each operand that needs one."""
    op = ""

    @staticmethod
    def keeps(needs: tuple[bool, ...]) -> tuple[bool, bool] | None:
        return None

    @classmethod
    def forward(cls, ctx: Context, a, b, *, out: Tensor) -> Tensor:
        _save(ctx, out, (a, b), keep=cls.keeps(ctx.needs_input_grad))
        return _launch_binary(cls.op, a, b, out)

    @classmethod
    def backward(cls, ctx: Context, grad: Tensor):
        a, b = _saved_operands(ctx)
        return cls.derivatives(grad, a, b, ctx.needs_input_grad)

    @staticmethod
    def derivatives(grad: Tensor, a, b, needs: tuple[bool, ...]) -> tuple:
        raise NotImplementedError


class Mul(_Binary):
    op = "mul"

    @staticmethod
    def keeps(needs):
        return needs[1], needs[0]  # d(ab)/da = b, d(ab)/db = a

    @staticmethod
    def derivatives(grad, a, b, needs):
        return grad * b if needs[0] else None, grad * a if needs[1] else None


def _split_ties(grad: Tensor, a, b) -> Tensor:
    """maximum and minimum send half the gradient to each operand where they are equal."""
    return where(eq(a, b), grad / 2, grad)


class Maximum(_Binary):
    op = "maximum"

    @staticmethod
    def derivatives(grad, a, b, needs):
        shared = _split_ties(grad, a, b)
        return (shared.masked_fill(lt(a, b), 0) if needs[0] else None,
                shared.masked_fill(gt(a, b), 0) if needs[1] else None)


class Minimum(_Binary):
    op = "minimum"

    @staticmethod
    def derivatives(grad, a, b, needs):
        shared = _split_ties(grad, a, b)
        return (shared.masked_fill(gt(a, b), 0) if needs[0] else None,
                shared.masked_fill(lt(a, b), 0) if needs[1] else None)


class Remainder(_Binary):
    """a - b * rounded(a / b): the gradient of a is 1, that of b minus the rounded quotient."""
    op, rounding = "remainder", "floor"

    @staticmethod
    def keeps(needs):
        return needs[1], needs[1]

    @classmethod
    def derivatives(cls, grad, a, b, needs):
        return grad if needs[0] else None, -grad * div(a, b, rounding_mode=cls.rounding) if needs[1] else None


class Fmod(Remainder):
    op, rounding = "fmod", "trunc"


def _log_of_scalar(x) -> float:
    """log(x) for a Python number, NaN below 0 as for tensors."""
    return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)


class Pow(_Binary):
    """a ** b; saves a, b and a slot for the result (d(a**b)/db = a**b * log(a)). At a == 0
    with b >= 0 the gradient of b is 0, and b == 0 gives a a zero gradient, as in PyTorch."""
    op = "pow"

    @classmethod
    def forward(cls, ctx: Context, a, b, *, out: Tensor) -> Tensor:
        _save(ctx, out, (a, b), result=ctx.needs_input_grad[1])
        return _launch_binary(cls.op, a, b, out)

    @staticmethod
    def backward(ctx, grad):
        a, b = _saved_operands(ctx)
        result = ctx.saved_tensors[2]
        needs = ctx.needs_input_grad
        return (Pow.base_gradient(grad, a, b) if needs[0] else None,
                Pow.exponent_gradient(grad, a, b, result) if needs[1] else None)

    @staticmethod
    def base_gradient(grad, a, b):
        if not isinstance(b, Tensor):
            return _zeros_like(grad) if b == 0 else grad * (b * a.pow(b - 1))
        return where(b == 0, 0, grad * (b * a.pow(b - 1)))

    @staticmethod
    def exponent_gradient(grad, a, b, result):
        if not isinstance(a, Tensor):
            log_a = _log_of_scalar(a)
            return grad * (where(b >= 0, 0, result * log_a) if a == 0 else result * log_a)
        return grad * where(logical_and(a == 0, b >= 0), 0, result * a.log())


class Add(Function):
    """a + alpha * b."""
    op = "add"

    @classmethod
    def forward(cls, ctx: Context, a, b, *, alpha, out: Tensor) -> Tensor:
        ctx.alpha = alpha
        return _launch_binary(cls.op, a, b, out, alpha)

    @staticmethod
    def backward(ctx, grad):
        needs = ctx.needs_input_grad
        return grad if needs[0] else None, _scaled(grad, ctx.alpha) if needs[1] else None


class Sub(Add):
    """a - alpha * b."""
    op = "sub"

    @staticmethod
    def backward(ctx, grad):
        needs = ctx.needs_input_grad
        return grad if needs[0] else None, _scaled(-grad, ctx.alpha) if needs[1] else None


def _scaled(grad: Tensor, alpha) -> Tensor:
    return grad if alpha == 1 else grad * alpha


class Div(Function):
    """a / b, its quotient rounded toward zero (`trunc`) or down (`floor`). A rounded quotient
    is piecewise constant: both gradients are 0, as in PyTorch."""

    @staticmethod
    def forward(ctx: Context, a, b, *, rounding_mode: str | None, out: Tensor) -> Tensor:
        ctx.rounding_mode = rounding_mode
        needs = ctx.needs_input_grad if rounding_mode is None else (False, False)
        _save(ctx, out, (a, b), keep=(needs[1], needs[0] or needs[1]))
        op = {None: "div", "trunc": "trunc_divide", "floor": "floor_divide"}[rounding_mode]
        return _launch_binary(op, a, b, out)

    @staticmethod
    def backward(ctx, grad):
        needs = ctx.needs_input_grad
        if ctx.rounding_mode is not None:
            return tuple(_zeros_like(grad) if n else None for n in needs)
        a, b = _saved_operands(ctx)
        return grad / b if needs[0] else None, -grad * ((a / b) / b) if needs[1] else None


class Where(Function):
    """a where condition, else b: each branch gets the gradient where it was chosen."""

    @staticmethod
    def forward(ctx: Context, condition: Tensor, a, b, *, out: Tensor) -> Tensor:
        _save(ctx, out, (condition,), keep=(True,))
        out.backend.elementwise.where(condition.array, _array(a), _array(b), out.array)
        return out

    @staticmethod
    def backward(ctx, grad):
        condition, = ctx.saved_tensors
        needs = ctx.needs_input_grad
        return (None, where(condition, grad, 0) if needs[1] else None,
                where(condition, 0, grad) if needs[2] else None)


class MaskedFill(Function):
    """x with `value` where mask: x gets the gradient elsewhere, value where mask."""

    @staticmethod
    def forward(ctx: Context, x: Tensor, mask: Tensor, value, *, out: Tensor) -> Tensor:
        _save(ctx, out, (mask,), keep=(True,))
        out.backend.elementwise.where(mask.array, _array(value), x.array, out.array)
        return out

    @staticmethod
    def backward(ctx, grad):
        mask, = ctx.saved_tensors
        needs = ctx.needs_input_grad
        return (grad.masked_fill(mask, 0) if needs[0] else None, None,
                where(mask, grad, 0) if needs[2] else None)


class Clamp(Function):
    """min(max(x, lo), hi), each bound a tensor, a scalar or None. PyTorch's gradients: x gets
    it where lo <= x <= hi (bounds included); lo where x < lo < hi; hi where x > hi or hi < lo
    (hi wins when the bounds cross)."""

    @staticmethod
    def forward(ctx: Context, x: Tensor, lo, hi, *, out: Tensor) -> Tensor:
        _save(ctx, out, (x, lo, hi))
        out.backend.elementwise.clamp(x.array, _array(lo), _array(hi), out.array)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, lo, hi = _saved_operands(ctx)
        needs = ctx.needs_input_grad
        x_inside = _both(_compare(operator.ge, x, lo), _compare(operator.le, x, hi))
        lo_wins = _both(_compare(operator.lt, x, lo), _compare(operator.lt, lo, hi))
        hi_wins = _either(_compare(operator.gt, x, hi), _compare(operator.lt, hi, lo))
        return (_passed(grad, x_inside) if needs[0] else None, _passed(grad, lo_wins) if needs[1] else None,
                _passed(grad, hi_wins) if needs[2] else None)


def _compare(op: Callable, a, b):
    """op(a, b): a bool tensor, or a Python bool for two scalar bounds; None when a bound is
    missing (the comparison does not constrain then)."""
    return None if a is None or b is None else op(a, b)


def _both(p, q):
    """p and q, where a missing comparison (None) does not constrain."""
    if p is None or q is None:
        return q if p is None else p
    return p & q


def _either(p, q):
    """p or q, where a missing comparison (None) counts as False."""
    if p is None or q is None:
        return q if p is None else p
    return p | q


def _passed(grad: Tensor, condition) -> Tensor:
    """grad where condition (a bool tensor, a Python bool, or None: always), else 0."""
    if condition is None or condition is True:
        return grad
    if condition is False:
        return _zeros_like(grad)
    return where(condition, grad, 0)


class Lerp(Function):
    """a + weight * (end - a)."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, b: Tensor, weight, *, out: Tensor) -> Tensor:
        needs = ctx.needs_input_grad
        _save(ctx, out, (a, b, weight), keep=(needs[2], needs[2], needs[0] or needs[1]))
        out.backend.elementwise.lerp(a.array, b.array, _array(weight), out.array)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, weight = _saved_operands(ctx)
        needs = ctx.needs_input_grad
        return (grad * (1 - weight) if needs[0] else None, grad * weight if needs[1] else None,
                grad * (b - a) if needs[2] else None)


# --- drivers: prepare, check, write -----------------------------------------------------------

def _apply(fn: type[Function], operands: tuple, dest: Tensor, dtype: dtypes.DType, inplace: bool,
           **options) -> Tensor:
    """Run Function `fn` on prepared operands, writing `dest`; an in-place op runs fn's
    in-place version, whose first operand is self (which is `dest`)."""
    if inplace:
        return inplace_version(fn).apply(*operands, dtype=dtype, **options)
    return fn.apply(*operands, out=dest, **options)


def _unary(name: str, fn, input: Tensor, out: Tensor | None, inplace: bool = False, *,
           kinds: str = "buif", floating: bool = False, result: dtypes.DType | None = None,
           **options) -> Tensor:
    """Run a unary op. `fn` is a Function subclass (given `options`), or the op name of a
    primitive that no gradient flows through; `floating` computes integer inputs in the default
    float dtype; `result` is the result dtype when it is not the compute dtype (bool for isnan)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be a Tensor, not {type(input).__name__}")
    _check_kind(name, input.dtype, kinds)
    dtype = _to_float(input.dtype) if floating else input.dtype
    dest = target(name, out, tuple(input.shape), result or dtype, input.device, inplace, (input,))
    if isinstance(fn, str):
        if inplace:
            return _apply(NoGradient, (input,), dest, dtype, inplace, op=fn)
        return _launch_unary(fn, input.to(dtype), dest)
    return _apply(fn, (input if inplace else input.to(dtype),), dest, dtype, inplace, **options)


def _binary(name: str, fn, input, other, out: Tensor | None, inplace: bool = False, *,
            kinds: str = "buif", compute=None, result: dtypes.DType | None = None,
            **options) -> Tensor:
    """Run a binary op (see `_unary` for `fn` and `result`; `compute` as in `prepare`)."""
    p = prepare(name, {"input": input, "other": other}, compute=compute, inplace=inplace)
    _check_kind(name, p.dtype, kinds)
    dest = target(name, out, p.shape, result or p.dtype, p.device, inplace, p.operands)
    if isinstance(fn, str):
        if inplace:
            return _apply(NoGradient, p.operands, dest, p.dtype, inplace, op=fn)
        return _launch_binary(fn, *p.operands, dest)
    return _apply(fn, p.operands, dest, p.dtype, inplace, **options)


# --- unary math -------------------------------------------------------------------------------

_FLOAT_UNARY = (Exp, Exp2, Expm1, Log, Log2, Log10, Log1p, Sqrt, Rsqrt, Reciprocal,
                Sin, Cos, Tan, Tanh, Sigmoid)


def _register_unary(name: str, run: Callable, doc: str) -> None:
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


def _floating_unary(fn: type[_Unary]) -> Callable:
    def run(name: str, input: Tensor, out: Tensor | None, inplace: bool) -> Tensor:
        return _unary(name, fn, input, out, inplace, floating=True)
    return run


for _fn in _FLOAT_UNARY:
    _register_unary(_fn.op, _floating_unary(_fn), f"Elementwise {_fn.op}. Integer and bool inputs are "
                    "computed in the default float dtype, as in PyTorch.")


def _neg(name: str, input: Tensor, out: Tensor | None, inplace: bool = False) -> Tensor:
    if isinstance(input, Tensor) and input.dtype is dtypes.bool_:
        raise TypeError(f"{name}: negation, the `-` operator, on a bool tensor is not supported. "
                        "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    return _unary(name, Neg, input, out, inplace)


@function(aliases=("negative",))
@method("neg", "negative")
def neg(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """-input (not for bool tensors: use `~` or `logical_not`)."""
    return _neg("neg", input, out)


@method("neg_", "negative_")
def neg_(self: Tensor) -> Tensor:
    return _neg("neg_", self, self, inplace=True)


@function(name="abs", aliases=("absolute",))
@method("abs", "absolute")
def absolute(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """|input| for numeric tensors (integer minimum values wrap, as in PyTorch)."""
    return _unary("abs", Abs, input, out, kinds="uif")


@method("abs_", "absolute_")
def absolute_(self: Tensor) -> Tensor:
    return _unary("abs_", Abs, self, self, inplace=True, kinds="uif")


@function
@method()
def relu(input: Tensor) -> Tensor:
    """max(input, 0); NaN stays NaN. Not for bool tensors."""
    return _unary("relu", Relu, input, None, kinds="uif")


@function
@method()
def relu_(self: Tensor) -> Tensor:
    return _unary("relu_", Relu, self, self, inplace=True, kinds="uif")


@function
@method()
def sign(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """-1, 0 or 1 by the sign of input (0 for NaN, as PyTorch on the cpu); bool stays bool."""
    return _unary("sign", Sign, input, out)


@method()
def sign_(self: Tensor) -> Tensor:
    return _unary("sign_", Sign, self, self, inplace=True)


def _integral_round(name: str, fn, input: Tensor, out: Tensor | None, inplace: bool = False) -> Tensor:
    """floor/ceil/round/trunc: integers are already whole, so they are copied."""
    if isinstance(input, Tensor) and input.dtype.kind in "ui":
        dest = target(name, out, tuple(input.shape), input.dtype, input.device, inplace, (input,))
        if dest is not input:
            copy_into(input, dest)
        return dest
    return _unary(name, fn, input, out, inplace, kinds="uif")


def _rounding(fn: type[_Unary]) -> Callable:
    def run(name: str, input: Tensor, out: Tensor | None, inplace: bool) -> Tensor:
        return _integral_round(name, fn, input, out, inplace)
    return run


_register_unary("floor", _rounding(Floor), "The largest whole number <= input (integers unchanged).")
_register_unary("ceil", _rounding(Ceil), "The smallest whole number >= input (integers unchanged).")
_register_unary("trunc", _rounding(Trunc), "input rounded toward zero (integers unchanged).")


def _round(name: str, input: Tensor, decimals: int, out: Tensor | None, inplace: bool = False) -> Tensor:
    if decimals == 0:
        return _integral_round(name, Round, input, out, inplace)
    if isinstance(input, Tensor) and not input.dtype.is_floating_point:
        raise TypeError(f"{name}: decimals={decimals} is not supported for dtype {input.dtype.name} "
                        "(only floating point tensors)")
    return _unary(name, RoundDecimals, input, out, inplace, decimals=decimals)


@function(name="round")
@method("round")
def round_half_even(input: Tensor, *, decimals: int = 0, out: Tensor | None = None) -> Tensor:
    """input rounded to `decimals` decimal places, halves to even (PyTorch's `round`)."""
    return _round("round", input, decimals, out)


@method("round_")
def round_half_even_(self: Tensor, *, decimals: int = 0) -> Tensor:
    return _round("round_", self, decimals, self, inplace=True)


def _register_test(name: str, doc: str):
    """`tritorch.<name>` and `Tensor.<name>` for a bool-valued test of each element."""
    def test(input: Tensor) -> Tensor:
        return _unary(name, name, input, None, result=dtypes.bool_)
    test.__name__ = test.__qualname__ = name
    test.__doc__ = doc
    return function(method()(test))


isnan = _register_test("isnan", "True where input is NaN (never for integers).")
isinf = _register_test("isinf", "True where input is +inf or -inf.")
isfinite = _register_test("isfinite", "True where input is neither NaN nor infinite.")


@function
@method()
def logical_not(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """True where input is zero (any dtype in; bool out, or out='s dtype)."""
    return _unary("logical_not", "logical_not", input, out, result=dtypes.bool_)


@method()
def logical_not_(self: Tensor) -> Tensor:
    return _unary("logical_not_", "logical_not", self, self, inplace=True, result=dtypes.bool_)


@function
@method()
def bitwise_not(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """~input for integer tensors; logical not for bool tensors."""
    return _unary("bitwise_not", "bitwise_not", input, out, kinds="bui")


@method()
def bitwise_not_(self: Tensor) -> Tensor:
    return _unary("bitwise_not_", "bitwise_not", self, self, inplace=True, kinds="bui")


# --- binary arithmetic ------------------------------------------------------------------------

def _check_alpha(name: str, alpha, dtype: dtypes.DType) -> None:
    if not common.is_scalar(alpha):
        raise TypeError(f"{name}(): alpha must be a number, not {type(alpha).__name__}")
    if isinstance(alpha, bool) and dtype is not dtypes.bool_:
        raise TypeError(f"{name}: boolean alpha ({alpha}) is only supported for bool results, "
                        f"the result here is {dtype.name}")
    if not dtype.is_floating_point and dtypes.scalar_dtype(alpha).is_floating_point:
        raise TypeError(f"{name}: for integral input tensors ({dtype.name}), argument alpha "
                        f"must not be a floating point number, got {alpha}")


def _add(name: str, fn: type[Add], input, other, alpha, out, inplace: bool = False) -> Tensor:
    p = prepare(name, {"input": input, "other": other}, inplace=inplace)
    _check_alpha(name, alpha, p.dtype)
    if fn is Sub:
        _check_no_bool_subtraction(name, input, other)
    dest = target(name, out, p.shape, p.dtype, p.device, inplace, p.operands)
    return _apply(fn, p.operands, dest, p.dtype, inplace, alpha=alpha)


def _check_no_bool_subtraction(name: str, input, other) -> None:
    # PyTorch refuses a Python bool operand too, even where promotion would give a number.
    bools = [x.dtype is dtypes.bool_ if isinstance(x, Tensor) else isinstance(x, bool) for x in (input, other)]
    if all(bools):
        raise TypeError(f"{name}: subtraction, the `-` operator, with two bool tensors is not "
                        "supported. Use the `^` or `logical_xor()` operator instead.")
    if any(bools):
        raise TypeError(f"{name}: subtraction, the `-` operator, with a bool tensor is not "
                        "supported. If you are trying to invert a mask, use the `~` or "
                        "`logical_not()` operator instead.")


@function
@method()
def add(input, other, *, alpha=1, out: Tensor | None = None) -> Tensor:
    """input + alpha * other, broadcast and promoted as in PyTorch.

    >>> tritorch.tensor([1, 2]) + 2.5      # tensor([3.5000, 4.5000])
    """
    return _add("add", Add, input, other, alpha, out)


@method()
def add_(self: Tensor, other, *, alpha=1) -> Tensor:
    return _add("add_", Add, self, other, alpha, self, inplace=True)


@function(aliases=("subtract",))
@method("sub", "subtract")
def sub(input, other, *, alpha=1, out: Tensor | None = None) -> Tensor:
    """input - alpha * other (not for bool tensors: use `^` or `logical_xor`)."""
    return _add("sub", Sub, input, other, alpha, out)


@method("sub_", "subtract_")
def sub_(self: Tensor, other, *, alpha=1) -> Tensor:
    return _add("sub_", Sub, self, other, alpha, self, inplace=True)


@function
def rsub(input, other, *, alpha=1) -> Tensor:
    """other - alpha * input."""
    return _add("rsub", Sub, other, input, alpha, None)


@function(aliases=("multiply",))
@method("mul", "multiply")
def mul(input, other, *, out: Tensor | None = None) -> Tensor:
    """input * other."""
    return _binary("mul", Mul, input, other, out)


@method("mul_", "multiply_")
def mul_(self: Tensor, other) -> Tensor:
    return _binary("mul_", Mul, self, other, self, inplace=True)


_ROUNDING_MODES = (None, "trunc", "floor")


def _div(name: str, input, other, rounding_mode, out, inplace: bool = False) -> Tensor:
    if rounding_mode not in _ROUNDING_MODES:
        raise RuntimeError(f"{name} expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found {rounding_mode!r}")
    if rounding_mode is None:
        return _binary(name, Div, input, other, out, inplace, compute=_to_float, rounding_mode=None)
    return _binary(name, Div, input, other, out, inplace, kinds="uif", rounding_mode=rounding_mode)


@function(aliases=("divide",))
@method("div", "divide")
def div(input, other, *, rounding_mode: str | None = None, out: Tensor | None = None) -> Tensor:
    """input / other. True division (integers give the default float dtype) unless
    rounding_mode is 'trunc' (toward zero) or 'floor' (down, as Python's //). Integer division
    by zero raises ZeroDivisionError."""
    return _div("div", input, other, rounding_mode, out)


@method("div_", "divide_")
def div_(self: Tensor, other, *, rounding_mode: str | None = None) -> Tensor:
    return _div("div_", self, other, rounding_mode, self, inplace=True)


@function
@method()
def true_divide(input, other, *, out: Tensor | None = None) -> Tensor:
    """input / other, always true division."""
    return _div("true_divide", input, other, None, out)


@method()
def true_divide_(self: Tensor, other) -> Tensor:
    return _div("true_divide_", self, other, None, self, inplace=True)


@function
@method()
def floor_divide(input, other, *, out: Tensor | None = None) -> Tensor:
    """input // other, rounded down as in Python."""
    return _div("floor_divide", input, other, "floor", out)


@method()
def floor_divide_(self: Tensor, other) -> Tensor:
    return _div("floor_divide_", self, other, "floor", self, inplace=True)


@function
@method()
def remainder(input, other, *, out: Tensor | None = None) -> Tensor:
    """input % other with the sign of other, as Python's %."""
    return _binary("remainder", Remainder, input, other, out, kinds="uif")


@method()
def remainder_(self: Tensor, other) -> Tensor:
    return _binary("remainder_", Remainder, self, other, self, inplace=True, kinds="uif")


@function
@method()
def fmod(input, other, *, out: Tensor | None = None) -> Tensor:
    """The remainder of input / other with the sign of input, as C's fmod."""
    return _binary("fmod", Fmod, input, other, out, kinds="uif")


@method()
def fmod_(self: Tensor, other) -> Tensor:
    return _binary("fmod_", Fmod, self, other, self, inplace=True, kinds="uif")


def _pow(name: str, input, exponent, out, inplace: bool = False) -> Tensor:
    exponent = _as_operand(name, "exponent", exponent)
    if isinstance(input, Tensor):
        if (not input.dtype.is_floating_point and isinstance(exponent, int)
                and not isinstance(exponent, bool) and exponent < 0):
            raise RuntimeError(f"{name}: Integers to negative integer powers are not allowed "
                               f"({input.dtype.name} tensor to the power {exponent}).")
        if common.is_scalar(exponent):
            _check_fits(name, exponent, dtypes.result_type(input, exponent))
    return _binary(name, Pow, input, exponent, out, inplace)


@function(name="pow")
@method("pow")
def power(input, exponent, *, out: Tensor | None = None) -> Tensor:
    """input ** exponent; either may be a scalar. Integer powers wrap around as in PyTorch."""
    return _pow("pow", input, exponent, out)


@method("pow_")
def power_(self: Tensor, exponent) -> Tensor:
    return _pow("pow_", self, exponent, self, inplace=True)


@function
@method()
def square(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """input ** 2 (bool gives int64, as in PyTorch)."""
    return _pow("square", input, 2, out)


@method()
def square_(self: Tensor) -> Tensor:
    return _pow("square_", self, 2, self, inplace=True)


@function
@method()
def maximum(input, other, *, out: Tensor | None = None) -> Tensor:
    """The elementwise larger of input and other; NaN wins."""
    return _binary("maximum", Maximum, input, other, out)


@function
@method()
def minimum(input, other, *, out: Tensor | None = None) -> Tensor:
    """The elementwise smaller of input and other; NaN wins."""
    return _binary("minimum", Minimum, input, other, out)


# --- comparisons, logical and bitwise ops -----------------------------------------------------

def _register_binary(name: str, kinds: str, compute, result, aliases: tuple[str, ...], doc: str):
    """`tritorch.<name>`, `Tensor.<name>` and `Tensor.<name>_` for an op no gradient flows through."""
    def op(input, other, *, out: Tensor | None = None) -> Tensor:
        return _binary(name, name, input, other, out, kinds=kinds, compute=compute, result=result)

    def op_(self: Tensor, other) -> Tensor:
        return _binary(name + "_", name, self, other, self, inplace=True, kinds=kinds,
                       compute=compute, result=result)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    op_.__name__ = op_.__qualname__ = name + "_"
    function(op, aliases=aliases)
    method(name, *aliases)(op)
    method(name + "_")(op_)
    return op, op_


eq, eq_ = _register_binary("eq", "buif", None, dtypes.bool_, (), "input == other, as a bool tensor.")
ne, ne_ = _register_binary("ne", "buif", None, dtypes.bool_, ("not_equal",), "input != other.")
lt, lt_ = _register_binary("lt", "buif", None, dtypes.bool_, ("less",), "input < other.")
le, le_ = _register_binary("le", "buif", None, dtypes.bool_, ("less_equal",), "input <= other.")
gt, gt_ = _register_binary("gt", "buif", None, dtypes.bool_, ("greater",), "input > other.")
ge, ge_ = _register_binary("ge", "buif", None, dtypes.bool_, ("greater_equal",), "input >= other.")
logical_and, logical_and_ = _register_binary(
    "logical_and", "b", dtypes.bool_, dtypes.bool_, (), "Both nonzero (any dtypes in, bool out).")
logical_or, logical_or_ = _register_binary(
    "logical_or", "b", dtypes.bool_, dtypes.bool_, (), "Either nonzero (any dtypes in, bool out).")
logical_xor, logical_xor_ = _register_binary(
    "logical_xor", "b", dtypes.bool_, dtypes.bool_, (), "Exactly one nonzero (any dtypes in, bool out).")
bitwise_and, bitwise_and_ = _register_binary(
    "bitwise_and", "bui", None, None, (), "input & other for integer or bool tensors.")
bitwise_or, bitwise_or_ = _register_binary(
    "bitwise_or", "bui", None, None, (), "input | other for integer or bool tensors.")
bitwise_xor, bitwise_xor_ = _register_binary(
    "bitwise_xor", "bui", None, None, (), "input ^ other for integer or bool tensors.")


@function
@method()
def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """|input - other| <= atol + rtol * |other| elementwise (or equal); both of one dtype."""
    for arg, x in (("input", input), ("other", other)):
        if not isinstance(x, Tensor):
            raise TypeError(f"isclose(): argument '{arg}' must be a Tensor, not {type(x).__name__}")
    if input.dtype is not other.dtype:
        raise TypeError(f"isclose: input dtype {input.dtype.name} did not match other dtype {other.dtype.name}")
    for arg, tol in (("rtol", rtol), ("atol", atol)):
        if tol < 0:
            raise RuntimeError(f"isclose: {arg} must be greater than or equal to zero, but got {tol}")
    p = prepare("isclose", {"input": input, "other": other})
    dest = common.empty(p.shape, dtypes.bool_, p.device)
    a, b = p.operands
    dest.backend.elementwise.isclose(a.array, b.array, float(rtol), float(atol), bool(equal_nan), dest.array)
    return dest


def _all_true(mask: Tensor) -> bool:
    return bool(mask.all().item())


@function
@method()
def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """Whether every element is close (see `isclose`), as a Python bool."""
    return _all_true(isclose(input, other, rtol, atol, equal_nan))


@function
@method()
def equal(input: Tensor, other: Tensor) -> bool:
    """True if both tensors have the same shape and values (compared after promotion)."""
    for arg, x in (("input", input), ("other", other)):
        if not isinstance(x, Tensor):
            raise TypeError(f"equal(): argument '{arg}' must be a Tensor, not {type(x).__name__}")
    return tuple(input.shape) == tuple(other.shape) and _all_true(eq(input, other))


# --- selection: where, clamp, lerp, masked_fill, tril/triu ------------------------------------

def _check_mask(name: str, mask) -> None:
    if not isinstance(mask, Tensor) or mask.dtype is not dtypes.bool_:
        got = f"dtype {mask.dtype.name}" if isinstance(mask, Tensor) else type(mask).__name__
        raise TypeError(f"{name}: expected the condition (mask) to be a bool tensor, but got {got}")


def _select(name: str, condition: Tensor, input, other, out) -> Tensor:
    _check_mask(name, condition)
    p = prepare(name, {"input": input, "other": other}, also=(condition,))
    for value in p.operands:
        _check_fits(name, value, p.dtype)
    dest = target(name, out, p.shape, p.dtype, p.device, inputs=p.operands)
    return Where.apply(_expand(condition, p.shape), *p.operands, out=dest)


@function
def where(condition: Tensor, input, other, *, out: Tensor | None = None) -> Tensor:
    """input where condition is True, else other; input/other may be scalars and promote
    together as in PyTorch."""
    return _select("where", condition, input, other, out)


@method("where")
def where_method(self: Tensor, condition: Tensor, other) -> Tensor:
    """self where condition is True, else other."""
    return _select("where", condition, self, other, None)


def _masked_fill(name: str, input: Tensor, mask: Tensor, value, out, inplace: bool = False) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be a Tensor, not {type(input).__name__}")
    if isinstance(value, Tensor) and value.ndim != 0:
        raise RuntimeError(f"{name} only supports a 0-dimensional value tensor, but got tensor "
                           f"with {value.ndim} dimension(s) (shape {list(value.shape)})")
    return _fill_where(name, input, mask, value, out, inplace)


def _fill_where(name: str, input: Tensor, mask: Tensor, value, out, inplace: bool = False) -> Tensor:
    """input with `value` (converted to input's dtype) where the bool `mask` is True."""
    _check_mask(name, mask)
    p = prepare(name, {"input": input, "value": value}, compute=input.dtype, also=(mask,), inplace=inplace)
    _check_fits(name, p.operands[1], p.dtype)
    dest = target(name, out, p.shape, p.dtype, p.device, inplace, p.operands)
    x, value = p.operands
    return _apply(MaskedFill, (x, _expand(mask, p.shape), value), dest, p.dtype, inplace)


@function
@method()
def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """input with `value` (a scalar or 0-dim tensor, converted to input's dtype) where the bool
    `mask` is True; mask broadcasts."""
    return _masked_fill("masked_fill", input, mask, value, None)


@method()
def masked_fill_(self: Tensor, mask: Tensor, value) -> Tensor:
    return _masked_fill("masked_fill_", self, mask, value, self, inplace=True)


def _clamp(name: str, input: Tensor, min, max, out, inplace: bool = False) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be a Tensor, not {type(input).__name__}")
    if min is None and max is None:
        raise RuntimeError(f"{name}: At least one of 'min' or 'max' must not be None")
    p = prepare(name, {"input": input, "min": min, "max": max}, inplace=inplace)
    for bound in p.operands[1:]:
        _check_fits(name, bound, p.dtype)
    dest = target(name, out, p.shape, p.dtype, p.device, inplace, p.operands)
    return _apply(Clamp, p.operands, dest, p.dtype, inplace)


@function(aliases=("clip",))
@method("clamp", "clip")
def clamp(input: Tensor, min=None, max=None, *, out: Tensor | None = None) -> Tensor:
    """input limited to [min, max]; each bound a scalar, a tensor or None. The result dtype
    promotes with the bounds (`int_tensor.clamp(0.5)` is float). min > max gives max."""
    return _clamp("clamp", input, min, max, out)


@method("clamp_", "clip_")
def clamp_(self: Tensor, min=None, max=None) -> Tensor:
    return _clamp("clamp_", self, min, max, self, inplace=True)


@function
@method()
def clamp_min(input: Tensor, min) -> Tensor:
    """clamp(input, min=min)."""
    return _clamp("clamp_min", input, min, None, None)


@function
@method()
def clamp_max(input: Tensor, max) -> Tensor:
    """clamp(input, max=max)."""
    return _clamp("clamp_max", input, None, max, None)


def _lerp(name: str, input: Tensor, end: Tensor, weight, out, inplace: bool = False) -> Tensor:
    for arg, x in (("input", input), ("end", end)):
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' must be a Tensor, not {type(x).__name__}")
    _check_kind(name, input.dtype, "f")
    if end.dtype is not input.dtype:
        raise TypeError(f"{name}: expected dtype {input.dtype.name} for `end` but got dtype {end.dtype.name}")
    if isinstance(weight, Tensor) and weight.dtype is not input.dtype:
        raise TypeError(f"{name}: expected dtype {input.dtype.name} for `weight` but got dtype {weight.dtype.name}")
    p = prepare(name, {"input": input, "end": end, "weight": weight}, compute=input.dtype, inplace=inplace)
    dest = target(name, out, p.shape, p.dtype, p.device, inplace, p.operands)
    return _apply(Lerp, p.operands, dest, p.dtype, inplace)


@function
@method()
def lerp(input: Tensor, end: Tensor, weight, *, out: Tensor | None = None) -> Tensor:
    """input + weight * (end - input) for floating tensors of one dtype; weight a scalar or a
    tensor of that dtype. All three broadcast."""
    return _lerp("lerp", input, end, weight, out)


@method()
def lerp_(self: Tensor, end: Tensor, weight) -> Tensor:
    return _lerp("lerp_", self, end, weight, self, inplace=True)


def _triangle(name: str, input: Tensor, diagonal: int, lower: bool, out, inplace: bool = False) -> Tensor:
    """Keep the elements on and below (lower) or above the `diagonal`-th diagonal of the last
    two dims; zero the others. The mask is (column - row) compared with diagonal."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be a Tensor, not {type(input).__name__}")
    if input.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions, got shape {list(input.shape)}")
    rows, cols = input.shape[-2:]
    offset = sub(arange(cols, device=input.device), arange(rows, device=input.device).unsqueeze(-1))
    zeroed = gt(offset, diagonal) if lower else lt(offset, diagonal)
    return _fill_where(name, input, zeroed, 0, out, inplace)


@function
@method()
def tril(input: Tensor, diagonal: int = 0, *, out: Tensor | None = None) -> Tensor:
    """The lower triangle (on and below the `diagonal`-th diagonal) of the last two dims."""
    return _triangle("tril", input, diagonal, True, out)


@method()
def tril_(self: Tensor, diagonal: int = 0) -> Tensor:
    return _triangle("tril_", self, diagonal, True, self, inplace=True)


@function
@method()
def triu(input: Tensor, diagonal: int = 0, *, out: Tensor | None = None) -> Tensor:
    """The upper triangle (on and above the `diagonal`-th diagonal) of the last two dims."""
    return _triangle("triu", input, diagonal, False, out)


@method()
def triu_(self: Tensor, diagonal: int = 0) -> Tensor:
    return _triangle("triu_", self, diagonal, False, self, inplace=True)


# --- Python operators -------------------------------------------------------------------------

def _operator(fn: Callable, reflected: bool = False) -> Callable:
    """A Tensor dunder: NotImplemented for operands that are neither tensors nor numbers, so
    Python can try the other side (and `t == None` is False)."""
    def op(self: Tensor, other):
        if isinstance(other, np.ndarray):  # as PyTorch: the array joins as a tensor
            other = tensor(other, device=self.device)
        if not isinstance(other, Tensor) and not common.is_scalar(other):
            return NotImplemented
        return fn(other, self) if reflected else fn(self, other)
    return op


_ARITHMETIC_OPERATORS = {
    "add": (add, add_), "sub": (sub, sub_), "mul": (mul, mul_),
    "truediv": (true_divide, true_divide_), "floordiv": (floor_divide, floor_divide_),
    "mod": (remainder, remainder_), "pow": (power, power_),
    "and": (bitwise_and, bitwise_and_), "or": (bitwise_or, bitwise_or_), "xor": (bitwise_xor, bitwise_xor_),
}
for _dunder, (_fn, _fn_) in _ARITHMETIC_OPERATORS.items():
    method(f"__{_dunder}__")(_operator(_fn))
    method(f"__r{_dunder}__")(_operator(_fn, reflected=True))
    method(f"__i{_dunder}__")(_operator(_fn_))
for _dunder, _fn in {"eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge}.items():
    method(f"__{_dunder}__")(_operator(_fn))
method("__neg__")(neg)
method("__abs__")(absolute)
method("__invert__")(bitwise_not)
