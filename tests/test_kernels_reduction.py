"""Reduction kernels against the float64 oracle, each input inside NaN/sentinel padding and each
output inside sentinel padding, on every code path at tiny sizes."""
import numpy as np
import pytest
import triton

import tritorch
from tritorch import dtypes, reference
from tritorch.backend import cuda_backend
from tritorch.kernels import reduction
from tritorch.kernels.reduction import REDUCE_OPS
from tritorch.testing import Out, assert_allclose, oracle
from harness import assert_padding_untouched, host, padded, permuted, record_launches, sample

KERNELS = cuda_backend()


REDUCE_CASES = [
    # (stored shape, permutation, reduced dims): contiguous rows, strided rows, several kept and
    # reduced dims, K > 1024 (several BLOCK_K steps), several programs, size-1 and size-0 dims
    ((3, 5), (0, 1), (1,)), ((3, 5), (1, 0), (1,)), ((2, 3, 4), (2, 0, 1), (0, 2)),
    ((2, 2, 3, 2, 2), (4, 0, 3, 1, 2), (1, 3)), ((2, 2100), (0, 1), (1,)), ((700, 3), (1, 0), (0,)),
    ((3, 2500), (1, 0), (1,)),  # M = 2500 rows > BLOCK_M = 1024: several programs
    ((1, 6), (0, 1), (0,)), ((3, 0), (0, 1), (1,)), ((5,), (0,), (0,)),
]
# Five kept and five reduced dims that do not merge: staged through a regrouped copy on the host
# (dozens of interpreted copy launches, so only a few ops and dtypes take this path below).
REGROUPED = ((2,) * 10, tuple(range(10)), (0, 2, 4, 6, 8))
OPS = {"sum": None, "mean": None, "prod": None, "max": None, "min": None, "any": dtypes.bool_,
       "all": dtypes.bool_, "count_nonzero": dtypes.int64}


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("dtype", [dtypes.float32, dtypes.float16, dtypes.bfloat16, dtypes.float64, dtypes.int32,
                                   dtypes.bool_])
@pytest.mark.parametrize("stored, perm, dims", REDUCE_CASES)
def test_reduce(op, dtype, stored, perm, dims):
    check_reduce(op, dtype, stored, perm, dims)


@pytest.mark.parametrize("op, dtype", [("sum", dtypes.float32), ("max", dtypes.float16), ("prod", dtypes.int32),
                                       ("count_nonzero", dtypes.bool_)])
def test_reduce_regrouped(op, dtype):
    check_reduce(op, dtype, *REGROUPED)


def check_reduce(op, dtype, stored, perm, dims):
    if op == "mean" and not dtype.is_floating_point:
        pytest.skip("mean needs a floating dtype")
    if op in ("max", "min") and 0 in stored:
        pytest.skip("max/min of nothing has no value: the op layer raises before any kernel runs")
    a = sample(stored, dtype, seed=1)
    if op == "prod" and dtype.is_floating_point:
        a = (1 + a / 30).astype(dtype.np)  # keep products of many terms finite
    x = permuted(padded(a, dtype), perm)
    out_dtype = OPS[op] or (dtypes.int64 if not dtype.is_floating_point and op in ("sum", "prod") else dtype)
    if dtype is dtypes.bool_ and op in ("max", "min", "sum", "prod"):
        out_dtype = dtypes.int64 if op in ("sum", "prod") else dtypes.bool_
    oshape = tuple(1 if d in dims else n for d, n in enumerate(x.shape))
    out = padded(np.zeros(oshape, out_dtype.np), out_dtype)
    KERNELS.reduction.reduce(op, x, dims, out)
    want = oracle(reference.reduction.reduce, op, a.transpose(perm), dims, Out(oshape, out_dtype))
    n = int(np.prod([x.shape[d] for d in dims]))
    assert_allclose(host(out), want, out_dtype, n if op in ("sum", "mean", "prod") else 1)
    assert_padding_untouched(out, out_dtype)


def test_reduce_max_propagates_nan():
    a = np.array([[1.0, np.nan, 3.0], [4.0, 5.0, 6.0]], np.float32)
    x = padded(a, dtypes.float32, fill=0.0)
    out = padded(np.zeros((2, 1), np.float32), dtypes.float32)
    KERNELS.reduction.reduce("max", x, (1,), out)
    got = host(out).ravel()
    assert np.isnan(got[0]) and got[1] == 6.0


def test_reduce_tests_half_precision_values_not_bits():
    a = np.array([[-0.0, 0.0, 0.0], [0.0, -0.0, 1.0]], dtype=dtypes.bfloat16.np)
    for op, out_dtype, want in [("any", dtypes.bool_, [[False], [True]]),
                                ("count_nonzero", dtypes.int64, [[0], [1]])]:
        out = padded(np.zeros((2, 1), out_dtype.np), out_dtype)
        KERNELS.reduction.reduce(op, padded(a, dtypes.bfloat16), (1,), out)
        np.testing.assert_array_equal(host(out), want)


# --- var, logsumexp, norm -------------------------------------------------------------------------

FLOATS = [dtypes.float32, dtypes.float16, dtypes.bfloat16, dtypes.float64]


def check(name, a, dtype, perm, dims, out_dtype, reduction_len, pre=(), mid=(), post=()):
    """Kernel `name`(*pre, x, dims, *mid, out, *post) on a padded, permuted view of `a` against the
    oracle, and the padding around out untouched."""
    x = permuted(padded(a, dtype), perm)
    oshape = tuple(1 if d in dims else n for d, n in enumerate(x.shape))
    out = padded(np.zeros(oshape, out_dtype.np), out_dtype)
    getattr(KERNELS.reduction, name)(*pre, x, dims, *mid, out, *post)
    want = oracle(getattr(reference.reduction, name), *pre, a.transpose(perm), dims, *mid, Out(oshape, out_dtype),
                  *post)
    assert_allclose(host(out), want, out_dtype, reduction_len)
    assert_padding_untouched(out, out_dtype)
    return host(out)


def reduced(stored, perm, dims) -> int:
    return int(np.prod([stored[perm[d]] for d in dims]))


@pytest.mark.parametrize("correction, take_sqrt", [(1, False), (0, True), (2.5, False)])
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("stored, perm, dims", REDUCE_CASES)
def test_var(dtype, stored, perm, dims, correction, take_sqrt):
    a = sample(stored, dtype, seed=2)
    check("var", a, dtype, perm, dims, dtype, reduced(stored, perm, dims), mid=(correction,), post=(take_sqrt,))


@pytest.mark.parametrize("correction", [3, 4, 7.5])
def test_var_without_degrees_of_freedom_is_inf_or_nan(correction):
    a = np.array([[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]], np.float32)  # N - correction <= 0: M2 / 0
    got = check("var", a, dtypes.float32, (0, 1), (1,), dtypes.float32, 3, mid=(correction,), post=(False,))
    assert np.isinf(got[0, 0]) and np.isnan(got[1, 0])


@pytest.mark.parametrize("dtype", [dtypes.float32, dtypes.float64])
def test_var_keeps_its_digits_under_a_large_offset(dtype):
    """Sums of squares minus a squared sum would lose every digit here (1e4^2 / 1e-3^2 > 2^24)."""
    a = (1e4 + np.random.default_rng(3).standard_normal((2, 300)) * 1e-1).astype(dtype.np)
    check("var", a, dtype, (0, 1), (1,), dtype, 300, mid=(1,), post=(False,))


@pytest.mark.parametrize("dtype", FLOATS + [dtypes.int32])
@pytest.mark.parametrize("stored, perm, dims", REDUCE_CASES)
def test_logsumexp(dtype, stored, perm, dims):
    a = sample(stored, dtype, seed=4)
    out_dtype = dtype if dtype.is_floating_point else dtypes.float32
    check("logsumexp", a, dtype, perm, dims, out_dtype, reduced(stored, perm, dims))


LSE_EXTREMES = np.array([[-np.inf, -np.inf, -np.inf, -np.inf], [np.inf, 0.0, 1.0, -np.inf],
                         [np.nan, 0.0, 1.0, 2.0], [1e4, -1e4, 0.0, 1e4], [-1e4, -1e4, -1e4, -1e4],
                         [np.inf, np.nan, 0.0, 1.0], [-np.inf, 3.0, -np.inf, 3.0], [np.inf, np.inf, 1.0, 2.0]])


@pytest.mark.parametrize("dtype", [dtypes.float32, dtypes.float64, dtypes.bfloat16])
def test_logsumexp_extremes(dtype):
    a = LSE_EXTREMES.astype(dtype.np)
    got = check("logsumexp", a, dtype, (0, 1), (1,), dtype, 4).astype(np.float64).ravel()
    assert got[0] == -np.inf and got[1] == np.inf and np.isnan(got[2]) and np.isnan(got[5])


NORM_PS = [0, 1, 2, np.inf, -np.inf, 3, 0.5, -1, 1.5]
NORM_CASES = [REDUCE_CASES[i] for i in (0, 1, 2, 3, 4, 8)]


@pytest.mark.parametrize("p", NORM_PS)
@pytest.mark.parametrize("dtype", [dtypes.float32, dtypes.float64])
@pytest.mark.parametrize("stored, perm, dims", NORM_CASES)
def test_norm(p, dtype, stored, perm, dims):
    if p in (np.inf, -np.inf) and 0 in stored:
        pytest.skip("an inf norm of nothing has no value: the op layer raises before any kernel runs")
    a = sample(stored, dtype, seed=5)
    check("norm", a, dtype, perm, dims, dtype, reduced(stored, perm, dims), mid=(p,))


@pytest.mark.parametrize("name, mid, post", [("var", (1,), (False,)), ("logsumexp", (), ()), ("norm", (3,), ())])
def test_var_logsumexp_norm_regrouped(name, mid, post):
    stored, perm, dims = REGROUPED
    check(name, sample(stored, dtypes.float32, seed=6), dtypes.float32, perm, dims, dtypes.float32,
          reduced(stored, perm, dims), mid=mid, post=post)


@pytest.mark.parametrize("p", [2, np.inf, 1, 3])
@pytest.mark.parametrize("dtype", [dtypes.float16, dtypes.bfloat16])
def test_norm_half(p, dtype):
    a = sample((3, 6), dtype, seed=6)
    check("norm", a, dtype, (1, 0), (0,), dtype, 3, mid=(p,))
    check("norm", a, dtype, (0, 1), (0, 1), dtypes.float64, 18, mid=(p,))  # dtype=: read as float64


@pytest.mark.parametrize("p", NORM_PS)
def test_norm_of_zeros_nan_and_inf(p):
    a = np.array([[0.0, 0.0, 0.0], [0.0, 2.0, -3.0], [np.nan, 1.0, 0.0], [np.inf, 1.0, 0.0]], np.float32)
    check("norm", a, dtypes.float32, (0, 1), (1,), dtypes.float32, 3, mid=(p,))


# --- the launch plan and its code paths -------------------------------------------------------------

@pytest.fixture
def two_stage(monkeypatch):
    """Tiny blocks and chunks, so that tiny shapes take the two-stage path in several steps."""
    monkeypatch.setattr(reduction, "MAX_BLOCK_K", 4)
    monkeypatch.setattr(reduction, "MIN_WORK", 16)


def test_plan_fills_the_gpu_for_a_whole_tensor_sum():
    p = reduction.plan(1, 2 ** 20)
    assert 2 * reduction.SMS <= p.split <= 4 * reduction.SMS and p.chunk % p.block_k == 0
    assert (p.split - 1) * p.chunk < 2 ** 20 <= p.split * p.chunk  # the chunks tile the row
    few_long = reduction.plan(16, 2 ** 16)
    assert 2 * reduction.SMS <= few_long.split * triton.cdiv(16, few_long.block_m) <= 4 * reduction.SMS
    columns = reduction.plan(512, 4096, columns=True)
    assert columns.block_m >= 64 and columns.split > 1


@pytest.mark.parametrize("M, K", [(1, 1000), (4096, 4096), (10 ** 6, 16), (3, 0)])
def test_plan_keeps_small_or_wide_reductions_single_stage(M, K):
    p = reduction.plan(M, K)
    assert p.split == 1 and p.chunk >= K


def test_whole_tensor_sum_splits_its_first_stage():
    """2^14 elements already reach the split (2^20 does too, see the plan test, but interprets
    for too long): stage 1 runs several programs along its second grid axis, stage 2 one."""
    x = tritorch.ones(2 ** 14, device="cuda")
    with record_launches() as log:
        s = x.sum()
    assert s.item() == 2 ** 14
    assert len(log) == 2 and log.calls[0][2]["FINAL"] is False and log.calls[1][2]["FINAL"] is True
    assert log.grids[0][1] == reduction.plan(1, 2 ** 14).split > 1 and log.grids[1][1] == 1


TWO_STAGE_CASES = [((3, 20), (0, 1), (1,)), ((20, 3), (0, 1), (0,)), ((4, 5, 3), (2, 0, 1), (1, 2)),
                   ((2, 9, 3), (1, 2, 0), (0, 2))]


@pytest.mark.parametrize("stored, perm, dims", TWO_STAGE_CASES)
@pytest.mark.parametrize("dtype", [dtypes.float32, dtypes.bfloat16, dtypes.int32])
def test_two_stage_reduce(two_stage, dtype, stored, perm, dims):
    for op in REDUCE_OPS:
        if op == "mean" and not dtype.is_floating_point:
            continue
        a = sample(stored, dtype, seed=7)
        if op == "prod" and dtype.is_floating_point:
            a = (1 + a / 30).astype(dtype.np)
        if op == "max":
            a.reshape(-1)[5] = np.nan if dtype.is_floating_point else a.reshape(-1)[5]
        out_dtype = OPS[op] or (dtypes.int64 if not dtype.is_floating_point and op in ("sum", "prod") else dtype)
        with record_launches() as log:
            check("reduce", a, dtype, perm, dims, out_dtype, reduced(stored, perm, dims), pre=(op,))
        assert len(log) == 2, f"{op}: expected two stages"


@pytest.mark.parametrize("stored, perm, dims", TWO_STAGE_CASES)
@pytest.mark.parametrize("dtype", [dtypes.float32, dtypes.float16, dtypes.float64])
def test_two_stage_var_logsumexp_norm(two_stage, dtype, stored, perm, dims):
    a = sample(stored, dtype, seed=8)
    n = reduced(stored, perm, dims)
    with record_launches() as log:
        check("var", a, dtype, perm, dims, dtype, n, mid=(1,), post=(False,))
        check("var", (a + 100).astype(dtype.np), dtype, perm, dims, dtype, n, mid=(0,), post=(True,))
        check("logsumexp", a, dtype, perm, dims, dtype, n)
        for p in (2, np.inf, -np.inf, 0, 3):
            check("norm", a, dtype, perm, dims, dtype, n, mid=(p,))
    assert len(log) == 2 * 8


def test_two_stage_logsumexp_extremes(two_stage):
    a = np.repeat(LSE_EXTREMES, 5, axis=1).astype(np.float32)  # 20 per row: several chunks each
    with record_launches() as log:
        got = check("logsumexp", a, dtypes.float32, (0, 1), (1,), dtypes.float32, 20).ravel()
    assert len(log) == 2 and got[0] == -np.inf and got[1] == np.inf and np.isnan(got[2])


def test_two_stage_is_deterministic(two_stage):
    a = sample((2, 50), dtypes.float32, seed=9)
    x = padded(a, dtypes.float32)
    outs = []
    for _ in range(2):
        out = padded(np.zeros((2, 1), np.float32), dtypes.float32)
        KERNELS.reduction.reduce("sum", x, (1,), out)
        outs.append(host(out).view(np.uint32))
    np.testing.assert_array_equal(outs[0], outs[1])


def test_64_bit_index_path(monkeypatch):
    """Views past 2^31 elements switch to int64 index math: force it at tiny sizes."""
    monkeypatch.setattr(reduction, "INDEX_LIMIT", 2)
    a = sample((3, 4, 5), dtypes.float32, seed=10)
    with record_launches() as log:
        check("reduce", a, dtypes.float32, (2, 0, 1), (0, 2), dtypes.float32, 15, pre=("sum",))
        check("var", a, dtypes.float32, (1, 0, 2), (1,), dtypes.float32, 3, mid=(1,), post=(True,))
        check("logsumexp", a, dtypes.float32, (0, 1, 2), (2,), dtypes.float32, 5)
        check("norm", a, dtypes.float32, (0, 1, 2), (0, 1), dtypes.float32, 12, mid=(3,))
        monkeypatch.setattr(reduction, "MAX_BLOCK_K", 4)
        monkeypatch.setattr(reduction, "MIN_WORK", 8)
        check("reduce", a, dtypes.float32, (0, 1, 2), (1, 2), dtypes.float32, 20, pre=("max",))
    assert all(kw["I64"] for _, _, kw in log.calls) and len(log) == 6


def test_every_index_path_is_reached():
    """The cases above take each way of indexing rows and reduced elements, and the small
    reductions take 32-bit index math."""
    paths = set()
    for stored, perm, dims in REDUCE_CASES + [REGROUPED] + TWO_STAGE_CASES:
        x = permuted(padded(np.zeros(stored, np.float32), dtypes.float32), perm)
        g = reduction._geometry(x, dims)
        paths.add((g.m_path, g.k_path))
    ways = {"contiguous", "strided", "general"}
    assert {m for m, _ in paths} == ways and {k for _, k in paths} == ways, paths
    with record_launches() as log:
        KERNELS.reduction.reduce("sum", padded(np.ones((2, 3), np.float32), dtypes.float32), (1,),
                                 padded(np.zeros((2, 1), np.float32), dtypes.float32))
    assert log.calls[0][2]["I64"] is False and log.calls[0][2]["K_PATH"] == "contiguous"
