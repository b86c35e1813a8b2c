"""Dtype conversion inside kernels, as numpy's `astype` does it on every device.

* every value widened first (`widen`: half types to float32, bfloat16 exactly, by its bits);
* to bool: `v != 0` (so -0.0 is False);
* float to a narrow integer: through int64, so out-of-range values wrap as in numpy (the GPU's
  direct conversion clamps: -3.0 would become 0 in uint8, not 253);
* to bfloat16: through float32 (numpy and PyTorch round twice from float64), rounding to
  nearest even; by hand under the interpreter, which truncates instead and mis-converts
  anything but float32.
"""
import triton
import triton.language as tl

from . import memory

INTERPRET = tl.constexpr(memory.interpreted())


@triton.jit
def bf16_rne(v):
    """float32 -> bfloat16 rounding to nearest even, by hand (NaN stays a quiet NaN)."""
    u = v.to(tl.uint32, bitcast=True)
    r = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    r = tl.where(v != v, 0x7FC0, r)
    return r.to(tl.uint16).to(tl.bfloat16, bitcast=True)


@triton.jit
def widen(v):
    """A loaded half-precision block as float32 (the interpreter computes bf16 arithmetic and
    comparisons on raw bits); other dtypes as they are. bfloat16 is the top half of a float32,
    so its bits shifted up are the exact value (the interpreter's own conversion flushes
    subnormals to zero; on the GPU the shift is the conversion)."""
    if v.dtype == tl.bfloat16:
        out = (v.to(tl.uint16, bitcast=True).to(tl.uint32) << 16).to(tl.float32, bitcast=True)
    elif v.dtype == tl.float16:
        out = v.to(tl.float32)
    else:
        out = v
    return out


@triton.jit
def cast(v, T: tl.constexpr):
    """v converted to dtype T as numpy's astype would."""
    v = widen(v)
    if T == tl.int1:
        out = v != 0
    elif T == tl.bfloat16:
        if INTERPRET:
            out = bf16_rne(v.to(tl.float32))
        else:
            out = v.to(tl.float32).to(tl.bfloat16)
    elif v.dtype.is_floating() and T.is_int() and T != tl.int64:
        out = v.to(tl.int64).to(T)
    else:
        out = v.to(T)
    return out


@triton.jit
def as_output_then(v, OUT: tl.constexpr, ACC: tl.constexpr):
    """Loaded input values as the reductions of the reference see them: converted to the
    output's dtype first (PyTorch's `dtype=` casts the input), then to the accumulator's."""
    return cast(cast(v, OUT), ACC)


def accumulator(dtype):
    """The dtype a kernel accumulates a result of `dtype` in: float64 for float64, float32 for
    the other floats, int64 for integers and bool."""
    if dtype.name == "float64":
        return tl.float64
    return tl.float32 if dtype.is_floating_point else tl.int64
