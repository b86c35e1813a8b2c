"""scatter_reduce (sum, prod, mean, amax, amin), bincount and histc against torch (cpu) on both
tritorch devices (cuda under the interpreter, with the numpy reference forbidden), gradients by
finite differences in float64 and against torch's, and PyTorch's errors."""
import numpy as np
import pytest
import torch

import tritorch
from harness import reference_forbidden
from tritorch.autograd import gradcheck

REDUCTIONS = ["sum", "prod", "mean", "amax", "amin"]
DEVICES = ["cpu", "cuda"]


def run(device, fn, *arrays, **kw):
    """fn over tritorch tensors of `arrays` on `device` (the reference forbidden on cuda), as numpy."""
    tensors = [tritorch.tensor(a, device=device, **kw) for a in arrays]
    if device == "cpu":
        return fn(*tensors).cpu().numpy()
    with reference_forbidden():
        out = fn(*tensors)
    return out.cpu().numpy()


def operands(dtype=np.float32, seed=0):
    """x (4, 3), an index (5, 2) into dim 0 with repeats (row 3 of x named by no one), src (6, 3)
    larger than index: torch reads only its index-shaped corner."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-9, 9, (4, 3)).astype(dtype)
    index = np.array([[0, 2], [2, 2], [0, 1], [1, 0], [2, 1]])
    return x, index, rng.integers(-9, 9, (6, 3)).astype(dtype)


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.int64])
@pytest.mark.parametrize("device", DEVICES)
def test_scatter_reduce_matches_torch(device, dtype, reduce, include_self):
    x, index, src = operands(dtype)
    want = torch.from_numpy(x).scatter_reduce(0, torch.from_numpy(index), torch.from_numpy(src), reduce,
                                              include_self=include_self)
    got = run(device, lambda a, i, s: a.scatter_reduce(0, i, s, reduce, include_self=include_self), x, index, src)
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_scatter_reduce_in_place_and_function(device):
    x, index, src = operands(np.float32, seed=1)
    index = index[:4, :1].copy()  # dim 1, one entry per row
    want = torch.from_numpy(x.copy()).scatter_reduce_(1, torch.from_numpy(index), torch.from_numpy(src), "amin",
                                                      include_self=False)
    t, i, s = (tritorch.tensor(v, device=device) for v in (x, index, src))
    assert t.scatter_reduce_(1, i, s, "amin", include_self=False) is t
    np.testing.assert_array_equal(t.cpu().numpy(), want.numpy())
    got = tritorch.scatter_reduce(tritorch.tensor(x, device=device), 1, i, s, "amin", include_self=False)
    np.testing.assert_array_equal(got.cpu().numpy(), want.numpy())


def leaf(shape, seed, device="cpu", zeros=False):
    """float64 values with distinct magnitudes (no max ties), or with a few zeros for prod."""
    rng = np.random.default_rng(seed)
    a = (rng.permutation(np.prod(shape)).reshape(shape) + 20 * seed) / 4 + 0.5  # distinct across seeds
    if zeros:
        a.reshape(-1)[::3] = 0
    return tritorch.tensor(a * np.where(rng.random(shape) < 0.5, -1, 1), dtype=tritorch.float64, device=device,
                           requires_grad=True)


INDEX = [[0, 2, 0], [2, 2, 1], [0, 2, 2], [1, 0, 0]]  # dim 0 of x (3, 3); some elements named by no one


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCTIONS)
def test_scatter_reduce_gradcheck(reduce, include_self):
    x, src = leaf((3, 3), 0), leaf((4, 3), 1)
    index = tritorch.tensor(INDEX)
    assert gradcheck(lambda a, s: a.scatter_reduce(0, index, s, reduce, include_self=include_self), (x, src))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCTIONS)
def test_scatter_reduce_gradients_match_torch(device, reduce, include_self):
    """Ties for amax/amin (integer values) share the gradient; prod with zeros."""
    rng = np.random.default_rng(2)
    a, s = rng.integers(-2, 3, (3, 3)).astype(np.float64), rng.integers(-2, 3, (4, 3)).astype(np.float64)
    g = rng.standard_normal((3, 3))
    tx, ts = torch.tensor(a, requires_grad=True), torch.tensor(s, requires_grad=True)
    tx.scatter_reduce(0, torch.tensor(INDEX), ts, reduce, include_self=include_self).backward(torch.tensor(g))
    x, src = (tritorch.tensor(v, device=device, requires_grad=True) for v in (a, s))
    out = x.scatter_reduce(0, tritorch.tensor(INDEX, device=device), src, reduce, include_self=include_self)
    out.backward(tritorch.tensor(g, device=device))
    np.testing.assert_allclose(x.grad.cpu().numpy(), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(src.grad.cpu().numpy(), ts.grad.numpy(), rtol=1e-12)


def test_scatter_reduce_errors():
    x, index, src = (tritorch.tensor(v) for v in operands())
    with pytest.raises(RuntimeError, match="reduce argument must be one of .* got 'max'"):
        x.scatter_reduce(0, index, src, "max")
    with pytest.raises(RuntimeError, match="Expected self.dtype to be equal to src.dtype, got float32 and float64"):
        x.scatter_reduce(0, index, src.double(), "sum")
    with pytest.raises(RuntimeError, match=r"index \[5, 2\] to be no larger size than src \[4, 3\]"):
        x.scatter_reduce(0, index, src[:4], "sum")
    with pytest.raises(RuntimeError, match="out of bounds|index 4 is out of"):
        x.scatter_reduce(0, index + 2, src, "amax")
    with pytest.raises(TypeError, match="src.*must be Tensor"):
        x.scatter_reduce(0, index, 1.0, "sum")
    with pytest.raises(RuntimeError, match="reduce='mean' is not implemented for bool"):
        (x > 0).scatter_reduce(0, index, src > 0, "mean")


# --- bincount and histc ------------------------------------------------------------------------

@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("weights, minlength", [(None, 0), (np.float32, 3), (np.float64, 12), (np.int32, 0)])
def test_bincount_matches_torch(device, weights, minlength):
    values = np.array([1, 3, 1, 0, 7, 3, 3])
    w = None if weights is None else (np.arange(7) * 1.5 - 2).astype(weights)
    want = torch.bincount(torch.from_numpy(values), None if w is None else torch.from_numpy(w), minlength)
    got = run(device, lambda v, *ws: tritorch.bincount(v, ws[0] if ws else None, minlength=minlength), values,
              *([] if w is None else [w]))
    assert got.dtype == want.numpy().dtype
    np.testing.assert_array_equal(got, want.numpy())


def test_bincount_empty_and_method():
    assert tritorch.tensor([], dtype=tritorch.int64).bincount(minlength=2).tolist() == [0, 0]
    assert tritorch.tensor([2], dtype=tritorch.uint8, device="cuda").bincount().tolist() == [0, 0, 1]


def test_bincount_errors():
    with pytest.raises(RuntimeError, match="1-d non-negative integral"):
        tritorch.bincount(tritorch.tensor([1, -1]))
    with pytest.raises(RuntimeError, match=r"1-d non-negative integral inputs \(got shape \[1, 1\]\)"):
        tritorch.bincount(tritorch.tensor([[1]]))
    with pytest.raises(NotImplementedError, match="float32"):
        tritorch.bincount(tritorch.tensor([1.0]))
    with pytest.raises(RuntimeError, match="minlength should be >= 0"):
        tritorch.bincount(tritorch.tensor([1]), minlength=-1)
    with pytest.raises(RuntimeError, match=r"same length as input, got weights \[1\] and input \[2\]"):
        tritorch.bincount(tritorch.tensor([1, 2]), tritorch.tensor([1.0]))


HISTC_DATA = np.array([1.0, 2.2, 1.1, np.nan, 5.0, -1.0, 3.0, 0.0, 2.9])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bins, lo, hi", [(4, 0, 3), (7, -2, 6), (5, 2, 2)])
def test_histc_matches_torch(device, dtype, bins, lo, hi):
    """Out-of-range values and NaN ignored, max in the last bin; lo == hi: the data's range."""
    data = HISTC_DATA if lo != hi else HISTC_DATA[~np.isnan(HISTC_DATA)]
    data = data.astype(dtype)
    want = torch.histc(torch.from_numpy(data), bins=bins, min=lo, max=hi)
    got = run(device, lambda t: t.histc(bins=bins, min=lo, max=hi), data)
    assert got.dtype == want.numpy().dtype
    np.testing.assert_array_equal(got, want.numpy())


def test_histc_of_one_value_and_empty():
    assert tritorch.histc(tritorch.tensor([2.0, 2.0]), bins=4).tolist() == [0, 0, 2, 0]
    assert tritorch.histc(tritorch.tensor([]), bins=3).tolist() == [0, 0, 0]


def test_histc_errors():
    with pytest.raises(NotImplementedError, match="int64"):
        tritorch.histc(tritorch.tensor([1, 2]), bins=4)
    with pytest.raises(RuntimeError, match="bins must be > 0, but got 0"):
        tritorch.histc(tritorch.tensor([1.0]), bins=0)
    with pytest.raises(RuntimeError, match="max must be larger than min"):
        tritorch.histc(tritorch.tensor([1.0]), bins=3, min=3, max=1)
    with pytest.raises(RuntimeError, match="is not finite"):
        tritorch.histc(tritorch.tensor([1.0, np.nan]), bins=3)
