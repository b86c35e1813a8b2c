"""Advanced indexing ops on both devices against torch (cpu): x[idx], x[mask], x[idx] = v,
index_put_(accumulate=True), nonzero, masked_select, repeat_interleave; on cuda they must launch
Triton kernels and never touch the numpy reference. Out-of-range indices raise IndexError
before anything is written."""
import numpy as np
import pytest
import torch
from harness import record_launches, reference_forbidden
from helpers import assert_close

import tritorch

DEVICES = ["cpu", "cuda"]


def pair(shape, device, dtype=np.float32, seed=0):
    """(tritorch tensor on `device`, torch tensor) with equal values; the tritorch one is stored
    with its dims reversed (permuted strides)."""
    a = np.random.default_rng(seed).integers(-9, 10, shape).astype(dtype)
    order = list(reversed(range(len(shape))))
    return tritorch.tensor(a.transpose(order).copy(), device=device).permute(*order), torch.from_numpy(a.copy())


def run(device, fn, *args):
    """fn(*args); on cuda with the reference forbidden and at least one kernel launched."""
    if device == "cpu":
        return fn(*args)
    with reference_forbidden(), record_launches() as launches:
        out = fn(*args)
    assert len(launches) >= 1, "the cuda op launched no Triton kernel"
    return out


def check(actual, expected: torch.Tensor) -> None:
    assert actual.dtype.name == str(expected.dtype).removeprefix("torch."), (actual.dtype, expected.dtype)
    assert_close(actual.cpu(), expected.numpy())


def keys(mask: np.ndarray) -> list:
    """Advanced keys over a (3, 4, 5) tensor, as (tritorch key maker, torch key)."""
    return [
        (slice(None), [1, -1, 0, 1]),                 # one dim, negative and repeated
        ([0, 2], slice(None), [4, -5]),               # separated dims: index dims first
        ([[0], [2]], [1, -3, 3]),                     # broadcast index tensors
        (mask,),                                      # a full bool mask
        (1, mask[0] if mask.ndim == 3 else mask),     # a partial bool mask after an int
        (np.array(True),),                            # a 0-d mask
    ]


def as_torch(key):
    return tuple(torch.tensor(k) if isinstance(k, (list, np.ndarray)) else k for k in key)


def as_tritorch(key, device):
    return tuple(tritorch.tensor(k, device=device) if isinstance(k, (list, np.ndarray)) else k for k in key)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("k", range(6))
def test_getitem(device, k):
    x, xt = pair((3, 4, 5), device)
    key = keys(xt.numpy() > 0)[k]
    check(run(device, lambda: x[as_tritorch(key, device)]), xt[as_torch(key)])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("k", range(6))
def test_setitem(device, k):
    x, xt = pair((3, 4, 5), device)
    key = keys(xt.numpy() > 0)[k]
    want = xt[as_torch(key)]
    v, vt = pair(tuple(want.shape[1:]), device, seed=3)  # broadcast over the leading dim

    def put():
        x[as_tritorch(key, device)] = v
    run(device, put)
    xt[as_torch(key)] = vt
    check(x, xt)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.int64])
def test_index_put_accumulate(device, dtype):
    """Repeated positions add up, in two index tensors (a 2-D index shape)."""
    x, xt = pair((4, 5, 3), device, dtype)
    rows, cols = [[0, 1, 0], [3, 0, -4]], [[2, 2, 2], [-1, 0, 2]]
    v, vt = pair((2, 3, 3), device, dtype, seed=4)
    idx = (tritorch.tensor(rows, device=device), tritorch.tensor(cols, device=device))
    run(device, lambda: x.index_put_(idx, v, accumulate=True))
    xt.index_put_((torch.tensor(rows), torch.tensor(cols)), vt, accumulate=True)
    check(x, xt)


@pytest.mark.parametrize("device", DEVICES)
def test_nonzero_masked_select_count_nonzero(device):
    a = np.array([[0, 1.5, 0, np.nan], [-0.0, 2, 0, 0], [3, 0, 0, -1]], np.float32)
    x, xt = tritorch.tensor(a, device=device).t(), torch.tensor(a).t()
    check(run(device, tritorch.nonzero, x), torch.nonzero(xt))
    for got, want in zip(run(device, lambda: x.nonzero(as_tuple=True)), xt.nonzero(as_tuple=True)):
        check(got, want)
    check(run(device, tritorch.count_nonzero, x), torch.count_nonzero(xt))
    check(run(device, lambda: x.masked_select(x > 0)), xt.masked_select(xt > 0))
    check(run(device, lambda: x.masked_select(tritorch.tensor([True, False, True], device=device))),
          xt.masked_select(torch.tensor([True, False, True])))  # the mask broadcasts
    check(run(device, tritorch.nonzero, tritorch.zeros((2, 3), device=device)), torch.nonzero(torch.zeros(2, 3)))


@pytest.mark.parametrize("device", DEVICES)
def test_repeat_interleave(device):
    r = [2, 0, 3, 1]
    check(run(device, tritorch.repeat_interleave, tritorch.tensor(r, device=device)),
          torch.repeat_interleave(torch.tensor(r)))
    x, xt = pair((4, 3), device)
    check(run(device, lambda: x.repeat_interleave(tritorch.tensor(r, device=device), dim=0)),
          xt.repeat_interleave(torch.tensor(r), dim=0))
    check(run(device, lambda: x.repeat_interleave(2)), xt.repeat_interleave(2))


@pytest.mark.parametrize("device", DEVICES)
def test_out_of_range_index_raises_before_writing(device):
    x, _ = pair((4, 3), device)
    before = x.cpu().numpy().copy()
    bad = tritorch.tensor([0, 4], device=device)
    with pytest.raises(IndexError, match="index 4 is out of bounds for dimension 0 with size 4"):
        x[bad]
    with pytest.raises(IndexError, match="index -5 is out of bounds for dimension 1 with size 3"):
        x[:, tritorch.tensor([-5, 1], device=device)] = 1.0
    with pytest.raises(IndexError, match="index 4 is out of bounds for dimension 0 with size 4"):
        x.index_put_((bad,), tritorch.ones((2, 3), device=device), accumulate=True)
    np.testing.assert_array_equal(x.cpu().numpy(), before)


def test_gradients_on_cuda_match_cpu():
    """x[idx] with repeated picks (its backward is an accumulating index_put) and
    index_put(accumulate) with respect to both inputs: the same gradients on both devices."""
    grads = []
    for device in DEVICES:
        x, _ = pair((4, 3), device, np.float64)
        v, _ = pair((3, 3), device, np.float64, seed=5)
        x, v = x.detach().requires_grad_(), v.detach().requires_grad_()
        idx = tritorch.tensor([2, 0, 2], device=device)
        w = tritorch.tensor(np.arange(9.0).reshape(3, 3), device=device)
        y = (x[idx] * w).sum() + (x.index_put((idx,), v * v, accumulate=True) * x).sum()
        y.backward()
        grads.append((x.grad.cpu().numpy(), v.grad.cpu().numpy()))
    for got, want in zip(grads[1], grads[0]):
        np.testing.assert_allclose(got, want, rtol=1e-12)
