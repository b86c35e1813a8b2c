"""Random family, Triton kernels (twins of `tritorch/reference/random.py`, whose docstring
defines every stream): element i of out, counted row-major over out's shape, draws Philox
4x32-10 counter `offset + i` from `tl.randint4x(seed, counter)` with an int64 counter, then the
same integer and float steps as the reference, so integer and uniform draws are bit-identical
on every device and normal/exponential ones are exact under the interpreter (within a few ulp
on a GPU, whose `log` and `cos` are approximate).
"""
from __future__ import annotations

import numpy as np
import triton
import triton.language as tl

from ..array_view import ArrayView
from .cast import cast, widen
from .launch import launch
from .math import div, neg, sqrt
from .strided import element_block, element_launches, element_offsets

BLOCK = 1024
RAND_SCALE: tl.constexpr = tl.constexpr(4.6566127342e-10)  # tl.rand's: max int32 * scale < 1 in float32
TWO_PI: tl.constexpr = tl.constexpr(6.283185307179586)
BOX_MULLER_FLOOR: tl.constexpr = tl.constexpr(1e-7)  # tl.randn's floor of u1
TWO_POW_M53: tl.constexpr = tl.constexpr(2.0 ** -53)


@triton.jit
def _float(bits, T: tl.constexpr):
    """A host float (a float64's bits carried in an int64) as dtype T (round to nearest)."""
    return bits.to(tl.int64).to(tl.float64, bitcast=True).to(T)


@triton.jit
def _uniform_f32(w):
    """`tl.rand`'s uint32 -> float32 conversion, into [0, 1 - 2**-24]."""
    x = w.to(tl.int32, bitcast=True)
    x = tl.where(x < 0, ~x, x)
    return x.to(tl.float32) * RAND_SCALE


@triton.jit
def _uniform_f64(hi, lo):
    """The top 53 bits of the 64-bit word hi:lo, scaled into [0, 1 - 2**-53]."""
    bits = ((hi.to(tl.uint64) << 32) | lo.to(tl.uint64)) >> 11
    return bits.to(tl.float64) * TWO_POW_M53


@triton.jit
def _uniform01(w0, w1, F64: tl.constexpr):
    if F64:
        return _uniform_f64(w0, w1)
    else:
        return _uniform_f32(w0)


@triton.jit
def _param(ptr, off, s0, s1, s2, s3, bits, lin, i0, i1, i2, i3, mask, VIEW: tl.constexpr, CT: tl.constexpr,
           FLAT: tl.constexpr, BLOCK: tl.constexpr):
    """A parameter (mean, std, p) at the compute dtype: a view with out's shape, or a scalar."""
    if VIEW:
        idx = element_offsets(lin, i0, i1, i2, i3, s0, s1, s2, s3, FLAT)
        return widen(tl.load(ptr + off + idx, mask=mask, other=0)).to(CT)
    else:
        return tl.full([BLOCK], _float(bits, CT), CT)


@triton.jit
def _mulhi64(r_hi, r_lo, f_hi, f_lo):
    """floor((r_hi * 2**32 + r_lo) * (f_hi * 2**32 + f_lo) / 2**64) from 32-bit limbs in uint64."""
    r_hi, r_lo = r_hi.to(tl.uint64), r_lo.to(tl.uint64)
    lo_lo, lo_hi, hi_lo, hi_hi = r_lo * f_lo, r_lo * f_hi, r_hi * f_lo, r_hi * f_hi
    middle = (lo_lo >> 32) + (lo_hi & 0xFFFFFFFF) + (hi_lo & 0xFFFFFFFF)
    return hi_hi + (lo_hi >> 32) + (hi_lo >> 32) + (middle >> 32)


# Tiling: one program per BLOCK consecutive elements of out (row-major over its shape, collapsed
# to 4-D), one lane per element; lane i draws the four Philox words of counter base + i and turns
# them into its value (OP), with mean/std/p loaded from a view of out's shape or given as scalars.
# Design: a counter-based generator (Random123's Philox4x32-10, as curand's Philox and PyTorch's
# cuda generator): stateless, so every program is independent, no program waits, and the bits
# never depend on the launch geometry. Bound: balanced between the integer ALU (10 rounds of two
# 32x32->64 multiplies, ~60 integer ops per element) and the bytes of out (plus mean/std/p).
@triton.jit(do_not_specialize=["seed", "base", "p0", "p1", "p2"])  # one binary for every value
def _random_kernel(out, a, b, n, seed: tl.int64, base: tl.int64, p0: tl.int64, p1: tl.int64, p2: tl.int64,
                   o_off, a_off, b_off, S1, S2, S3, o0, o1, o2, o3, a0, a1, a2, a3, b0, b1, b2, b3,
                   OP: tl.constexpr, F64: tl.constexpr, A_VIEW: tl.constexpr, B_VIEW: tl.constexpr,
                   FLAT: tl.constexpr, I64: tl.constexpr, BLOCK: tl.constexpr):
    lin, i0, i1, i2, i3 = element_block(S1, S2, S3, FLAT, I64, BLOCK)
    mask = lin < n
    w0, w1, w2, w3 = tl.randint4x(seed, base + lin.to(tl.int64))
    OUT: tl.constexpr = out.dtype.element_ty
    CT: tl.constexpr = tl.float64 if F64 else tl.float32
    if OP == "uniform":
        low, high = _float(p0, CT), _float(p1, CT)
        r = cast(low + (high - low) * _uniform01(w0, w1, F64), OUT)
        y = tl.where(widen(r).to(CT) >= high, cast(tl.full([BLOCK], low, CT), OUT), r)  # [low, high)
    elif OP == "normal":
        if F64:
            u1, u2 = _uniform_f64(w0, w1), _uniform_f64(w2, w3)
            z = sqrt(-2.0 * tl.log(1.0 - u1)) * tl.cos(u2 * TWO_PI)
        else:
            u1 = tl.maximum(_uniform_f32(w0), BOX_MULLER_FLOOR)
            z = sqrt(-2.0 * tl.log(u1)) * tl.cos(_uniform_f32(w1) * TWO_PI)
        mean = _param(a, a_off, a0, a1, a2, a3, p0, lin, i0, i1, i2, i3, mask, A_VIEW, CT, FLAT, BLOCK)
        std = _param(b, b_off, b0, b1, b2, b3, p1, lin, i0, i1, i2, i3, mask, B_VIEW, CT, FLAT, BLOCK)
        y = mean + std * z
    elif OP == "randint":
        above = _mulhi64(w0, w1, p1.to(tl.uint64), p2.to(tl.uint64))
        y = (p0.to(tl.uint64) + above).to(tl.int64, bitcast=True)  # wraps like int64
    elif OP == "bernoulli":
        p = _param(a, a_off, a0, a1, a2, a3, p0, lin, i0, i1, i2, i3, mask, A_VIEW, CT, FLAT, BLOCK)
        y = _uniform01(w0, w1, F64) < p
    else:
        tl.static_assert(OP == "exponential")
        y = div(neg(tl.log(1.0 - _uniform01(w0, w1, F64))), _float(p0, CT))
    tl.store(out + o_off + element_offsets(lin, i0, i1, i2, i3, o0, o1, o2, o3, FLAT), cast(y, OUT), mask=mask)


def _bits(x: float) -> int:
    """A Python float as the int64 that carries its float64 bits to a kernel."""
    return int(np.asarray(x, np.float64).view(np.int64))


def _as_int64(x: int) -> int:
    """An integer in [0, 2**64) (a seed) or [-2**63, 2**63) as the int64 with its low 64 bits."""
    x &= (1 << 64) - 1
    return x - (1 << 64) if x >= 1 << 63 else x


def _draw(op: str, seed: int, offset: int, out: ArrayView, p0: int = 0, p1: int = 0, p2: int = 0,
          a=None, b=None) -> None:
    """Launch `_random_kernel` over out (and over the parameter views a, b: out's shape), element
    i of out drawing counter offset + i; launches split on the host cover consecutive indices."""
    if out.numel == 0:
        return
    va, vb = (v if isinstance(v, ArrayView) else out for v in (a, b))  # a scalar's stand-in: out, unread
    base = offset
    for n, shape, offs, strides, flat, i64 in element_launches(
            out.shape, [out.offset, va.offset, vb.offset], [out.strides, va.strides, vb.strides]):
        with np.errstate(all="ignore"):  # masked-off lanes of the interpreter compute on padding
            launch(_random_kernel, (triton.cdiv(n, BLOCK),),
                out.buffer, va.buffer, vb.buffer, n, _as_int64(seed), base, p0, p1, p2, *offs, *shape[1:],
                *strides[0], *strides[1], *strides[2], OP=op, F64=out.dtype.name == "float64",
                A_VIEW=va is not out, B_VIEW=vb is not out, FLAT=flat, I64=i64, BLOCK=BLOCK,
                enable_fp_fusion=False)
        base += n


def _scalar_bits(value) -> int:
    return 0 if isinstance(value, ArrayView) else _bits(value)


def uniform(seed: int, offset: int, low: float, high: float, out: ArrayView) -> None:
    """out[i] ~ U[low, high) for a floating out (a value rounding up to high becomes low)."""
    _draw("uniform", seed, offset, out, _bits(low), _bits(high))


def normal(seed: int, offset: int, mean, std, out: ArrayView) -> None:
    """out[i] = mean + std * N(0, 1) for a floating out; mean and std are each a Python float or
    an ArrayView with out's shape (stride 0 where broadcast)."""
    _draw("normal", seed, offset, out, _scalar_bits(mean), _scalar_bits(std), a=mean, b=std)


def randint(seed: int, offset: int, low: int, high: int, out: ArrayView) -> None:
    """out[i] = an integer uniform in [low, high) (Lemire's multiply-shift on a 64-bit word),
    converted to out's dtype. Needs -2**63 <= low < high <= 2**63 and high - low < 2**64."""
    span = high - low
    _draw("randint", seed, offset, out, _as_int64(low), span >> 32, span & 0xFFFFFFFF)


def bernoulli(seed: int, offset: int, p, out: ArrayView) -> None:
    """out[i] = 1 with probability p (a Python float or an ArrayView with out's shape), else 0."""
    _draw("bernoulli", seed, offset, out, _scalar_bits(p), a=p)


def exponential(seed: int, offset: int, lambd: float, out: ArrayView) -> None:
    """out[i] ~ Exp(lambd): `-ln(1 - u) / lambd` for a floating out."""
    _draw("exponential", seed, offset, out, _bits(lambd))
