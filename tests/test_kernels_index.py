"""Index kernels that have landed (gather, index_range, scatter) against the float64 oracle:
inputs inside NaN/sentinel padding, outputs inside sentinel padding, strided and broadcast
operands."""
import numpy as np
import pytest
from harness import assert_padding_untouched, host, padded, permuted, sample

from tritorch import dtypes, reference
from tritorch.array_view import ArrayView
from tritorch.backend import cuda_backend
from tritorch.testing import InOut, Out, assert_allclose, oracle

KERNELS = cuda_backend()
DTYPES = [dtypes.float32, dtypes.float16, dtypes.bfloat16, dtypes.float64, dtypes.int64, dtypes.int8,
          dtypes.uint8, dtypes.bool_]

GATHER_CASES = [
    # (x stored shape, x permutation, dim, index shape, index permutation)
    ((3, 4, 5), (0, 1, 2), 1, (3, 2, 5), (0, 1, 2)),   # index as large as x outside dim
    ((3, 4, 5), (2, 0, 1), 0, (2, 3, 4), (0, 1, 2)),   # strided x, index smaller outside dim
    ((3, 4, 5), (0, 1, 2), 2, (4, 3, 2), (1, 2, 0)),   # strided index
    ((7,), (0,), 0, (11,), (0,)),                      # 1-D: the flat path, repeated picks
    ((2, 1100), (0, 1), 1, (2, 1100), (0, 1)),         # several programs
    ((2, 2, 2, 2, 2, 3), (5, 4, 3, 2, 1, 0), 3, (2, 2, 2, 2, 2, 2), (0, 1, 2, 3, 4, 5)),  # > 4 dims
    ((3, 0), (0, 1), 0, (2, 0), (0, 1)),               # empty
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("stored, perm, dim, ishape, iperm", GATHER_CASES)
def test_gather(stored, perm, dim, ishape, iperm, dtype):
    a = sample(stored, dtype, 1)
    x = permuted(padded(a, dtype), perm)
    rng = np.random.default_rng(2)
    idx = rng.integers(0, x.shape[dim], ishape)
    index = permuted(padded(idx, dtypes.int64), iperm)
    idx_seen = idx.transpose(iperm)
    out = padded(np.zeros(index.shape, dtype.np), dtype)
    KERNELS.index.gather(x, dim, index, out)
    want = oracle(reference.index.gather, a.transpose(perm), dim, idx_seen, Out(index.shape, dtype))
    assert_allclose(host(out), want, dtype)
    assert_padding_untouched(out, dtype)


def test_gather_from_a_broadcast_input():
    a = np.arange(4, dtype=np.float32)
    base = padded(a, dtypes.float32)
    x = ArrayView(base.buffer, base.offset, (3, 4), (0, 1), dtypes.float32)  # a row repeated (stride 0)
    idx = np.array([[3, 0], [1, 1], [2, 3]])
    out = padded(np.zeros((3, 2), np.float32), dtypes.float32)
    KERNELS.index.gather(x, 1, padded(idx, dtypes.int64), out)
    np.testing.assert_array_equal(host(out), a[idx])
    assert_padding_untouched(out, dtypes.float32)


@pytest.mark.parametrize("dtype", [dtypes.int64, dtypes.int32])
@pytest.mark.parametrize("shape, perm", [((5,), (0,)), ((3, 4), (1, 0)), ((1,), (0,)), ((2, 1500), (0, 1))])
def test_index_range(shape, perm, dtype):
    a = sample(shape, dtype, 3)
    out = padded(np.zeros(2, np.int64), dtypes.int64)
    KERNELS.index.index_range(permuted(padded(a, dtype), perm), out)
    want = oracle(reference.index.index_range, a.transpose(perm), Out((2,), dtypes.int64))
    np.testing.assert_array_equal(host(out), want)
    assert_padding_untouched(out, dtypes.int64)


# --- scatter -----------------------------------------------------------------------------------

SCATTER_CASES = [
    # (x stored shape, x permutation, dim, index shape (as seen), index and src permutation)
    ((3, 4, 5), (0, 1, 2), 1, (3, 6, 5), (0, 1, 2)),   # middle dim, index longer than x along dim
    ((3, 4, 5), (2, 0, 1), 0, (7, 2, 3), (0, 1, 2)),   # strided x, index smaller outside dim
    ((3, 4, 5), (0, 1, 2), 2, (3, 4, 6), (1, 2, 0)),   # last dim, strided index and src
    ((3, 4, 5), (0, 1, 2), 1, (2, 1, 5), (0, 1, 2)),   # one entry per row: the element kernel adds
    ((7,), (0,), 0, (11,), (0,)),                      # 1-D: the flat path, one row
    ((2, 2, 2, 2, 2, 3), (5, 4, 3, 2, 1, 0), 3, (2, 2, 2, 3, 2, 2), (0, 1, 2, 3, 4, 5)),  # > 4 dims
    ((3, 4), (0, 1), 0, (0, 4), (0, 1)),               # empty index
]


def scatter_index(shape, dim, size, unique, seed=2) -> np.ndarray:
    """Indices in [0, size) of `shape`: with duplicates, or (unique) distinct along dim, which
    makes scatter without accumulate well defined (shape[dim] is then cut to size)."""
    rng = np.random.default_rng(seed)
    if not unique:
        return rng.integers(0, size, shape)
    full = list(shape)
    full[dim] = size
    return np.take(np.argsort(rng.random(full), axis=dim), range(min(shape[dim], size)), axis=dim)


def stored_as(seen: np.ndarray, perm) -> np.ndarray:
    """The array to store so that its `perm`-permuted view shows `seen`."""
    return seen.transpose(np.argsort(perm))


def most_hits(shape, dim, idx) -> int:
    """The largest number of index entries naming one element of x (by the reference)."""
    hits = oracle(reference.index.scatter, InOut(np.zeros(shape, np.int64)), dim, idx, np.ones(idx.shape, np.int64),
                  True)
    return int(hits.max(initial=0))


def run_scatter(x_seen, perm, dim, idx, src, iperm, dtype, accumulate):
    """scatter on the cuda backend into a padded copy of x_seen (stored permuted by `perm`),
    index and src stored permuted by `iperm`; returns the padded x view."""
    x = permuted(padded(stored_as(x_seen, perm), dtype), perm)
    KERNELS.index.scatter(x, dim, permuted(padded(stored_as(idx, iperm), dtypes.int64), iperm),
                          permuted(padded(stored_as(src, iperm), dtype), iperm), accumulate)
    return x


@pytest.mark.parametrize("accumulate", [False, True], ids=["scatter", "scatter_add"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("stored, perm, dim, ishape, iperm", SCATTER_CASES)
def test_scatter(stored, perm, dim, ishape, iperm, dtype, accumulate):
    a = sample(stored, dtype, 1).transpose(perm)
    idx = scatter_index(ishape, dim, a.shape[dim], unique=not accumulate)
    src = sample(idx.shape, dtype, 5)
    x = run_scatter(a, perm, dim, idx, src, iperm, dtype, accumulate)
    want = oracle(reference.index.scatter, InOut(a), dim, idx, src, accumulate)
    assert_allclose(host(x), want, dtype, most_hits(a.shape, dim, idx) + 1)
    assert_padding_untouched(x, dtype)


@pytest.mark.parametrize("dtype", [dtypes.float32, dtypes.bfloat16])
def test_scatter_add_is_bitwise_deterministic(dtype):
    """Many duplicates of a few destinations, summed twice: the same bits both times."""
    a = sample((3, 4), dtype, 1)
    idx = scatter_index((3, 40), 1, 2, unique=False)
    src = sample((3, 40), dtype, 5)
    want = oracle(reference.index.scatter, InOut(a), 1, idx, src, True)
    runs = [host(run_scatter(a, (0, 1), 1, idx, src, (0, 1), dtype, True)) for _ in range(2)]
    np.testing.assert_array_equal(runs[0].view(np.uint8), runs[1].view(np.uint8))
    assert_allclose(runs[0], want, dtype, most_hits(a.shape, 1, idx) + 1)


@pytest.mark.parametrize("dtype", [dtypes.float32, dtypes.float16])
def test_scatter_add_carries_runs_across_steps(dtype):
    """A row longer than one step of the segmented sum, into 3 destinations: every run of equal
    destinations spans both steps."""
    a = sample((1, 3), dtype, 1)
    idx = scatter_index((1, 1030), 1, 3, unique=False)
    src = sample((1, 1030), dtype, 5)
    x = run_scatter(a, (0, 1), 1, idx, src, (0, 1), dtype, True)
    want = oracle(reference.index.scatter, InOut(a), 1, idx, src, True)
    assert_allclose(host(x), want, dtype, most_hits(a.shape, 1, idx) + 1)
    assert_padding_untouched(x, dtype)


@pytest.mark.parametrize("accumulate", [False, True], ids=["scatter", "scatter_add"])
def test_scatter_from_a_broadcast_src(accumulate):
    dtype = dtypes.float32
    a = sample((3, 5), dtype, 1)
    row = sample((5,), dtype, 5)
    base = padded(row, dtype)
    src = ArrayView(base.buffer, base.offset, (3, 5), (0, 1), dtype)  # one row repeated (stride 0)
    idx = scatter_index((3, 5), 1, 5, unique=not accumulate)
    x = padded(a, dtype)
    KERNELS.index.scatter(x, 1, padded(idx, dtypes.int64), src, accumulate)
    want = oracle(reference.index.scatter, InOut(a), 1, idx, np.broadcast_to(row, (3, 5)), accumulate)
    assert_allclose(host(x), want, dtype, most_hits(a.shape, 1, idx) + 1)
    assert_padding_untouched(x, dtype)


@pytest.mark.parametrize("accumulate", [False, True], ids=["scatter", "scatter_add"])
def test_scatter_reads_src_before_writing_an_overlapping_x(accumulate):
    """src is x itself (x.scatter_(1, index, x)): every src value is the one before any write."""
    dtype = dtypes.float32
    a = sample((3, 4), dtype, 1)
    idx = scatter_index((3, 4), 1, 4, unique=not accumulate)
    x = padded(a, dtype)
    KERNELS.index.scatter(x, 1, padded(idx, dtypes.int64), x, accumulate)
    want = oracle(reference.index.scatter, InOut(a), 1, idx, a, accumulate)
    assert_allclose(host(x), want, dtype, most_hits(a.shape, 1, idx) + 1)
    assert_padding_untouched(x, dtype)


def test_scatter_with_duplicates_writes_one_of_the_values():
    """Without accumulate the winner of duplicates is unspecified, but it is one of them."""
    dtype = dtypes.float32
    idx = np.array([[0, 2, 0, 2, 1], [1, 1, 1, 1, 1]])
    src = sample((2, 5), dtype, 5)
    x = padded(np.zeros((2, 3), np.float32), dtype)
    KERNELS.index.scatter(x, 1, padded(idx, dtypes.int64), padded(src, dtype), False)
    got = host(x)
    for r in range(2):
        for c in range(3):
            assert got[r, c] in (src[r][idx[r] == c] if (idx[r] == c).any() else [0.0])
    assert_padding_untouched(x, dtype)
