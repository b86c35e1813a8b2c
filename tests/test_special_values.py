"""Every unary and binary elementwise op over the special values of each dtype (+-0, +-inf,
NaN, the smallest subnormal, the largest finite, integer min/max), on both devices, against
torch (cpu): bit for bit (signed zeros included) where torch's result is exact, within the
tolerance rule for transcendental ops. Binary ops take every pair of values (an outer
broadcast); combinations torch refuses (bitwise ops of floats, ...) are not collected."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tritorch
from tritorch.reference.elementwise import BINARY_OPS, UNARY_OPS
from tritorch.testing import assert_allclose

DEVICES = ("cpu", "cuda")
DTYPES = ("float32", "float64", "float16", "bfloat16", "int64", "int32", "int8", "uint8", "bool")
# transcendental, or rounded more than once (rsqrt = 1 / sqrt): within tolerance
APPROXIMATE = {"exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "tanh",
               "sigmoid", "pow", "rsqrt"}
INT_DIVISIONS = {"floor_divide", "trunc_divide", "remainder", "fmod"}
FLOATS = ("float32", "float64", "float16", "bfloat16")
# Known departures from torch, outside this test's reach: strict, so that a fix shows up here.
# (op, dtypes, devices) -> why
KNOWN: dict = {}
PUBLIC = {"trunc_divide": ("div", {"rounding_mode": "trunc"}), "round": ("round", {})}


def special_values(name: str, device: str) -> list:
    """The dtype's special values, plus a few ordinary ones (1/3 for roots of negatives)."""
    dt = getattr(torch, name)
    if dt is torch.bool:
        return [False, True]
    if dt.is_floating_point:
        fi = torch.finfo(dt)
        subnormal = fi.tiny * fi.eps
        return [0.0, -0.0, float("inf"), -float("inf"), float("nan"), subnormal, -subnormal,
                fi.max, -fi.max, 1.0, -1.0, 2.5, -1 / 3]
    ii = torch.iinfo(dt)
    return sorted({ii.min, ii.max, 0, 1, 2, ii.max - 1, ii.min + 1} | ({-1, -7} if ii.min else set()))


def _run(lib, op: str, args: tuple):
    name, kwargs = PUBLIC.get(op, (op, {}))
    return getattr(lib, name)(*args, **kwargs)


def _supported(op: str, dtype: str, binary: bool) -> bool:
    """Whether torch (cpu) computes `op` on a tensor of `dtype`."""
    t = torch.ones(2, dtype=getattr(torch, dtype))
    try:
        _run(torch, op, (t, t) if binary else (t,))
    except (RuntimeError, TypeError):
        return False
    return True


def _cases(ops, binary: bool):
    """(op, dtype, device) for every combination torch computes; known departures xfail."""
    def marks(op, dt, dev):
        why = [w for (o, dts, devs), w in KNOWN.items() if o == op and dt in dts and dev in devs]
        return [pytest.mark.xfail(strict=True, reason=why[0])] if why else []
    return [pytest.param(op, dt, dev, marks=marks(op, dt, dev))
            for op in ops for dt in DTYPES if _supported(op, dt, binary) for dev in DEVICES]


def _pair(values: list, dtype: str, device: str):
    """(tritorch, torch) tensors of the same values."""
    dt = getattr(torch, dtype)
    return tritorch.tensor(values, dtype=getattr(tritorch, dtype), device=device), torch.tensor(values, dtype=dt)


def _host(t) -> np.ndarray:
    """float64 (exact for every float dtype) or integer values on the host (widened there:
    the interpreter's bfloat16 conversion loses subnormals)."""
    t = t.cpu()
    return (t.double() if t.dtype.is_floating_point else t).numpy()


def _check(op: str, got, want: torch.Tensor, dtype: str) -> None:
    """got (tritorch) against want (torch), for inputs of `dtype`."""
    assert str(got.dtype).removeprefix("tritorch.") == str(want.dtype).removeprefix("torch."), (got.dtype, want.dtype)
    g, w = _host(got), _host(want)
    # torch's cpu sqrt of an integer tensor is not correctly rounded (sqrt(254) is half an ulp off)
    if op in APPROXIMATE or (op == "sqrt" and dtype not in FLOATS):
        if want.dtype.is_floating_point:
            assert_allclose(g, w, got.dtype)
            np.testing.assert_array_equal(np.isnan(g), np.isnan(w))
            np.testing.assert_array_equal(np.isinf(g) * np.sign(g), np.isinf(w) * np.sign(w))
            return
    np.testing.assert_array_equal(g, w)  # NaN matches NaN
    # which zero maximum/minimum return for a tie of -0.0 and +0.0 varies with torch's vector lane
    if want.dtype.is_floating_point and op not in ("maximum", "minimum"):
        zeros = w == 0
        np.testing.assert_array_equal(np.signbit(g[zeros]), np.signbit(w[zeros]), err_msg="signed zeros")


@pytest.mark.parametrize("op,dtype,device", _cases(UNARY_OPS, False))
def test_unary_special_values(op, dtype, device):
    x, tx = _pair(special_values(dtype, device), dtype, device)
    _check(op, _run(tritorch, op, (x,)), _run(torch, op, (tx,)), dtype)


@pytest.mark.parametrize("op,dtype,device", _cases(BINARY_OPS, True))
def test_binary_special_values(op, dtype, device):
    """Every pair (a, b) of special values: a down the rows, b along the columns."""
    values = divisors = special_values(dtype, device)
    if op in INT_DIVISIONS and dtype not in FLOATS:  # PyTorch raises on 0; min / -1 traps its cpu
        divisors = [v for v in values if v not in (0, -1)]
    if op in ("remainder", "fmod") and dtype == "float64":  # torch's vector lanes give NaN for a
        divisors = [v for v in values if not 0 < abs(v) < 2.3e-308]  # subnormal divisor, its tail 0
    if op == "pow" and dtype not in FLOATS:  # PyTorch refuses negative integer powers of integers
        divisors = [v for v in values if v >= 0]
    a, ta = _pair([[v] for v in values], dtype, device)
    b, tb = _pair(divisors, dtype, device)
    _check(op, _run(tritorch, op, (a, b)), _run(torch, op, (ta, tb)), dtype)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOATS)
def test_pow_of_negative_infinity_by_a_fraction(dtype, device):
    """IEEE's pow(-inf, y) for a non-integral y: inf for y > 0, +0 for y < 0 (not NaN)."""
    x, tx = _pair([-float("inf")] * 4, dtype, device)
    e, te = _pair([1 / 3, -1 / 3, 2.5, -2.5], dtype, device)
    got = tritorch.pow(x, e)
    _check("pow", got, torch.pow(tx, te), dtype)
    assert _host(got)[0] == np.inf and _host(got)[1] == 0 and not np.signbit(_host(got)[1])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("op", ("add", "sub"))
@pytest.mark.parametrize("dtype,alpha", [("int8", 300), ("int8", -129), ("uint8", 256), ("float16", 1e6)])
def test_an_alpha_out_of_the_dtype_range_raises(dtype, alpha, op, device):
    """PyTorch converts alpha to the compute dtype with a range check instead of wrapping it."""
    x, tx = _pair([1], dtype, device)
    with pytest.raises(RuntimeError, match="cannot be converted to type"):
        getattr(torch, op)(tx, 1, alpha=alpha)
    with pytest.raises(RuntimeError, match=f"{op}: value {alpha} cannot be converted to type {dtype} without overflow"):
        getattr(tritorch, op)(x, 1, alpha=alpha)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype,alpha", [("int8", 127), ("int8", -128), ("uint8", -1), ("uint8", 255)])
def test_an_alpha_at_the_dtype_range_computes(dtype, alpha, device):
    x, tx = _pair([1, 2], dtype, device)
    _check("add", tritorch.add(x, 1, alpha=alpha), torch.add(tx, 1, alpha=alpha), dtype)


POWERS = (0.5, -0.5, -1.0, 2.0, 3.0, -2.0, 1.0, 0.0, 1.5, -1.5)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("kind", ("scalar", "tensor", "broadcast"))
def test_pow_by_a_special_exponent(kind, dtype, device):
    """PyTorch computes a scalar exponent of 0.5 as sqrt (NaN at -inf, -0 at -0), -0.5 as rsqrt
    (NaN, -inf), -1 as reciprocal and 2, 3, -2 by multiplying, float16 excepted (IEEE pow);
    a tensor exponent, even one broadcast from a single element, is IEEE pow (inf or +0, +0 or
    +inf): numpy's stride-0 exponent of 0.5 would be sqrt."""
    x, tx = _pair(special_values(dtype, device), dtype, device)
    for e in POWERS:
        if kind == "scalar":
            got, want = tritorch.pow(x, e), torch.pow(tx, e)
        else:
            e, te = _pair([e] * (1 if kind == "broadcast" else len(tx)), dtype, device)
            got, want = tritorch.pow(x, e), torch.pow(tx, te)
        _check("pow", got, want, dtype)
        g, w = _host(got), _host(want)
        np.testing.assert_array_equal(np.signbit(g[w == 0]), np.signbit(w[w == 0]), err_msg=f"signed zeros of ** {e}")
