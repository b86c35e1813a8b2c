"""The searchsorted kernel against the float64 oracle: sequences and values inside NaN/sentinel
padding, outputs inside sentinel padding; 1-D sequences broadcast over the values (stride 0),
batched sequences, strided values, NaNs and ties, several programs on both grid axes, and more
leading dims than a launch takes."""
import numpy as np
import pytest
import torch
from harness import assert_padding_untouched, host, padded, permuted, sample

from tritorch import dtypes, reference
from tritorch.array_view import ArrayView
from tritorch.backend import cuda_backend
from tritorch.testing import Out, oracle

KERNELS = cuda_backend()
DTYPES = [dtypes.float32, dtypes.float16, dtypes.bfloat16, dtypes.float64, dtypes.int64, dtypes.int32,
          dtypes.uint8]


def _sorted(shape, dtype, seed):
    """Sorted rows with ties: values drawn from a small range."""
    a = sample(shape, dtype, seed)
    if dtype.is_floating_point:
        a = np.round(a).astype(dtype.np)  # integral floats: ties, and values that hit them exactly
    return np.sort(a, axis=-1)


def _broadcast(seq: ArrayView, lead) -> ArrayView:
    return ArrayView(seq.buffer, seq.offset, tuple(lead) + seq.shape, (0,) * len(lead) + seq.strides, seq.dtype)


def _check(seq_np, vals_np, seq, vals, right, out_dtype=dtypes.int64):
    out = padded(np.zeros(vals.shape, out_dtype.np), out_dtype)
    KERNELS.reduction.searchsorted(seq, vals, right, out)
    full_seq = np.broadcast_to(seq_np, vals.shape[:-1] + seq_np.shape[-1:])
    want = oracle(reference.reduction.searchsorted, np.ascontiguousarray(full_seq), vals_np, right,
                  Out(vals.shape, out_dtype))
    np.testing.assert_array_equal(host(out), want)
    assert_padding_untouched(out, out_dtype)


@pytest.mark.parametrize("right", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n, vshape", [(7, (3, 5)), (1, (4,)), (0, (2, 3)), (16, (2, 2, 9))])
def test_one_sequence_broadcast_over_values(n, vshape, dtype, right):
    seq_np, vals_np = _sorted((n,), dtype, 1), sample(vshape, dtype, 2)
    seq = _broadcast(padded(seq_np, dtype), vshape[:-1])
    _check(seq_np, vals_np, seq, padded(vals_np, dtype), right)


@pytest.mark.parametrize("right", [False, True])
@pytest.mark.parametrize("dtype", [dtypes.float32, dtypes.int64, dtypes.bfloat16])
def test_batched_sequences_and_strided_values(dtype, right):
    seq_np = _sorted((2, 3, 6), dtype, 3)
    stored = sample((4, 2, 3), dtype, 4)  # values stored (L, 2, 3), seen as (2, 3, L)
    vals = permuted(padded(stored, dtype), (1, 2, 0))
    _check(seq_np, stored.transpose(1, 2, 0), padded(seq_np, dtype), vals, right)


@pytest.mark.parametrize("right", [False, True])
def test_nan_placement_follows_pytorch(right):
    seq_np = np.array([[1, 2, 2, 3, np.nan], [1, np.nan, np.nan, np.nan, np.nan]], np.float32)
    vals_np = np.array([[2, np.nan, 0, 5, 2.5], [0.5, 1, np.nan, 3, 1]], np.float32)
    _check(seq_np, vals_np, padded(seq_np, dtypes.float32, fill=0.0), padded(vals_np, dtypes.float32), right)
    # and the oracle is PyTorch's own answer
    want = torch.searchsorted(torch.from_numpy(seq_np), torch.from_numpy(vals_np), right=right)
    out = padded(np.zeros((2, 5), np.int64), dtypes.int64)
    KERNELS.reduction.searchsorted(padded(seq_np, dtypes.float32), padded(vals_np, dtypes.float32), right, out)
    np.testing.assert_array_equal(host(out), want.numpy())


def test_int32_output_and_several_programs_on_both_axes():
    seq_np = _sorted((5, 8), dtypes.float32, 5)
    vals_np = sample((5, 1500), dtypes.float32, 6)  # 2 programs along the values, 2 along the rows
    _check(seq_np, vals_np, padded(seq_np, dtypes.float32), padded(vals_np, dtypes.float32), False, dtypes.int32)


def test_more_leading_dims_than_a_launch_takes():
    shape = (2, 2, 2, 2, 2, 3)
    seq_np = _sorted(shape[:-1] + (4,), dtypes.int32, 7)
    stored = sample(shape[::-1], dtypes.int32, 8)  # fully transposed values: no dims collapse
    vals = permuted(padded(stored, dtypes.int32), tuple(range(len(shape)))[::-1])
    _check(seq_np, stored.transpose(), padded(seq_np, dtypes.int32), vals, True)
