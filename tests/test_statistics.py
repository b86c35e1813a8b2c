"""quantile, nanquantile, nansum and nanmean against torch (cpu) on both tritorch devices: q a
float, a 0-d or 1-D tensor (empty too), every interpolation, dims and keepdim, NaN and ties,
int and float dtypes; gradients by gradcheck (cpu, float64), against torch's, and on cuda
equal to the cpu's; PyTorch's errors, each matched."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from harness import torch_dtype
from helpers import assert_close, to_numpy

import tritorch
from tritorch.autograd import gradcheck, gradgradcheck

DEVICES = ["cpu", "cuda"]
MODES = ["linear", "lower", "higher", "midpoint", "nearest"]


def pair(a, dtype, device, requires_grad=False):
    a = np.asarray(a)
    x = tritorch.tensor(a, device=device).to(dtype)
    t = torch.tensor(a).to(torch_dtype(dtype))
    if requires_grad:
        x.requires_grad_(True)
        t.requires_grad_(True)
    return x, t


def check(got, want, reduction_len=1):
    assert tuple(got.shape) == tuple(want.shape), (tuple(got.shape), tuple(want.shape))
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1], (got.dtype, want.dtype)
    assert_close(got.detach().cpu(), want.detach().float().numpy() if want.dtype == torch.bfloat16
                 else want.detach().numpy(), reduction_len=reduction_len, check_dtype=False)


def data(shape, seed=0, nan=False, ties=False):
    a = np.random.default_rng(seed).standard_normal(shape)
    if ties:
        a = a.round()
    if nan:
        a.reshape(-1)[::4] = np.nan
    return a


# --- quantile, nanquantile ------------------------------------------------------------------

Q_ARGS = [0.3, 0.0, 1.0, "q0d", "q1d", "qempty"]


def q_of(q, dtype, device):
    """(tritorch q, torch q) for a spelling in Q_ARGS."""
    if q == "q0d":
        return pair(0.75, dtype, device)
    if q == "q1d":
        return pair([0.1, 0.5, 0.35, 1.0], dtype, device)
    if q == "qempty":
        return pair(np.zeros(0), dtype, device)
    return q, q


@pytest.mark.parametrize("mode, q, device", [(m, q, "cpu") for m in MODES for q in Q_ARGS] +
                         [(m, q, "cuda") for m in MODES for q in ("q1d", 0.3)])
def test_quantile_every_interpolation_and_q(mode, q, device):
    x, tx = pair(data((3, 5), seed=1, ties=True), tritorch.float32, device)
    qq, tq = q_of(q, tritorch.float32, device)
    cases = [(None, False), (None, True), (1, False), (0, True), (-1, True)]
    for dim, keepdim in cases if device == "cpu" else cases[1:3]:
        check(tritorch.quantile(x, qq, dim, keepdim, interpolation=mode),
              torch.quantile(tx, tq, dim, keepdim, interpolation=mode))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
@pytest.mark.parametrize("dtype", [tritorch.float32, tritorch.float64])
def test_quantile_nan_rows_and_layouts(name, dtype, device):
    a = data((2, 3, 4), seed=2, nan=True)
    a[1, 2, :] = np.nan  # a slice of NaNs only
    x, tx = pair(a, dtype, device)
    qq, tq = q_of("q1d", dtype, device)
    fn, tfn = getattr(tritorch, name), getattr(torch, name)
    for dim, mode in [(None, "linear"), (0, "nearest"), (2, "linear")]:
        check(fn(x.permute(2, 0, 1), qq, dim, interpolation=mode), tfn(tx.permute(2, 0, 1), tq, dim, interpolation=mode))
        check(getattr(x, name)(0.4, dim, keepdim=True), getattr(tx, name)(0.4, dim, keepdim=True))


@pytest.mark.parametrize("device", DEVICES)
def test_quantile_zero_d_and_size_one(device):
    x, tx = pair(2.5, tritorch.float64, device)
    qq, tq = q_of("q1d", tritorch.float64, device)
    for dim, keepdim in [(None, False), (0, False), (0, True), (-1, True)]:
        check(tritorch.quantile(x, qq, dim, keepdim), torch.quantile(tx, tq, dim, keepdim))
        check(tritorch.nanquantile(x, 0.5, dim, keepdim), torch.nanquantile(tx, 0.5, dim, keepdim))
    x, tx = pair(data((1, 3)), tritorch.float32, device)
    check(tritorch.quantile(x, qq.float(), 0), torch.quantile(tx, tq.float(), 0))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
def test_quantile_gradcheck(name, mode):
    x = tritorch.tensor(data((3, 4), seed=3), dtype=tritorch.float64, requires_grad=True)
    q = tritorch.tensor([0.2, 0.5, 0.9], dtype=tritorch.float64)
    fn = getattr(tritorch, name)
    assert gradcheck(lambda t: fn(t, q, dim=1, interpolation=mode), (x,))
    assert gradcheck(lambda t: fn(t.t(), 0.3, interpolation=mode), (x,))
    assert gradcheck(lambda t: fn(t, 0.65, dim=0, keepdim=True, interpolation=mode), (x,))


def test_quantile_gradgradcheck():
    x = tritorch.tensor(data((3, 4), seed=4), dtype=tritorch.float64, requires_grad=True)
    assert gradgradcheck(lambda t: tritorch.quantile(t, 0.4, dim=1) ** 2, (x,))


@pytest.mark.parametrize("mode", MODES)
def test_quantile_gradients_match_torch_and_cuda_matches_cpu(mode):
    a = data((3, 5), seed=5)
    a[0, 1] = np.nan  # nanquantile: the gradient skips NaNs
    grads = []
    for device in DEVICES:
        x, tx = pair(a, tritorch.float64, device, requires_grad=True)
        q, tq = q_of("q1d", tritorch.float64, device)
        w = np.random.default_rng(6).standard_normal((4, 3))
        (tritorch.nanquantile(x, q, 1, interpolation=mode) * tritorch.tensor(w, device=device)).sum().backward()
        (torch.nanquantile(tx, tq, 1, interpolation=mode) * torch.tensor(w)).sum().backward()
        check(x.grad, tx.grad)
        grads.append(to_numpy(x.grad))
    np.testing.assert_array_equal(grads[1], grads[0])


def test_quantile_errors():
    x = tritorch.zeros(2, 3)
    with pytest.raises(RuntimeError, match="input tensor must be either float or double dtype"):
        tritorch.quantile(x.long(), 0.3)
    with pytest.raises(RuntimeError, match="input tensor must be either float or double dtype"):
        tritorch.quantile(x.half(), 0.3)
    with pytest.raises(RuntimeError, match=r"q must be in the range \[0, 1\] but got 1.3"):
        tritorch.quantile(x, 1.3)
    with pytest.raises(RuntimeError, match=r"q values must be in the range \[0, 1\]"):
        tritorch.quantile(x, tritorch.tensor([0.5, float("nan")]))
    with pytest.raises(RuntimeError, match="q must be a scalar or 1D tensor"):
        tritorch.quantile(x, tritorch.tensor([[0.3]]))
    with pytest.raises(RuntimeError, match="q tensor must be same dtype as the input tensor"):
        tritorch.quantile(x, tritorch.tensor([0.3], dtype=tritorch.float64))
    with pytest.raises(RuntimeError, match="nanquantile\\(\\) input tensor must be non-empty"):
        tritorch.nanquantile(tritorch.zeros(2, 0), 0.3, dim=0)
    with pytest.raises(RuntimeError, match="interpolation must be one of linear, lower, higher, midpoint or "
                                           "nearest, but got cubic"):
        tritorch.quantile(x, 0.3, interpolation="cubic")
    with pytest.raises(IndexError, match="Dimension out of range"):
        tritorch.quantile(x, 0.3, dim=2)
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        tritorch.quantile(x, tritorch.tensor([0.3], device="cuda"))


# --- nansum, nanmean ------------------------------------------------------------------------

@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [tritorch.float32, tritorch.float64, tritorch.float16, tritorch.bfloat16,
                                   tritorch.int32, tritorch.uint8, tritorch.bool])
def test_nansum(dtype, device):
    a = data((3, 4, 2), seed=7, nan=True) * 3
    if not dtype.is_floating_point:
        a = np.abs(np.nan_to_num(a)).round()
    x, tx = pair(a, dtype, device)
    for dim, keepdim in [(None, False), (1, False), ((0, 2), True), (-1, True), ((), False)]:
        check(tritorch.nansum(x, dim, keepdim), torch.nansum(tx, dim, keepdim), reduction_len=24)
    check(x.nansum(dtype=tritorch.float64), tx.nansum(dtype=torch.float64), reduction_len=24)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [tritorch.float32, tritorch.float64, tritorch.float16])
def test_nanmean(dtype, device):
    a = data((3, 4, 2), seed=8, nan=True)
    a[2, :, 1] = np.nan  # a slice of NaNs only: NaN
    x, tx = pair(a, dtype, device)
    for dim, keepdim in [(None, False), (1, False), ((0, 2), True), (-1, True)]:
        check(tritorch.nanmean(x, dim, keepdim), torch.nanmean(tx, dim, keepdim), reduction_len=24)
    check(x.nanmean(1, dtype=tritorch.float64), tx.nanmean(1, dtype=torch.float64), reduction_len=24)
    empty, tempty = pair(np.zeros((0, 2)), dtype, device)
    check(tritorch.nanmean(empty, 0), torch.nanmean(tempty, 0))
    check(tritorch.nansum(empty), torch.nansum(tempty))


@pytest.mark.parametrize("name", ["nansum", "nanmean"])
def test_nan_reduction_gradients(name):
    a = data((3, 4), seed=9, nan=True)
    fn = getattr(tritorch, name)
    x = tritorch.tensor(np.nan_to_num(a), dtype=tritorch.float64, requires_grad=True)
    assert gradcheck(lambda t: fn(t, 1), (x,))
    assert gradgradcheck(lambda t: fn(t * t), (x,))
    grads = []
    for device in DEVICES:  # with NaNs: zero gradient there, as torch's
        x, tx = pair(a, tritorch.float64, device, requires_grad=True)
        fn(x, 0, keepdim=True).sum().backward()
        getattr(torch, name)(tx, 0, keepdim=True).sum().backward()
        check(x.grad, tx.grad)
        grads.append(to_numpy(x.grad))
    np.testing.assert_array_equal(grads[1], grads[0])


def test_nanmean_errors():
    with pytest.raises(RuntimeError, match="nanmean\\(\\): expected input to have floating point .* got int64"):
        tritorch.nanmean(tritorch.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="Optional dtype must be either a floating point or complex dtype. "
                                           "Got: int64"):
        tritorch.nanmean(tritorch.tensor([1.0, 2.0]), dtype=tritorch.int64)
