"""Elementwise family, Triton kernels (twins of `tritorch/reference/elementwise.py`).

    for every index i of out:  out[i] = convert(op(a[i], b[i], ...))

Same contract as the reference: tensor operands are views of `out`'s shape (strides may be 0)
already holding the compute dtype; a Python scalar operand is converted on the host exactly as
the reference converts it, then travels to the kernel as one int64 (an integer, or the bits of
a float64 that holds the converted value exactly). Half types are loaded, widened to float32
and rounded once on store. Integer division or remainder by zero raises ZeroDivisionError
(a kernel cannot raise: a first pass over the divisor writes a flag that the host reads).

Accuracy. Every op is exactly the reference's formula (same roundings, fp contraction off),
with these choices where Triton's core math is coarser than numpy's (the device math is
`kernels/math.py`, shared with the other families):
  * float32 transcendentals (exp, exp2, expm1, log*, sin, cos, tan, tanh, sigmoid, pow) are
    evaluated in float64 and rounded once (the GPU's float32 `tl.exp` is `ex2.approx`);
  * float32 `/` and `sqrt` use `div_rn`/`sqrt_rn` (the default lowering is approximate);
  * expm1 and log1p use Kahan's u = exp(x) / u = 1 + x corrections, tanh is built on expm1;
  * fmod/remainder/floor_divide on floats reduce exactly (FMA steps), as C's fmod does;
  * float64 pow is exp(b * log|a|) with log|a| split as e*ln2 + log(m) in double-double:
    relative error about (1 + |b| / 4) ulp.
"""
from __future__ import annotations

import numpy as np
import triton
import triton.language as tl

from .. import dtypes
from ..array_view import ArrayView, contiguous_strides
from ..dtypes import DType
from ..reference.elementwise import INTEGER_DIVISIONS, SCALAR_AT_COMPUTE_PRECISION, scalar_like, scalar_power
from . import memory
from .cast import cast, widen
from .copy import copy
from .launch import launch
from .layout import may_overlap, same_elements
from .strided import element_block, element_launches, element_offsets
from .math import (INV_LN10, div, expm1, fmod, floor_divide_float, invert, log1p, neg, pow_float, pow_int,
                   remainder_float, rint, sigmoid, sqrt, tanh, trunc)

BLOCK = 1024

_HALVES = (dtypes.float16, dtypes.bfloat16)
_TL = {"bool": tl.int1, "uint8": tl.uint8, "int8": tl.int8, "int16": tl.int16, "int32": tl.int32,
       "int64": tl.int64, "float16": tl.float16, "bfloat16": tl.bfloat16, "float32": tl.float32,
       "float64": tl.float64}

_TENSOR, _SCALAR, _ABSENT = 1, 2, 0


# ============================================================================================
# Device helpers (inlined into the kernels)
# ============================================================================================

@triton.jit
def _convert(v, T: tl.constexpr):
    """v as dtype T, as numpy's astype (see cast.py)."""
    return cast(v, T)


@triton.jit
def _round_to(y, RT: tl.constexpr):
    """A float result rounded to the dtype numpy would have produced it in (a half type held
    widened); others as they are."""
    if y.dtype.is_floating():
        return widen(cast(y, RT))
    else:
        return y


@triton.jit
def _scalar(bits, T: tl.constexpr):
    """A host scalar (an int64: the integer, or a float64's bits) as dtype T."""
    wide = bits.to(tl.int64)
    if T.is_floating():
        return wide.to(tl.float64, bitcast=True).to(T)
    else:
        return _convert(wide, T)


@triton.jit
def _operand(ptr, off, s0, s1, s2, s3, bits, lin, i0, i1, i2, i3, mask,
             MODE: tl.constexpr, T: tl.constexpr, FLAT: tl.constexpr, BLOCK: tl.constexpr):
    """A block of an operand at dtype T: loaded from a view, or a broadcast scalar."""
    if MODE == 2:
        return tl.full([BLOCK], _scalar(bits, T), T)
    else:
        idx = element_offsets(lin, i0, i1, i2, i3, s0, s1, s2, s3, FLAT)
        return _convert(tl.load(ptr + off + idx, mask=mask, other=0), T)


@triton.jit
def _store(out, off, s0, s1, s2, s3, lin, i0, i1, i2, i3, mask, v, FLAT: tl.constexpr):
    w = cast(v, out.dtype.element_ty)
    idx = element_offsets(lin, i0, i1, i2, i3, s0, s1, s2, s3, FLAT)
    tl.store(out + off + idx, w, mask=mask)


@triton.jit
def _unary_math(x, OP: tl.constexpr):
    if OP == "copy":
        y = x
    elif OP == "neg":
        y = neg(x)
    elif OP == "abs":
        y = tl.abs(x)
    elif OP == "sign":
        y = (x > 0).to(x.dtype) - (x < 0).to(x.dtype)
    elif OP == "relu":
        y = tl.where(x < 0, tl.zeros_like(x), x)  # PyTorch's: -0.0 and NaN stay
    elif OP == "floor":
        y = tl.floor(x)
    elif OP == "ceil":
        y = tl.ceil(x)
    elif OP == "trunc":
        y = trunc(x)
    elif OP == "round":
        y = rint(x)
    elif OP == "isnan":
        y = x != x
    elif OP == "isinf":
        y = tl.abs(x) == float("inf")
    elif OP == "isfinite":
        y = tl.abs(x) < float("inf")
    elif OP == "false":
        y = tl.zeros(x.shape, tl.int1)
    elif OP == "true":
        y = x == x
    elif OP == "logical_not":
        y = x == 0
    elif OP == "bitwise_not":
        y = invert(x)
    elif OP == "exp":
        y = tl.exp(x)
    elif OP == "exp2":
        y = tl.exp2(x)
    elif OP == "expm1":
        y = expm1(x)
    elif OP == "log":
        y = tl.log(x)
    elif OP == "log2":
        y = tl.log2(x)
    elif OP == "log10":
        y = tl.log(x) * INV_LN10
    elif OP == "log1p":
        y = log1p(x)
    elif OP == "sqrt":
        y = sqrt(x)
    elif OP == "rsqrt":
        y = div(tl.full(x.shape, 1.0, x.dtype), sqrt(x))
    elif OP == "rsqrt_half":  # numpy's 1 / sqrt(x) for a float16 result rounds sqrt first
        y = div(tl.full(x.shape, 1.0, x.dtype), sqrt(x).to(tl.float16).to(x.dtype))
    elif OP == "reciprocal":
        y = div(tl.full(x.shape, 1.0, x.dtype), x)
    elif OP == "square":  # the scalar powers PyTorch computes by multiplying (SCALAR_POWERS)
        y = x * x
    elif OP == "cube":
        y = x * x * x
    elif OP == "inverse_square":
        y = div(tl.full(x.shape, 1.0, x.dtype), x * x)
    elif OP == "sin":
        y = tl.sin(x)
    elif OP == "cos":
        y = tl.cos(x)
    elif OP == "tan":
        y = div(tl.sin(x), tl.cos(x))
    elif OP == "tanh":
        y = tanh(x)
    else:  # sigmoid
        tl.static_assert(OP == "sigmoid")
        y = sigmoid(x)
    return y


@triton.jit
def _binary_math(a, b, OP: tl.constexpr, RT: tl.constexpr, BITS: tl.constexpr):
    if OP == "add":
        y = a + b
    elif OP == "sub":
        y = a - b
    elif OP == "mul":
        y = a * b
    elif OP == "div":
        y = div(a, b)
    elif OP == "maximum":  # NaN wins; a tie (-0.0, 0.0) gives b, as numpy's loops do
        y = tl.where((a > b) | (a != a), a, b)
    elif OP == "minimum":
        y = tl.where((a < b) | (a != a), a, b)
    elif OP == "eq":
        y = a == b
    elif OP == "ne":
        y = a != b
    elif OP == "lt":
        y = a < b
    elif OP == "le":
        y = a <= b
    elif OP == "gt":
        y = a > b
    elif OP == "ge":
        y = a >= b
    elif OP == "logical_and":
        y = (a != 0) & (b != 0)
    elif OP == "logical_or":
        y = (a != 0) | (b != 0)
    elif OP == "logical_xor":
        y = (a != 0) ^ (b != 0)
    elif OP == "bitwise_and":
        y = a & b
    elif OP == "bitwise_or":
        y = a | b
    elif OP == "bitwise_xor":
        y = a ^ b
    elif OP == "pow":
        if a.dtype.is_floating():
            y = pow_float(a, b)
        else:
            y = pow_int(a, b, BITS)
    elif a.dtype.is_floating():
        if OP == "floor_divide":
            y = floor_divide_float(a, b)
        elif OP == "trunc_divide":
            y = trunc(div(a, b))
        elif OP == "trunc_divide_rounded":  # PyTorch's quotient of two half tensors: a half
            y = trunc(_round_to(div(a, b), RT))
        elif OP == "remainder":
            y = remainder_float(a, b)
        else:
            tl.static_assert(OP == "fmod")
            y = fmod(a, b)
    else:
        # C division on a divisor made safe (0 was refused by the host; -1 would overflow)
        if a.dtype.is_int_signed():
            unsafe = (b == 0) | (b == -1)
        else:
            unsafe = b == 0
        d = tl.where(unsafe, tl.full(b.shape, 1, b.dtype), b)
        q = a // d
        r = a % d
        if a.dtype.is_int_signed():
            q = tl.where(b == -1, neg(a), q)
            r = tl.where(b == -1, tl.zeros_like(r), r)
            inexact = (r != 0) & ((r < 0) != (b < 0))
        else:
            inexact = r != r
        if OP == "floor_divide":
            y = q - inexact.to(q.dtype)
        elif OP == "trunc_divide":
            y = q
        elif OP == "remainder":
            y = tl.where(inexact, r + b, r)
        else:
            tl.static_assert(OP == "fmod")
            y = r
    return y


# ============================================================================================
# Kernels
# ============================================================================================
# Common tiling: a 1-D grid, one program per BLOCK consecutive elements of out (row-major
# over the collapsed shape, padded to 4-D: `strided.element_launches`). FLAT (the collapsed
# shape is 1-D: contiguous, or one stride per operand) indexes `off + i * stride`; otherwise
# each element's coordinates are decomposed once from its linear index (`element_block`) and
# shared by the operands. I64 switches index math to int64 when an extent or an offset reaches
# 2^31. Memory-bound: the roofline is bytes moved.

# Bound: (in + out itemsize) bytes per element; transcendentals of float32 inputs run in
# float64 (about 10-40 DFMA per element: still under the H100's fp64 rate at HBM speed).
@triton.jit
def _unary_kernel(x, out, n, x_off, o_off, S1, S2, S3, x0, x1, x2, x3, o0, o1, o2, o3,
                  OP: tl.constexpr, CT: tl.constexpr, RT: tl.constexpr,
                  FLAT: tl.constexpr, I64: tl.constexpr, BLOCK: tl.constexpr):
    lin, i0, i1, i2, i3 = element_block(S1, S2, S3, FLAT, I64, BLOCK)
    mask = lin < n
    if OP == "sigmoid_of_int":  # numpy negates in the integer type first: -(-128) is -128 in int8
        w = _operand(x, x_off, x0, x1, x2, x3, 0, lin, i0, i1, i2, i3, mask, 1, x.dtype.element_ty, FLAT, BLOCK)
        e = tl.exp(neg(w).to(CT))
        y = _round_to(div(tl.full(e.shape, 1.0, CT), 1.0 + e), RT)
    else:
        v = _operand(x, x_off, x0, x1, x2, x3, 0, lin, i0, i1, i2, i3, mask, 1, CT, FLAT, BLOCK)
        y = _round_to(_unary_math(v, OP), RT)
    _store(out, o_off, o0, o1, o2, o3, lin, i0, i1, i2, i3, mask, y, FLAT)


# Bound: (itemsize of each tensor operand + out itemsize) bytes per element; a scalar
# operand costs nothing. Integer division reads the divisor a second time (the zero check).
@triton.jit(do_not_specialize=["a_s", "b_s", "alpha"])  # scalars: one binary for every value
def _binary_kernel(a, b, out, n, a_off, b_off, o_off, S1, S2, S3,
                   a0, a1, a2, a3, b0, b1, b2, b3, o0, o1, o2, o3,
                   a_s: tl.int64, b_s: tl.int64, alpha: tl.int64,
                   OP: tl.constexpr, CT: tl.constexpr, RT: tl.constexpr, A_MODE: tl.constexpr,
                   B_MODE: tl.constexpr, HAS_ALPHA: tl.constexpr, BITS: tl.constexpr,
                   FLAT: tl.constexpr, I64: tl.constexpr, BLOCK: tl.constexpr):
    lin, i0, i1, i2, i3 = element_block(S1, S2, S3, FLAT, I64, BLOCK)
    mask = lin < n
    va = _operand(a, a_off, a0, a1, a2, a3, a_s, lin, i0, i1, i2, i3, mask, A_MODE, CT, FLAT, BLOCK)
    vb = _operand(b, b_off, b0, b1, b2, b3, b_s, lin, i0, i1, i2, i3, mask, B_MODE, CT, FLAT, BLOCK)
    if HAS_ALPHA:
        w = _scalar(alpha, CT)
        if CT == tl.int1:
            vb = vb & w
        else:
            vb = vb * w
    y = _round_to(_binary_math(va, vb, OP, RT, BITS), RT)
    _store(out, o_off, o0, o1, o2, o3, lin, i0, i1, i2, i3, mask, y, FLAT)


# Bound: itemsize bytes per element read, nothing written but a 4-byte flag.
@triton.jit
def _zero_check_kernel(b, err, n, b_off, S1, S2, S3, b0, b1, b2, b3,
                       FLAT: tl.constexpr, I64: tl.constexpr, BLOCK: tl.constexpr):
    lin, i0, i1, i2, i3 = element_block(S1, S2, S3, FLAT, I64, BLOCK)
    mask = lin < n
    idx = element_offsets(lin, i0, i1, i2, i3, b0, b1, b2, b3, FLAT)
    v = tl.load(b + b_off + idx, mask=mask, other=1)
    tl.store(err + tl.zeros_like(lin), tl.full(lin.shape, 1, tl.int32), mask=mask & (v == 0))


# where(cond=a, b, c), clamp(a, lo=b, hi=c), lerp(a, b, weight=c), isclose(a, b).
# Bound: (sum of tensor operands' itemsizes + out itemsize) bytes per element.
@triton.jit(do_not_specialize=["b_s", "c_s", "p0", "p1"])  # scalars: one binary for every value
def _ternary_kernel(a, b, c, out, n, a_off, b_off, c_off, o_off, S1, S2, S3,
                    a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2, c3, o0, o1, o2, o3,
                    b_s: tl.int64, c_s: tl.int64, p0: tl.int64, p1: tl.int64,
                    OP: tl.constexpr, CT: tl.constexpr, TT: tl.constexpr, B_MODE: tl.constexpr,
                    C_MODE: tl.constexpr, F0: tl.constexpr, F1: tl.constexpr,
                    FLAT: tl.constexpr, I64: tl.constexpr, BLOCK: tl.constexpr):
    lin, i0, i1, i2, i3 = element_block(S1, S2, S3, FLAT, I64, BLOCK)
    mask = lin < n
    if OP == "where":
        cond = _operand(a, a_off, a0, a1, a2, a3, 0, lin, i0, i1, i2, i3, mask, 1, tl.int1, FLAT, BLOCK)
    else:
        x = _operand(a, a_off, a0, a1, a2, a3, 0, lin, i0, i1, i2, i3, mask, 1, CT, FLAT, BLOCK)
    if B_MODE != 0:
        vb = _operand(b, b_off, b0, b1, b2, b3, b_s, lin, i0, i1, i2, i3, mask, B_MODE, CT, FLAT, BLOCK)
    if C_MODE != 0:
        vc = _operand(c, c_off, c0, c1, c2, c3, c_s, lin, i0, i1, i2, i3, mask, C_MODE, CT, FLAT, BLOCK)
    if OP == "where":
        y = tl.where(cond, vb, vc)
    elif OP == "clamp":
        y = x
        if B_MODE != 0:
            y = tl.where((y > vb) | (y != y), y, vb)
        if C_MODE != 0:
            y = tl.where((y < vc) | (y != y), y, vc)
    elif OP == "lerp":
        diff = vb - x
        if CT.is_floating():
            near_a = tl.abs(vc) < 0.5
            one = 1.0
        else:
            near_a = vc == 0
            one = 1
        y = tl.where(near_a, x + vc * diff, vb - diff * (one - vc))
    else:
        tl.static_assert(OP == "isclose")
        y = x == vb
        if F0:  # equal_nan
            y = y | ((x != x) & (vb != vb))
        if F1:  # a tolerance is nonzero
            xt = x.to(TT)
            yt = vb.to(TT)
            err = tl.abs(xt - yt)
            bound = _scalar(p1, TT) + tl.abs(_scalar(p0, TT) * yt)
            y = y | ((err < float("inf")) & (err <= bound))
    _store(out, o_off, o0, o1, o2, o3, lin, i0, i1, i2, i3, mask, y, FLAT)


# fill: out[i] = value; arange: out[i] = start + i * step (float64 or int64, then converted).
# Bound: out itemsize bytes per element (write only).
@triton.jit(do_not_specialize=["p0", "p1"])  # scalars: one binary for every value
def _generate_kernel(out, n, o_off, S1, S2, S3, o0, o1, o2, o3, p0: tl.int64, p1: tl.int64,
                     OP: tl.constexpr, CT: tl.constexpr,
                     FLAT: tl.constexpr, I64: tl.constexpr, BLOCK: tl.constexpr):
    lin, i0, i1, i2, i3 = element_block(S1, S2, S3, FLAT, I64, BLOCK)
    mask = lin < n
    if OP == "fill":
        y = tl.full([BLOCK], _scalar(p0, CT), CT)
    else:
        tl.static_assert(OP == "arange")
        y = _scalar(p0, CT) + lin.to(CT) * _scalar(p1, CT)
    _store(out, o_off, o0, o1, o2, o3, lin, i0, i1, i2, i3, mask, y, FLAT)


# round_decimals. Bound: (in + out itemsize) bytes per element.
@triton.jit(do_not_specialize=["scale"])  # scalars: one binary for every value
def _round_kernel(x, out, n, x_off, o_off, S1, S2, S3, x0, x1, x2, x3, o0, o1, o2, o3, scale: tl.int64,
                  UP: tl.constexpr, CT: tl.constexpr, FLAT: tl.constexpr, I64: tl.constexpr,
                  BLOCK: tl.constexpr):
    lin, i0, i1, i2, i3 = element_block(S1, S2, S3, FLAT, I64, BLOCK)
    mask = lin < n
    v = _operand(x, x_off, x0, x1, x2, x3, 0, lin, i0, i1, i2, i3, mask, 1, CT, FLAT, BLOCK)
    s = tl.full([BLOCK], _scalar(scale, CT), CT)
    if UP:
        y = div(rint(v * s), s)
    else:
        y = rint(div(v, s)) * s
    _store(out, o_off, o0, o1, o2, o3, lin, i0, i1, i2, i3, mask, y, FLAT)


# ============================================================================================
# Host side: planning (which kernel op, in which dtype) and launching
# ============================================================================================

_FLOAT_FUNCS = ("exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt",
                "reciprocal", "sin", "cos", "tan", "tanh", "sigmoid")
# Evaluated in float64 for float32 inputs; sqrt/rsqrt/reciprocal are already IEEE in float32.
_TRANSCENDENTAL = ("exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan",
                   "tanh", "sigmoid")
UNARY_OPS = _FLOAT_FUNCS + ("neg", "abs", "sign", "relu", "floor", "ceil", "round", "trunc", "isnan",
                            "isinf", "isfinite", "logical_not", "bitwise_not")
BINARY_OPS = ("add", "sub", "mul", "div", "floor_divide", "trunc_divide", "remainder", "fmod", "pow",
              "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or",
              "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor")
_BITWISE = ("bitwise_and", "bitwise_or", "bitwise_xor")


def _compute(dtype: DType) -> DType:
    """The dtype values of `dtype` are computed in."""
    return dtypes.float32 if dtype in _HALVES else dtype


def _numpy_float(dtype: DType, op: str) -> DType:
    """The float dtype numpy gives a float function of a bool/integer input."""
    if op in ("reciprocal", "div") or dtype.itemsize >= 4:
        return dtypes.float64
    return dtypes.float32 if dtype.itemsize == 2 else dtypes.float16


def _unsupported(kind: str, op: str, dtype: DType) -> TypeError:
    return TypeError(f"{kind}: op {op!r} does not support dtype {dtype.name}")


def _plan_unary(op: str, dtype: DType) -> tuple[str, DType, DType]:
    """(kernel op, compute dtype, dtype the result is rounded to before the store)."""
    if op not in UNARY_OPS:
        raise ValueError(f"unary: unknown op {op!r}; expected one of {', '.join(UNARY_OPS)}")
    if dtype.is_floating_point:
        if op == "bitwise_not":
            raise _unsupported("unary", op, dtype)
        ct = _compute(dtype)
        if op in _TRANSCENDENTAL and dtype is dtypes.float32:  # half types: float32 is plenty
            return op, dtypes.float64, dtypes.float32
        return op, ct, ct
    if op in ("neg", "sigmoid") and dtype is dtypes.bool_:
        raise _unsupported("unary", op, dtype)
    if op in _FLOAT_FUNCS or op == "round":  # numpy computes a float result (round: the value)
        f = _numpy_float(dtype, op)  # float16 results: numpy computes in float32, so do we
        ct = dtypes.float64 if op in _TRANSCENDENTAL and f is not dtypes.float16 else _compute(f)
        if op == "rsqrt" and f is dtypes.float16:
            op = "rsqrt_half"
        if op == "sigmoid":
            op = "sigmoid_of_int"
        return ("copy" if op == "round" else op), ct, f
    if op in ("isnan", "isinf"):
        return "false", dtype, dtypes.bool_
    if op == "isfinite":
        return "true", dtype, dtypes.bool_
    if op in ("floor", "ceil", "trunc") or (op in ("abs", "relu", "sign") and dtype is dtypes.bool_) \
            or (op in ("abs", "relu") and dtype is dtypes.uint8):
        return "copy", dtype, dtype
    if op == "bitwise_not" and dtype is dtypes.bool_:
        return "logical_not", dtype, dtype
    return op, dtype, dtype


def _plan_binary(op: str, dtype: DType) -> tuple[str, DType, DType]:
    """(kernel op, compute dtype, result rounding dtype), following numpy's loops for bool and
    integer inputs as the reference does."""
    if op not in BINARY_OPS:
        raise ValueError(f"binary: unknown op {op!r}; expected one of {', '.join(BINARY_OPS)}")
    if dtype.is_floating_point:
        if op in _BITWISE:
            raise _unsupported("binary", op, dtype)
        ct = _compute(dtype)
        if op == "pow" and ct is dtypes.float32:
            return op, dtypes.float64, dtypes.float32
        return op, ct, ct
    if op == "div":
        return op, dtypes.float64, dtypes.float64
    if dtype is dtypes.bool_:  # numpy's bool loops: + is or, * is and; divisions go through int8
        if op == "sub":
            raise _unsupported("binary", op, dtype)
        logical = {"add": "bitwise_or", "maximum": "bitwise_or", "mul": "bitwise_and",
                   "minimum": "bitwise_and"}
        if op in logical:
            return logical[op], dtype, dtype
        if op in INTEGER_DIVISIONS:
            return op, dtypes.int8, dtypes.int8
        if op == "pow":
            return op, dtypes.int64, dtypes.int64
    return op, dtype, dtype


def _host_scalar(x, dtype: DType, rounded: bool = True) -> np.ndarray:
    """A scalar operand at compute precision, as the reference's `_operand` converts it."""
    with np.errstate(over="ignore"):
        if not rounded and dtype in _HALVES:
            return np.asarray(x, np.float32)
        v = np.asarray(x).astype(dtype.np)
        return v.astype(np.float32) if dtype in _HALVES else v


def _bits(value, ct: DType) -> int:
    """The int64 that carries `value` (already exact in `ct`) to a kernel."""
    if ct.is_floating_point:
        return int(np.asarray(value, np.float64).view(np.int64))
    with np.errstate(all="ignore"):
        return int(np.asarray(value).astype(np.int64))


def _geometry(out: ArrayView, views: list[ArrayView]):
    """Per launch: (n, 4-D shape, offsets, 4-D strides (one per view, out's last), FLAT, I64)."""
    all_views = views + [out]
    return element_launches(out.shape, [v.offset for v in all_views], [v.strides for v in all_views])


def _apart(out: ArrayView, *operands):
    """The operands, with each view that partly overlaps `out` replaced by a copy: programs run in
    parallel, so an in-place op must read its inputs before any program writes (numpy's order)."""
    return tuple(_staged(v) if isinstance(v, ArrayView) and may_overlap(v, out) and not same_elements(v, out)
                 else v for v in operands)


def _staged(v: ArrayView) -> ArrayView:
    tmp = ArrayView(memory.empty(v.numel, v.dtype), 0, tuple(v.shape), contiguous_strides(v.shape), v.dtype)
    copy(v, tmp)
    return tmp


def _run(kernel, n, *args, **constexprs):
    with np.errstate(all="ignore"):  # masked-off lanes of the interpreter compute on padding
        launch(kernel, (triton.cdiv(n, BLOCK),), *args, **constexprs, BLOCK=BLOCK, enable_fp_fusion=False)


_NO_STRIDES = (0, 0, 0, 0)


# ============================================================================================
# Primitives
# ============================================================================================

def fill(out: ArrayView, value) -> None:
    """out[...] = value (converted to out's dtype)."""
    if out.numel == 0:
        return
    with np.errstate(all="ignore"):
        v = np.asarray(value).astype(out.dtype.np)
    ct = dtypes.float64 if out.dtype.is_floating_point else (dtypes.bool_ if out.dtype is dtypes.bool_
                                                              else dtypes.int64)
    bits = _bits(v.astype(np.float64) if ct.is_floating_point else v, ct)
    _generate(out, "fill", ct, bits, 0)


def arange(start, step, out: ArrayView) -> None:
    """out[i] = start + i * step for a 1-D out, computed in float64 (or int64) then converted."""
    if out.numel == 0:
        return
    ct = dtypes.float64 if out.dtype.is_floating_point else dtypes.int64
    with np.errstate(all="ignore"):
        s0, s1 = np.asarray(start, ct.np), np.asarray(step, ct.np)
    _generate(out, "arange", ct, _bits(s0, ct), _bits(s1, ct))


def _generate(out: ArrayView, op: str, ct: DType, p0: int, p1: int) -> None:
    for n, shape, (o_off,), (o_st,), flat, i64 in _geometry(out, []):
        _run(_generate_kernel, n, out.buffer, n, o_off, shape[1], shape[2], shape[3], *o_st, p0, p1,
             OP=op, CT=_TL[ct.name], FLAT=flat, I64=i64)


def unary(op: str, x: ArrayView, out: ArrayView) -> None:
    """out[i] = op(x[i]) for op in UNARY_OPS; `round` is half to even."""
    x, = _apart(out, x)
    _unary(*_plan_unary(op, x.dtype), x, out)


def _unary(kop: str, ct: DType, rt: DType, x: ArrayView, out: ArrayView) -> None:
    if out.numel == 0:
        return
    for n, shape, (x_off, o_off), (x_st, o_st), flat, i64 in _geometry(out, [x]):
        _run(_unary_kernel, n, x.buffer, out.buffer, n, x_off, o_off, shape[1], shape[2], shape[3],
             *x_st, *o_st, OP=kop, CT=_TL[ct.name], RT=_TL[rt.name], FLAT=flat, I64=i64)


def round_decimals(x: ArrayView, decimals: int, out: ArrayView) -> None:
    """out[i] = x[i] rounded half to even at `decimals` decimal places (negative: tens, ...),
    with PyTorch's formula: rint(x * 10**d) / 10**d, or rint(x / 10**-d) * 10**-d.
    Integer and bool inputs go through float64 (exact, unless x * 10**d overflows the integer
    type, where numpy wraps around first)."""
    x, = _apart(out, x)
    if out.numel == 0:
        return
    ct = _compute(x.dtype) if x.dtype.is_floating_point else dtypes.float64
    with np.errstate(all="ignore"):
        scale = np.asarray(10.0 ** abs(decimals), _compute(x.dtype).np)
    bits = _bits(scale, ct)
    for n, shape, (x_off, o_off), (x_st, o_st), flat, i64 in _geometry(out, [x]):
        _run(_round_kernel, n, x.buffer, out.buffer, n, x_off, o_off, shape[1], shape[2], shape[3],
             *x_st, *o_st, bits, UP=decimals >= 0, CT=_TL[ct.name], FLAT=flat, I64=i64)


def _any_zero(b: ArrayView, shape_of: ArrayView) -> bool:
    err = memory.from_numpy(np.zeros(1, np.int32))
    for n, shape, (b_off, _), (b_st, _), flat, i64 in _geometry(shape_of, [b]):
        _run(_zero_check_kernel, n, b.buffer, err, n, b_off, shape[1], shape[2], shape[3], *b_st,
             FLAT=flat, I64=i64)
    return bool(memory.to_numpy(ArrayView(err, 0, (1,), (1,), dtypes.int32))[0])


def _bits_of(x, dtype: DType, ct: DType, rounded: bool) -> int:
    return _bits(_host_scalar(x, dtype, rounded), ct)


def binary(op: str, a, b, out: ArrayView, alpha=1) -> None:
    """out[i] = op(a[i], b[i]) for op in BINARY_OPS; a or b may be a Python scalar (converted
    as PyTorch does: see the reference's SCALAR_AT_COMPUTE_PRECISION).

    `add` and `sub` compute a +- alpha * b (alpha at compute precision). `div` is true
    division, `trunc_divide` rounds the quotient toward zero, `floor_divide` and `remainder`
    follow Python (sign of the divisor; a zero remainder keeps the dividend's, as in PyTorch),
    `fmod` follows C (sign of the dividend). PyTorch's special cases are the reference's
    (`scalar_power`, the rounded half quotient of `trunc_divide`)."""
    a, b = _apart(out, a, b)
    if op not in BINARY_OPS:
        raise ValueError(f"binary: unknown op {op!r}; expected one of {', '.join(BINARY_OPS)}")
    tensors = [v for v in (a, b) if isinstance(v, ArrayView)]
    if not tensors:
        raise TypeError("an elementwise primitive needs at least one ArrayView operand")
    dtype = tensors[0].dtype
    power = scalar_power(dtype, b) if op == "pow" and not isinstance(b, ArrayView) else None
    if power is not None:  # PyTorch's shortcut: a unary op
        return _unary(power, _compute(dtype), _compute(dtype), a, out)
    kop, ct, rt = _plan_binary(op, dtype)
    if kop == "trunc_divide" and dtype in _HALVES and not scalar_like(b, out.shape):
        kop, rt = "trunc_divide_rounded", dtype  # (see the reference)
    rounded = op not in SCALAR_AT_COMPUTE_PRECISION
    a_mode = _TENSOR if isinstance(a, ArrayView) else _SCALAR
    b_mode = _TENSOR if isinstance(b, ArrayView) else _SCALAR
    a_s = 0 if a_mode == _TENSOR else _bits_of(a, dtype, ct, rounded)
    b_s = 0 if b_mode == _TENSOR else _bits_of(b, dtype, ct, rounded)
    if op in INTEGER_DIVISIONS and out.numel and not dtype.is_floating_point:
        zero = (b_mode == _SCALAR and _host_scalar(b, dtype, rounded) == 0) or \
            (b_mode == _TENSOR and _any_zero(b, out))
        if zero:
            raise ZeroDivisionError(f"{op}: integer division by zero ({dtype.name} divisor holds a 0)")
    if out.numel == 0:
        return
    has_alpha = op in ("add", "sub") and alpha != 1
    alpha_bits = _bits_of(alpha, dtype, ct, rounded=False) if has_alpha else 0
    views = [v for v in (a, b) if isinstance(v, ArrayView)]
    for n, shape, offs, strides, flat, i64 in _geometry(out, views):
        offs, strides = list(offs), list(strides)
        o_off, o_st = offs.pop(), strides.pop()
        a_off, a_st = (offs.pop(0), strides.pop(0)) if a_mode == _TENSOR else (0, _NO_STRIDES)
        b_off, b_st = (offs.pop(0), strides.pop(0)) if b_mode == _TENSOR else (0, _NO_STRIDES)
        _run(_binary_kernel, n, a.buffer if a_mode == _TENSOR else out.buffer,  # (never read)
             b.buffer if b_mode == _TENSOR else out.buffer, out.buffer, n, a_off, b_off, o_off,
             shape[1], shape[2], shape[3], *a_st, *b_st, *o_st, a_s, b_s, alpha_bits,
             OP=kop, CT=_TL[ct.name], RT=_TL[rt.name], A_MODE=a_mode, B_MODE=b_mode,
             HAS_ALPHA=has_alpha, BITS=_pow_bits(ct) if kop == "pow" else 0, FLAT=flat, I64=i64)


def _pow_bits(ct: DType) -> int:
    """Exponent bits the integer power walks: all that a non-negative exponent can set."""
    if ct.is_floating_point:
        return 0
    return ct.itemsize * 8 - (1 if ct.is_signed else 0)


def _ternary(op: str, a: ArrayView, b, c, out: ArrayView, ct: DType, tt: DType = dtypes.float64,
             b_mode: int = _TENSOR, c_mode: int = _TENSOR, b_s: int = 0, c_s: int = 0,
             p0: int = 0, p1: int = 0, f0: bool = False, f1: bool = False) -> None:
    if out.numel == 0:
        return
    views = [a] + [v for v, m in ((b, b_mode), (c, c_mode)) if m == _TENSOR]
    for n, shape, offs, strides, flat, i64 in _geometry(out, views):
        offs, strides = list(offs), list(strides)
        o_off, o_st = offs.pop(), strides.pop()
        a_off, a_st = offs.pop(0), strides.pop(0)
        b_off, b_st = (offs.pop(0), strides.pop(0)) if b_mode == _TENSOR else (0, _NO_STRIDES)
        c_off, c_st = (offs.pop(0), strides.pop(0)) if c_mode == _TENSOR else (0, _NO_STRIDES)
        _run(_ternary_kernel, n, a.buffer, b.buffer if b_mode == _TENSOR else out.buffer,  # (never read)
             c.buffer if c_mode == _TENSOR else out.buffer, out.buffer, n, a_off, b_off, c_off, o_off,
             shape[1], shape[2], shape[3], *a_st, *b_st, *c_st, *o_st, b_s, c_s, p0, p1,
             OP=op, CT=_TL[ct.name], TT=_TL[tt.name], B_MODE=b_mode, C_MODE=c_mode, F0=f0, F1=f1,
             FLAT=flat, I64=i64)


def _mode_and_bits(x, dtype: DType, ct: DType) -> tuple[int, int]:
    if x is None:
        return _ABSENT, 0
    if isinstance(x, ArrayView):
        return _TENSOR, 0
    return _SCALAR, _bits_of(x, dtype, ct, rounded=True)


def where(cond: ArrayView, a, b, out: ArrayView) -> None:
    """out[i] = a[i] if cond[i] else b[i]; a or b may be a scalar (of out's dtype when both are)."""
    cond, a, b = _apart(out, cond, a, b)
    tensors = [v for v in (a, b) if isinstance(v, ArrayView)]
    dtype = tensors[0].dtype if tensors else out.dtype
    ct = _compute(dtype)
    (b_mode, b_s), (c_mode, c_s) = _mode_and_bits(a, dtype, ct), _mode_and_bits(b, dtype, ct)
    _ternary("where", cond, a, b, out, ct, b_mode=b_mode, c_mode=c_mode, b_s=b_s, c_s=c_s)


def clamp(x: ArrayView, lo, hi, out: ArrayView) -> None:
    """out[i] = min(max(x[i], lo[i]), hi[i]); lo/hi are views, scalars or None (no bound).
    A NaN in x or in a bound gives NaN; lo > hi gives hi, as in PyTorch."""
    x, lo, hi = _apart(out, x, lo, hi)
    ct = _compute(x.dtype)
    (b_mode, b_s), (c_mode, c_s) = _mode_and_bits(lo, x.dtype, ct), _mode_and_bits(hi, x.dtype, ct)
    _ternary("clamp", x, lo, hi, out, ct, b_mode=b_mode, c_mode=c_mode, b_s=b_s, c_s=c_s)


def lerp(a: ArrayView, b: ArrayView, weight, out: ArrayView) -> None:
    """out[i] = a[i] + weight[i] * (b[i] - a[i]), in PyTorch's form that is exact at both
    ends: for |weight| >= 0.5 it computes b - (b - a) * (1 - weight). weight may be a scalar."""
    a, b, weight = _apart(out, a, b, weight)
    if a.dtype is dtypes.bool_:
        raise _unsupported("lerp", "lerp", a.dtype)
    ct = _compute(a.dtype)
    c_mode, c_s = _mode_and_bits(weight, a.dtype, ct)
    _ternary("lerp", a, b, weight, out, ct, c_mode=c_mode, c_s=c_s)


def isclose(a: ArrayView, b: ArrayView, rtol: float, atol: float, equal_nan: bool, out: ArrayView) -> None:
    """out[i] = a[i] == b[i] or |a[i] - b[i]| <= atol + |rtol * b[i]| (finite difference only);
    with equal_nan two NaNs are close. Integers and bools are compared through float64."""
    a, b = _apart(out, a, b)
    dtype = a.dtype
    ct = _compute(dtype)
    tt = ct if dtype.is_floating_point else dtypes.float64
    with np.errstate(all="ignore"):  # numpy takes the Python floats at the arrays' precision
        r, t = np.asarray(rtol, tt.np), np.asarray(atol, tt.np)
    _ternary("isclose", a, b, None, out, ct, tt, c_mode=_ABSENT, p0=_bits(r, tt), p1=_bits(t, tt),
             f0=bool(equal_nan) and dtype.is_floating_point, f1=bool(rtol or atol))
