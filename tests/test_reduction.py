"""Reductions, scans and sorting against torch (the oracle): every dtype the op takes, inputs
that are contiguous, permuted, broadcast (stride 0), narrowed (offset and gaps), size-1, empty
and 0-d; ties, NaN, negative and tuple dims, keepdim; and the errors, each matched."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tritorch
from helpers import assert_close, to_numpy
from strategies import SETTINGS, tensors

FLOATS = [tritorch.float32, tritorch.float64, tritorch.float16, tritorch.bfloat16]
INTEGERS = [tritorch.int64, tritorch.int32, tritorch.int8, tritorch.uint8]
ALL_DTYPES = FLOATS + INTEGERS + [tritorch.bool]

LAYOUTS = ["contiguous", "permuted", "expanded", "narrowed", "size1", "empty", "scalar"]
DIMS_3D = [None, 0, 1, -1, (0, 2), (-1, 0, 1)]
# (layout, dim, keepdim): every dim of every layout, keepdim alternating along the dims.
CASES = [(layout, dim, i % 2 == 1) for layout in LAYOUTS
         for i, dim in enumerate([None, 0, -1] if layout == "scalar" else DIMS_3D)]
INT_CASES = [case for case in CASES if not isinstance(case[1], tuple)]
DIM_CASES = [(layout, dim) for layout, dim, _ in INT_CASES if dim is not None]


# --- helpers ----------------------------------------------------------------------------------

def make(layout: str, dtype: tritorch.DType, seed: int = 0) -> tritorch.Tensor:
    """A tensor of shape (3, 4, 5) (or size-1, empty, 0-d) laid out as `layout`."""
    rng = np.random.default_rng(seed)

    def new(shape):
        if dtype is tritorch.bool:
            a = rng.integers(0, 2, shape).astype(bool)
        elif dtype.is_floating_point:
            a = rng.uniform(-3, 3, shape)
        else:
            a = rng.integers(0 if dtype is tritorch.uint8 else -4, 5, shape)
        return tritorch.tensor(a, dtype=dtype)

    if layout == "contiguous":
        return new((3, 4, 5))
    if layout == "permuted":
        return new((5, 3, 4)).permute(1, 2, 0)
    if layout == "expanded":
        return new((3, 1, 5)).expand(3, 4, 5)
    if layout == "narrowed":
        return new((3, 6, 5)).narrow(1, 1, 4)
    if layout == "size1":
        return new((1, 4, 1))
    if layout == "empty":
        return new((3, 0, 5))
    return new(())


def as_torch(x: tritorch.Tensor) -> torch.Tensor:
    """A torch tensor with x's shape, values and dtype."""
    return torch.from_numpy(np.array(to_numpy(x), order="C")).to(getattr(torch, x.dtype.name))


def lib(t):
    """The library `t` belongs to (torch or tritorch), so one lambda runs on both."""
    return torch if isinstance(t, torch.Tensor) else tritorch


def like(t, other: tritorch.Tensor):
    """`other` in `t`'s library."""
    return as_torch(other) if isinstance(t, torch.Tensor) else other


def dt(t, dtype: tritorch.DType):
    """`dtype` in `t`'s library."""
    return getattr(lib(t), dtype.name)


def torch_values(e: torch.Tensor) -> np.ndarray:
    return (e.double() if e.dtype == torch.bfloat16 else e).numpy()


def compare(actual, expected, reduction_len: int = 1) -> None:
    """Tensors, or (values, indices) tuples, equal to torch's: same shape, dtype and values."""
    if isinstance(expected, tuple):
        assert isinstance(actual, tuple) and len(actual) == len(expected)
        if hasattr(expected, "values"):
            assert type(actual).__name__ == type(expected).__name__
            assert actual.values is actual[0] and actual.indices is actual[1]
        for a, e in zip(actual, expected):
            compare(a, e, reduction_len)
        return
    dtype = tritorch.dtypes.from_name(str(expected.dtype).removeprefix("torch."))
    assert_close(actual, torch_values(expected), dtype=dtype, reduction_len=reduction_len)


def _base_error(e: Exception) -> type:
    return next(t for t in (IndexError, TypeError, RuntimeError) if isinstance(e, t))


def check(fn, x: tritorch.Tensor, reduction_len: int = 1) -> None:
    """`fn` (written once for both libraries) gives torch's result, or raises where torch does."""
    try:
        with warnings.catch_warnings():  # e.g. var's "degrees of freedom is <= 0"
            warnings.simplefilter("ignore")
            expected = fn(as_torch(x))
    except (IndexError, TypeError, RuntimeError) as e:
        with pytest.raises(_base_error(e)):
            fn(x)
        return
    compare(fn(x), expected, reduction_len)


def reduced_len(x: tritorch.Tensor, dim) -> int:
    if x.ndim == 0:
        return 1
    dims = range(x.ndim) if dim is None else ([dim] if isinstance(dim, int) else dim)
    return math.prod(x.shape[d] for d in dims)


def reduction(name: str, dim, keepdim: bool, **kwargs):
    """x.<name>() over `dim` (None: the no-dim call), for either library."""
    if dim is None:
        return lambda x: getattr(x, name)(**kwargs)
    return lambda x: getattr(x, name)(dim=dim, keepdim=keepdim, **kwargs)


# --- sum, mean, prod, amax, amin, any, all, count_nonzero --------------------------------------

@pytest.mark.parametrize("layout,dim,keepdim", CASES)
@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
@pytest.mark.parametrize("name", ["sum", "amax", "amin", "any", "all"])
def test_reductions_over_dims(name, dtype, layout, dim, keepdim):
    x = make(layout, dtype)
    check(reduction(name, dim, keepdim), x, reduced_len(x, dim))


@pytest.mark.parametrize("layout,dim,keepdim", CASES)
@pytest.mark.parametrize("dtype", FLOATS, ids=str)
def test_mean(dtype, layout, dim, keepdim):
    x = make(layout, dtype)
    check(reduction("mean", dim, keepdim), x, reduced_len(x, dim))


@pytest.mark.parametrize("layout,dim,keepdim", INT_CASES)
@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_prod(dtype, layout, dim, keepdim):
    x = make(layout, dtype)
    check(reduction("prod", dim, keepdim), x, reduced_len(x, dim))


@pytest.mark.parametrize("layout,dim", [(layout, dim) for layout, dim, _ in CASES])
@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_count_nonzero(dtype, layout, dim):
    x = make(layout, dtype)
    check(lambda t: t.count_nonzero(dim=dim), x)


@pytest.mark.parametrize("dtype", [tritorch.float32, tritorch.int32, tritorch.bool], ids=str)
def test_sum_with_dtype_casts_the_input_first(dtype):
    x = make("permuted", tritorch.float64)
    check(lambda t: t.sum(dim=1, dtype=dt(t, dtype)), x, 4)
    check(lambda t: t.prod(0, dtype=dt(t, dtype)), x, 3)


def test_mean_of_integers_with_a_floating_dtype():
    x = make("permuted", tritorch.int32)
    check(lambda t: t.mean((0, 1), dtype=dt(t, tritorch.float64)), x, 12)


def test_dim_empty_tuple_reduces_everything_except_for_any_and_all():
    x = make("permuted", tritorch.float32)
    for name in ("sum", "mean", "amax", "amin", "var", "count_nonzero"):
        check(lambda t: getattr(t, name)(dim=()), x, 60)
    for name in ("any", "all"):  # PyTorch tests each element alone here
        check(lambda t: getattr(t, name)(dim=()), x)


def test_empty_reductions_have_their_identity_or_nan():
    x = tritorch.empty(0, 3)
    assert_close(x.sum(), np.float32(0))
    assert_close(x.prod(0), np.ones(3, np.float32))
    assert_close(x.mean(), np.float32(np.nan))
    assert_close(x.any(1), np.zeros(0, bool))
    assert_close(x.all(), np.bool_(True))


def test_integer_sums_wrap_like_torch():
    x = tritorch.tensor([2**62, 2**62, 2**62], dtype=tritorch.int64)
    check(lambda t: t.sum(), x)
    check(lambda t: t.prod(), x)


def test_half_sums_round_once():
    """A float16 accumulator would stall at 2048 (2048 + 1 rounds back to 2048)."""
    x = tritorch.ones(4097, dtype=tritorch.float16)
    check(lambda t: t.sum(), x, 4097)


# --- max, min, argmax, argmin, median -----------------------------------------------------------

@pytest.mark.parametrize("layout,dim,keepdim", INT_CASES)
@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
@pytest.mark.parametrize("name", ["max", "min", "argmax", "argmin"])
def test_extrema(name, dtype, layout, dim, keepdim):
    check(reduction(name, dim, keepdim), make(layout, dtype))


@pytest.mark.parametrize("layout,dim,keepdim", INT_CASES)
@pytest.mark.parametrize("dtype", [tritorch.float32, tritorch.float64, tritorch.int32], ids=str)
def test_median_on_distinct_values(dtype, layout, dim, keepdim):
    x = make(layout, tritorch.float64)
    if x.numel():  # distinct values, so the median's index is determined
        x = tritorch.tensor(np.random.default_rng(1).permutation(x.numel()).reshape(x.shape), dtype=dtype)
    check(reduction("median", dim, keepdim), x)


def test_median_with_ties_returns_an_index_of_the_median():
    x = tritorch.tensor([[3.0, 1, 1, 3, 2, 1], [2, 1, 1, 2, 5, 5]])
    values, indices = x.median(1)
    assert_close(values, np.array([1.0, 2.0], np.float32))
    assert_close(values, to_numpy(x)[[0, 1], to_numpy(indices)].astype(np.float32))


def test_median_propagates_nan_and_picks_its_first_index():
    x = tritorch.tensor([[1.0, math.nan, 1.0, math.nan], [4.0, 3.0, 2.0, 1.0]])
    check(lambda t: t.median(1), x)
    check(lambda t: t.median(), x)
    assert_close(tritorch.empty(0).median(), np.float32(np.nan))


@pytest.mark.parametrize("name", ["max", "min", "argmax", "argmin"])
def test_ties_give_the_first_index(name):
    x = tritorch.tensor([[1.0, 3.0, 3.0, 0.0, 3.0], [0.0, 0.0, -1.0, -1.0, 0.0], [-0.0, 0.0, 0.0, -0.0, 0.0]])
    check(lambda t: getattr(t, name)(1), x)
    check(lambda t: getattr(t, name)(0), x.t())
    check(lambda t: getattr(t, name)(), x)


@pytest.mark.parametrize("name", ["max", "min", "amax", "amin", "argmax", "argmin"])
def test_nan_wins(name):
    x = tritorch.tensor([[1.0, math.nan, 2.0, math.nan], [math.inf, -math.inf, 0.0, 1.0]])
    check(lambda t: getattr(t, name)(1), x)
    check(lambda t: getattr(t, name)(), x)


def test_max_returns_named_values_and_indices():
    result = tritorch.max(tritorch.tensor([[1.0, 5.0], [7.0, 2.0]]), 1, True)
    values, indices = result
    assert values is result.values and indices is result.indices
    assert indices.dtype is tritorch.int64 and tuple(values.shape) == (2, 1)
    assert repr(result).startswith("max(values=tensor(")


def test_max_and_min_of_two_tensors_are_elementwise():
    a = tritorch.tensor([[1.0, 5.0], [7.0, 2.0]])
    b = tritorch.tensor([3.0, 4.0])
    check(lambda t: t.max(like(t, b)), a)
    check(lambda t: lib(t).min(t, other=like(t, b)), a)


# --- var, std, var_mean, std_mean --------------------------------------------------------------

@pytest.mark.parametrize("layout,dim,keepdim", CASES)
@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std(name, dtype, layout, dim, keepdim):
    x = make(layout, dtype)
    check(reduction(name, dim, keepdim), x, reduced_len(x, dim))


@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("call", [
    lambda f, x: f(x, 1, True),
    lambda f, x: f(x, 1, False, True),
    lambda f, x: f(x, False),
    lambda f, x: f(x, dim=(0, 2), unbiased=False),
    lambda f, x: f(x, dim=-1, correction=0),
    lambda f, x: f(x, dim=1, correction=2.5, keepdim=True),
    lambda f, x: f(x, dim=0, correction=5),  # N - correction < 0: inf, as PyTorch
])
def test_var_spellings(name, call):
    x = make("narrowed", tritorch.float64)
    check(lambda t: call(getattr(lib(t), name), t), x, 20)


@pytest.mark.parametrize("name", ["var_mean", "std_mean"])
@pytest.mark.parametrize("layout,dim", [("permuted", 1), ("expanded", (0, 2)), ("empty", 1),
                                        ("scalar", None)])
def test_var_mean_std_mean(name, layout, dim):
    x = make(layout, tritorch.float32)
    check(lambda t: getattr(lib(t), name)(t, dim, keepdim=True, correction=0), x, reduced_len(x, dim))
    check(lambda t: getattr(lib(t), name)(t, dim), x, reduced_len(x, dim))


def test_var_is_accurate_for_a_large_offset():
    """A one-pass sum of squares loses every digit here; two passes keep them."""
    x = tritorch.tensor(1e8 + np.arange(10.0), dtype=tritorch.float64)
    assert_close(x.var(), np.var(1e8 + np.arange(10.0), ddof=1), reduction_len=10)


def test_var_of_one_element_is_nan():
    check(lambda t: t.var(), tritorch.tensor([2.0]))
    check(lambda t: t.std(0, correction=0), tritorch.tensor([2.0]))


# --- logsumexp, norm ---------------------------------------------------------------------------

@pytest.mark.parametrize("layout,dim,keepdim", [case for case in CASES if case[1] is not None])
@pytest.mark.parametrize("dtype", FLOATS + [tritorch.int64, tritorch.bool], ids=str)
def test_logsumexp(dtype, layout, dim, keepdim):
    x = make(layout, dtype)
    check(lambda t: t.logsumexp(dim, keepdim), x, reduced_len(x, dim))


def test_logsumexp_of_everything_and_of_infinities():
    x = tritorch.tensor([[math.inf, 1.0], [-math.inf, -math.inf], [math.inf, -math.inf], [math.nan, 1.0],
                         [1000.0, 1000.0], [-1000.0, -1001.0]])
    check(lambda t: t.logsumexp(1), x, 2)
    assert_close(x.narrow(0, 4, 2).logsumexp(dim=None),
                 np.float32(np.logaddexp.reduce([1000.0, 1000.0, -1000.0, -1001.0])), reduction_len=4)


@pytest.mark.parametrize("layout,dim,keepdim", CASES)
@pytest.mark.parametrize("p,dtype", [(p, dtype) for p in ["fro", 2, 1, 3, 0.5, 0, -1, math.inf, -math.inf]
                                     for dtype in (FLOATS if p in ("fro", math.inf) else FLOATS[:2])],
                         ids=str)
def test_norm(p, dtype, layout, dim, keepdim):
    x = make(layout, dtype)
    check(lambda t: t.norm(p, dim, keepdim), x, reduced_len(x, dim))


def test_norm_of_zeros_and_dtype():
    x = tritorch.tensor([[0.0, 2.0, -3.0], [0.0, 0.0, 0.0]])
    for p in (0, 1, 2, -1, -0.5, math.inf, -math.inf):
        check(lambda t: t.norm(p, 1), x, 3)
    check(lambda t: lib(t).norm(t, dtype=dt(t, tritorch.float64)), x.half(), 6)
    check(lambda t: t.norm(), x)


# --- cumsum, cumprod ---------------------------------------------------------------------------

@pytest.mark.parametrize("layout,dim", DIM_CASES)
@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_scans(name, dtype, layout, dim):
    x = make(layout, dtype)
    check(lambda t: getattr(t, name)(dim), x, x.shape[dim] if x.ndim else 1)


def test_scan_dtype_and_nan():
    x = tritorch.tensor([[1.5, math.nan, 2.0], [0.5, 2.0, -1.0]])
    check(lambda t: t.cumsum(1), x, 3)
    check(lambda t: t.cumprod(0, dtype=dt(t, tritorch.float64)), x, 2)
    check(lambda t: t.cumsum(-1, dtype=dt(t, tritorch.int32)), tritorch.tensor([[1.5, -0.5, 2.7]]))


# --- sort, argsort, topk -----------------------------------------------------------------------

@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("layout,dim", DIM_CASES)
@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_sort_is_stable(dtype, layout, dim, descending):
    x = make(layout, dtype)  # few distinct values: many ties
    check(lambda t: t.sort(dim=dim, descending=descending, stable=True), x)
    check(lambda t: t.argsort(dim=dim, descending=descending, stable=True), x)
    check(lambda t: t.sort(dim, descending), x)  # tritorch always sorts stably; so does torch's cpu


def test_sort_places_nan_as_the_largest():
    x = tritorch.tensor([math.nan, 1.0, math.nan, 0.0, -math.inf, math.inf, -0.0, 0.0])
    for descending in (False, True):
        check(lambda t: t.sort(descending=descending, stable=True), x)
        check(lambda t: lib(t).argsort(t, descending=descending, stable=True), x)


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("layout,dim", DIM_CASES)
@pytest.mark.parametrize("dtype", FLOATS + [tritorch.int64, tritorch.int8], ids=str)
def test_topk(dtype, layout, dim, largest):
    x = make(layout, tritorch.float64)
    if x.numel():  # distinct values, so the indices are determined
        distinct = np.random.default_rng(2).permutation(x.numel()).reshape(x.shape) - 20
        x = tritorch.tensor(distinct, dtype=dtype)
    x = x.to(dtype)
    size = x.shape[dim] if x.ndim else 1
    for k in {0, 1, size // 2, size}:
        check(lambda t: t.topk(k, dim, largest), x)


def test_topk_with_ties_and_nan():
    x = tritorch.tensor([[1.0, 3.0, 2.0, 3.0, 1.0, math.nan], [5.0, 5.0, 5.0, 5.0, 5.0, 5.0]])
    values, indices = x.topk(3)
    assert_close(values, np.array([[np.nan, 3, 3], [5, 5, 5]], np.float32))
    assert_close(values, np.take_along_axis(to_numpy(x), to_numpy(indices), 1).astype(np.float32))
    check(lambda t: t.topk(2, largest=False).values, x)


# --- properties (hypothesis: random shapes, permuted strides) ---------------------------------

@st.composite
def tensor_and_dim(draw, **kwargs):
    x, a = draw(tensors(**kwargs))
    dim = draw(st.integers(-max(a.ndim, 1), max(a.ndim, 1) - 1))
    return x, a, dim


@settings(**SETTINGS)
@given(tensor_and_dim(), st.booleans())
def test_sum_and_mean_match_numpy(xad, keepdim):
    x, a, dim = xad
    n = a.shape[dim] if a.ndim else 1
    axis = dim % a.ndim if a.ndim else None
    keepdims = keepdim and a.ndim > 0
    assert_close(x.sum(dim, keepdim), np.sum(a.astype(np.float64), axis=axis, keepdims=keepdims),
                 reduction_len=n, check_dtype=False)
    if n:
        assert_close(x.mean(dim, keepdim), np.mean(a.astype(np.float64), axis=axis, keepdims=keepdims),
                     reduction_len=n, check_dtype=False)


@settings(**SETTINGS)
@given(tensor_and_dim(dtype=tritorch.int16, low=-3, high=3))
def test_max_values_and_first_indices(xad):
    x, a, dim = xad
    if a.ndim == 0 or a.shape[dim] == 0:
        return
    values, indices = x.max(dim, keepdim=True)
    v, i = to_numpy(values), to_numpy(indices)
    np.testing.assert_array_equal(v, np.max(a, axis=dim, keepdims=True))
    np.testing.assert_array_equal(np.take_along_axis(a, i, axis=dim), v)
    np.testing.assert_array_equal(i, np.argmax(a, axis=dim, keepdims=True))  # numpy: first occurrence


@settings(**SETTINGS)
@given(tensor_and_dim(dtype=tritorch.int32, low=-2, high=2), st.booleans())
def test_sort_is_a_stable_permutation(xad, descending):
    x, a, dim = xad
    if a.ndim == 0:
        return
    values, indices = x.sort(dim, descending)
    v, i = to_numpy(values), to_numpy(indices)
    np.testing.assert_array_equal(np.take_along_axis(a, i, axis=dim), v)
    np.testing.assert_array_equal(i, np.argsort(-a if descending else a, axis=dim, kind="stable"))


@settings(**SETTINGS)
@given(tensor_and_dim(dtype=tritorch.float64, low=-3, high=3))
def test_cumsum_ends_with_the_sum_and_logsumexp_matches_numpy(xad):
    x, a, dim = xad
    if a.ndim == 0 or a.shape[dim] == 0:
        return
    n = a.shape[dim]
    last = x.cumsum(dim).narrow(dim, n - 1, 1)
    assert_close(last, np.sum(a, axis=dim, keepdims=True), reduction_len=n)
    assert_close(x.logsumexp(dim), np.logaddexp.reduce(a, axis=dim), reduction_len=n)
    assert_close(x.var(dim, correction=0), np.var(a, axis=dim), reduction_len=n)


# --- errors ------------------------------------------------------------------------------------

def test_dim_out_of_range():
    x = tritorch.ones(2, 3)
    for op in (lambda: x.sum(2), lambda: x.amax((0, -3)), lambda: x.max(5), lambda: x.argmin(-3),
               lambda: x.var(2), lambda: x.cumsum(2), lambda: x.sort(2), lambda: x.topk(1, 2),
               lambda: x.logsumexp(3), lambda: x.norm(dim=2), lambda: x.any(2), lambda: x.median(2)):
        with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\]"):
            op()


def test_repeated_dims():
    with pytest.raises(RuntimeError, match="dim .* appears multiple times"):
        tritorch.ones(2, 3).sum((0, -2))


def test_empty_max_without_dim_names_the_shape():
    with pytest.raises(RuntimeError, match=r"max\(\): Expected reduction dim to be specified .*shape \[0, 3\]"):
        tritorch.empty(0, 3).max()
    with pytest.raises(IndexError, match=r"argmin\(\): Expected reduction dim to be specified .*shape \[2, 0\]"):
        tritorch.empty(2, 0).argmin()


def test_extremum_over_an_empty_dim():
    x = tritorch.empty(0, 3)
    for name in ("max", "min", "amax", "amin", "argmax", "argmin", "median"):
        with pytest.raises(IndexError, match=rf"{name}\(\): Expected reduction dim 0 to have non-zero size "
                                             r"\(input shape \[0, 3\]\)"):
            getattr(x, name)(0)
    assert tuple(x.max(1).values.shape) == (0,)


def test_unsupported_dtypes():
    i = tritorch.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="mean.*Input dtype must be either a floating point.*Got: int64"):
        i.mean()
    with pytest.raises(RuntimeError, match="mean.*Optional dtype must be either a floating point.*Got: int32"):
        i.float().mean(dtype=tritorch.int32)
    with pytest.raises(RuntimeError, match="var.*only support floating point.*got int64"):
        i.var()
    with pytest.raises(RuntimeError, match="std_mean.*only support floating point.*got int64"):
        tritorch.std_mean(i)
    with pytest.raises(RuntimeError, match="norm: expected a floating point input, got dtype int64"):
        i.norm()
    with pytest.raises(RuntimeError, match=r"norm: the dtype of the input \(float32\) should be convertible "
                                           r".*\(float16\)"):
        i.float().norm(dtype=tritorch.float16)
    with pytest.raises(RuntimeError, match=r"argmax\(\): does not support bool input"):
        tritorch.tensor([True]).argmax()
    with pytest.raises(RuntimeError, match="topk: bool tensors are not supported"):
        tritorch.tensor([True]).topk(1)
    with pytest.raises(RuntimeError, match=r"median\(\): bool tensors are not supported"):
        tritorch.tensor([True]).median()
    with pytest.raises(RuntimeError, match="median.*empty int64 tensor"):
        tritorch.tensor([], dtype=tritorch.int64).median()
    with pytest.raises(RuntimeError, match="cumsum: output dtype bool is not supported"):
        i.cumsum(0, dtype=tritorch.bool)


def test_bad_arguments():
    x = tritorch.ones(2, 3)
    with pytest.raises(RuntimeError, match=r"topk: selected index k out of range: k=4 "
                                           r".*shape \[2, 3\]\) has size 3"):
        x.topk(4)
    with pytest.raises(RuntimeError, match="topk: selected index k out of range: k=-1"):
        x.topk(-1, 0)
    with pytest.raises(TypeError, match="dim must be an int, got tuple"):
        x.prod((0, 1))
    with pytest.raises(TypeError, match="dim must be an int, got tuple"):
        x.max((0, 1))
    with pytest.raises(TypeError, match=r"var\(\): pass either unbiased \(True\) or correction \(0\), not both"):
        x.var(0, True, correction=0)
    with pytest.raises(TypeError, match="got unbiased twice"):
        x.std(True, False)
    with pytest.raises(RuntimeError, match="norm: order 'nuc' is not supported"):
        x.norm("nuc")
    with pytest.raises(RuntimeError, match=r"'fro' norm takes at most 2 dims, got dim=\(0, 1, 2\)"):
        tritorch.ones(2, 2, 2).norm("fro", (0, 1, 2))
    with pytest.raises(RuntimeError, match=r"cannot compute the inf norm over dims \[0\] "
                                           r"of a tensor of shape \[0, 3\]"):
        tritorch.empty(0, 3).norm(math.inf, 0)


# --- registration ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin",
                                  "median", "var", "std", "logsumexp", "norm", "any", "all", "count_nonzero",
                                  "cumsum", "cumprod", "sort", "argsort", "topk"])
def test_function_and_method(name):
    x = make("permuted", tritorch.float32)
    args = {"logsumexp": (1,), "cumsum": (1,), "cumprod": (1,), "topk": (2,)}.get(name, ())
    by_function, by_method = getattr(tritorch, name)(x, *args), getattr(x, name)(*args)
    for f, m in zip(by_function if isinstance(by_function, tuple) else (by_function,),
                    by_method if isinstance(by_method, tuple) else (by_method,)):
        assert_close(f, m)


def test_var_mean_and_std_mean_are_functions_only():
    assert callable(tritorch.var_mean) and callable(tritorch.std_mean)
    assert not hasattr(tritorch.Tensor, "var_mean")


@pytest.mark.parametrize("fn", [
    lambda x: x.sum(), lambda x: x.sum(0), lambda x: x.mean((0, 1), keepdim=True), lambda x: x.prod(1),
    lambda x: x.max(), lambda x: x.min(0).values, lambda x: x.amin(0), lambda x: x.median(),
    lambda x: x.median(1).values, lambda x: x.var(0), lambda x: x.std(), lambda x: x.logsumexp(1),
    lambda x: x.norm(), lambda x: x.norm(1, 0), lambda x: x.cumsum(0), lambda x: x.cumprod(1),
    lambda x: x.sort(0).values, lambda x: x.topk(2).values,
])
def test_graph_nodes_are_named_as_in_torch(fn):
    x = make("permuted", tritorch.float32).select(2, 0).requires_grad_()
    assert fn(x).grad_fn.name() == fn(as_torch(x).requires_grad_()).grad_fn.name()
    assert not fn(x.detach()).requires_grad


# --- var, std, logsumexp, norm and linalg.vector_norm on cuda ----------------------------------

# name: (fn written once for both libraries, length of each reduction of a (3, 4, 5) tensor)
STATISTICS = {
    "var": (lambda t: t.var(1), 4), "var_c0_keepdim": (lambda t: t.var((0, 2), keepdim=True, correction=0), 15),
    "var_biased": (lambda t: t.var(False), 60), "var_c2.5": (lambda t: t.var(-1, correction=2.5), 5),
    "var_no_dof": (lambda t: t.var(0, correction=3), 3), "std": (lambda t: t.std(), 60),
    "std_dim": (lambda t: t.std(0, True, True), 3),
    "var_mean": (lambda t: lib(t).var_mean(t, 1, correction=0), 4),
    "std_mean": (lambda t: lib(t).std_mean(t, (0, 2), keepdim=True), 15),
    "logsumexp": (lambda t: t.logsumexp(1), 4), "logsumexp_all": (lambda t: t.logsumexp((0, 1, 2), True), 60),
    "norm": (lambda t: t.norm(), 60), "norm3": (lambda t: t.norm(3, 1), 4),
    "norm_inf": (lambda t: t.norm(math.inf, (0, 2)), 15), "norm0": (lambda t: t.norm(0, -1), 5),
    "norm_-1": (lambda t: t.norm(-1, 0), 3), "norm_fro": (lambda t: t.norm("fro", (0, 1)), 12),
    "vector_norm": (lambda t: lib(t).linalg.vector_norm(t), 60),
    "vector_norm_0.5": (lambda t: lib(t).linalg.vector_norm(t, 0.5, (1, 2), True), 20),
    "vector_norm_-inf": (lambda t: lib(t).linalg.vector_norm(t, -math.inf, 1), 4),
    "vector_norm_dtype": (lambda t: lib(t).linalg.vector_norm(t, 1, dim=(), dtype=dt(t, tritorch.float64)), 60),
}


@pytest.mark.parametrize("name", list(STATISTICS))
@pytest.mark.parametrize("dtype", [tritorch.float32, tritorch.float64, tritorch.bfloat16], ids=str)
def test_statistics_on_both_devices(name, dtype):
    fn, n = STATISTICS[name]
    x = make("permuted", dtype)
    with warnings.catch_warnings():  # var's "degrees of freedom is <= 0"
        warnings.simplefilter("ignore")
        expected = fn(as_torch(x))
    for device in ("cpu", "cuda"):
        got = fn(x.to(device))
        got = tuple(t.cpu() for t in got) if isinstance(got, tuple) else got.cpu()
        compare(got, expected, n)


@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_sum_casts_the_input_to_its_dtype_before_accumulating(device):
    """1.0004 is 1.0 in float16: summing the float32 values and rounding once would give 100.04,
    which rounds to 100.0625 in float16."""
    s = tritorch.tensor([1.0004] * 100, device=device).sum(dtype=tritorch.float16)
    assert s.dtype is tritorch.float16 and s.item() == 100.0


@pytest.mark.parametrize("layout,dim,keepdim", CASES)
@pytest.mark.parametrize("ord", [2, 1, 0, 3, -0.5, math.inf, -math.inf])
def test_vector_norm(ord, layout, dim, keepdim):
    x = make(layout, tritorch.float64)
    check(lambda t: lib(t).linalg.vector_norm(t, ord, dim, keepdim), x, reduced_len(x, dim))


def test_vector_norm_errors():
    x = tritorch.ones(2, 3)
    with pytest.raises(TypeError, match="linalg.vector_norm.*'ord' must be a number, not str"):
        tritorch.linalg.vector_norm(x, "fro")
    with pytest.raises(RuntimeError, match="linalg.vector_norm: expected a floating point input, got dtype int64"):
        tritorch.linalg.vector_norm(x.long())
    with pytest.raises(RuntimeError, match="linalg.vector_norm: dtype should be floating point, but got int64"):
        tritorch.linalg.vector_norm(x, dtype=tritorch.int64)
    with pytest.raises(RuntimeError, match=r"linalg.vector_norm: the dtype of the input \(float32\) should be "
                                           r"convertible without narrowing to the specified dtype \(float16\)"):
        tritorch.linalg.vector_norm(x, dtype=tritorch.float16)
    with pytest.raises(RuntimeError, match=r"cannot compute the -1.0 norm over dims \[0\] of a tensor of shape \[0, 3\]"):
        tritorch.linalg.vector_norm(tritorch.empty(0, 3), -1, 0)
    with pytest.raises(IndexError):
        tritorch.linalg.vector_norm(x, 2, 2)
