"""IEEE device math shared by the kernel families (inlined into the kernels that call it).

Triton's core math is what the GPU does fast, not what numpy computes: float32 `/` and
`tl.sqrt` lower to approximate instructions, unary minus of +0.0 gives +0.0 in Triton 3.6,
and there is no expm1, log1p, tanh, pow or fmod without libdevice (which the interpreter
lacks). These helpers are exact where the reference is (div, sqrt, neg, copysign, rint, trunc,
fmod) and within an ulp or two elsewhere, in plain `tl` operations that run on Triton 3.6 and
3.9, compiled or interpreted. Elementwise ops, norms, losses, activations and optimisers use
them; none of them loads or stores.

Inputs are float32 or float64 (widen half types first: `cast.widen`), except `invert`,
`pow_int` and `neg` (integers too). Costs are a handful of FLOPs each; `fmod` loops about
q / 52 times for a quotient of 2^q, and `pow_float` works in float64.
"""
import triton
import triton.language as tl

LN2 = tl.constexpr(0.6931471805599453)
LN2_HI = tl.constexpr(0.6931471803691238)  # 33 significant bits: e * LN2_HI is exact
LN2_LO = tl.constexpr(1.9082149292705877e-10)
INV_LN10 = tl.constexpr(0.4342944819032518)
SQRT2 = tl.constexpr(1.4142135623730951)
TWO_1000 = tl.constexpr(2.0 ** 1000)


@triton.jit
def div(a, b):
    """IEEE division (float32 `/` lowers to the approximate div.full on the GPU)."""
    if a.dtype == tl.float32:
        return tl.div_rn(a, b)
    else:
        return a / b


@triton.jit
def sqrt(x):
    """Correctly rounded square root (float32 `tl.sqrt` lowers to the approximate sqrt.approx)."""
    if x.dtype == tl.float32:
        return tl.sqrt_rn(x)
    else:
        return tl.sqrt(x)


@triton.jit
def neg(x):
    """-x with IEEE signed zeros: Triton 3.6 lowers unary minus to 0 - x, which maps +0 to +0;
    multiplying by -1 is exact for floats in both versions."""
    if x.dtype.is_floating():
        y = x * -1.0
    else:
        y = 0 - x
    return y


@triton.jit
def invert(x):
    """~x in x's own width (Triton 3.6 widens the all-ones constant of unary ~)."""
    return x ^ tl.full(x.shape, -1, tl.int64).to(x.dtype)


@triton.jit
def neg_if(cond, x):
    """-x where cond, x elsewhere."""
    return tl.where(cond, neg(x), x)


@triton.jit
def sign_bit(x):
    """True where x's sign bit is set (so -0.0 and -NaN count as negative)."""
    if x.dtype == tl.float64:
        return x.to(tl.int64, bitcast=True) < 0
    else:
        return x.to(tl.int32, bitcast=True) < 0


@triton.jit
def copysign(mag, sgn):
    """|mag| with the sign bit of sgn, as C's copysign (NaN and -0.0 signs count)."""
    return neg_if(sign_bit(sgn), tl.abs(mag))


@triton.jit
def rint(x):
    """Round half to even: adding and removing 2^(p-1) rounds in the FPU's own mode."""
    if x.dtype == tl.float64:
        big = 4503599627370496.0
    else:
        big = 8388608.0
    ax = tl.abs(x)
    r = (ax + big) - big
    return tl.where(ax < big, copysign(r, x), x)


@triton.jit
def trunc(x):
    """x rounded toward zero."""
    return tl.where(x < 0, tl.ceil(x), tl.floor(x))


@triton.jit
def expm1(x):
    """exp(x) - 1, accurate near 0 (Kahan's correction)."""
    u = tl.exp(x)
    um1 = u - 1.0
    # Kahan: the rounding error of u cancels in (u - 1) / log(u); only needed near 0
    small = tl.where(u == 1.0, x, um1 * div(x, tl.log(u)))
    return tl.where(tl.abs(x) < LN2, small, um1)


@triton.jit
def log1p(x):
    """log(1 + x), accurate near 0: the rounding error of u = 1 + x cancels in log(u) * x / (u - 1)."""
    u = x + 1.0
    y = tl.where(u == 1.0, x, tl.log(u) * div(x, u - 1.0))
    return tl.where(x == float("inf"), x, y)


@triton.jit
def tanh(x):
    """tanh(x) = expm1(2x) / (expm1(2x) + 2), so small |x| keeps its relative accuracy; +-1 past |x| = 22."""
    e = expm1(2.0 * x)
    y = div(e, e + 2.0)
    return tl.where(tl.abs(x) > 22.0, tl.where(x > 0, 1.0, -1.0).to(x.dtype), y)


@triton.jit
def fmod(a, b):
    """C's fmod, exactly: reduce |a| by integer multiples of |b|, each step exact thanks to the
    FMA (a quotient above 2^53 removes its leading 53 bits), so a float64 quotient of 2^q takes
    about q / 52 steps (float32 inputs: at most 6). Computed in float64."""
    x = a.to(tl.float64)
    ay = tl.abs(b.to(tl.float64))
    r = tl.abs(x)
    go = r >= ay
    while tl.max(go.to(tl.int32), 0) > 0:
        # a quotient past float64's range: reduce by ay * 2^1000 (or 2^2000) first, an exact
        # integer multiple of ay
        d = tl.where(tl.abs(r) / ay == float("inf"), ay * TWO_1000, ay)
        d = tl.where(tl.abs(r) / d == float("inf"), d * TWO_1000, d)
        q = trunc(tl.where(go, r / d, 0.0))
        r = tl.where(go, tl.fma(neg(q), d, r), r)
        go = tl.abs(r) >= ay
    r = tl.where(r < 0, r + ay, r)
    r = tl.where(ay != ay, ay, copysign(r, x))
    return r.to(a.dtype)


@triton.jit
def floor_divide_float(a, b):
    """numpy's npy_floor_divide (via npy_divmod), operation for operation."""
    mod = fmod(a, b)
    whole = div(a - mod, b)
    adjust = (mod != 0) & ((b < 0) != (mod < 0))
    whole = tl.where(adjust, whole - 1.0, whole)
    fl = tl.floor(whole)
    fl = tl.where(whole - fl > 0.5, fl + 1.0, fl)
    q = div(a, b)
    fl = tl.where(whole == 0, copysign(tl.zeros_like(q), q), fl)
    return tl.where(b == 0, q, fl)


@triton.jit
def remainder_float(a, b):
    """PyTorch's remainder: fmod moved to the divisor's sign where nonzero (a zero keeps fmod's
    sign, the dividend's; numpy's gives it the divisor's)."""
    mod = fmod(a, b)
    return tl.where((mod != 0) & ((b < 0) != (mod < 0)), mod + b, mod)


@triton.jit
def pow_float(a, b):
    """IEEE pow in float64 (PyTorch's shortcuts for a scalar exponent are the caller's: see
    the reference's SCALAR_POWERS). log|a| = e*ln2 + log(m), m in
    [sqrt(1/2), sqrt(2)), kept as a double-double so that a large exponent of 2 costs no accuracy."""
    a = a.to(tl.float64)
    b = b.to(tl.float64)
    ax = tl.abs(a)
    tiny = ax < 2.2250738585072014e-308
    scaled = tl.where(tiny, ax * 18014398509481984.0, ax)  # 2^54 lifts subnormals
    bits = scaled.to(tl.int64, bitcast=True)
    e = (bits >> 52) - 1023
    m = ((bits & 0xFFFFFFFFFFFFF) | 0x3FF0000000000000).to(tl.float64, bitcast=True)
    big = m > SQRT2
    m = tl.where(big, m * 0.5, m)
    e = tl.where(big, e + 1, e) - tl.where(tiny, 54, 0)
    ef = e.to(tl.float64)
    s = ef * LN2_HI
    # e * LN2_LO joins the small part before the sum, so that lo stays below an ulp of hi:
    # exp(yh) * (1 + yl) is then right to first order even for e = +-1074
    t = tl.log(m) + ef * LN2_LO
    hi = s + t
    lo = (s - hi) + t  # |s| >= |t| unless e == 0, where s is 0 and lo is exactly 0
    yh = b * hi
    yl = tl.fma(b, hi, neg(yh)) + b * lo
    ex = tl.exp(yh)
    # an infinite yh (b * log|a| overflowing) leaves yl NaN: exp(yh) alone is the limit
    fine = tl.where((tl.abs(ex) < float("inf")) & (tl.abs(yh) < float("inf")), tl.fma(ex, yl, ex), ex)
    # zero, infinite or NaN base or exponent: the plain formula has IEEE's limits
    plain = tl.exp(b * tl.log(ax))
    regular = (ax > 0) & (ax < float("inf")) & (tl.abs(b) < float("inf"))
    mag = tl.where(regular, fine, plain)
    mag = tl.where(ax == 1.0, 1.0, mag)  # (-1) ** inf is 1
    integral = tl.floor(b) == b
    odd = integral & (tl.abs(b) < 9007199254740992.0) & (tl.floor(b * 0.5) * 2.0 != b)
    res = neg_if(sign_bit(a) & odd, mag)
    # a negative finite base has no real non-integral power; (-inf) ** y is IEEE inf or +0
    res = tl.where((a < 0) & (ax < float("inf")) & (~integral), float("nan"), res)
    return tl.where((b == 0) | (a == 1.0), 1.0, res)


@triton.jit
def pow_int(a, b, BITS: tl.constexpr):
    """PyTorch's integer power: wraps like repeated multiplication (square and multiply over
    the exponent's BITS bits); a negative exponent gives 1 / a truncated."""
    if a.dtype.is_int_signed():
        e = tl.where(b < 0, 0, b)
    else:
        e = b
    r = tl.full(a.shape, 1, a.dtype)
    base = a
    for i in tl.static_range(BITS):
        r = tl.where(((e >> i) & 1) != 0, r * base, r)
        base = base * base
    if a.dtype.is_int_signed():
        inverse = tl.where(a == 1, 1, tl.where(a == -1, tl.where((b & 1) == 0, 1, -1), 0)).to(a.dtype)
        r = tl.where(b < 0, inverse, r)
    return r


@triton.jit
def sigmoid(x):
    """1 / (1 + exp(-x)) with an IEEE division (an exp(-x) that overflows gives 0)."""
    return div(tl.full(x.shape, 1.0, x.dtype), 1.0 + tl.exp(neg(x)))
