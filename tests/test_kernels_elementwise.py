"""Elementwise Triton kernels against the float64 oracle (`tritorch.testing.oracle`).

Every input sits inside a buffer padded with NaN (or an integer sentinel) and every output inside
a sentinel-padded buffer: the padding must come back bit for bit and no padding value may leak
into a result. Results that are one correctly rounded operation of the inputs (and the exact
ops) are compared bit for bit (signed zeros included), since rounding the float64 result once
gives the same bits; transcendentals and multi-step formulas within `tolerance`. Results that
the rounding of an intermediate in the tensor's own dtype defines compare with the reference
run in that dtype (`defined_by_dtype` says which and why).
"""
import os

import torch

if not torch.cuda.is_available():  # set before any kernel is defined; a GPU runs them natively
    os.environ.setdefault("TRITON_INTERPRET", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from tritorch import dtypes, reference  # noqa: E402
from tritorch.array_view import ArrayView  # noqa: E402
from tritorch.backend import cuda_backend  # noqa: E402
from tritorch.reference.memory import ndarray  # noqa: E402
from tritorch.testing import Out, oracle, tolerance  # noqa: E402
from harness import assert_padding_untouched, host, memory, padded, record_launches  # noqa: E402

KERNELS = cuda_backend().elementwise
REF = reference.elementwise
from tritorch.kernels import elementwise as kernel_module  # noqa: E402  (after the switch)
from tritorch.kernels import strided  # noqa: E402

ALL = (dtypes.float32, dtypes.float16, dtypes.bfloat16, dtypes.float64, dtypes.int64, dtypes.int32,
       dtypes.int16, dtypes.int8, dtypes.uint8, dtypes.bool_)
FLOATS = (dtypes.float32, dtypes.float16, dtypes.bfloat16, dtypes.float64)
SHAPE = (3, 4, 5)
PREDICATES = ("isnan", "isinf", "isfinite", "logical_not")
COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor")
INT_DIVISIONS = ("floor_divide", "trunc_divide", "remainder", "fmod")
# transcendental or rounded more than once (rsqrt = 1 / sqrt): within tolerance; the rest bit for bit
APPROXIMATE = ("exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "tanh",
               "sigmoid", "pow", "rsqrt")
# Float results that the tensor's own dtype defines: floor_divide, trunc_divide and remainder
# round the quotient a / b in that dtype first (a float64 quotient falls on the other side of an
# integer when a / b lies within half an ulp of one), and round_decimals rounds x * 10**d in it
# before rint. These compare with the reference run in the operands' own dtypes.
DTYPE_DEFINED = ("floor_divide", "trunc_divide", "remainder")
# the scalar operands of each primitive, converted as the reference's `_operand` converts them
SCALAR_OPERANDS = {"binary": (1, 2), "where": (1, 2), "clamp": (1, 2), "lerp": (2,)}
FLOAT_SPECIALS = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5, 0.49999997,
                  1e-3, -3.75, 7.0, 100.0, -1e4, 3.0, -6.0, 0.1, 2.0]


# --- values ----------------------------------------------------------------------------------

def sample(shape, dtype, seed=0, *, nonzero=False, small=False, specials=True):
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    if dtype is dtypes.bool_:
        a = rng.random(n) < 0.5
        if nonzero:
            a[:] = True
    elif dtype.is_floating_point:
        a = rng.standard_normal(n) * 3
        if specials:
            k = min(n, len(FLOAT_SPECIALS))
            a[:k] = np.roll(FLOAT_SPECIALS, seed)[:k]
    else:
        info = np.iinfo(dtype.np)
        lo, hi = (0, 200) if dtype is dtypes.uint8 else (-50, 50)
        if small:
            lo, hi = (0, 7) if dtype is dtypes.uint8 else (-6, 7)
        a = rng.integers(lo, hi, n)
        if specials and not small:
            extremes = [info.min, info.max, 0, 1, info.max - 1, info.min + 1]
            if dtype.is_signed:
                extremes += [-1, -2]
            k = min(n, len(extremes))
            a[:k] = np.roll(extremes, seed)[:k]
        if nonzero:
            a[a == 0] = 3
    return a.astype(dtype.np).reshape(shape)


def pow_operands(dtype, shape):
    """Bases and exponents covering IEEE pow's cases (or integer power's)."""
    if dtype.is_floating_point:
        pairs = [(-2.0, 3.0), (-2.0, 0.5), (0.0, -1.0), (-0.0, -3.0), (-0.0, 3.0), (np.inf, -2.0), (-np.inf, 3.0),
                 (1.0, np.nan), (np.nan, 0.0), (-1.0, np.inf), (0.5, np.inf), (2.0, -np.inf), (-8.0, 1 / 3),
                 (0.0, 0.0), (3.0, 2.5), (1.7, -6.5), (-1.5, -3.0), (2.0, 10.0), (1e-4, 1.5), (7.5, 0.25)]
        a = sample(shape, dtype, 3, specials=False).astype(np.float64)
        b = np.random.default_rng(4).uniform(-3, 3, a.size).reshape(shape)
        a.reshape(-1)[:len(pairs)] = [p[0] for p in pairs]
        b.reshape(-1)[:len(pairs)] = [p[1] for p in pairs]
        return a.astype(dtype.np), b.astype(dtype.np)
    a = sample(shape, dtype, 3, small=True)
    rng = np.random.default_rng(4)
    if dtype is dtypes.bool_:
        return a, rng.random(shape) < 0.5
    lo = 0 if dtype is dtypes.uint8 else -2
    b = rng.integers(lo, 10, shape).astype(dtype.np)
    if dtype.itemsize == 1 and dtype.is_signed:
        b.reshape(-1)[:3] = [7, 100, 127]  # wraps around
    return a, b


# --- layouts ---------------------------------------------------------------------------------

def view_of(values: np.ndarray, dtype, layout: str = "contiguous") -> ArrayView:
    """A device view holding `values` (its logical shape) in the given storage layout, inside
    NaN/sentinel padding (so its storage offset is never 0)."""
    if layout in ("contiguous", "large", "empty"):
        return padded(values, dtype)
    if layout in ("transposed", "high_rank"):
        perm = tuple(reversed(range(values.ndim))) if layout == "transposed" else (4, 2, 0, 3, 1)
        stored = padded(np.ascontiguousarray(np.transpose(values, perm)), dtype)
        inverse = np.argsort(perm)
        return ArrayView(stored.buffer, stored.offset, values.shape,
                         tuple(stored.strides[i] for i in inverse), dtype)
    assert layout == "broadcast"
    small = values[(slice(None),) + (slice(0, 1),) * (values.ndim - 1)]  # first row only
    stored = padded(np.ascontiguousarray(small), dtype)
    return ArrayView(stored.buffer, stored.offset, values.shape,
                     tuple(0 if d > 0 else s for d, s in enumerate(stored.strides)), dtype)


LAYOUT_SHAPES = {"contiguous": (3, 4, 5), "transposed": (3, 4, 5), "broadcast": (3, 4, 5),
                 "high_rank": (2, 2, 2, 2, 3), "empty": (0, 3), "large": (2, 1100)}


# --- running both backends -------------------------------------------------------------------

def host_copy(v: ArrayView) -> ArrayView:
    """The same view over a numpy copy of the whole device buffer."""
    whole = memory().to_numpy(ArrayView(v.buffer, 0, (v.buffer.numel(),), (1,), v.dtype))
    return ArrayView(whole.copy(), v.offset, v.shape, v.strides, v.dtype)


def defined_by_dtype(name: str, args: list) -> bool:
    """Whether a float result is defined by rounding an intermediate in the tensor's own dtype
    (see DTYPE_DEFINED): then the reference in that dtype is the expectation, not the oracle."""
    floats = any(isinstance(a, ArrayView) and a.dtype.is_floating_point for a in args)
    return floats and (name == "round_decimals" or (name == "binary" and args[0] in DTYPE_DEFINED)
                       or (name == "binary" and args[0] == "pow" and _power_by_dtype(args[1], args[2])))


def _power_by_dtype(a, exponent) -> bool:
    """Whether PyTorch's formula for a tensor to this scalar power depends on the dtype (float16
    takes IEEE pow where the others take sqrt, ...: the reference's `scalar_power`)."""
    return isinstance(a, ArrayView) and not isinstance(exponent, ArrayView) and \
        REF.scalar_power(a.dtype, exponent) != REF.scalar_power(dtypes.float64, exponent)


def oracle_args(name: str, args: list, out: ArrayView) -> list:
    """`args` as the oracle takes them: each input view as its values, `out` as `Out`, and a Python
    scalar operand as the value the primitive computes with (the reference's conversion: rounded
    to the tensor's dtype, or float32 for a half-precision arithmetic op), so that the float64
    oracle sees the very operand the kernel sees."""
    operands = [a for i, a in enumerate(args) if isinstance(a, ArrayView) and a is not out and (name != "where" or i)]
    dtype = operands[0].dtype if operands else out.dtype  # where of two scalars: out's dtype
    rounded = not (name == "binary" and args[0] in REF.SCALAR_AT_COMPUTE_PRECISION)
    converted = []
    for i, a in enumerate(args):
        if a is out:
            a = Out(out.shape, out.dtype)
        elif isinstance(a, ArrayView):
            a = host(a)
        elif i in SCALAR_OPERANDS.get(name, ()) and a is not None:
            a = REF._operand(a, dtype, rounded).item()
        elif name == "binary" and i == 4:  # alpha: at compute precision
            a = REF._operand(a, dtype, rounded=False).item()
        converted.append(a)
    return converted


def expected(name: str, args: list, out: ArrayView) -> np.ndarray:
    """What primitive `name` must write into `out`: the float64 oracle's values, or for a result
    `defined_by_dtype` the reference's in the operands' own dtypes."""
    with np.errstate(all="ignore"):
        if not defined_by_dtype(name, args):
            return oracle(getattr(REF, name), *oracle_args(name, args, out))
        ref_args = [host_copy(a) if isinstance(a, ArrayView) else a for a in args]
        getattr(REF, name)(*ref_args)
        return np.array(ndarray(ref_args[next(i for i, a in enumerate(args) if a is out)]))


def compare(name: str, args: list, out: ArrayView, *, exact: bool = True, precision=None):
    """Run kernel `name` with `args` (ArrayViews or plain values; `out` is among them) and compare
    with `expected`: same exception type, or same values (bit for bit when `exact`, else within
    the tolerance of `precision`, by default out's dtype) with nothing outside the output view
    written. Returns the device result."""
    before = host_copy(out).buffer
    try:
        want = expected(name, args, out)
    except Exception as e:  # noqa: BLE001  (the kernel must fail the same way)
        with pytest.raises(type(e)):
            getattr(KERNELS, name)(*args)
        np.testing.assert_array_equal(host_copy(out).buffer.view(np.uint8), before.view(np.uint8),
                                      err_msg=f"{name} wrote its output before raising")
        return None
    getattr(KERNELS, name)(*args)
    got = host(out)
    assert_same(got, want, out.dtype, exact, precision or out.dtype)
    assert_outside_untouched(out, before)
    return got


def assert_outside_untouched(out: ArrayView, expected_buffer: np.ndarray):
    """Every element of out's buffer that the view does not cover (the padding, the gaps of a
    strided view) is bit for bit what it was: no write outside the view."""
    whole = host_copy(out).buffer
    inside = np.zeros(whole.size, bool)
    if out.numel:
        index = out.offset + sum(np.arange(n).reshape((-1,) + (1,) * (out.ndim - 1 - d)) * st
                                 for d, (n, st) in enumerate(zip(out.shape, out.strides)))
        inside[np.asarray(index).reshape(-1)] = True
    np.testing.assert_array_equal(whole[~inside].view(np.uint8), expected_buffer[~inside].view(np.uint8),
                                  err_msg="a kernel wrote outside its output view")


def assert_same(got, want, dtype, exact, precision):
    assert got.shape == want.shape and got.dtype == want.dtype
    if not dtype.is_floating_point:
        np.testing.assert_array_equal(got, want)
        return
    g, w = got.astype(np.float64), want.astype(np.float64)
    np.testing.assert_array_equal(np.isnan(g), np.isnan(w), err_msg="NaN positions differ")
    if exact:
        np.testing.assert_array_equal(g, w)
        keep = ~np.isnan(g)
        np.testing.assert_array_equal(np.signbit(g[keep]), np.signbit(w[keep]), err_msg="signed zeros differ")
    else:
        rtol, atol = tolerance(precision)
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol, equal_nan=True)


def out_view(shape, dtype, layout="contiguous"):
    """A sentinel-padded output; transposed layouts write through transposed strides too."""
    zeros = np.zeros(shape, dtype.np)
    return view_of(zeros, dtype, layout if layout in ("transposed", "high_rank") else "contiguous")


def float_result(op, dtype):
    """The dtype numpy produces op's result in for an integer or bool input (out's dtype here)."""
    with np.errstate(all="ignore"):
        a = REF._compute(np.ones(2, dtype.np), dtype)
        fn = REF._UNARY.get(op) or REF._BINARY[op]
        try:
            r = fn(a) if op in REF._UNARY else fn(a, a)
        except TypeError:
            return dtype
    return dtypes.from_numpy(np.asarray(r).dtype)


def unary_out_dtype(op, dtype):
    if op in PREDICATES:
        return dtypes.bool_
    return dtype if dtype.is_floating_point else float_result(op, dtype)


def binary_out_dtype(op, dtype):
    if op in COMPARISONS:
        return dtypes.bool_
    return dtype if dtype.is_floating_point else float_result(op, dtype)


# --- unary -----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL, ids=lambda d: d.name)
@pytest.mark.parametrize("op", REF.UNARY_OPS)
def test_unary(op, dtype):
    x = view_of(sample(SHAPE, dtype), dtype)
    out = out_view(SHAPE, unary_out_dtype(op, dtype))
    compare("unary", [op, x, out], out, exact=op not in APPROXIMATE)


def test_unary_wide_ranges():
    """Arguments far from 0 (exp's overflow, tanh's saturation, expm1/log1p's tiny arguments)."""
    values = np.concatenate([np.linspace(-100, 100, 41), np.logspace(-12, -1, 12), -np.logspace(-12, -1, 12),
                             [88.5, 89.0, 709.0, 710.0, -745.0, 19.0, 22.5, -22.5, 1e30, -1e30]])
    for dtype in (dtypes.float32, dtypes.float64):
        for op in ("exp", "expm1", "log1p", "tanh", "sigmoid", "log", "log10", "sin", "tan"):
            x = view_of(values.astype(dtype.np), dtype)
            out = out_view(values.shape, dtype)
            compare("unary", [op, x, out], out, exact=False)


def test_expm1_log1p_tanh_are_relatively_accurate_near_zero():
    """Tiny arguments: the helpers' absolute tolerance would hide exp(x) - 1's cancellation, so
    these compare with its relative tolerance alone."""
    values = np.concatenate([np.logspace(-15, -1, 15), -np.logspace(-15, -1, 15), [0.3, -0.3, 0.69, -0.69]])
    for dtype in (dtypes.float32, dtypes.float64, dtypes.float16):
        x = view_of(values.astype(dtype.np), dtype)
        for op in ("expm1", "log1p", "tanh", "sin", "tan"):
            out = out_view(values.shape, dtype)
            KERNELS.unary(op, x, out)
            want = oracle(REF.unary, op, host(x), Out(values.shape, dtype))
            got = host(out).astype(np.float64)
            keep = np.abs(want.astype(np.float64)) >= float(dtypes.finfo(dtype).tiny)
            np.testing.assert_allclose(got[keep], want[keep].astype(np.float64), rtol=tolerance(dtype)[0], atol=0,
                                       err_msg=f"{op} {dtype.name}")


def test_round_is_half_to_even():
    values = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, -0.49999997, 8388609.0, 4503599627370497.0,
                       -0.0, 1e300, np.nan, np.inf], np.float64)
    for dtype in (dtypes.float64, dtypes.float32):
        with np.errstate(over="ignore"):
            x = view_of(values.astype(dtype.np), dtype)
        out = out_view(values.shape, dtype)
        got = compare("unary", ["round", x, out], out)
        assert list(got[:6]) == [0.0, 2.0, 2.0, -0.0, -2.0, -2.0]


# --- binary ----------------------------------------------------------------------------------

def binary_operands(op, dtype, shape=SHAPE):
    if op == "pow":
        return pow_operands(dtype, shape)
    a = sample(shape, dtype, 1)
    b = sample(shape, dtype, 2, nonzero=op in INT_DIVISIONS and not dtype.is_floating_point)
    if op in INT_DIVISIONS and dtype.is_signed and not dtype.is_floating_point:
        a.reshape(-1)[-1], b.reshape(-1)[-1] = np.iinfo(dtype.np).min, -1  # the overflowing quotient
    if op in ("eq", "ne", "le", "ge"):
        b.reshape(-1)[::3] = a.reshape(-1)[::3]  # some equal pairs
    return a, b


SCALARS = {"f": 2.5, "i": -3, "u": 3, "b": True}


def scalar_for(op, dtype):
    if op == "pow":
        return 2 if not dtype.is_floating_point else 0.5
    if op in ("bitwise_and", "bitwise_or", "bitwise_xor") and dtype is not dtypes.bool_:
        return 6
    if op in INT_DIVISIONS and dtype is dtypes.bool_:
        return True
    return SCALARS[dtype.kind] if not (dtype.is_floating_point and op in ("add", "mul", "div")) else 0.1


@pytest.mark.parametrize("dtype", ALL, ids=lambda d: d.name)
@pytest.mark.parametrize("op", REF.BINARY_OPS)
def test_binary(op, dtype):
    a_vals, b_vals = binary_operands(op, dtype)
    out_dtype = binary_out_dtype(op, dtype)
    exact = op not in APPROXIMATE or not dtype.is_floating_point
    a, b = view_of(a_vals, dtype), view_of(b_vals, dtype)
    out = out_view(SHAPE, out_dtype)
    compare("binary", [op, a, b, out], out, exact=exact)
    s = scalar_for(op, dtype)
    # a half op with a float32 scalar rounds to float32, then to the half type: a double rounding
    # the oracle's single one can miss by an ulp (PyTorch's cpu rounds twice too)
    exact = exact and not (dtype in (dtypes.float16, dtypes.bfloat16) and op in REF.SCALAR_AT_COMPUTE_PRECISION)
    compare("binary", [op, a, s, out], out, exact=exact)  # scalar on the right
    compare("binary", [op, s, b, out], out, exact=exact)  # and on the left


@pytest.mark.parametrize("dtype", [dtypes.float32, dtypes.float16, dtypes.bfloat16, dtypes.float64, dtypes.int8,
                                   dtypes.int64, dtypes.uint8, dtypes.bool_], ids=lambda d: d.name)
def test_add_sub_alpha(dtype):
    a, b = view_of(sample(SHAPE, dtype, 1), dtype), view_of(sample(SHAPE, dtype, 2), dtype)
    out = out_view(SHAPE, dtype)
    alpha = {"f": 0.3, "i": 5, "u": 3, "b": True}[dtype.kind]
    # a + alpha * b rounds twice in the kernel, once in the oracle: within tolerance
    compare("binary", ["add", a, b, out, alpha], out, exact=False)
    compare("binary", ["add", a, 7 if dtype.kind != "b" else True, out, alpha], out, exact=False)
    if dtype is not dtypes.bool_:
        compare("binary", ["sub", a, b, out, alpha], out, exact=False)


def test_scalars_are_converted_like_the_reference():
    """Comparisons round the scalar to the tensor's dtype (int8: 300 wraps to 44; float16:
    0.1 becomes 0.0999755859375), arithmetic keeps it at compute precision."""
    a = np.array([44, -44, 0, 127], np.int8)
    out = out_view(a.shape, dtypes.bool_)
    got = compare("binary", ["eq", view_of(a, dtypes.int8), 300, out], out)
    assert list(got) == [True, False, False, False]
    h = np.array([0.0999755859375, 0.1, 1.0], np.float16)
    out = out_view(h.shape, dtypes.bool_)
    got = compare("binary", ["eq", view_of(h, dtypes.float16), 0.1, out], out)
    assert list(got) == [True, True, False]
    out = out_view(h.shape, dtypes.float16)
    compare("binary", ["mul", view_of(h, dtypes.float16), 1e5, out], out)  # inf in float16 only after the product
    big = np.array([2 ** 62, -2 ** 62, 5], np.int64)
    out = out_view(big.shape, dtypes.int64)
    compare("binary", ["add", view_of(big, dtypes.int64), 2 ** 62 + 7, out], out)  # a scalar beyond int32


@pytest.mark.parametrize("op", INT_DIVISIONS)
@pytest.mark.parametrize("dtype", [dtypes.int32, dtypes.uint8, dtypes.bool_], ids=lambda d: d.name)
def test_integer_division_by_zero_raises(op, dtype):
    a = view_of(sample(SHAPE, dtype, 1), dtype)
    b_vals = sample(SHAPE, dtype, 2, nonzero=True)
    b_vals.reshape(-1)[17] = 0
    out = out_view(SHAPE, float_result(op, dtype) if dtype is dtypes.bool_ else dtype)
    with pytest.raises(ZeroDivisionError):
        KERNELS.binary(op, a, view_of(b_vals, dtype), out)
    assert_padding_untouched(out, out.dtype)
    assert (host(out) == 0).all(), "the output was written before the error"
    with pytest.raises(ZeroDivisionError):
        KERNELS.binary(op, a, 0, out)
    # an empty result divides nothing
    empty = np.zeros((0, 3), dtype.np)
    KERNELS.binary(op, view_of(empty, dtype), view_of(empty, dtype), out_view((0, 3), out.dtype))


def test_float_division_by_zero_is_ieee():
    a = np.array([1.0, -1.0, 0.0, np.nan, 5.0, -0.0], np.float32)
    b = np.array([0.0, 0.0, 0.0, 0.0, -0.0, -0.0], np.float32)
    for op in ("div", "floor_divide", "trunc_divide", "remainder", "fmod"):
        out = out_view(a.shape, dtypes.float32)
        compare("binary", [op, view_of(a, dtypes.float32), view_of(b, dtypes.float32), out], out)


def test_fmod_is_exact_for_huge_quotients():
    a = np.array([1e30, -1e30, 3e38, 1e-30, 7.0, 1e300, -5e-324, 1.5e308], np.float64)
    b = np.array([3.0, 0.1, 1e-30, 3e-38, np.inf, 1e-300, 3e-324, 1.3e-10], np.float64)
    for dtype in (dtypes.float64, dtypes.float32):
        with np.errstate(over="ignore", under="ignore"):
            x, y = a.astype(dtype.np), b.astype(dtype.np)
        for op in ("fmod", "remainder", "floor_divide"):
            out = out_view(a.shape, dtype)
            compare("binary", [op, view_of(x, dtype), view_of(y, dtype), out], out)


# --- where, clamp, lerp, isclose -------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL, ids=lambda d: d.name)
def test_where(dtype):
    cond = view_of(sample(SHAPE, dtypes.bool_, 5), dtypes.bool_)
    a, b = view_of(sample(SHAPE, dtype, 1), dtype), view_of(sample(SHAPE, dtype, 2), dtype)
    out = out_view(SHAPE, dtype)
    compare("where", [cond, a, b, out], out)
    s = SCALARS[dtype.kind]
    compare("where", [cond, a, s, out], out)
    compare("where", [cond, s, b, out], out)
    compare("where", [cond, s, 0 if dtype.kind != "b" else False, out], out)  # both scalars: out's dtype


@pytest.mark.parametrize("dtype", ALL, ids=lambda d: d.name)
def test_clamp(dtype):
    x = view_of(sample(SHAPE, dtype, 1), dtype)
    lo_vals, hi_vals = sample(SHAPE, dtype, 2), sample(SHAPE, dtype, 3)
    lo, hi = view_of(lo_vals, dtype), view_of(hi_vals, dtype)
    out = out_view(SHAPE, dtype)
    compare("clamp", [x, lo, hi, out], out)  # includes lo > hi and NaN bounds
    s_lo, s_hi = {"f": (-1.5, 2.5), "i": (-20, 30), "u": (20, 150), "b": (False, True)}[dtype.kind]
    compare("clamp", [x, s_lo, s_hi, out], out)
    compare("clamp", [x, None, hi, out], out)
    compare("clamp", [x, lo, None, out], out)
    compare("clamp", [x, s_hi, s_lo, out], out)  # min > max gives max


@pytest.mark.parametrize("dtype", ALL, ids=lambda d: d.name)
def test_lerp(dtype):
    a, b = view_of(sample(SHAPE, dtype, 1), dtype), view_of(sample(SHAPE, dtype, 2), dtype)
    if dtype.is_floating_point:
        w_vals = np.random.default_rng(6).uniform(-1, 2, SHAPE).astype(dtype.np)
        w_vals.reshape(-1)[:4] = [0.0, 1.0, 0.5, 0.49999997]
        scalars = (0.25, 0.75)
    else:
        w_vals = sample(SHAPE, dtype, 6, small=True)
        scalars = (0, 2) if dtype is not dtypes.bool_ else (True,)
    out = out_view(SHAPE, dtype)
    # a + w * (b - a) rounds three times in the kernel, once in the oracle: within tolerance
    compare("lerp", [a, b, view_of(w_vals, dtype), out], out, exact=False)
    for w in scalars:
        compare("lerp", [a, b, w, out], out, exact=False)


@pytest.mark.parametrize("dtype", ALL, ids=lambda d: d.name)
def test_isclose(dtype):
    a_vals = sample(SHAPE, dtype, 1)
    b_vals = a_vals.copy()
    if dtype.is_floating_point:
        flat = b_vals.reshape(-1)
        eps = float(dtypes.finfo(dtype).eps)
        flat[::4] = (flat[::4].astype(np.float64) * (1 + 3 * eps)).astype(dtype.np)
        flat[1::4] = (flat[1::4].astype(np.float64) + 1e-3).astype(dtype.np)
    else:
        b_vals = sample(SHAPE, dtype, 1, specials=False)
    a, b = view_of(a_vals, dtype), view_of(b_vals, dtype)
    out = out_view(SHAPE, dtypes.bool_)
    for rtol, atol, equal_nan in ((1e-5, 1e-8, False), (1e-5, 1e-8, True), (0.0, 0.0, False), (0.05, 2.0, True),
                                  (float(dtypes.finfo(dtype).eps) * 4 if dtype.is_floating_point else 0.1, 0.0, False)):
        compare("isclose", [a, b, rtol, atol, equal_nan, out], out)


# --- fill, arange, round_decimals ------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL, ids=lambda d: d.name)
def test_fill(dtype):
    values = {"f": [0.1, -0.0, np.nan, -np.inf, 1e5, 3], "i": [7, -1, 2 ** 40 + 3, True, 2.9],
              "u": [7, 255, 256 + 5, False], "b": [True, 0, 2.5, False]}[dtype.kind]
    for value in values:
        for layout in ("contiguous", "transposed"):
            out = out_view(SHAPE, dtype, layout)
            compare("fill", [out, value], out)
    diagonal = padded(np.zeros((4, 4), dtype.np), dtype)
    diagonal = ArrayView(diagonal.buffer, diagonal.offset, (4,), (5,), dtype)
    compare("fill", [diagonal, 1], diagonal)


@pytest.mark.parametrize("dtype", ALL, ids=lambda d: d.name)
def test_arange(dtype):
    cases = [(0, 1, 10), (-3, 2, 7), (5, -1, 6)]
    if dtype.is_floating_point:
        cases += [(0.5, 0.1, 30), (1.0, -0.25, 9), (-2.0, 1 / 3, 12)]
    if dtype is dtypes.int64:
        cases += [(2 ** 40, 2 ** 33, 5)]
    for start, step, n in cases:
        out = out_view((n,), dtype)
        compare("arange", [start, step, out], out, exact=dtype is not dtypes.bfloat16)
    strided = padded(np.zeros(12, dtype.np), dtype)
    strided = ArrayView(strided.buffer, strided.offset + 1, (4,), (3,), dtype)
    compare("arange", [1, 2, strided], strided)


@pytest.mark.parametrize("dtype", FLOATS + (dtypes.int32,), ids=lambda d: d.name)
@pytest.mark.parametrize("decimals", [-2, -1, 0, 1, 3])
def test_round_decimals(dtype, decimals):
    rng = np.random.default_rng(7)
    values = rng.uniform(-2000, 2000, SHAPE).round(4) if dtype.is_floating_point else rng.integers(-999, 999, SHAPE)
    values.reshape(-1)[:6] = [0.125, 2.5, -0.375, 250.0, -150.0, 1234.5675][:6] if dtype.is_floating_point \
        else [250, -150, 5, 15, -25, 0]
    if dtype.is_floating_point:
        values.reshape(-1)[6:9] = [np.nan, np.inf, -0.0]
    x = view_of(values.astype(dtype.np), dtype)
    out = out_view(SHAPE, dtype if dtype.is_floating_point else dtypes.float64)
    compare("round_decimals", [x, decimals, out], out)


# --- layouts: every code path of the launch geometry -----------------------------------------

def layout_cases(layout):
    """(label, primitive, args, out, exact): one case per kernel (and operand kind), every view
    of `layout`'s shape stored in `layout`."""
    shape = LAYOUT_SHAPES[layout]
    f32, f16, bf16, f64, i32, i64, b = (dtypes.float32, dtypes.float16, dtypes.bfloat16, dtypes.float64,
                                       dtypes.int32, dtypes.int64, dtypes.bool_)

    def v(dtype, seed=0, **kw):
        return view_of(sample(shape, dtype, seed, **kw), dtype, layout)

    def out(dtype):
        return out_view(shape, dtype, layout)

    o = out(f32)
    yield "unary exp float32", "unary", ["exp", v(f32), o], o, False
    o = out(bf16)
    yield "unary neg bfloat16", "unary", ["neg", v(bf16), o], o, True
    o = out(f16)
    yield "binary add float16 alpha", "binary", ["add", v(f16, 1), v(f16, 2), o, 0.5], o, True
    o = out(i32)
    yield "binary remainder int32", "binary", ["remainder", v(i32, 1), v(i32, 2, nonzero=True), o], o, True
    o = out(b)
    yield "binary lt float64 scalar", "binary", ["lt", v(f64, 1), 0.5, o], o, True
    o = out(bf16)
    yield "where bfloat16", "where", [v(b, 3), v(bf16, 1), -1.5, o], o, True
    o = out(i64)
    yield "clamp int64", "clamp", [v(i64, 1), v(i64, 2), 30, o], o, True
    o = out(f32)
    yield "lerp float32", "lerp", [v(f32, 1), v(f32, 2), v(f32, 3), o], o, False
    o = out(b)
    yield "isclose float16", "isclose", [v(f16, 1), v(f16, 1), 1e-3, 1e-3, True, o], o, True
    o = out(f32)
    yield "round_decimals float32", "round_decimals", [v(f32, 1), 1, o], o, True
    o = out(dtypes.uint8)
    yield "fill uint8", "fill", [o, 200], o, True


@pytest.mark.parametrize("layout", list(LAYOUT_SHAPES))
def test_layouts(layout):
    """Contiguous (flat path), transposed (4-D path), stride-0 broadcast, more than 4 dims (split
    on the host), empty, and more than one program: one launch per piece, none when empty."""
    shape = LAYOUT_SHAPES[layout]
    pieces = 0 if 0 in shape else (2 if layout == "high_rank" else 1)
    for label, name, args, out, exact in layout_cases(layout):
        with record_launches() as launches:
            compare(name, args, out, exact=exact)
        zero_check = name == "binary" and args[0] == "remainder"  # reads the divisor first
        assert len(launches) == pieces * (2 if zero_check else 1), label


def test_broadcast_operand_reads_one_row():
    """A stride-0 operand is read through its strides, not as if it were contiguous."""
    row = np.arange(5, dtype=np.float32)
    stored = padded(row, dtypes.float32)
    a = ArrayView(stored.buffer, stored.offset, (4, 5), (0, 1), dtypes.float32)
    col = padded(np.arange(4, dtype=np.float32) * 10, dtypes.float32)
    b = ArrayView(col.buffer, col.offset, (4, 5), (1, 0), dtypes.float32)
    out = out_view((4, 5), dtypes.float32)
    got = compare("binary", ["add", a, b, out], out)
    np.testing.assert_array_equal(got, row[None, :] + 10 * np.arange(4, dtype=np.float32)[:, None])
    # a single element broadcast along a 1-D view: the flat path with stride 0
    one = padded(np.array([2.5], np.float64), dtypes.float64)
    one = ArrayView(one.buffer, one.offset, (7,), (0,), dtypes.float64)
    out = out_view((7,), dtypes.float64)
    got = compare("binary", ["mul", one, view_of(np.arange(7.0), dtypes.float64), out], out)
    np.testing.assert_array_equal(got, 2.5 * np.arange(7.0))


def test_int64_indexing_path(monkeypatch):
    """The int64 index path (taken when an extent or offset reaches 2^31) computes the same."""
    monkeypatch.setattr(strided, "INDEX_LIMIT", 0)
    a = view_of(sample(SHAPE, dtypes.float32, 1), dtypes.float32, "transposed")
    out = out_view(SHAPE, dtypes.float32, "transposed")
    with record_launches() as launches:
        compare("binary", ["mul", a, 3.0, out], out)
    assert launches.calls[0][2]["I64"] is True
    flat = out_view((7,), dtypes.int64)
    compare("arange", [3, 5, flat], flat)


def test_op_lists_match_the_reference():
    assert set(kernel_module.UNARY_OPS) == set(REF.UNARY_OPS)
    assert set(kernel_module.BINARY_OPS) == set(REF.BINARY_OPS)


@pytest.mark.parametrize("name, args, result_dtype, out_dtype", [
    ("binary", ["lt", dtypes.float32, dtypes.float32], dtypes.bool_, dtypes.float32),  # a.lt_(b) on a float tensor
    ("binary", ["add", dtypes.int32, dtypes.int32], dtypes.int32, dtypes.float64),    # integer result, float out
    ("binary", ["add", dtypes.bool_, dtypes.bool_], dtypes.bool_, dtypes.int8),       # bool result, integer out
    ("binary", ["mul", dtypes.float16, dtypes.float16], dtypes.float32, dtypes.float32),  # not rounded to half
    ("binary", ["mul", dtypes.float32, dtypes.float32], dtypes.float32, dtypes.bfloat16),
    ("unary", ["logical_not", dtypes.float32], dtypes.bool_, dtypes.float32),
    ("unary", ["neg", dtypes.int64], dtypes.int64, dtypes.float16),
    ("unary", ["exp", dtypes.float32], dtypes.float32, dtypes.float64),  # float32 exp (inf at 100), widened
    ("unary", ["isnan", dtypes.bfloat16], dtypes.bool_, dtypes.uint8),
])
def test_result_converted_to_out_dtype(name, args, result_dtype, out_dtype):
    """The kernel computes a result of `result_dtype` (float32 for half operands) and converts it
    to out's dtype on store: the oracle rounded into `result_dtype`, then converted."""
    op, *operand_dtypes = args
    views = [view_of(sample(SHAPE, d, seed), d) for seed, d in enumerate(operand_dtypes)]
    result, out = out_view(SHAPE, result_dtype), out_view(SHAPE, out_dtype)
    with np.errstate(all="ignore"):
        want = expected(name, [op, *views, result], result).astype(out_dtype.np)
    before = host_copy(out).buffer
    getattr(KERNELS, name)(op, *views, out)
    # a float32 result stays a float32 value in a float64 out: its tolerance is float32's
    assert_same(host(out), want, out_dtype, op not in APPROXIMATE, result_dtype)
    assert_outside_untouched(out, before)


def test_unknown_ops_and_unsupported_dtypes_raise():
    x = view_of(sample((4,), dtypes.float32), dtypes.float32)
    out = out_view((4,), dtypes.float32)
    with pytest.raises(ValueError):
        KERNELS.unary("nope", x, out)
    with pytest.raises(ValueError):
        KERNELS.binary("nope", x, x, out)
    with pytest.raises(TypeError):
        KERNELS.binary("add", 1, 2, out)
    with pytest.raises(TypeError):
        KERNELS.unary("bitwise_not", x, out)


def test_kernels_import_no_torch():
    """torch is memory, not math: the kernel module never imports it."""
    import ast
    import inspect
    tree = ast.parse(inspect.getsource(kernel_module))
    names = [a.name for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
             for a in node.names] + [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not any(n == "torch" or n.startswith("torch.") for n in names)


@pytest.mark.gpu
def test_offsets_past_int32_use_int64_indexing():
    """A view starting 2^31 elements into its buffer (2 GiB of bool): int32 index math would
    wrap around and write elsewhere."""
    n = 2 ** 31 + 64
    buf = memory().empty(n, dtypes.bool_)
    start = ArrayView(buf, 0, (64,), (1,), dtypes.bool_)
    far = ArrayView(buf, 2 ** 31 + 32, (32,), (1,), dtypes.bool_)
    target = ArrayView(buf, 2 ** 31, (16,), (1,), dtypes.bool_)
    # every region starts True, so each False written below is visible, wherever it lands
    for view in (start, far, target):
        KERNELS.fill(view, True)
    KERNELS.unary("logical_not", ArrayView(buf, 2 ** 31 + 32, (16,), (2,), dtypes.bool_), target)
    assert not host(target).any()  # written where it should be
    assert host(start).all()  # and not wrapped around to the start of the buffer
    assert host(far).all()


def test_bfloat16_subnormals_keep_their_values():
    """The interpreter's own bfloat16 -> float32 conversion flushes subnormals to zero; `widen`
    shifts the bits instead (exact on every device)."""
    tiny = 2.0 ** -133  # the smallest bfloat16 subnormal
    values = np.array([tiny, -tiny, 3 * tiny, -0.0, 1.0, 2.0 ** -127]).astype(dtypes.bfloat16.np)
    x = view_of(values, dtypes.bfloat16)
    for op in ("abs", "neg"):
        out = out_view(values.shape, dtypes.bfloat16)
        compare("unary", [op, x, out], out)
    out = out_view(values.shape, dtypes.bfloat16)
    got = compare("binary", ["add", x, x, out], out)
    assert np.all(got.astype(np.float64)[:3] == 2 * values[:3].astype(np.float64))


@pytest.mark.parametrize("op", ["logical_and", "logical_or", "logical_xor"])
def test_bfloat16_negative_zero_is_false(op):
    """-0.0 converts to False (the kernel compares the widened value with 0, not its bits)."""
    a = view_of(np.array([-0.0, -0.0, 1.0, 0.0], dtypes.bfloat16.np), dtypes.bfloat16)
    b = view_of(np.array([-0.0, 1.0, -0.0, 0.0], dtypes.bfloat16.np), dtypes.bfloat16)
    out = out_view((4,), dtypes.bool_)
    compare("binary", [op, a, b, out], out)
    unary_out = out_view((4,), dtypes.bool_)
    compare("unary", ["logical_not", a, unary_out], unary_out)


# x ** e at (-0.0, -inf) as PyTorch computes it: sqrt / rsqrt / 1/x / products for a scalar
# exponent, but IEEE pow for float16 (torch.pow(torch.tensor([-0., -inf]), e) on the cpu)
SHORTCUT_AT_NEGATIVES = {0.5: (-0.0, np.nan), -0.5: (-np.inf, np.nan), -1.0: (-np.inf, -0.0), 2.0: (0.0, np.inf),
                         3.0: (-0.0, -np.inf), -2.0: (np.inf, 0.0)}
IEEE_AT_NEGATIVES = {0.5: (0.0, np.inf), -0.5: (np.inf, 0.0), **{e: SHORTCUT_AT_NEGATIVES[e] for e in (-1.0, 2.0, 3.0, -2.0)}}


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: d.name)
@pytest.mark.parametrize("exponent", list(SHORTCUT_AT_NEGATIVES))
def test_pow_by_pytorchs_special_scalars(exponent, dtype):
    """A scalar exponent PyTorch computes as sqrt, rsqrt, reciprocal or products (float16: IEEE
    pow), at special values: the kernel as the reference in the same dtype, and PyTorch's
    answers at -0.0 and -inf, signed zeros included."""
    values = np.array([-0.0, -np.inf, 0.0, np.inf, np.nan, 4.0, -4.0, 0.3], np.float64).astype(dtype.np)
    x = view_of(values, dtype)
    out = out_view(values.shape, dtype)
    got = compare("binary", ["pow", x, exponent, out], out, exact=False).astype(np.float64)[:2]
    want = np.array((IEEE_AT_NEGATIVES if dtype is dtypes.float16 else SHORTCUT_AT_NEGATIVES)[exponent])
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got[want == 0]), np.signbit(want[want == 0]))
