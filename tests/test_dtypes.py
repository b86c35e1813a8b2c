"""Dtypes against torch: the promotion table (tensor pairs, 0-dim tensors, Python scalars),
can_cast, finfo/iinfo, the default dtype, and conversions (`.to(dtype)`, `.float()`, ...)
including bfloat16's round-to-nearest-even."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tritorch
from tritorch import dtypes

from helpers import assert_close
from strategies import SETTINGS

ALL = dtypes.ALL
PAIRS = list(itertools.product(ALL, ALL))


def torch_dtype(d: dtypes.DType) -> torch.dtype:
    return getattr(torch, d.name)


def same(d: dtypes.DType, t: torch.dtype) -> bool:
    return d.name == str(t).removeprefix("torch.")


def tensor_pair(d: dtypes.DType, ndim: int):
    """(tritorch, torch) zero tensors of dtype d, 0-dim or 1-D."""
    shape = (2,) * ndim
    return tritorch.zeros(shape, dtype=d), torch.zeros(shape, dtype=torch_dtype(d))


@pytest.fixture
def default_dtype():
    """Restores both libraries' default dtype after a test changes it."""
    ours, theirs = tritorch.get_default_dtype(), torch.get_default_dtype()
    yield
    tritorch.set_default_dtype(ours)
    torch.set_default_dtype(theirs)


# --- promotion ---------------------------------------------------------------------------------

@pytest.mark.parametrize("a,b", PAIRS, ids=str)
def test_promote_types_matches_torch(a, b):
    assert same(tritorch.promote_types(a, b), torch.promote_types(torch_dtype(a), torch_dtype(b)))


@pytest.mark.parametrize("a,b", PAIRS, ids=str)
def test_result_type_of_tensors_matches_torch(a, b):
    for dims_a, dims_b in [(1, 1), (1, 0), (0, 1), (0, 0)]:
        (x, tx), (y, ty) = tensor_pair(a, dims_a), tensor_pair(b, dims_b)
        assert same(tritorch.result_type(x, y), torch.result_type(tx, ty)), (dims_a, dims_b)


SCALARS = [True, False, 3, -3, 2 ** 40, 2.5, -0.0, math.inf]


@pytest.mark.parametrize("d", ALL, ids=str)
@pytest.mark.parametrize("scalar", SCALARS, ids=repr)
def test_result_type_with_scalars_matches_torch(d, scalar):
    for ndim in (0, 1):
        x, tx = tensor_pair(d, ndim)
        assert same(tritorch.result_type(x, scalar), torch.result_type(tx, scalar))
        assert same(tritorch.result_type(scalar, x), torch.result_type(scalar, tx))


@settings(**SETTINGS)
@given(kinds=st.lists(st.sampled_from(ALL), min_size=3, max_size=3),
       dims=st.lists(st.integers(0, 1), min_size=3, max_size=3),
       bounds=st.sampled_from(["tensors", (0, 1), (-1.5, 2), (False, True)]))
def test_three_operand_promotion_matches_torch(kinds, dims, bounds):
    """clamp promotes its input with both bounds: three operands over the three tiers."""
    (x, tx), (lo, tlo), (hi, thi) = (tensor_pair(d, n) for d, n in zip(kinds, dims))
    if bounds != "tensors":
        (lo, hi), (tlo, thi) = bounds, bounds
    try:
        expected = torch.clamp(tx, tlo, thi).dtype
    except RuntimeError:  # a bound that overflows the promoted dtype
        return
    assert same(tritorch.clamp(x, lo, hi).dtype, expected)


@pytest.mark.parametrize("a,b", PAIRS, ids=str)
def test_can_cast_matches_torch(a, b):
    assert tritorch.can_cast(a, b) == torch.can_cast(torch_dtype(a), torch_dtype(b))


@pytest.mark.parametrize("d,scalar", [(tritorch.int8, np.float64(1.5)), (tritorch.bool, np.int32(7))], ids=repr)
def test_result_type_treats_numpy_scalars_as_numbers(d, scalar):
    x, tx = tensor_pair(d, 1)
    assert same(tritorch.result_type(x, scalar), torch.result_type(tx, scalar))


def test_result_type_needs_an_operand():
    with pytest.raises(TypeError, match="at least one operand"):
        dtypes.result_type()
    with pytest.raises(TypeError, match="unsupported scalar type str"):
        dtypes.result_type(tritorch.ones(2), "a")


# --- dtype objects, finfo, iinfo --------------------------------------------------------------

@pytest.mark.parametrize("d", ALL, ids=str)
def test_dtype_properties_match_torch(d):
    t = torch_dtype(d)
    assert d.itemsize == t.itemsize
    assert d.is_floating_point == t.is_floating_point
    assert d.is_signed == t.is_signed
    assert d.is_complex is False


def test_aliases_name_the_same_dtypes_as_torch():
    for name in ("float", "double", "half", "long", "int", "short", "bool", "bfloat16", "uint8", "int8"):
        assert same(getattr(tritorch, name), getattr(torch, name)), name


@pytest.mark.parametrize("d", dtypes.FLOATING, ids=str)
def test_finfo_matches_torch(d):
    ours, theirs = tritorch.finfo(d), torch.finfo(torch_dtype(d))
    for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal"):
        assert getattr(ours, field) == getattr(theirs, field), field
    assert ours.dtype is d


@pytest.mark.parametrize("d", [dtypes.float16, dtypes.bfloat16, dtypes.float32], ids=str)
def test_finfo_resolution_matches_torch(d):
    assert tritorch.finfo(d).resolution == torch.finfo(torch_dtype(d)).resolution


@pytest.mark.parametrize("d", [d for d in ALL if d.kind in "ui"], ids=str)
def test_iinfo_matches_torch(d):
    ours, theirs = tritorch.iinfo(d), torch.iinfo(torch_dtype(d))
    assert (ours.bits, ours.min, ours.max) == (theirs.bits, theirs.min, theirs.max)


def test_finfo_and_iinfo_reject_the_wrong_kind():
    with pytest.raises(TypeError, match="finfo needs a floating point dtype, got tritorch.int64"):
        tritorch.finfo(tritorch.int64)
    with pytest.raises(TypeError, match="iinfo needs an integer dtype, got tritorch.float32"):
        tritorch.iinfo(tritorch.float32)
    with pytest.raises(TypeError, match="iinfo needs an integer dtype, got tritorch.bool"):
        tritorch.iinfo(tritorch.bool)


# --- the default dtype ------------------------------------------------------------------------

@pytest.mark.parametrize("d", [tritorch.float64, tritorch.float16, tritorch.bfloat16], ids=str)
def test_set_default_dtype_changes_what_floats_become(default_dtype, d):
    tritorch.set_default_dtype(d)
    torch.set_default_dtype(torch_dtype(d))
    assert tritorch.get_default_dtype() is d
    assert tritorch.tensor([1.5]).dtype is d
    assert tritorch.zeros(2).dtype is d
    assert tritorch.arange(0.0, 1.0, 0.5).dtype is d
    assert tritorch.finfo().dtype is d
    ints = tritorch.arange(3)
    for result, expected in [(ints * 2.5, torch.arange(3) * 2.5), (ints / 2, torch.arange(3) / 2),
                             (tritorch.sqrt(ints), torch.sqrt(torch.arange(3))),
                             (tritorch.ones(2, dtype=tritorch.float32) * 2.5,
                              torch.ones(2, dtype=torch.float32) * 2.5)]:
        assert same(result.dtype, expected.dtype)


def test_set_default_dtype_rejects_non_floating_dtypes(default_dtype):
    with pytest.raises(TypeError, match="only supports floating point dtypes, got tritorch.int64"):
        tritorch.set_default_dtype(tritorch.int64)
    assert tritorch.get_default_dtype() is tritorch.float32


def test_set_default_dtype_accepts_names(default_dtype):
    tritorch.set_default_dtype("double")
    assert tritorch.get_default_dtype() is tritorch.float64


# --- conversions ------------------------------------------------------------------------------

def sample(src: dtypes.DType, dst: dtypes.DType) -> np.ndarray:
    """Values of src whose conversion to dst is defined in C (no float out of an integer
    type's range, no negative float into uint8): fractions, ties, wrap-arounds, specials."""
    if src is tritorch.bool:
        return np.array([True, False, True])
    if src.is_floating_point:
        vals = [0.0, -0.0, 0.5, 1.5, 2.5, -1.5, -2.5, 3.7, -3.7, 99.9, 100.25, 1e-3, 65504.0, 1e5,
                math.inf, -math.inf, math.nan, 1e-30, 3e38]
        with np.errstate(over="ignore"):  # 3e38 is inf in the half types
            a = np.array(vals, dtype=np.float64).astype(src.np)
        if dst.kind in "ui":
            wide = a.astype(np.float64)
            low = 0 if dst.kind == "u" else tritorch.iinfo(dst).min
            a = a[np.isfinite(wide) & (wide >= low) & (wide <= tritorch.iinfo(dst).max)]
        return a
    info = tritorch.iinfo(src)
    vals = [0, 1, -1, 127, -128, 255, 256, 1000, -1000, 2049, 2 ** 24 + 1, 2 ** 40 + 3, info.min, info.max]
    return np.array([v for v in vals if info.min <= v <= info.max]).astype(src.np)


def torch_of(a: np.ndarray, d: dtypes.DType) -> torch.Tensor:
    if d is tritorch.bfloat16:
        return torch.from_numpy(a.astype(np.float32)).to(torch.bfloat16)
    return torch.from_numpy(a)


def as_numpy(t: torch.Tensor) -> np.ndarray:
    return (t.float() if t.dtype == torch.bfloat16 else t).numpy()


@pytest.mark.parametrize("src,dst", PAIRS, ids=str)
def test_to_dtype_matches_torch(src, dst):
    a = sample(src, dst)
    x = tritorch.tensor(a, dtype=src)
    result = x.to(dst)
    assert result.dtype is dst
    expected = torch_of(a, src).to(torch_dtype(dst))
    if src is tritorch.float64 and dst is tritorch.bfloat16:
        assert_close(result, as_numpy(expected))  # torch goes through float32: two roundings
    else:
        np.testing.assert_array_equal(np.asarray(result.numpy(), dtype=as_numpy(expected).dtype), as_numpy(expected))


CASTS = {"float": tritorch.float32, "half": tritorch.float16, "bfloat16": tritorch.bfloat16,
         "double": tritorch.float64, "long": tritorch.int64, "int": tritorch.int32,
         "short": tritorch.int16, "char": tritorch.int8, "byte": tritorch.uint8, "bool": tritorch.bool}


@pytest.mark.parametrize("name", CASTS)
@pytest.mark.parametrize("src", [tritorch.float32, tritorch.int64, tritorch.bool, tritorch.bfloat16], ids=str)
def test_cast_methods_match_torch(name, src):
    dst = CASTS[name]
    a = sample(src, dst)
    x = tritorch.tensor(a, dtype=src).t() if a.ndim == 2 else tritorch.tensor(a, dtype=src)
    expected = getattr(torch_of(a, src), name)()
    result = getattr(x, name)()
    assert result.dtype is dst
    np.testing.assert_array_equal(np.asarray(result.numpy(), dtype=as_numpy(expected).dtype), as_numpy(expected))


def test_to_returns_self_unless_something_changes():
    x = tritorch.ones(2, 3)
    assert x.to(tritorch.float32) is x
    assert x.float() is x
    copy = x.to(tritorch.float32, copy=True)
    assert copy is not x and copy.untyped_storage() is not x.untyped_storage()
    converted = x.t().to(tritorch.float64)
    assert converted.is_contiguous() and converted.shape == (3, 2)
    assert x.to(tritorch.ones(1, dtype=tritorch.int8)).dtype is tritorch.int8


def test_to_rejects_unknown_dtypes():
    with pytest.raises(TypeError, match="unknown dtype name 'float128'"):
        tritorch.ones(2).to(dtype="float128")


def float32_with_low_bits(high: np.ndarray, low: int) -> np.ndarray:
    return ((high.astype(np.uint32) << 16) | np.uint32(low)).view(np.float32)


@pytest.mark.parametrize("low", [0x0000, 0x0001, 0x7FFF, 0x8000, 0x8001, 0xFFFF])
def test_bfloat16_rounds_to_nearest_even_like_torch(low):
    """Every bfloat16 (the float32 upper halves) with the lower half just below, at and above
    the tie: ties go to the even neighbour, NaN stays NaN, the largest finite values overflow."""
    high = np.arange(0, 2 ** 16, dtype=np.uint32)
    a = float32_with_low_bits(high, low)
    ours = tritorch.tensor(a).bfloat16().numpy().view(np.uint16)
    theirs = torch.from_numpy(a).bfloat16().view(torch.int16).numpy().view(np.uint16)
    nan = np.isnan(a)
    np.testing.assert_array_equal(ours[~nan], theirs[~nan])
    assert np.isnan(tritorch.tensor(a[nan]).bfloat16().float().numpy()).all()


def test_float16_rounding_and_subnormals_match_torch():
    high = np.arange(0, 2 ** 16, 7, dtype=np.uint32)
    a = np.concatenate([float32_with_low_bits(high, low) for low in (0x0000, 0x1000, 0x7FFF, 0xFFFF)])
    a = a[np.isfinite(a)]
    ours = tritorch.tensor(a).half().numpy().view(np.uint16)
    theirs = torch.from_numpy(a).half().view(torch.int16).numpy().view(np.uint16)
    np.testing.assert_array_equal(ours, theirs)


@settings(**SETTINGS)
@given(st.lists(st.floats(width=32, allow_nan=False), min_size=1, max_size=20))
def test_bfloat16_round_trip_is_the_nearest_bfloat16(vals):
    a = np.array(vals, np.float32)
    back = tritorch.tensor(a).bfloat16().float().numpy()
    np.testing.assert_array_equal(back, torch.from_numpy(a).bfloat16().float().numpy())
