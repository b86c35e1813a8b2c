"""searchsorted, bucketize, unique and unique_consecutive against torch (cpu) on both tritorch
devices: int and float dtypes, ties, NaN, empty and 0-d inputs, batched sequences, sorters,
every flag combination, dims; and PyTorch's errors, each matched."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from harness import torch_dtype
from helpers import to_numpy

import tritorch

DEVICES = ["cpu", "cuda"]
DTYPES = [tritorch.float32, tritorch.float64, tritorch.float16, tritorch.bfloat16, tritorch.int64,
          tritorch.int32, tritorch.int8, tritorch.uint8]


def pair(a, dtype, device):
    """The same values as a tritorch tensor on `device` and a torch cpu tensor."""
    a = np.asarray(a)
    return tritorch.tensor(a, device=device).to(dtype), torch.tensor(a).to(torch_dtype(dtype))


def same(got, want) -> None:
    """Exactly equal, dtype and shape included (NaN equals NaN)."""
    if isinstance(want, (tuple, list)):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            same(g, w)
        return
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1], (got.dtype, want.dtype)
    g, w = to_numpy(got), want.float().numpy() if want.dtype == torch.bfloat16 else want.numpy()
    assert g.shape == w.shape, (g.shape, w.shape)
    np.testing.assert_array_equal(g, w)


def ints(shape, lo, hi, seed=0):
    return np.random.default_rng(seed).integers(lo, hi, shape)


# --- searchsorted, bucketize ----------------------------------------------------------------

@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("flags", [{}, {"right": True}, {"side": "right"}, {"side": "left", "out_int32": True}])
def test_searchsorted_one_sequence(dtype, flags, device):
    seq, tseq = pair(np.sort(ints(7, 0, 9)), dtype, device)
    values, tvalues = pair(ints((2, 3), -1, 11, seed=1), dtype, device)
    same(tritorch.searchsorted(seq, values, **flags), torch.searchsorted(tseq, tvalues, **flags))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("right", [False, True])
def test_searchsorted_batched_strided_nan_and_mixed_dtypes(right, device):
    s = np.sort(np.random.default_rng(2).standard_normal((2, 3, 5)).round(1), axis=-1)
    s[0, 1, 3:] = np.nan  # NaNs sort last
    v = np.random.default_rng(3).standard_normal((2, 4, 3)).round(1)
    v[1, 0, 0], v[0, 2, 1] = np.nan, s[0, 0, 2]
    seq, tseq = pair(s, tritorch.float32, device)
    values, tvalues = pair(v, tritorch.float64, device)  # float32 sequence, float64 values: promoted
    got = tritorch.searchsorted(seq, values.transpose(1, 2), right=right)
    same(got, torch.searchsorted(tseq, tvalues.transpose(1, 2), right=right))
    seq, tseq = pair(np.nan_to_num(s, nan=9.0), tritorch.int32, device)  # int sequence, float values
    same(tritorch.searchsorted(seq, values.transpose(1, 2)), torch.searchsorted(tseq, tvalues.transpose(1, 2)))


@pytest.mark.parametrize("device", DEVICES)
def test_searchsorted_sorter_scalars_and_empty(device):
    seq, tseq = pair([3.0, 1.0, 2.0, 2.0], tritorch.float32, device)
    order, torder = pair([1, 2, 3, 0], tritorch.int64, device)
    values, tvalues = pair([2.0, 0.5, 9.0], tritorch.float32, device)
    same(tritorch.searchsorted(seq, values, sorter=order), torch.searchsorted(tseq, tvalues, sorter=torder))
    same(tritorch.searchsorted(seq.sort().values, 2.5), torch.searchsorted(tseq.sort().values, 2.5))
    same(tritorch.searchsorted(seq.sort().values, values[0]), torch.searchsorted(tseq.sort().values, tvalues[0]))
    empty, tempty = pair(np.zeros(0), tritorch.float32, device)
    same(tritorch.searchsorted(empty, values), torch.searchsorted(tempty, tvalues))
    same(tritorch.searchsorted(seq, empty), torch.searchsorted(tseq, tempty))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("right", [False, True])
def test_bucketize(right, device):
    bounds, tbounds = pair([1, 3, 5, 7], tritorch.int64, device)
    values, tvalues = pair([[1, 6], [3, 9], [0, 7]], tritorch.int32, device)
    same(tritorch.bucketize(values, bounds, right=right), torch.bucketize(tvalues, tbounds, right=right))
    same(tritorch.bucketize(values.t(), bounds, out_int32=True), torch.bucketize(tvalues.t(), tbounds, out_int32=True))
    same(tritorch.bucketize(4.5, bounds, right=right), torch.bucketize(4.5, tbounds, right=right))


def test_searchsorted_errors():
    seq = tritorch.zeros(2, 3)
    with pytest.raises(RuntimeError, match=r"boundaries tensor \[2, 3\] and input value tensor \[3, 2\]"):
        tritorch.searchsorted(seq, tritorch.zeros(3, 2))
    with pytest.raises(RuntimeError, match=r"scalar only when boundaries tensor dimension is 1"):
        tritorch.searchsorted(seq, 1.0)
    with pytest.raises(RuntimeError, match="should have positive dimension"):
        tritorch.searchsorted(tritorch.tensor(1.0), tritorch.zeros(2))
    with pytest.raises(RuntimeError, match="side and right can't be set to opposites"):
        tritorch.searchsorted(tritorch.zeros(3), tritorch.zeros(2), side="left", right=True)
    with pytest.raises(RuntimeError, match="side can only be 'left' or 'right' but got up"):
        tritorch.searchsorted(tritorch.zeros(3), tritorch.zeros(2), side="up")
    with pytest.raises(RuntimeError, match=r"boundary tensor \[3\] and got sorter tensor \[2\]"):
        tritorch.searchsorted(tritorch.zeros(3), tritorch.zeros(2), sorter=tritorch.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="sorter must be a tensor of long dtype but got dtype int32"):
        tritorch.searchsorted(tritorch.zeros(3), tritorch.zeros(2), sorter=tritorch.tensor([0, 1, 2]).int())
    with pytest.raises(RuntimeError, match="sorter index out of range"):
        tritorch.searchsorted(tritorch.zeros(3), tritorch.zeros(2), sorter=tritorch.tensor([0, 1, 3]))
    with pytest.raises(NotImplementedError, match="bool"):
        tritorch.searchsorted(tritorch.zeros(3).bool(), tritorch.zeros(2).bool())
    with pytest.raises(RuntimeError, match=r"boundaries tensor must be 1 dimension, but got dim\(2\)"):
        tritorch.bucketize(tritorch.zeros(2), tritorch.zeros(2, 2))
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        tritorch.searchsorted(tritorch.zeros(3), tritorch.zeros(2, device="cuda"))


# --- unique, unique_consecutive -------------------------------------------------------------

FLAG_SETS = [(False, False), (True, False), (False, True), (True, True)]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype, inverse, counts", [(d, True, True) for d in DTYPES + [tritorch.bool]] +
                         [(tritorch.float32, *flags) for flags in FLAG_SETS[:3]])
def test_unique_flat(dtype, inverse, counts, device):
    x, tx = pair(ints((3, 4), 0, 4, seed=4), dtype, device)
    flags = {"return_inverse": inverse, "return_counts": counts}
    same(tritorch.unique(x, **flags), torch.unique(tx, **flags))
    same(x.t().unique_consecutive(**flags), tx.t().unique_consecutive(**flags))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("values", [[3.0, np.nan, 1.0, np.nan, 3.0, 2.0, -0.0, 0.0], [1.0, np.nan, np.nan, 2.0, 2.0]])
def test_unique_nans_are_distinct(values, device):
    x, tx = pair(values, tritorch.float32, device)
    flags = {"return_inverse": True, "return_counts": True}
    same(x.unique(**flags), tx.unique(**flags))
    same(tritorch.unique_consecutive(x, **flags), torch.unique_consecutive(tx, **flags))


@pytest.mark.parametrize("device, inverse, counts", [("cpu", *flags) for flags in FLAG_SETS] + [("cuda", True, True)])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_unique_dim_sorts_slices_lexicographically(dim, inverse, counts, device):
    a = ints((4, 3, 2), 0, 2, seed=5)
    a[2] = a[0]  # a repeated slice along dim 0
    a[:, :, 1] = a[:, :, 0]  # and along dim -1
    x, tx = pair(a, tritorch.int32, device)
    flags = {"return_inverse": inverse, "return_counts": counts}
    same(tritorch.unique(x, dim=dim, **flags), torch.unique(tx, dim=dim, **flags))
    same(tritorch.unique_consecutive(x, dim=dim, **flags), torch.unique_consecutive(tx, dim=dim, **flags))


@pytest.mark.parametrize("device", DEVICES)
def test_unique_empty_zero_d_and_sorted_false(device):
    flags = {"return_inverse": True, "return_counts": True}
    for shape in [(0,), (2, 0)]:
        x, tx = pair(np.zeros(shape), tritorch.float32, device)
        same(tritorch.unique(x, **flags), torch.unique(tx, **flags))
    x, tx = pair(np.zeros((0, 3)), tritorch.float32, device)
    same(tritorch.unique(x, dim=0, **flags), torch.unique(tx, dim=0, **flags))
    x, tx = pair(5.0, tritorch.float64, device)
    same(tritorch.unique(x, **flags), torch.unique(tx, **flags))
    same(tritorch.unique_consecutive(x, **flags), torch.unique_consecutive(tx, **flags))
    x, tx = pair([3, 1, 2, 3, 1], tritorch.int64, device)
    same(tritorch.unique(x, sorted=False), torch.unique(tx, sorted=False))  # both sort on the cpu


def test_unique_does_not_track_gradients():
    x = tritorch.tensor([1.0, 2.0, 1.0], requires_grad=True)
    assert not tritorch.unique(x).requires_grad


def test_unique_errors():
    with pytest.raises(RuntimeError, match=r"0 sized dimensions, and they aren't selected.*\[0, 3\]"):
        tritorch.unique(tritorch.zeros(0, 3), dim=1)
    with pytest.raises(IndexError, match="Dimension specified as 0 but tensor has no dimensions"):
        tritorch.unique(tritorch.tensor(1.0), dim=0)
    with pytest.raises(IndexError, match="Dimension out of range"):
        tritorch.unique_consecutive(tritorch.zeros(2, 2), dim=2)
