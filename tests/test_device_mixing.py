"""Operands on two devices, as PyTorch allows them: Python scalars and 0-dim cpu tensors join
a cuda op (a 0-dim cpu tensor promotes as a 0-dim tensor, and gets its gradient on the cpu),
and a cpu index tensor indexes a cuda tensor. Every other mix raises PyTorch's error naming
both devices."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tritorch
from helpers import assert_close

X = [[1.0, -2.0, 0.5], [4.0, 0.0, -1.5]]


def _cuda(values=X, dtype=tritorch.float32, **kwargs):
    return tritorch.tensor(values, dtype=dtype, device="cuda", **kwargs)


@pytest.mark.parametrize("op", [lambda lib, x, s: x * s, lambda lib, x, s: s * x, lambda lib, x, s: x - s,
                                lambda lib, x, s: lib.maximum(x, s), lambda lib, x, s: x < s,
                                lambda lib, x, s: lib.add(x, s, alpha=2)])
@pytest.mark.parametrize("dtype", [tritorch.float32, tritorch.int32])
def test_a_0dim_cpu_tensor_joins_a_cuda_op(op, dtype):
    """The 0-dim float64 tensor promotes as a 0-dim tensor: float32 stays, int32 gives float64."""
    got = op(tritorch, _cuda(dtype=dtype), tritorch.tensor(3.0, dtype=tritorch.float64))
    want = op(torch, torch.tensor(X, dtype=getattr(torch, str(dtype).removeprefix("tritorch."))),
              torch.tensor(3.0, dtype=torch.float64))
    assert got.device == tritorch.device("cuda:0")
    assert_close(got, want.numpy(), dtype=getattr(tritorch, str(want.dtype).removeprefix("torch.")))


def test_in_place_with_a_0dim_cpu_tensor():
    x = _cuda()
    assert x.mul_(tritorch.tensor(3.0)) is x and x.device.type == "cuda"
    assert_close(x, np.array(X, np.float32) * 3)


def test_isclose_takes_a_0dim_cpu_tensor_but_not_a_number():
    got = tritorch.isclose(_cuda(), tritorch.tensor(0.5))
    assert got.device.type == "cuda"
    np.testing.assert_array_equal(got.cpu().numpy(), np.array(X) == 0.5)
    with pytest.raises(TypeError, match="argument 'other' must be a Tensor, not float"):
        tritorch.isclose(_cuda(), 0.5)  # as torch.isclose


@pytest.mark.parametrize("input,other", [("cuda", "cpu0"), ("cpu0", "cpu0"), ("cpu0", 2.0)])
def test_where_with_a_cuda_mask_and_0dim_cpu_values(input, other):
    x = _cuda()
    operands = {"cuda": x, "cpu0": tritorch.tensor(-1.0), 2.0: 2.0}
    got = tritorch.where(x > 0, operands[input], operands[other])
    host = {"cuda": torch.tensor(X), "cpu0": torch.tensor(-1.0), 2.0: 2.0}
    want = torch.where(torch.tensor(X) > 0, host[input], host[other])
    assert got.device.type == "cuda"
    assert_close(got, want.numpy())


def test_the_gradient_of_a_0dim_cpu_tensor_stays_on_the_cpu():
    x = _cuda(requires_grad=True)
    s = tritorch.tensor(3.0, requires_grad=True)
    (x * s).sum().backward()
    assert s.grad.device.type == "cpu" and x.grad.device.type == "cuda"
    assert_close(s.grad, np.array(np.sum(X), np.float32))
    assert_close(x.grad, np.full((2, 3), 3.0, np.float32))


def test_a_cpu_index_tensor_indexes_a_cuda_tensor():
    got = _cuda()[tritorch.tensor([1, 0, 1])]
    assert got.device.type == "cuda"
    assert_close(got, np.array(X, np.float32)[[1, 0, 1]])
    mask = tritorch.tensor([[True, False, True], [False, False, True]])
    assert_close(_cuda()[mask], np.array(X, np.float32)[mask.numpy()])


def test_cpu_indices_and_a_0dim_cpu_value_write_a_cuda_tensor():
    x, want = _cuda(), torch.tensor(X)
    x[tritorch.tensor([1]), tritorch.tensor([2])] = tritorch.tensor(7.0)
    want[torch.tensor([1]), torch.tensor([2])] = torch.tensor(7.0)
    x[:, 0] = tritorch.tensor([-1.0, 8.0])  # a basic-indexed write copies across devices
    want[:, 0] = torch.tensor([-1.0, 8.0])
    x.index_put_((tritorch.tensor([0, 0]),), tritorch.tensor(2.0), accumulate=True)
    want.index_put_((torch.tensor([0, 0]),), torch.tensor(2.0), accumulate=True)
    x = x.masked_fill(x < 0, tritorch.tensor(-9.0))
    want = want.masked_fill(want < 0, torch.tensor(-9.0))
    assert x.device.type == "cuda"
    assert_close(x, want.numpy())


@pytest.mark.parametrize("mix", [
    lambda: _cuda() + tritorch.ones(3),  # a dimensioned cpu tensor
    lambda: _cuda() * tritorch.ones(1),  # even of one element
    lambda: tritorch.tensor(1.0).add_(_cuda([2.0])[0]),  # a written 0-dim cpu tensor
    lambda: tritorch.where(tritorch.ones(2, 3, dtype=tritorch.bool), _cuda(), 0.0),  # a cpu mask
    lambda: tritorch.add(_cuda(), 1.0, out=tritorch.empty(2, 3)),  # out= on the cpu
])
def test_other_mixes_raise_naming_both_devices(mix):
    with pytest.raises(RuntimeError, match="cuda:0 and cpu|cpu and cuda:0|is on cpu but the result is on cuda:0"):
        mix()


@pytest.mark.parametrize("value", [True, False])
@pytest.mark.parametrize("other", ["cuda", "cpu0", 2.0])
def test_a_0dim_cpu_condition_joins_where(value, other):
    """torch.where takes a 0-dim cpu bool condition with cuda operands, as it takes a scalar."""
    operands = {"cuda": _cuda([[5.0, 6.0, 7.0]]), "cpu0": tritorch.tensor(-1.0), 2.0: 2.0}
    host = {"cuda": torch.tensor([[5.0, 6.0, 7.0]]), "cpu0": torch.tensor(-1.0), 2.0: 2.0}
    x = _cuda(requires_grad=True)
    got = tritorch.where(tritorch.tensor(value), x, operands[other])
    want = torch.where(torch.tensor(value), torch.tensor(X), host[other])
    assert got.device.type == "cuda"
    assert_close(got, want.numpy())
    got.sum().backward()
    assert x.grad.device.type == "cuda"
    assert_close(x.grad, np.full((2, 3), float(value), np.float32))


def test_where_of_0dim_cpu_tensors_stays_on_the_cpu():
    got = tritorch.where(tritorch.tensor(False), tritorch.tensor(1.0), tritorch.tensor(2.0))
    assert got.device.type == "cpu" and got.item() == 2.0


@pytest.mark.parametrize("mask_device,self_device", [("cpu", "cuda"), ("cuda", "cpu")])
def test_masked_fill_needs_the_mask_on_self_device_even_0dim(mask_device, self_device):
    """PyTorch's cuda masked_fill_ checks the mask's device before anything else, a 0-dim cpu
    mask included (the value, unlike the mask, may be a 0-dim cpu tensor)."""
    x = tritorch.tensor(X, device=self_device)
    mask = tritorch.tensor(True, device=mask_device)
    match = f"expected self and mask to be on the same device, but got mask on {mask.device} and self on {x.device}"
    with pytest.raises(RuntimeError, match=match):
        x.masked_fill(mask, 1.0)
    with pytest.raises(RuntimeError, match=match):
        x.masked_fill_(mask, tritorch.tensor(1.0))
