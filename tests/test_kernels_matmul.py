"""The matmul kernel against the float64 oracle, in padded buffers, on every path: 2-D,
batched with broadcast (stride 0) and non-mergeable batch dims, transposed operands, edges that
do not fill a tile, K spanning several steps, K == 0, an output overlapping an input."""
import numpy as np
import pytest

from tritorch import dtypes, reference
from tritorch.array_view import ArrayView, contiguous_strides
from tritorch.backend import cuda_backend
from tritorch.testing import Out, assert_allclose, oracle
from harness import assert_padding_untouched, host, padded

KERNELS = cuda_backend()
FLOATS = (dtypes.float32, dtypes.float16, dtypes.bfloat16, dtypes.float64)


def view(buf: ArrayView, shape, strides) -> ArrayView:
    return ArrayView(buf.buffer, buf.offset, tuple(shape), tuple(strides), buf.dtype)


def product(a, b, dtype):
    """a @ b from the float64 oracle, rounded once into `dtype`."""
    return oracle(reference.matmul.matmul, a, b, Out(a.shape[:-2] + (a.shape[-2], b.shape[-1]), dtype))


def run(a, b, dtype, transpose_a=False, transpose_b=False):
    """Kernel product of a and b, each stored transposed when asked (a strided operand)."""
    def operand(x, transposed):
        if not transposed:
            return padded(x, dtype)
        stored = padded(np.ascontiguousarray(np.swapaxes(x, -1, -2)), dtype)
        st = list(contiguous_strides(np.swapaxes(x, -1, -2).shape))
        st[-1], st[-2] = st[-2], st[-1]
        return view(stored, x.shape, st)
    x, y = operand(a, transpose_a), operand(b, transpose_b)
    shape = a.shape[:-2] + (a.shape[-2], b.shape[-1])
    out = padded(np.zeros(shape, dtype.np), dtype)
    KERNELS.matmul.matmul(x, y, out)
    assert_padding_untouched(out, dtype)
    return host(out)


def sample(shape, dtype, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype.np)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("m, k, n", [(5, 7, 3), (70, 40, 66), (1, 1, 1), (3, 0, 4), (64, 64, 64)])
@pytest.mark.parametrize("transpose_a, transpose_b", [(False, False), (True, False), (False, True)])
def test_2d(dtype, m, k, n, transpose_a, transpose_b):
    a, b = sample((m, k), dtype, 0), sample((k, n), dtype, 1)
    got = run(a, b, dtype, transpose_a, transpose_b)
    assert_allclose(got, product(a, b, dtype), dtype, max(k, 1))


@pytest.mark.parametrize("dtype", [dtypes.float32, dtypes.bfloat16])
def test_batched_with_broadcast_and_unmergeable_batch_dims(dtype):
    a = sample((2, 3, 5, 6), dtype, 2)
    b1 = sample((6, 4), dtype, 3)
    x = padded(a, dtype)
    y = view(padded(b1, dtype), (2, 3, 6, 4), (0, 0, 4, 1))  # one matrix for every batch
    out_shape = (2, 3, 5, 4)
    # out stored as (3, 2, 5, 4) and viewed (2, 3, 5, 4): its batch dims do not merge
    stored = padded(np.zeros((3, 2, 5, 4), dtype.np), dtype)
    out = view(stored, out_shape, (20, 40, 4, 1))
    KERNELS.matmul.matmul(x, y, out)
    want = product(a, np.broadcast_to(b1, (2, 3, 6, 4)).copy(), dtype)
    assert_allclose(host(out), want, dtype, 6)
    assert_padding_untouched(stored, dtype)


def test_output_overlapping_an_input_goes_through_a_temporary():
    a = sample((4, 4), dtypes.float32, 4)
    buf = padded(a, dtypes.float32)
    KERNELS.matmul.matmul(buf, buf, buf)  # a = a @ a, in place
    assert_allclose(host(buf), product(a, a, dtypes.float32), dtypes.float32, 4)
    assert_padding_untouched(buf, dtypes.float32)
