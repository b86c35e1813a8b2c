"""Sorting and selection ops (sort, argsort, msort, topk, kthvalue, mode, median, max/min and
argmax/argmin along a dim) against torch's cpu, on tritorch's cpu and cuda devices: values and
indices exactly. A cuda op must launch a Triton kernel and never touch the numpy reference; its
gradients equal the cpu's. Where torch's index among ties is implementation-defined (kthvalue,
mode past 16 elements), the documented rule is tested instead."""
import math

import numpy as np
import pytest
import torch
from harness import record_launches, reference_forbidden
from helpers import assert_close, to_numpy

import tritorch

DEVICES = ["cpu", "cuda"]
DTYPES = [tritorch.float32, tritorch.float64, tritorch.float16, tritorch.bfloat16, tritorch.int64,
          tritorch.int32, tritorch.int8, tritorch.uint8]


def tied(shape, dtype, seed=0) -> np.ndarray:
    """Few distinct values (many ties); floats add NaN, +-0.0 and +-inf."""
    rng = np.random.default_rng(seed)
    if dtype.is_floating_point:
        pool = [math.nan, -0.0, 0.0, math.inf, -math.inf, 1.5, -2.0, 2.0]
    else:
        pool = [0, 1, 3, 7] + ([-5, -1] if dtype is not tritorch.uint8 else [200])
    return rng.choice(np.array(pool), size=shape)


def distinct(shape, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).permutation(math.prod(shape)).reshape(shape) - 7.0


def on(device: str, a: np.ndarray, dtype) -> tritorch.Tensor:
    return tritorch.tensor(a, dtype=dtype, device=device)


def as_torch(a: np.ndarray, dtype) -> torch.Tensor:
    return torch.tensor(a).to(getattr(torch, dtype.name))


def run(fn, x: tritorch.Tensor):
    """fn(x); on cuda, with the reference forbidden and a kernel launched (unless x is empty)."""
    if x.device.type == "cpu":
        return fn(x)
    with reference_forbidden(), record_launches() as launches:
        out = fn(x)
    assert len(launches) >= 1 or x.numel() == 0, "the cuda op launched no Triton kernel"
    return out


def compare(got, want) -> None:
    if isinstance(want, tuple):
        assert type(got).__name__ == type(want).__name__ and len(got) == len(want)
        for g, w in zip(got, want):
            compare(g, w)
        return
    w = want.double().numpy() if want.dtype == torch.bfloat16 else want.numpy()
    g = to_numpy(got.cpu())
    assert g.shape == w.shape and got.dtype.name == str(want.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(g, w)
    if w.dtype.kind == "f":  # -0.0 where torch has -0.0 (a NaN's sign bit means nothing)
        np.testing.assert_array_equal(np.signbit(g) & ~np.isnan(g), np.signbit(w) & ~np.isnan(w))


def check(fn, a: np.ndarray, dtype, device: str) -> None:
    compare(run(fn, on(device, a, dtype)), fn(as_torch(a, dtype)))


# --- against torch ----------------------------------------------------------------------------

SORTS = {
    "sort": lambda t: t.sort(dim=1, stable=True), "sort_desc": lambda t: t.sort(dim=0, descending=True, stable=True),
    "sort_last": lambda t: t.sort(), "argsort": lambda t: t.argsort(dim=1, descending=True, stable=True),
    "msort": lambda t: t.msort(),
}
TOPK = {"topk": lambda t: t.topk(3, dim=1), "topk_smallest": lambda t: t.topk(2, 0, False)}


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("name", list(SORTS))
def test_sorts_match_torch_with_ties_and_nan(name, dtype, device):
    check(SORTS[name], tied((4, 7), dtype), dtype, device)


@pytest.mark.parametrize("device", DEVICES)
def test_sorts_of_views_and_bool(device):
    a = tied((5, 3, 4), tritorch.float32, seed=2)
    x = on(device, a, tritorch.float32).permute(2, 0, 1)
    t = as_torch(a, tritorch.float32).permute(2, 0, 1)
    for fn in (lambda v: v.sort(dim=1, stable=True), lambda v: v.sort(dim=0, descending=True, stable=True)):
        compare(run(fn, x), fn(t))
    check(lambda v: v.sort(stable=True), tied((3, 6), tritorch.int8) > 0, tritorch.bool, device)
    check(lambda v: v.topk(2, 2), distinct((5, 3, 4)), tritorch.float32, device)
    check(lambda v: v.sort(0), np.array(2.5), tritorch.float32, device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("name", list(TOPK))
def test_topk_matches_torch(name, dtype, device):
    """Distinct values give torch's indices; among ties torch's order is its own, so tied values
    are compared with torch and their indices with the stable rule (first occurrences first)."""
    check(TOPK[name], distinct((4, 7)), dtype, device)
    a = tied((4, 7), dtype)
    values, indices = run(TOPK[name], on(device, a, dtype))
    compare(values, TOPK[name](as_torch(a, dtype)).values)
    largest = name == "topk"
    dim = 1 if largest else 0
    nan = np.isnan(a)  # the largest value: first when largest, last otherwise
    order = np.lexsort((np.where(nan, 0, -a if largest else a), ~nan if largest else nan), axis=dim)
    want = np.take(order, range(indices.shape[dim]), axis=dim)
    np.testing.assert_array_equal(indices.cpu().numpy(), want)


EXTREMA = {
    "max": lambda t: t.max(1), "min": lambda t: t.min(0, keepdim=True), "argmax": lambda t: t.argmax(1),
    "argmin": lambda t: t.argmin(0, keepdim=True), "argmax_all": lambda t: t.argmax(),
    "median": lambda t: t.median(1), "median_all": lambda t: t.median(),
    "mode": lambda t: t.mode(1), "mode_keep": lambda t: t.mode(0, keepdim=True),
}


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("name", list(EXTREMA))
def test_selections_match_torch_with_ties(name, dtype, device):
    """Rows of at most 16 elements: torch's cpu mode then gives the last occurrence too. mode with
    NaN is left out: torch's cpu answer there depends on its sort's NaN comparisons."""
    a = tied((4, 7), dtype)
    if name.startswith("mode") and dtype.is_floating_point:
        a = np.where(np.isnan(a), 1.5, a)
    check(EXTREMA[name], a, dtype, device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("k, dim, keepdim", [(1, 1, False), (3, 1, True), (4, 0, False), (7, -1, False)])
def test_kthvalue_matches_torch_on_distinct_values(device, k, dim, keepdim):
    a = distinct((4, 7))
    a[0, 3] = math.nan
    check(lambda t: t.kthvalue(k, dim, keepdim), a, tritorch.float32, device)


@pytest.mark.parametrize("device", DEVICES)
def test_kthvalue_among_ties_takes_the_stable_position(device):
    x = on(device, np.array([[3.0, 1.0, 3.0, 1.0, 3.0]]), tritorch.float64)
    values, indices = run(lambda t: t.kthvalue(4, 1), x)
    assert values.tolist() == [3.0] and indices.tolist() == [2]  # stable order: 1 3 0 2 4
    values, indices = run(lambda t: t.kthvalue(1, 1, True), x)
    assert values.tolist() == [[1.0]] and indices.tolist() == [[1]]


@pytest.mark.parametrize("device", DEVICES)
def test_mode_rules_past_sixteen_elements(device):
    a = np.array([4.0] * 9 + [2.0] * 9 + [7.0] * 3)
    np.random.default_rng(1).shuffle(a)
    values, indices = run(lambda t: t.mode(), on(device, a, tritorch.float32))
    assert values.item() == 2.0 and indices.item() == np.nonzero(a == 2.0)[0][-1]
    values, indices = run(lambda t: t.mode(0), on(device, np.array([math.nan, 1.0, math.nan]), tritorch.float32))
    assert math.isnan(values.item()) and indices.item() == 2


@pytest.mark.parametrize("device", DEVICES)
def test_long_rows(device):
    """Rows longer than the cuda sort's register block (1024): merge passes."""
    a = tied((2, 1100), tritorch.float32, seed=5)
    x = on(device, a, tritorch.float32)
    t = as_torch(a, tritorch.float32)
    compare(run(lambda v: v.sort(dim=1, stable=True), x), t.sort(dim=1, stable=True))
    compare(run(lambda v: v.median(1), x), t.median(1))


@pytest.mark.parametrize("device", DEVICES)
def test_errors_name_the_problem(device):
    x = on(device, np.zeros((2, 3)), tritorch.float32)
    with pytest.raises(RuntimeError, match=r"kthvalue\(\): selected number k out of range for dimension 1"):
        x.kthvalue(4)
    with pytest.raises(RuntimeError, match="selected number k out of range"):
        x.kthvalue(0, 0)
    with pytest.raises(IndexError, match=r"kthvalue\(\): Expected reduction dim 1 to have non-zero size"):
        on(device, np.zeros((2, 0)), tritorch.float32).kthvalue(1)
    with pytest.raises(IndexError, match=r"mode\(\): Expected reduction dim 0 to have non-zero size"):
        on(device, np.zeros(0), tritorch.float32).mode()
    with pytest.raises(RuntimeError, match="kthvalue.*bool"):
        on(device, np.zeros(3), tritorch.bool).kthvalue(1)
    with pytest.raises(IndexError, match="out of range"):
        x.mode(2)


@pytest.mark.parametrize("device", DEVICES)
def test_empty_and_zero_dim(device):
    check(lambda t: t.mode(1), np.zeros((0, 3)), tritorch.float32, device)
    check(lambda t: t.kthvalue(1, 1), np.zeros((0, 3)), tritorch.float32, device)
    for fn in (lambda t: t.kthvalue(1), lambda t: t.mode(), lambda t: t.msort(), lambda t: t.topk(1)):
        check(fn, np.array(5.0), tritorch.float32, device)


# --- gradients ---------------------------------------------------------------------------------

GRADS = {
    "sort": lambda t: t.sort(1, descending=True)[0], "msort": lambda t: t.msort(), "topk": lambda t: t.topk(2, 0)[0],
    "kthvalue": lambda t: t.kthvalue(2, 1)[0], "kthvalue_keep": lambda t: t.kthvalue(3, 0, True)[0],
    "mode": lambda t: t.mode(1)[0], "median": lambda t: t.median(0)[0], "max": lambda t: t.max(1, True)[0],
}


@pytest.mark.parametrize("name", ["msort", "kthvalue", "kthvalue_keep", "mode"])
def test_gradcheck_on_cpu(name):
    x = tritorch.tensor(distinct((3, 4)) / 3, dtype=tritorch.float64, requires_grad=True)
    assert tritorch.autograd.gradcheck(GRADS[name], (x,))


@pytest.mark.parametrize("name", list(GRADS))
def test_cuda_gradients_equal_the_cpus(name):
    a = tied((3, 4), tritorch.float32, seed=3)
    a = np.where(np.isfinite(a), a, 0.5)
    grads = []
    for device in DEVICES:
        x = on(device, a, tritorch.float32).requires_grad_(True)
        out = GRADS[name](x)
        out.backward(tritorch.tensor(distinct(tuple(out.shape)), dtype=tritorch.float32, device=device))
        grads.append(x.grad.cpu())
    assert_close(grads[1], to_numpy(grads[0]))
