"""Elementwise ops: arithmetic, math functions, comparisons, logical and bitwise ops (the
three-operand selection ops are in ternary.py).

Each op is a `Function` on operands prepared by the pointwise machinery (`pointwise.py`: check,
promote, cast, broadcast, write into a new tensor, `out=` or self), computed by one primitive
of the backend's `elementwise` family; its backward is written in Tensor ops.
"""
from __future__ import annotations

import math
from collections.abc import Callable

from .. import dtypes
from ..autograd import Context, Function
from ..tensor import Tensor
from . import common
from .conversion import copy_into
from .pointwise import (Binary, Unary, apply, as_operand, binary, check_fits, launch_binary, operator_method, prepare, register_binary, register_unary, save,
                        saved_operands, target, to_float, unary, zeros_like)
from .registry import function, method
from .ternary import where

# --- differentiable ops: Functions on prepared operands ------------------------------------------

class Exp(Unary):
    op, saves = "exp", "output"

    @staticmethod
    def derivative(grad, y):
        return grad * y


class Exp2(Unary):
    op, saves = "exp2", "output"

    @staticmethod
    def derivative(grad, y):
        return grad * y * math.log(2)


class Expm1(Unary):
    op, saves = "expm1", "output"

    @staticmethod
    def derivative(grad, y):
        return grad * (y + 1)


class Log(Unary):
    op, saves = "log", "input"

    @staticmethod
    def derivative(grad, x):
        return grad / x


class Log2(Unary):
    op, saves = "log2", "input"

    @staticmethod
    def derivative(grad, x):
        return grad / (x * math.log(2))


class Log10(Unary):
    op, saves = "log10", "input"

    @staticmethod
    def derivative(grad, x):
        return grad / (x * math.log(10))


class Log1p(Unary):
    op, saves = "log1p", "input"

    @staticmethod
    def derivative(grad, x):
        return grad / (x + 1)


class Sqrt(Unary):
    op, saves = "sqrt", "output"

    @staticmethod
    def derivative(grad, y):
        return grad / (2 * y)


class Rsqrt(Unary):
    op, saves = "rsqrt", "output"

    @staticmethod
    def derivative(grad, y):
        return -0.5 * grad * y.pow(3)


class Reciprocal(Unary):
    op, saves = "reciprocal", "output"

    @staticmethod
    def derivative(grad, y):
        return -grad * (y * y)


class Sin(Unary):
    op, saves = "sin", "input"

    @staticmethod
    def derivative(grad, x):
        return grad * x.cos()


class Cos(Unary):
    op, saves = "cos", "input"

    @staticmethod
    def derivative(grad, x):
        return grad * -x.sin()


class Tan(Unary):
    op, saves = "tan", "output"

    @staticmethod
    def derivative(grad, y):
        return grad * (1 + y.pow(2))


class Tanh(Unary):
    op, saves = "tanh", "output"

    @staticmethod
    def derivative(grad, y):
        return grad * (1 - y * y)


class Sigmoid(Unary):
    op, saves = "sigmoid", "output"

    @staticmethod
    def derivative(grad, y):
        return grad * (1 - y) * y


class Neg(Unary):
    op = "neg"

    @staticmethod
    def derivative(grad, _):
        return -grad


class Abs(Unary):
    op, saves = "abs", "input"

    @staticmethod
    def derivative(grad, x):
        return grad * x.sign()  # 0 at 0, as PyTorch


class Relu(Unary):
    op, saves = "relu", "output"

    @staticmethod
    def derivative(grad, y):
        return grad.masked_fill(y <= 0, 0)  # 0 at 0; NaN passes the gradient, as PyTorch


class _Piecewise(Unary):
    """A piecewise-constant function: its gradient is 0 (where it exists), as in PyTorch."""

    @staticmethod
    def derivative(grad, _):
        return zeros_like(grad)


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
        return zeros_like(grad)


class Mul(Binary):
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


class Maximum(Binary):
    op = "maximum"

    @staticmethod
    def derivatives(grad, a, b, needs):
        shared = _split_ties(grad, a, b)
        return (shared.masked_fill(lt(a, b), 0) if needs[0] else None,
                shared.masked_fill(gt(a, b), 0) if needs[1] else None)


class Minimum(Binary):
    op = "minimum"

    @staticmethod
    def derivatives(grad, a, b, needs):
        shared = _split_ties(grad, a, b)
        return (shared.masked_fill(gt(a, b), 0) if needs[0] else None,
                shared.masked_fill(lt(a, b), 0) if needs[1] else None)


class Remainder(Binary):
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


class Pow(Binary):
    """a ** b; saves a, b and a slot for the result (d(a**b)/db = a**b * log(a)). At a == 0
    with b >= 0 the gradient of b is 0, and b == 0 gives a a zero gradient, as in PyTorch."""
    op = "pow"

    @classmethod
    def forward(cls, ctx: Context, a, b, *, out: Tensor) -> Tensor:
        save(ctx, out, (a, b), result=ctx.needs_input_grad[1])
        return launch_binary(cls.op, a, b, out)

    @staticmethod
    def backward(ctx, grad):
        a, b = saved_operands(ctx)
        result = ctx.saved_tensors[2]
        needs = ctx.needs_input_grad
        return (Pow.base_gradient(grad, a, b) if needs[0] else None,
                Pow.exponent_gradient(grad, a, b, result) if needs[1] else None)

    @staticmethod
    def base_gradient(grad, a, b):
        if not isinstance(b, Tensor):
            return zeros_like(grad) if b == 0 else grad * (b * a.pow(b - 1))
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
        return launch_binary(cls.op, a, b, out, alpha)

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
        save(ctx, out, (a, b), keep=(needs[1], needs[0] or needs[1]))
        op = {None: "div", "trunc": "trunc_divide", "floor": "floor_divide"}[rounding_mode]
        return launch_binary(op, a, b, out)

    @staticmethod
    def backward(ctx, grad):
        needs = ctx.needs_input_grad
        if ctx.rounding_mode is not None:
            return tuple(zeros_like(grad) if n else None for n in needs)
        a, b = saved_operands(ctx)
        return grad / b if needs[0] else None, -grad * ((a / b) / b) if needs[1] else None


# --- unary math -------------------------------------------------------------------------------

_FLOAT_UNARY = (Exp, Exp2, Expm1, Log, Log2, Log10, Log1p, Sqrt, Rsqrt, Reciprocal,
                Sin, Cos, Tan, Tanh, Sigmoid)


def _floating_unary(fn: type[Unary]) -> Callable:
    def run(name: str, input: Tensor, out: Tensor | None, inplace: bool) -> Tensor:
        return unary(name, fn, input, out, inplace, floating=True)
    return run


for _fn in _FLOAT_UNARY:
    register_unary(_fn.op, _floating_unary(_fn), f"Elementwise {_fn.op}. Integer and bool inputs are "
                    "computed in the default float dtype, as in PyTorch.")


def _neg(name: str, input: Tensor, out: Tensor | None, inplace: bool = False) -> Tensor:
    if isinstance(input, Tensor) and input.dtype is dtypes.bool_:
        raise TypeError(f"{name}: negation, the `-` operator, on a bool tensor is not supported. "
                        "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    return unary(name, Neg, input, out, inplace)


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
    return unary("abs", Abs, input, out, kinds="uif")


@method("abs_", "absolute_")
def absolute_(self: Tensor) -> Tensor:
    return unary("abs_", Abs, self, self, inplace=True, kinds="uif")


@function
@method()
def relu(input: Tensor) -> Tensor:
    """max(input, 0); NaN stays NaN. Not for bool tensors."""
    return unary("relu", Relu, input, None, kinds="uif")


@function
@method()
def relu_(self: Tensor) -> Tensor:
    return unary("relu_", Relu, self, self, inplace=True, kinds="uif")


@function
@method()
def sign(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """-1, 0 or 1 by the sign of input (0 for NaN, as PyTorch on the cpu); bool stays bool."""
    return unary("sign", Sign, input, out)


@method()
def sign_(self: Tensor) -> Tensor:
    return unary("sign_", Sign, self, self, inplace=True)


def _integral_round(name: str, fn, input: Tensor, out: Tensor | None, inplace: bool = False) -> Tensor:
    """floor/ceil/round/trunc: integers are already whole, so they are copied."""
    if isinstance(input, Tensor) and input.dtype.kind in "ui":
        dest = target(name, out, tuple(input.shape), input.dtype, input.device, inplace, (input,))
        if dest is not input:
            copy_into(input, dest)
        return dest
    return unary(name, fn, input, out, inplace, kinds="uif")


def _rounding(fn: type[Unary]) -> Callable:
    def run(name: str, input: Tensor, out: Tensor | None, inplace: bool) -> Tensor:
        return _integral_round(name, fn, input, out, inplace)
    return run


register_unary("floor", _rounding(Floor), "The largest whole number <= input (integers unchanged).")
register_unary("ceil", _rounding(Ceil), "The smallest whole number >= input (integers unchanged).")
register_unary("trunc", _rounding(Trunc), "input rounded toward zero (integers unchanged).")


def _round(name: str, input: Tensor, decimals: int, out: Tensor | None, inplace: bool = False) -> Tensor:
    if decimals == 0:
        return _integral_round(name, Round, input, out, inplace)
    if isinstance(input, Tensor) and not input.dtype.is_floating_point:
        raise TypeError(f"{name}: decimals={decimals} is not supported for dtype {input.dtype.name} "
                        "(only floating point tensors)")
    return unary(name, RoundDecimals, input, out, inplace, decimals=decimals)


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
        return unary(name, name, input, None, result=dtypes.bool_)
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
    return unary("logical_not", "logical_not", input, out, result=dtypes.bool_)


@method()
def logical_not_(self: Tensor) -> Tensor:
    return unary("logical_not_", "logical_not", self, self, inplace=True, result=dtypes.bool_)


@function
@method()
def bitwise_not(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """~input for integer tensors; logical not for bool tensors."""
    return unary("bitwise_not", "bitwise_not", input, out, kinds="bui")


@method()
def bitwise_not_(self: Tensor) -> Tensor:
    return unary("bitwise_not_", "bitwise_not", self, self, inplace=True, kinds="bui")


# --- binary arithmetic ------------------------------------------------------------------------

def _check_alpha(name: str, alpha, dtype: dtypes.DType) -> None:
    if type(alpha) is int and alpha == 1:  # the default suits every dtype
        return
    if not common.is_scalar(alpha):
        raise TypeError(f"{name}(): alpha must be a number, not {type(alpha).__name__}")
    if isinstance(alpha, bool) and dtype is not dtypes.bool_:
        raise TypeError(f"{name}: boolean alpha ({alpha}) is only supported for bool results, "
                        f"the result here is {dtype.name}")
    if not dtype.is_floating_point and dtypes.scalar_dtype(alpha).is_floating_point:
        raise TypeError(f"{name}: for integral input tensors ({dtype.name}), argument alpha "
                        f"must not be a floating point number, got {alpha}")
    check_fits(name, alpha, dtype)  # PyTorch converts alpha with a range check, not wrapping


def _add(name: str, fn: type[Add], input, other, alpha, out, inplace: bool = False) -> Tensor:
    p = prepare(name, {"input": input, "other": other}, inplace=inplace)
    _check_alpha(name, alpha, p.dtype)
    if fn is Sub:
        _check_no_bool_subtraction(name, input, other)
    dest = target(name, out, p.shape, p.dtype, p.device, inplace, p.operands)
    return apply(fn, p.operands, dest, p.dtype, inplace, alpha=alpha)


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
    return binary("mul", Mul, input, other, out)


@method("mul_", "multiply_")
def mul_(self: Tensor, other) -> Tensor:
    return binary("mul_", Mul, self, other, self, inplace=True)


_ROUNDING_MODES = (None, "trunc", "floor")


def _div(name: str, input, other, rounding_mode, out, inplace: bool = False) -> Tensor:
    if rounding_mode not in _ROUNDING_MODES:
        raise RuntimeError(f"{name} expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found {rounding_mode!r}")
    if rounding_mode is None:
        return binary(name, Div, input, other, out, inplace, compute=to_float, rounding_mode=None)
    return binary(name, Div, input, other, out, inplace, kinds="uif", rounding_mode=rounding_mode)


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
    return binary("remainder", Remainder, input, other, out, kinds="uif")


@method()
def remainder_(self: Tensor, other) -> Tensor:
    return binary("remainder_", Remainder, self, other, self, inplace=True, kinds="uif")


@function
@method()
def fmod(input, other, *, out: Tensor | None = None) -> Tensor:
    """The remainder of input / other with the sign of input, as C's fmod."""
    return binary("fmod", Fmod, input, other, out, kinds="uif")


@method()
def fmod_(self: Tensor, other) -> Tensor:
    return binary("fmod_", Fmod, self, other, self, inplace=True, kinds="uif")


def _pow(name: str, input, exponent, out, inplace: bool = False) -> Tensor:
    exponent = as_operand(name, "exponent", exponent)
    if isinstance(input, Tensor):
        if (not input.dtype.is_floating_point and isinstance(exponent, int)
                and not isinstance(exponent, bool) and exponent < 0):
            raise RuntimeError(f"{name}: Integers to negative integer powers are not allowed "
                               f"({input.dtype.name} tensor to the power {exponent}).")
        if common.is_scalar(exponent):
            check_fits(name, exponent, dtypes.result_type(input, exponent))
    return binary(name, Pow, input, exponent, out, inplace)


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
    return binary("maximum", Maximum, input, other, out)


@function
@method()
def minimum(input, other, *, out: Tensor | None = None) -> Tensor:
    """The elementwise smaller of input and other; NaN wins."""
    return binary("minimum", Minimum, input, other, out)


# --- comparisons, logical and bitwise ops -----------------------------------------------------

eq, eq_ = register_binary("eq", "buif", None, dtypes.bool_, (), "input == other, as a bool tensor.")
ne, ne_ = register_binary("ne", "buif", None, dtypes.bool_, ("not_equal",), "input != other.")
lt, lt_ = register_binary("lt", "buif", None, dtypes.bool_, ("less",), "input < other.")
le, le_ = register_binary("le", "buif", None, dtypes.bool_, ("less_equal",), "input <= other.")
gt, gt_ = register_binary("gt", "buif", None, dtypes.bool_, ("greater",), "input > other.")
ge, ge_ = register_binary("ge", "buif", None, dtypes.bool_, ("greater_equal",), "input >= other.")
logical_and, logical_and_ = register_binary(
    "logical_and", "b", dtypes.bool_, dtypes.bool_, (), "Both nonzero (any dtypes in, bool out).")
logical_or, logical_or_ = register_binary(
    "logical_or", "b", dtypes.bool_, dtypes.bool_, (), "Either nonzero (any dtypes in, bool out).")
logical_xor, logical_xor_ = register_binary(
    "logical_xor", "b", dtypes.bool_, dtypes.bool_, (), "Exactly one nonzero (any dtypes in, bool out).")
bitwise_and, bitwise_and_ = register_binary(
    "bitwise_and", "bui", None, None, (), "input & other for integer or bool tensors.")
bitwise_or, bitwise_or_ = register_binary(
    "bitwise_or", "bui", None, None, (), "input | other for integer or bool tensors.")
bitwise_xor, bitwise_xor_ = register_binary(
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


# --- Python operators -------------------------------------------------------------------------

_ARITHMETIC_OPERATORS = {
    "add": (add, add_), "sub": (sub, sub_), "mul": (mul, mul_),
    "truediv": (true_divide, true_divide_), "floordiv": (floor_divide, floor_divide_),
    "mod": (remainder, remainder_), "pow": (power, power_),
    "and": (bitwise_and, bitwise_and_), "or": (bitwise_or, bitwise_or_), "xor": (bitwise_xor, bitwise_xor_),
}
for _dunder, (_fn, _fn_) in _ARITHMETIC_OPERATORS.items():
    method(f"__{_dunder}__")(operator_method(_fn))
    method(f"__r{_dunder}__")(operator_method(_fn, reflected=True))
    method(f"__i{_dunder}__")(operator_method(_fn_))
for _dunder, _fn in {"eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge}.items():
    method(f"__{_dunder}__")(operator_method(_fn))
method("__neg__")(neg)
method("__abs__")(absolute)
method("__invert__")(bitwise_not)
