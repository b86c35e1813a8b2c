"""Elementwise family, numpy reference.

    for every index i of out:  out[i] = convert(op(a[i], b[i], ...))

Contract shared with the Triton kernels: tensor operands are views of `out`'s shape (the op
layer has broadcast them, so strides may be 0) and already hold the compute dtype (the op layer
has promoted them). A Python scalar operand is converted here as PyTorch's cpu kernels do:
rounded to the compute dtype, except in arithmetic (`SCALAR_AT_COMPUTE_PRECISION`), where a
half-precision op takes float32(scalar). The result is converted to `out`'s dtype on store
(bool for comparisons). Half-precision values are computed in float32 and rounded once on
store, as the kernels do; float64 stays float64. Integer division or remainder by zero raises
ZeroDivisionError, as PyTorch does on the cpu.

Where PyTorch's cpu kernels take a shortcut whose special values differ from the plain formula,
so do these: `relu` keeps -0.0 and NaN (x < 0 ? 0 : x); a zero `remainder` keeps the dividend's
sign; `trunc_divide` of half types rounds the quotient to the half type before truncating,
unless the divisor is a scalar (`scalar_like`); and a float tensor to a scalar power in
`SCALAR_POWERS` is computed as that op (sqrt for 0.5: pow(-0., .5) is -0.).
One difference is left: for half types, PyTorch's vectorised `floor_divide` loop rounds every
intermediate step to the half type and its scalar loop does not (an element's result depends
on where it falls in its row); this follows the scalar loop (the float32 quotient).
"""
from __future__ import annotations

import numpy as np

from ..array_view import ArrayView
from ..dtypes import DType, bfloat16, float16
from .memory import ndarray

_HALVES = (float16, bfloat16)
# the primitives a Triton twin must provide; scalar_power and scalar_like are the rules both
# backends share (PyTorch's special cases), not primitives
PRIMITIVES = ("fill", "arange", "unary", "round_decimals", "binary", "where", "clamp", "lerp", "isclose")


def fill(out: ArrayView, value) -> None:
    """out[...] = value (converted to out's dtype)."""
    ndarray(out)[...] = np.asarray(value).astype(out.dtype.np)


def arange(start, step, out: ArrayView) -> None:
    """out[i] = start + i * step for a 1-D out, computed in float64 (or int64) then converted."""
    n = out.shape[0]
    kind = np.float64 if out.dtype.is_floating_point else np.int64
    ndarray(out)[...] = (np.asarray(start, kind) + np.arange(n, dtype=kind) * np.asarray(step, kind)).astype(out.dtype.np)


# --- loading operands and storing results -----------------------------------------------------

def _compute(a: np.ndarray, dtype: DType) -> np.ndarray:
    """Values of `dtype` at the precision they are computed in."""
    return a.astype(np.float32) if dtype in _HALVES else a


def _operand(x, dtype: DType, rounded: bool = True) -> np.ndarray:
    """A view's values, or a scalar converted to `dtype`, both at compute precision. A scalar
    is `rounded` to `dtype` on the way unless asked not to (then a half op sees float32(x))."""
    if isinstance(x, ArrayView):
        return _compute(ndarray(x), x.dtype)
    with np.errstate(over="ignore"):  # 1e6 in float16 is inf, as in PyTorch
        return _value(x, dtype, rounded)


def _value(x, dtype: DType, rounded: bool) -> np.ndarray:
    """`_operand` for a caller that already ignores floating-point errors."""
    if isinstance(x, ArrayView):
        return _compute(ndarray(x), x.dtype)
    if not rounded and dtype in _HALVES:
        return np.asarray(x, np.float32)
    return _compute(np.asarray(x).astype(dtype.np), dtype)


def _dtype_of(*operands) -> DType:
    """The compute dtype: that of the first tensor operand."""
    for x in operands:
        if isinstance(x, ArrayView):
            return x.dtype
    raise TypeError("an elementwise primitive needs at least one ArrayView operand")


def _store(out: ArrayView, values) -> None:
    # NaN or inf into an integer out is as undefined as in C; overflow into a half type is inf
    with np.errstate(invalid="ignore", over="ignore"):
        np.copyto(ndarray(out), values, casting="unsafe")


_PREDICATES = frozenset((np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal,
                         np.logical_and, np.logical_or, np.logical_xor, np.logical_not,
                         np.isnan, np.isinf, np.isfinite))


def _evaluate(out: ArrayView, fn, *args) -> None:
    """out[...] = fn(*args) for a caller that ignores floating-point errors: a numpy ufunc
    whose result already has out's dtype writes into out directly, with no temporary."""
    target = ndarray(out)
    if isinstance(fn, np.ufunc) and target.dtype == (np.bool_ if fn in _PREDICATES else args[0].dtype):
        fn(*args, out=target)
    else:
        np.copyto(target, fn(*args), casting="unsafe")


# --- unary ----------------------------------------------------------------------------------

def _sign(x):
    # PyTorch's sign is (0 < x) - (x < 0): NaN gives 0, unlike numpy's sign.
    return np.where(x > 0, 1, np.where(x < 0, -1, 0))


# relu is maximum(0, x): on a tie numpy returns the second argument, so -0.0 stays -0.0 and NaN
# stays NaN, as PyTorch's x < 0 ? 0 : x (half types reach it widened to float32)
_UNARY = {
    "neg": np.negative, "abs": np.abs, "sign": _sign,
    "exp": np.exp, "exp2": np.exp2, "expm1": np.expm1,
    "log": np.log, "log2": np.log2, "log10": np.log10, "log1p": np.log1p,
    "sqrt": np.sqrt, "rsqrt": lambda x: 1 / np.sqrt(x), "reciprocal": lambda x: 1 / x,
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "tanh": np.tanh,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)), "relu": lambda x: np.maximum(x.dtype.type(0), x),
    "floor": np.floor, "ceil": np.ceil, "round": np.rint, "trunc": np.trunc,
    "isnan": np.isnan, "isinf": np.isinf, "isfinite": np.isfinite,
    "logical_not": np.logical_not, "bitwise_not": np.invert,
}
UNARY_OPS = tuple(_UNARY)


def unary(op: str, x: ArrayView, out: ArrayView) -> None:
    """out[i] = op(x[i]) for op in UNARY_OPS; `round` is half to even."""
    if op not in _UNARY:
        raise ValueError(f"unary: unknown op {op!r}; expected one of {', '.join(UNARY_OPS)}")
    with np.errstate(all="ignore"):
        _evaluate(out, _UNARY[op], _operand(x, x.dtype))


def round_decimals(x: ArrayView, decimals: int, out: ArrayView) -> None:
    """out[i] = x[i] rounded half to even at `decimals` decimal places (negative: tens, ...),
    with PyTorch's formula: rint(x * 10**d) / 10**d, or rint(x / 10**-d) * 10**-d."""
    values = _operand(x, x.dtype)
    scale = np.asarray(10.0 ** abs(decimals), values.dtype)
    with np.errstate(all="ignore"):
        rounded = np.rint(values * scale) / scale if decimals >= 0 else np.rint(values / scale) * scale
    _store(out, rounded)


# --- binary ---------------------------------------------------------------------------------

def _check_divisor(op: str, b: np.ndarray, dtype: DType) -> None:
    if not dtype.is_floating_point and np.any(b == 0):
        raise ZeroDivisionError(f"{op}: integer division by zero ({dtype.name} divisor holds a 0)")


def _trunc_divide(a, b):
    if a.dtype.kind == "f":
        return np.trunc(a / b)
    floor = np.floor_divide(a, b)
    inexact_negative = (np.remainder(a, b) != 0) & ((a < 0) != (b < 0))
    return floor + inexact_negative.astype(floor.dtype)


def _remainder(a, b):
    """PyTorch's remainder: fmod moved to the divisor's sign where nonzero (numpy also gives a
    zero remainder the divisor's sign; PyTorch keeps fmod's, the dividend's)."""
    if a.dtype.kind != "f":
        return np.remainder(a, b)
    mod = np.fmod(a, b)
    return np.where((mod != 0) & ((b < 0) != (mod < 0)), mod + b, mod)


def _int_pow(a, b):
    """PyTorch's integer power: wraps around like repeated multiplication, and a negative
    exponent gives 1 / a truncated (1 for a == 1, +-1 for a == -1, else 0)."""
    if a.dtype.kind == "b":
        a, b = a.astype(np.int64), b.astype(np.int64)
    a, b = np.broadcast_arrays(a, b)
    negative = b < 0
    result = np.power(a, np.where(negative, 0, b))
    if np.any(negative):
        inverse = np.where(a == 1, 1, np.where(a == -1, np.where(b % 2 == 0, 1, -1), 0))
        result = np.where(negative, inverse, result)
    return result


def _pow(a, b):
    if a.dtype.kind != "f":
        return _int_pow(a, b)
    # numpy computes a broadcast (stride 0) float exponent of 0.5 as sqrt: give it a real array
    # (PyTorch's scalar shortcuts are SCALAR_POWERS, taken in `binary`)
    return np.power(a, np.array(np.broadcast_to(b, np.broadcast_shapes(a.shape, b.shape))))


_BINARY = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide,
    "floor_divide": np.floor_divide, "trunc_divide": _trunc_divide,
    "remainder": _remainder, "fmod": np.fmod, "pow": _pow,
    "maximum": np.maximum, "minimum": np.minimum,
    "eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
    "gt": np.greater, "ge": np.greater_equal,
    "logical_and": np.logical_and, "logical_or": np.logical_or, "logical_xor": np.logical_xor,
    "bitwise_and": np.bitwise_and, "bitwise_or": np.bitwise_or, "bitwise_xor": np.bitwise_xor,
}
BINARY_OPS = tuple(_BINARY)
INTEGER_DIVISIONS = ("floor_divide", "trunc_divide", "remainder", "fmod")
# PyTorch's cpu kernels take a scalar operand of these at compute precision (float32 for half
# types); the others (comparisons, remainders, ...) round it to the tensor's dtype first.
SCALAR_AT_COMPUTE_PRECISION = ("add", "sub", "mul", "div", "floor_divide", "trunc_divide")
# PyTorch's cpu pow of a float32, float64 or bfloat16 tensor by one of these scalar exponents
# is this unary op (float16 takes the plain pow): special values differ for 0.5 and -0.5
# (pow(-0., .5) is -0., pow(-inf, -.5) NaN), roundings otherwise; "square", "cube" and
# "inverse_square" are x * x, x * x * x and 1 / (x * x)
SCALAR_POWERS = {0.5: "sqrt", -0.5: "rsqrt", -1.0: "reciprocal", 2.0: "square", 3.0: "cube",
                 -2.0: "inverse_square"}
_POWERS = {"square": lambda x: x * x, "cube": lambda x: x * x * x, "inverse_square": lambda x: 1 / (x * x)}


def scalar_power(dtype: DType, exponent) -> str | None:
    """The unary op PyTorch computes a `dtype` tensor ** `exponent` (a Python scalar) with, if any."""
    if dtype.is_floating_point and dtype is not float16 and not isinstance(exponent, bool):
        return SCALAR_POWERS.get(exponent)
    return None


def scalar_like(b, shape) -> bool:
    """Whether an operand is one value for all of `shape` (a scalar, or a view broadcast from one
    element): PyTorch's cpu kernels then take it as a scalar."""
    return not isinstance(b, ArrayView) or all(s == 0 or n == 1 for s, n in zip(b.strides, shape))


def binary(op: str, a, b, out: ArrayView, alpha=1) -> None:
    """out[i] = op(a[i], b[i]) for op in BINARY_OPS; a or b may be a Python scalar (converted
    as PyTorch does: see SCALAR_AT_COMPUTE_PRECISION).

    `add` and `sub` compute a +- alpha * b (alpha at compute precision). `div` is true
    division, `trunc_divide` rounds the quotient toward zero, `floor_divide` and `remainder`
    follow Python (sign of the divisor; a zero remainder keeps the dividend's, as in PyTorch),
    `fmod` follows C (sign of the dividend)."""
    if op not in _BINARY:
        raise ValueError(f"binary: unknown op {op!r}; expected one of {', '.join(BINARY_OPS)}")
    dtype = _dtype_of(a, b)
    rounded = op not in SCALAR_AT_COMPUTE_PRECISION
    with np.errstate(all="ignore"):  # also: 1e6 into float16 is inf, as in PyTorch
        x, y = _value(a, dtype, rounded), _value(b, dtype, rounded)
        if op in INTEGER_DIVISIONS and out.numel:  # an empty result divides nothing
            _check_divisor(op, y, dtype)
        if op in ("add", "sub") and alpha != 1:
            y = y * _value(alpha, dtype, rounded=False)
        power = scalar_power(dtype, b) if op == "pow" and not isinstance(b, ArrayView) else None
        if power is not None:
            _evaluate(out, _POWERS.get(power) or _UNARY[power], x)
        elif op == "trunc_divide" and dtype in _HALVES and not scalar_like(b, out.shape):
            # PyTorch divides two half tensors in the half type: the quotient rounds before trunc
            _evaluate(out, np.trunc, (x / y).astype(dtype.np).astype(np.float32))
        else:
            _evaluate(out, _BINARY[op], x, y)


# --- selection and multi-operand ops ----------------------------------------------------------

def where(cond: ArrayView, a, b, out: ArrayView) -> None:
    """out[i] = a[i] if cond[i] else b[i]; a or b may be a scalar (of out's dtype when both are)."""
    dtype = out.dtype if not isinstance(a, ArrayView) and not isinstance(b, ArrayView) else _dtype_of(a, b)
    if dtype is out.dtype:
        with np.errstate(over="ignore"):  # a scalar beyond a half type's range is inf
            x, y = (ndarray(v) if isinstance(v, ArrayView) else np.asarray(v).astype(dtype.np) for v in (a, b))
        _select(ndarray(cond), x, y, ndarray(out))
    else:
        _store(out, np.where(ndarray(cond), _operand(a, dtype), _operand(b, dtype)))


def _select(cond: np.ndarray, a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """out = a where cond else b, bit for bit and branch-free, as (a & m) | (b & ~m) over the
    unsigned integers of out's width (m all ones where cond): numpy's own `where` branches on
    every element, ten times slower on a mask without runs. a and b are read before out is
    written (out may be one of them)."""
    unsigned = np.dtype(f"u{out.dtype.itemsize}")
    mask = np.negative(cond.view(np.uint8), dtype=unsigned, out=np.empty(cond.shape, unsigned))
    chosen = np.bitwise_and(a.view(unsigned), mask)
    np.bitwise_and(b.view(unsigned), np.invert(mask, out=mask), out=mask)
    np.bitwise_or(chosen, mask, out=out.view(unsigned))


def clamp(x: ArrayView, lo, hi, out: ArrayView) -> None:
    """out[i] = min(max(x[i], lo[i]), hi[i]); lo/hi are views, scalars or None (no bound).
    A NaN in x or in a bound gives NaN; lo > hi gives hi, as in PyTorch."""
    values = _operand(x, x.dtype)
    if lo is not None:
        values = np.maximum(values, _operand(lo, x.dtype))
    if hi is not None:
        values = np.minimum(values, _operand(hi, x.dtype))
    _store(out, values)


def lerp(a: ArrayView, b: ArrayView, weight, out: ArrayView) -> None:
    """out[i] = a[i] + weight[i] * (b[i] - a[i]), in PyTorch's form that is exact at both
    ends: for |weight| >= 0.5 it computes b - (b - a) * (1 - weight). weight may be a scalar."""
    x, y, w = _operand(a, a.dtype), _operand(b, a.dtype), _operand(weight, a.dtype)
    diff = y - x
    with np.errstate(all="ignore"):
        _store(out, np.where(np.abs(w) < 0.5, x + w * diff, y - diff * (1 - w)))


def isclose(a: ArrayView, b: ArrayView, rtol: float, atol: float, equal_nan: bool, out: ArrayView) -> None:
    """out[i] = a[i] == b[i] or |a[i] - b[i]| <= atol + |rtol * b[i]| (finite difference only);
    with equal_nan two NaNs are close. Integers and bools are compared through float64."""
    dtype = a.dtype
    x, y = _operand(a, dtype), _operand(b, dtype)
    close = x == y
    if equal_nan and dtype.is_floating_point:
        close |= np.isnan(x) & np.isnan(y)
    if rtol or atol:
        if not dtype.is_floating_point:
            x, y = x.astype(np.float64), y.astype(np.float64)
        with np.errstate(all="ignore"):
            error = np.abs(x - y)
            close |= np.isfinite(error) & (error <= atol + np.abs(rtol * y))
    _store(out, close)
