"""Random family, numpy reference: Triton's Philox 4x32-10 stream, reproduced bit for bit.

Every primitive takes `seed` (an int in [0, 2**64), the Philox key) and `offset` (an int below
2**63): element i of `out`, counted in row-major order over out's shape whatever its strides,
uses Philox counter `offset + i` and only that counter. A Triton kernel gets the same numbers
from `tl.randint4x(seed, offset + i)` with an int64 offset block (so c0, c1 are the low and
high words of the counter, c2 = c3 = 0, and the key is the low and high words of the seed),
followed by the integer and float steps written out below.

How the four 32-bit words w0..w3 of a counter become values ("compute dtype" is float64 when
out is float64 and float32 otherwise; half-precision outputs are rounded once, on store):

- uniform float32 `u`: `tl.rand`'s conversion of w0 (bitcast to int32, `x < 0 -> ~x`, then
  `float32(x) * float32(4.6566127342e-10)`), which lies in [0, 1 - 2**-24].
- uniform float64 `u`: the top 53 bits of the 64-bit word `w0:w1`, times 2**-53: [0, 1 - 2**-53].
- `uniform`: `low + (high - low) * u` in the compute dtype, rounded to out's dtype; a value that
  rounds up to `high` becomes `low` (as PyTorch's cuda `uniform_`), so the range is [low, high).
- `normal` float32: `tl.randn`'s Box-Muller on (w0, w1): `u1 = max(1e-7, u(w0))`, `u2 = u(w1)`,
  `sqrt(-2 ln u1) * cos(2*pi*u2)`; float64 uses 53-bit uniforms from `w0:w1` and `w2:w3` and
  `sqrt(-2 ln(1 - u1)) * cos(2*pi*u2)`. Then `mean + std * n` in the compute dtype.
- `randint` in [low, high): with `range = high - low` (1 <= range < 2**64) and the 64-bit word
  `r = w0:w1`, the value is `low + floor(r * range / 2**64)` (Lemire's multiply-shift, no
  division; each value's probability is off by at most range/2**64). The 128-bit product is
  formed from 32-bit limbs in uint64 arithmetic (`_mulhi64`), which Triton has too.
- `bernoulli`: `u < p` in the compute dtype.
- `exponential`: `-ln(1 - u) / lambd` in the compute dtype.
"""
from __future__ import annotations

import numpy as np

from ..array_view import ArrayView
from .memory import ndarray

_MASK32 = np.uint64(0xFFFFFFFF)
_ROUND_A, _ROUND_B = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_KEY_A, _KEY_B = 0x9E3779B9, 0xBB67AE85
_N_ROUNDS = 10
_RAND_SCALE = np.float32(4.6566127342e-10)  # tl.rand's scale: max int32 * scale < 1 in float32
_TWO_PI_F32 = np.float32(6.283185307179586)
_BOX_MULLER_FLOOR = np.float32(1e-7)  # tl.randn keeps log() finite with max(1e-7, u1)
_TWO_POW_M53 = np.float64(2.0 ** -53)


# the primitives a Triton twin must provide; philox and the uniform/normal helpers are the
# reference's own building blocks (and the tests' oracle for tl.rand/tl.randn)
PRIMITIVES = ("uniform", "normal", "randint", "bernoulli", "exponential")


def philox_rounds(c0, c1, c2, c3, k0: int, k1: int) -> tuple[np.ndarray, ...]:
    """Ten Philox 4x32 rounds on counter words c0..c3 (uint64 arrays holding 32-bit values)
    and key words k0, k1; returns the four output words the same way."""
    c0, c1, c2, c3 = (np.asarray(c, dtype=np.uint64) for c in (c0, c1, c2, c3))
    for _ in range(_N_ROUNDS):
        prod_b, prod_a = _ROUND_B * c2, _ROUND_A * c0  # < 2**64: exact
        c0, c1, c2, c3 = ((prod_b >> np.uint64(32)) ^ c1 ^ np.uint64(k0), prod_b & _MASK32,
                          (prod_a >> np.uint64(32)) ^ c3 ^ np.uint64(k1), prod_a & _MASK32)
        k0, k1 = (k0 + _KEY_A) & 0xFFFFFFFF, (k1 + _KEY_B) & 0xFFFFFFFF
    return c0, c1, c2, c3


def philox(seed: int, counters: np.ndarray) -> tuple[np.ndarray, ...]:
    """Triton's `randint4x(seed, counters)` for 64-bit counters: key = (low, high) words of
    the uint64 seed, counter = (low word, high word, 0, 0)."""
    counters = np.asarray(counters).astype(np.uint64)
    zeros = np.zeros_like(counters)
    return philox_rounds(counters & _MASK32, counters >> np.uint64(32), zeros, zeros,
                         seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF)


def _words(seed: int, offset: int, out: ArrayView) -> tuple[np.ndarray, ...]:
    """The four Philox words of each element of `out`, shaped like it."""
    counters = np.uint64(offset) + np.arange(out.numel, dtype=np.uint64)
    return tuple(w.reshape(out.shape) for w in philox(seed, counters))


def uniform_f32(word: np.ndarray) -> np.ndarray:
    """`tl.rand`'s uint32 -> float32 conversion, into [0, 1 - 2**-24]."""
    x = word.astype(np.uint32).view(np.int32)
    x = np.where(x < 0, ~x, x)
    return x.astype(np.float32) * _RAND_SCALE


def uniform_f64(high_word: np.ndarray, low_word: np.ndarray) -> np.ndarray:
    """The top 53 bits of `high_word:low_word`, scaled into [0, 1 - 2**-53]."""
    bits = ((high_word << np.uint64(32)) | low_word) >> np.uint64(11)
    return bits.astype(np.float64) * _TWO_POW_M53


def _compute_dtype(out: ArrayView) -> type:
    return np.float64 if out.dtype.np == np.float64 else np.float32


def _uniform01(seed: int, offset: int, out: ArrayView) -> np.ndarray:
    w0, w1, _, _ = _words(seed, offset, out)
    return uniform_f64(w0, w1) if _compute_dtype(out) is np.float64 else uniform_f32(w0)


def _operand(value, out: ArrayView, dtype: type) -> np.ndarray:
    """A scalar, or an ArrayView broadcast to out's shape, as an array of the compute dtype."""
    if isinstance(value, ArrayView):
        return ndarray(value).astype(dtype, copy=False)
    return np.asarray(value, dtype=dtype)


def uniform(seed: int, offset: int, low: float, high: float, out: ArrayView) -> None:
    """out[i] ~ U[low, high) for a floating out (see the module docstring)."""
    dt = _compute_dtype(out)
    low_c, high_c = dt(low), dt(high)
    value = (low_c + (high_c - low_c) * _uniform01(seed, offset, out)).astype(out.dtype.np)
    rounded_up = value.astype(dt) >= high_c
    ndarray(out)[...] = np.where(rounded_up, low_c.astype(out.dtype.np), value)


def standard_normal_f32(w0: np.ndarray, w1: np.ndarray) -> np.ndarray:
    """`tl.randn`: Box-Muller on the float32 uniforms of two words, cosine half."""
    u1 = np.maximum(_BOX_MULLER_FLOOR, uniform_f32(w0))
    u2 = uniform_f32(w1)
    radius = np.sqrt(np.float32(-2.0) * np.log(u1))
    return radius * np.cos(_TWO_PI_F32 * u2)


def standard_normal_f64(w0, w1, w2, w3) -> np.ndarray:
    """Box-Muller on two 53-bit uniforms; `1 - u1` lies in (0, 1], so the log is finite."""
    u1, u2 = uniform_f64(w0, w1), uniform_f64(w2, w3)
    return np.sqrt(-2.0 * np.log(1.0 - u1)) * np.cos(2.0 * np.pi * u2)


def normal(seed: int, offset: int, mean, std, out: ArrayView) -> None:
    """out[i] = mean + std * N(0, 1) for a floating out. `mean` and `std` are each a Python
    float or an ArrayView with out's shape (stride 0 where broadcast)."""
    dt = _compute_dtype(out)
    words = _words(seed, offset, out)
    n = standard_normal_f64(*words) if dt is np.float64 else standard_normal_f32(words[0], words[1])
    value = _operand(mean, out, dt) + _operand(std, out, dt) * n
    ndarray(out)[...] = value.astype(out.dtype.np)


def _mulhi64(r_hi: np.ndarray, r_lo: np.ndarray, factor: int) -> np.ndarray:
    """floor((r_hi * 2**32 + r_lo) * factor / 2**64) in uint64 arithmetic on 32-bit limbs."""
    f_hi, f_lo = np.uint64(factor >> 32), np.uint64(factor & 0xFFFFFFFF)
    lo_lo, lo_hi = r_lo * f_lo, r_lo * f_hi
    hi_lo, hi_hi = r_hi * f_lo, r_hi * f_hi
    middle = (lo_lo >> np.uint64(32)) + (lo_hi & _MASK32) + (hi_lo & _MASK32)
    return hi_hi + (lo_hi >> np.uint64(32)) + (hi_lo >> np.uint64(32)) + (middle >> np.uint64(32))


def randint(seed: int, offset: int, low: int, high: int, out: ArrayView) -> None:
    """out[i] = an integer uniform in [low, high), converted to out's dtype (any dtype).
    Needs -2**63 <= low < high <= 2**63 and high - low < 2**64."""
    w0, w1, _, _ = _words(seed, offset, out)
    above_low = _mulhi64(w0, w1, high - low)
    value = (np.uint64(low & 0xFFFFFFFFFFFFFFFF) + above_low).view(np.int64)  # wraps like int64
    ndarray(out)[...] = value.astype(out.dtype.np)


def bernoulli(seed: int, offset: int, p, out: ArrayView) -> None:
    """out[i] = 1 with probability p (a Python float or an ArrayView with out's shape), else 0."""
    dt = _compute_dtype(out)
    ndarray(out)[...] = (_uniform01(seed, offset, out) < _operand(p, out, dt)).astype(out.dtype.np)


def exponential(seed: int, offset: int, lambd: float, out: ArrayView) -> None:
    """out[i] ~ Exp(lambd): `-ln(1 - u) / lambd` for a floating out."""
    dt = _compute_dtype(out)
    value = -np.log(dt(1.0) - _uniform01(seed, offset, out)) / dt(lambd)
    ndarray(out)[...] = value.astype(out.dtype.np)
