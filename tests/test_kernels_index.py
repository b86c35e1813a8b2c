"""Index kernels that have landed (gather, index_range, scatter) against the float64 oracle:
inputs inside NaN/sentinel padding, outputs inside sentinel padding, strided and broadcast
operands."""
import numpy as np
import pytest
from harness import assert_padding_untouched, host, padded, permuted, sample

from tritorch import dtypes, reference
from tritorch.array_view import ArrayView, contiguous_strides
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


# --- index_get, index_put (advanced indexing) ----------------------------------------------------

INDEX_CASES = [
    # (x stored shape, x permutation, indexed dims, index shape I, values (I + kept) permutation)
    ((3, 7, 5), (0, 1, 2), (1,), (6,), (0, 1, 2)),          # one middle dim, negatives and repeats
    ((3, 4, 5), (2, 0, 1), (0, 2), (2, 3), (1, 0, 2)),      # strided x, 2-D I, values not mergeable
    ((3, 4, 5), (0, 1, 2), (0, 1, 2), (7,), (0,)),          # every dim indexed: nothing kept
    ((6, 400), (1, 0), (0,), (200,), (0, 1)),               # several programs of out (1200 elements)
    ((2, 2, 2, 2, 2, 3), (5, 4, 3, 2, 1, 0), (1, 4), (3,), (0, 1, 2, 3, 4)),  # > 4 kept dims
    ((3, 4), (0, 1), (0,), (), (0,)),                       # a 0-d index
    ((3, 4), (0, 1), (1,), (0,), (0, 1)),                   # empty
]


def advanced_index(shape, picked, ishape, unique, seed=4) -> list:
    """One index array of shape ishape per picked dim (None elsewhere), values in [-size, size):
    with `unique`, no two index positions name the same element of x."""
    rng = np.random.default_rng(seed)
    sizes = [shape[d] for d in picked]
    n = int(np.prod(ishape))
    flat = rng.permutation(int(np.prod(sizes)))[:n] if unique else rng.integers(0, int(np.prod(sizes)), n)
    coords = np.unravel_index(flat, sizes)
    out = [None] * len(shape)
    for d, c, size in zip(picked, coords, sizes):
        out[d] = np.where(rng.random(n) < 0.5, c - size, c).reshape(ishape).astype(np.int64)
    return out


def ref_indices(indices) -> tuple:
    """The indices as the reference takes them: int64 views (None stays)."""
    return tuple(None if j is None else ArrayView(np.array(j, np.int64).reshape(-1), 0, j.shape,
                                                    contiguous_strides(j.shape), dtypes.int64)
                 for j in indices)


def device_indices(indices) -> tuple:
    """The indices in padded device buffers, 2-D ones stored transposed (strided views)."""
    return tuple(None if j is None else
                 permuted(padded(stored_as(j, (1, 0)), dtypes.int64), (1, 0)) if j.ndim == 2 else padded(j, dtypes.int64)
                 for j in indices)


def indexed_shape(shape, indices) -> tuple:
    ishape = next(j.shape for j in indices if j is not None)
    return ishape + tuple(n for n, j in zip(shape, indices) if j is None)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("stored, perm, picked, ishape, vperm", INDEX_CASES)
def test_index_get(stored, perm, picked, ishape, vperm, dtype):
    a = sample(stored, dtype, 1).transpose(perm)
    indices = advanced_index(a.shape, picked, ishape, unique=False)
    x = permuted(padded(stored_as(a, perm), dtype), perm)
    shape = indexed_shape(a.shape, indices)
    out = padded(np.zeros(shape, dtype.np), dtype)
    KERNELS.index.index_get(x, device_indices(indices), out)
    want = oracle(reference.index.index_get, a, ref_indices(indices), Out(shape, dtype))
    assert_allclose(host(out), want, dtype)
    assert_padding_untouched(out, dtype)


def most_index_hits(shape, indices) -> int:
    """The largest number of index positions naming one element of x (by the reference)."""
    ones = np.ones(indexed_shape(shape, indices), np.int64)
    hits = oracle(reference.index.index_put, InOut(np.zeros(shape, np.int64)), ref_indices(indices), ones, True)
    return int(hits.max(initial=0))


@pytest.mark.parametrize("accumulate", [False, True], ids=["put", "accumulate"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("stored, perm, picked, ishape, vperm", INDEX_CASES)
def test_index_put(stored, perm, picked, ishape, vperm, dtype, accumulate):
    a = sample(stored, dtype, 1).transpose(perm)
    indices = advanced_index(a.shape, picked, ishape, unique=not accumulate)
    vals = sample(indexed_shape(a.shape, indices), dtype, 5)
    x = permuted(padded(stored_as(a, perm), dtype), perm)
    values = permuted(padded(stored_as(vals, vperm[:vals.ndim]), dtype), vperm[:vals.ndim])
    KERNELS.index.index_put(x, device_indices(indices), values, accumulate)
    want = oracle(reference.index.index_put, InOut(a), ref_indices(indices), vals, accumulate)
    assert_allclose(host(x), want, dtype, most_index_hits(a.shape, indices) + 1)
    assert_padding_untouched(x, dtype)


@pytest.mark.parametrize("accumulate", [False, True], ids=["put", "accumulate"])
def test_index_put_with_broadcast_index_and_values_into_a_flipped_x(accumulate):
    """An index and values broadcast with stride 0, x viewed with a negative stride."""
    a = sample((4, 3), dtypes.float32, 1)
    base = padded(a[::-1].copy(), dtypes.float32)
    x = ArrayView(base.buffer, base.offset + 3 * 3, (4, 3), (-3, 1), dtypes.float32)  # rows flipped back: shows a
    row = np.array([[0, -1, 2]])
    j0 = padded(row, dtypes.int64)
    j0 = ArrayView(j0.buffer, j0.offset, (2, 3), (0, 1), dtypes.int64)  # (1, 3) broadcast to (2, 3)
    j1 = padded(np.array([[1, 1, 0], [2, 0, 1]]), dtypes.int64)
    v = padded(np.array([1.5], np.float32), dtypes.float32)
    v = ArrayView(v.buffer, v.offset, (2, 3), (0, 0), dtypes.float32)
    KERNELS.index.index_put(x, (j0, j1), v, accumulate)
    idx = (np.broadcast_to(row, (2, 3)), np.array([[1, 1, 0], [2, 0, 1]]))
    want = oracle(reference.index.index_put, InOut(a), ref_indices(idx), np.full((2, 3), 1.5, np.float32), accumulate)
    np.testing.assert_array_equal(host(base)[::-1], want)  # read back unflipped: host() takes strides >= 0
    got = padded(np.zeros((2, 3), np.float32), dtypes.float32)
    KERNELS.index.index_get(x, (j0, j1), got)
    np.testing.assert_array_equal(host(got), want[(idx[0] % 4, idx[1])])


# --- count_nonzero, nonzero, repeat_index ------------------------------------------------------

NONZERO_CASES = [((5,), (0,)), ((3, 4), (1, 0)), ((2, 1100), (0, 1)), ((2, 2, 2, 2, 2, 3), (5, 4, 3, 2, 1, 0)),
                 ((), ()), ((0, 3), (0, 1))]


def sparse_sample(shape, dtype, seed=6) -> np.ndarray:
    """sample() with about half its elements zero; floats also hold NaN (counts) and -0.0 (does not)."""
    a = sample(shape, dtype, seed)
    rng = np.random.default_rng(seed)
    a = np.where(rng.random(shape) < 0.5, np.zeros((), a.dtype), a).astype(a.dtype)
    if dtype.is_floating_point and a.size >= 3:
        a.reshape(-1)[:3] = (np.nan, -0.0, 0.0)
    return a


@pytest.mark.parametrize("dtype", [dtypes.float32, dtypes.float16, dtypes.bfloat16, dtypes.int64, dtypes.uint8, dtypes.bool_])
@pytest.mark.parametrize("stored, perm", NONZERO_CASES)
def test_count_nonzero_and_nonzero(stored, perm, dtype):
    a = sparse_sample(stored, dtype)
    x = permuted(padded(a, dtype), perm)
    seen = a.transpose(perm)
    count = padded(np.zeros((), np.int64), dtypes.int64)
    KERNELS.index.count_nonzero(x, count)
    want_count = oracle(reference.index.count_nonzero, seen, Out((), dtypes.int64))
    np.testing.assert_array_equal(host(count), want_count)
    assert_padding_untouched(count, dtypes.int64)
    out = padded(np.zeros((int(want_count), seen.ndim), np.int64), dtypes.int64)
    KERNELS.index.nonzero(x, out)
    np.testing.assert_array_equal(host(out), oracle(reference.index.nonzero, seen, Out(out.shape, dtypes.int64)))
    assert_padding_untouched(out, dtypes.int64)


@pytest.mark.parametrize("dtype", [dtypes.int64, dtypes.int32])
@pytest.mark.parametrize("counts, step", [([2, 0, 3], 1), ([0, 4, 0, 1, 2, 0], 2), ([0, 0], 1), (None, 1)])
def test_repeat_index(counts, step, dtype):
    r = np.random.default_rng(7).integers(0, 8, 300) if counts is None else np.array(counts)  # None: several programs
    base = padded(r.astype(dtype.np), dtype)
    repeats = ArrayView(base.buffer, base.offset, ((len(r) + step - 1) // step,), (step,), dtype)
    seen = r[::step].astype(dtype.np)
    out = padded(np.zeros(int(seen.sum()), np.int64), dtypes.int64)
    KERNELS.index.repeat_index(repeats, out)
    np.testing.assert_array_equal(host(out), oracle(reference.index.repeat_index, seen, Out(out.shape, dtypes.int64)))
    assert_padding_untouched(out, dtypes.int64)


# --- scatter_reduce ----------------------------------------------------------------------------

REDUCTIONS = ["sum", "prod", "mean", "amax", "amin"]


def run_scatter_reduce(x_seen, perm, dim, idx, src, iperm, dtype, reduce, include_self):
    """scatter_reduce on the cuda backend, laid out as `run_scatter`; returns the padded x view."""
    x = permuted(padded(stored_as(x_seen, perm), dtype), perm)
    KERNELS.index.scatter_reduce(x, dim, permuted(padded(stored_as(idx, iperm), dtypes.int64), iperm),
                                 permuted(padded(stored_as(src, iperm), dtype), iperm), reduce, include_self)
    return x


def check_scatter_reduce(a, perm, dim, idx, src, iperm, dtype, reduce, include_self):
    x = run_scatter_reduce(a, perm, dim, idx, src, iperm, dtype, reduce, include_self)
    want = oracle(reference.index.scatter_reduce, InOut(a), dim, idx, src, reduce, include_self)
    assert_allclose(host(x), want, dtype, most_hits(a.shape, dim, idx) + 1)
    assert_padding_untouched(x, dtype)


@pytest.mark.parametrize("include_self", [True, False], ids=["with_self", "without_self"])
@pytest.mark.parametrize("reduce", REDUCTIONS)
@pytest.mark.parametrize("dtype", [dtypes.float32, dtypes.bfloat16, dtypes.float64, dtypes.int64, dtypes.uint8])
def test_scatter_reduce(reduce, include_self, dtype):
    """Strided x, index and src; duplicates, and elements of x no index names (kept as they are)."""
    a = sample((3, 5, 4), dtype, 1).transpose(2, 0, 1)
    idx = scatter_index((3, 3, 6), 2, 5, unique=False)
    src = sample(idx.shape, dtype, 5)
    check_scatter_reduce(a, (2, 0, 1), 2, idx, src, (1, 2, 0), dtype, reduce, include_self)


@pytest.mark.parametrize("stored, perm, dim, ishape, iperm", SCATTER_CASES)
def test_scatter_reduce_layouts(stored, perm, dim, ishape, iperm):
    dtype = dtypes.float16
    a = sample(stored, dtype, 1).transpose(perm)
    idx = scatter_index(ishape, dim, a.shape[dim], unique=False)
    check_scatter_reduce(a, perm, dim, idx, sample(idx.shape, dtype, 5), iperm, dtype, "mean", False)


@pytest.mark.parametrize("reduce", REDUCTIONS)
def test_scatter_reduce_carries_runs_across_steps(reduce):
    """One row longer than a step of the segmented scan, into 3 destinations; values near 1 keep
    the products finite."""
    dtype = dtypes.float32
    a = sample((1, 3), dtype, 1)
    idx = scatter_index((1, 1030), 1, 3, unique=False)
    src = (1 + sample((1, 1030), dtype, 5) / 300).astype(np.float32)
    check_scatter_reduce(a, (0, 1), 1, idx, src, (0, 1), dtype, reduce, True)


@pytest.mark.parametrize("reduce", ["amax", "amin"])
def test_scatter_reduce_nan_wins(reduce):
    dtype = dtypes.float32
    a = np.array([[1.0, np.nan, 3.0]], np.float32)
    idx, src = np.array([[0, 0, 1, 2, 2]]), np.array([[np.nan, 5.0, 2.0, -1.0, 7.0]], np.float32)
    check_scatter_reduce(a, (0, 1), 1, idx, src, (0, 1), dtype, reduce, True)
    assert np.isnan(host(run_scatter_reduce(a, (0, 1), 1, idx, src, (0, 1), dtype, reduce, True))[0, :2]).all()


def test_scatter_reduce_integer_mean_floors():
    dtype = dtypes.int64
    a, idx, src = np.array([[1, 2]]), np.array([[0, 0, 1]]), np.array([[-10, 5, -5]])
    x = run_scatter_reduce(a, (0, 1), 1, idx, src, (0, 1), dtype, "mean", True)
    np.testing.assert_array_equal(host(x), [[-2, -2]])  # floor(-4 / 3), floor(-3 / 2)
