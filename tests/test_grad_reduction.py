"""Gradients of reductions, scans and sorting: `gradcheck` (finite differences, float64,
tiny shapes) for every argument combination, `gradgradcheck` for the smooth families, and
PyTorch's own gradients (the oracle) where finite differences say nothing: ties, zeros, NaN,
the norm at 0 and `dtype=` casts."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import tritorch
from tritorch.autograd import gradcheck, gradgradcheck
from helpers import assert_close

INF = math.inf


def leaf(*shape, seed: int = 0, positive: bool = False) -> tritorch.Tensor:
    """A float64 leaf that requires grad, its values distinct (no ties for finite differences
    to trip on) and at least 0.1 apart; positive values keep prod and pow away from zero."""
    n = math.prod(shape)
    rng = np.random.default_rng(seed)
    values = rng.permutation(np.linspace(0.3, 0.3 + 0.17 * (n - 1), n) if positive
                             else np.linspace(-1.1, 1.2, n) + 0.013)
    return tritorch.tensor(values.reshape(shape), dtype=tritorch.float64, requires_grad=True)


def permuted(x: tritorch.Tensor) -> tritorch.Tensor:
    """A non-contiguous view of x (its dims reversed), made inside the checked function so that
    gradcheck still differentiates a contiguous leaf."""
    return x.permute(tuple(reversed(range(x.ndim))))


# --- first order: gradcheck of every op and argument combination --------------------------------

DIMS = [None, 0, -1, (0, 2), (-1, -3), (1,)]
SHAPE = (2, 3, 2)

# (name, fn of a (2, 3, 2) tensor, positive inputs)
REDUCTIONS = [(f"sum{dim}{keep}", lambda x, dim=dim, keep=keep: x.sum(dim, keepdim=keep), False)
              for dim in DIMS for keep in (False, True)]
REDUCTIONS += [(f"mean{dim}{keep}", lambda x, dim=dim, keep=keep: x.mean(dim, keepdim=keep), False)
               for dim in DIMS for keep in (False, True)]
REDUCTIONS += [(f"amax{dim}{keep}", lambda x, dim=dim, keep=keep: x.amax(() if dim is None else dim, keep), False)
               for dim in DIMS for keep in (False, True)]
REDUCTIONS += [(f"amin{dim}{keep}", lambda x, dim=dim, keep=keep: x.amin(() if dim is None else dim, keep), False)
               for dim in DIMS for keep in (False, True)]
REDUCTIONS += [(f"logsumexp{dim}{keep}", lambda x, dim=dim, keep=keep: x.logsumexp(dim, keep), False)
               for dim in DIMS if dim is not None for keep in (False, True)]
REDUCTIONS += [(f"prod{dim}{keep}", lambda x, dim=dim, keep=keep: x.prod(dim, keep), True)
               for dim in (None, 0, 1, -1) for keep in (False, True)]
REDUCTIONS += [(f"{op}{dim}{keep}", lambda x, op=op, dim=dim, keep=keep: getattr(x, op)(dim, keep)[0], False)
               for op in ("max", "min", "median") for dim in (0, 1, -1) for keep in (False, True)]
REDUCTIONS += [("max", lambda x: x.max(), False), ("min", lambda x: x.min(), False),
               ("median", lambda x: x.median(), False),
               ("sum_dtype", lambda x: x.sum(1, dtype=tritorch.float64), False),
               ("mean_dtype", lambda x: x.mean(-1, dtype=tritorch.float64), False),
               ("prod_dtype", lambda x: x.prod(0, dtype=tritorch.float64), True)]
VARIANCES = [(f"{op}{dim}{keep}c{c}", lambda x, op=op, dim=dim, keep=keep, c=c:
              getattr(x, op)(dim, keepdim=keep, correction=c), False)
             for op in ("var", "std") for dim in DIMS for keep in (False, True) for c in (0, 1, 1.5)]
VARIANCES += [("var_unbiased", lambda x: x.var(1, False), False), ("std_bool_arg", lambda x: x.std(True), False),
              ("var_mean", lambda x: tritorch.var_mean(x, (0, 2), correction=0), False),
              ("std_mean", lambda x: tritorch.std_mean(x, -1, keepdim=True), False)]
NORMS = [(f"norm{p}{dim}{keep}", lambda x, p=p, dim=dim, keep=keep: x.norm(p, dim, keep), p in (0.5, -1))
         for p in (2, "fro", 1, 3, 1.5, 0.5, -1, INF, -INF) for dim in (None, 1, (0, -1)) for keep in (False, True)]
NORMS += [("norm_dtype", lambda x: x.norm(dtype=tritorch.float64), False),
          ("norm_fn", lambda x: tritorch.norm(x, 3, (0, 1)), False)]
SCANS = [(f"{op}{dim}", lambda x, op=op, dim=dim: getattr(x, op)(dim), op == "cumprod")
         for op in ("cumsum", "cumprod") for dim in (0, 1, -1, -3)]
SCANS += [("cumsum_dtype", lambda x: x.cumsum(1, dtype=tritorch.float64), False),
          ("cumprod_dtype", lambda x: x.cumprod(0, dtype=tritorch.float64), True)]
SORTS = [(f"sort{dim}{desc}", lambda x, dim=dim, desc=desc: x.sort(dim, desc)[0], False)
         for dim in (0, 1, -1) for desc in (False, True)]
SORTS += [(f"topk{k}_{dim}{largest}", lambda x, k=k, dim=dim, largest=largest: x.topk(k, dim, largest)[0], False)
          for k, dim in ((1, 0), (2, 1), (3, -2), (0, 1)) for largest in (False, True)]
CASES = REDUCTIONS + VARIANCES + NORMS + SCANS + SORTS


@pytest.mark.parametrize("name,fn,positive", CASES, ids=[c[0] for c in CASES])
def test_gradcheck(name, fn, positive):
    x = leaf(*SHAPE, positive=positive)
    assert gradcheck(fn, (x,))
    assert gradcheck(lambda t: fn(permuted(t)), (x,))


# 0-d inputs reduce nothing (and a dim of 0 or -1 names the one element).
SCALAR_CASES = [lambda x: x.sum(), lambda x: x.sum(0, keepdim=True), lambda x: x.mean(-1),
                lambda x: x.prod(), lambda x: x.prod(0), lambda x: x.amax(), lambda x: x.amin(0),
                lambda x: x.max(), lambda x: x.min(0)[0], lambda x: x.median(), lambda x: x.median(0)[0],
                lambda x: x.var(correction=0), lambda x: x.logsumexp(0), lambda x: x.norm(),
                lambda x: x.norm(3), lambda x: x.norm(INF), lambda x: x.cumsum(0), lambda x: x.cumprod(0),
                lambda x: x.sort()[0], lambda x: x.topk(1)[0]]


@pytest.mark.parametrize("fn", SCALAR_CASES, ids=range(len(SCALAR_CASES)))
def test_gradcheck_zero_dim(fn):
    assert gradcheck(fn, (tritorch.tensor(0.7, dtype=tritorch.float64, requires_grad=True),))


@pytest.mark.parametrize("fn", [lambda x: x.sum(), lambda x: x.sum(1), lambda x: x.mean(0),
                                lambda x: x.prod(0), lambda x: x.logsumexp(0), lambda x: x.norm(dim=1),
                                lambda x: x.cumsum(0), lambda x: x.cumprod(1), lambda x: x.sort(0)[0]])
def test_empty_inputs_get_empty_gradients(fn):
    x = tritorch.zeros(0, 3, dtype=tritorch.float64, requires_grad=True)
    fn(x).sum().backward()
    assert x.grad.shape == (0, 3)


def test_size_one_dims():
    x = leaf(1, 3)
    for fn in (lambda t: t.prod(0), lambda t: t.cumprod(0), lambda t: t.max(0)[0], lambda t: t.amax(0),
               lambda t: t.var(0, correction=0), lambda t: t.sort(0)[0]):
        assert gradcheck(fn, (x,))


# --- second order ----------------------------------------------------------------------------------

GRADGRAD = [("sum", lambda x: x.sum(1) ** 2, False), ("sum_all", lambda x: x.sum() ** 2, False),
            ("mean", lambda x: x.mean((0, -1), keepdim=True) ** 2, False),
            ("prod", lambda x: x.prod(1), True), ("prod_all", lambda x: x.prod(), True),
            ("amax", lambda x: x.amax(1) ** 2, False), ("max", lambda x: x.max(0)[0] ** 2, False),
            ("var", lambda x: x.var(1), False), ("var_all", lambda x: x.var(correction=0), False),
            ("std", lambda x: x.std(0, keepdim=True), False), ("std_all", lambda x: x.std(), False),
            ("logsumexp", lambda x: x.logsumexp((0, 1)), False), ("logsumexp_dim", lambda x: x.logsumexp(-1), False),
            ("norm", lambda x: x.norm(), False), ("norm_dim", lambda x: x.norm(2, 1), False),
            ("norm3", lambda x: x.norm(3, 0), False),
            ("cumsum", lambda x: x.cumsum(1) ** 2, False), ("cumprod", lambda x: x.cumprod(1), True),
            ("cumprod0", lambda x: x.cumprod(0), True), ("sort", lambda x: x.sort(1)[0] ** 2, False)]


@pytest.mark.parametrize("name,fn,positive", GRADGRAD, ids=[c[0] for c in GRADGRAD])
def test_gradgradcheck(name, fn, positive):
    x = leaf(2, 3, positive=positive)
    assert gradgradcheck(fn, (x,))
    assert gradgradcheck(lambda t: fn(t.t()), (x,))


@pytest.mark.parametrize("fn", [lambda x: x.prod(1), lambda x: x.prod(), lambda x: x.t().prod(-1),
                                lambda x: x.cumprod(1), lambda x: x.cumprod(0), lambda x: x.t().cumprod(1)],
                         ids=["prod", "prod_all", "prod_t", "cumprod", "cumprod0", "cumprod_t"])
def test_gradgradcheck_with_zeros(fn):
    """prod and cumprod are polynomials, so finite differences are exact enough at zeros too."""
    x = tritorch.tensor([[0.0, 1.5, 0.0, -0.8], [1.2, 0.0, 0.9, 2.0]], dtype=tritorch.float64,
                        requires_grad=True)
    assert gradgradcheck(fn, (x,))


# --- against PyTorch's gradients: ties, zeros, NaN, dtype casts -------------------------------------

def grads(fn, values, dtype=tritorch.float64, seed: int = 1):
    """x.grad of fn(x) under a random upstream gradient, in tritorch and in torch; fn takes
    (x, library), so it can call library functions."""
    tt_x = tritorch.tensor(values, dtype=dtype, requires_grad=True)
    th_x = torch.tensor(values, dtype=getattr(torch, dtype.name), requires_grad=True)
    tt_y, th_y = fn(tt_x, tritorch), fn(th_x, torch)
    upstream = np.random.default_rng(seed).standard_normal(tuple(th_y.shape))
    tt_y.backward(tritorch.tensor(upstream, dtype=tt_y.dtype))
    th_y.backward(torch.tensor(upstream, dtype=th_y.dtype))
    return tt_x.grad, th_x.grad


def assert_grads_match(fn, values, dtype=tritorch.float64):
    ours, theirs = grads(fn, values, dtype)
    if theirs is None:
        assert ours is None
        return
    assert ours.dtype.name == str(theirs.dtype).removeprefix("torch."), (ours.dtype, theirs.dtype)
    tol = 1e-12 if dtype is tritorch.float64 else 1e-5
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=tol, atol=tol, equal_nan=True)


TIES = [[[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], [[5.0, 5.0, -1.0], [5.0, 0.0, 5.0]]]
TIE_CASES = {
    "max_dim": lambda x, _: x.max(1)[0], "max_dim0": lambda x, _: x.max(0, keepdim=True)[0],
    "min_dim": lambda x, _: x.min(1).values, "min_dim0": lambda x, _: x.min(-2)[0],
    "amax": lambda x, _: x.amax(1), "amax0": lambda x, _: x.amax(0, keepdim=True),
    "amax_all": lambda x, _: x.amax(), "amin": lambda x, _: x.amin((0, 1)), "amin1": lambda x, _: x.amin(-1),
    "max_all": lambda x, _: x.max(), "min_all": lambda x, _: x.min(),
    "sort": lambda x, _: x.sort(dim=1, stable=True)[0],
    "sort_desc": lambda x, _: x.sort(dim=0, descending=True, stable=True)[0],
    "norm_inf": lambda x, _: x.norm(INF, 1), "norm_inf_all": lambda x, _: x.norm(INF),
    "norm_-inf": lambda x, _: x.norm(-INF, 0),
}


@pytest.mark.parametrize("values", TIES, ids=["ties0", "ties1"])
@pytest.mark.parametrize("name", list(TIE_CASES))
def test_ties_match_torch(name, values):
    assert_grads_match(TIE_CASES[name], values)


def test_inf_norm_ties_with_opposite_signs_match_torch():
    assert_grads_match(lambda x, _: x.norm(INF), [3.0, -3.0, 1.0])
    assert_grads_match(lambda x, _: x.norm(-INF), [-0.5, 0.5, 1.0])


def test_topk_ties_go_to_the_selected_indices():
    ours, _ = grads(lambda x, _: x.topk(2)[0], [1.0, 4.0, 4.0, 4.0])
    assert ours.sum().item() == pytest.approx(ours[1:].sum().item())
    assert int((ours != 0).sum().item()) == 2


def test_median_of_ties_goes_to_one_index():
    x = tritorch.tensor([[3.0, 1.0, 3.0, 3.0], [2.0, 2.0, 0.0, 1.0]], dtype=tritorch.float64, requires_grad=True)
    values, indices = x.median(1)
    values.sum().backward()
    expected = tritorch.zeros(2, 4, dtype=tritorch.float64).scatter(1, indices.unsqueeze(1), 1.0)
    np.testing.assert_array_equal(x.grad.numpy(), expected.numpy())


ZEROS = [[[2.0, 0.0, 3.0], [1.5, -2.0, 0.5]], [[0.0, 0.0, 3.0], [1.5, 0.0, 0.5]],
         [[0.0, 2.0, 0.0], [0.0, 0.0, 0.0]], [[1.0, 2.0, -3.0], [0.0, 0.5, 4.0]]]
ZERO_CASES = {
    "prod_all": lambda x, _: x.prod(), "prod0": lambda x, _: x.prod(0), "prod1": lambda x, _: x.prod(1, True),
    "prod_t": lambda x, _: x.t().prod(-1),
    "cumprod0": lambda x, _: x.cumprod(0), "cumprod1": lambda x, _: x.cumprod(1),
    "cumprod_t": lambda x, _: x.t().cumprod(1),
    "norm2": lambda x, _: x.norm(dim=1), "norm2_all": lambda x, _: x.norm(),
    "norm1": lambda x, _: x.norm(1, 0), "norm3": lambda x, _: x.norm(3, 1), "norm1.5": lambda x, _: x.norm(1.5, 1),
    "norm0.5": lambda x, _: x.norm(0.5, 1), "norm0": lambda x, _: x.norm(0, 1),
    "norm_inf": lambda x, _: x.norm(INF, 1), "norm_-1": lambda x, _: x.norm(-1, 1),
    "vector_norm_2": lambda x, lib: lib.norm(x, 2, (0, 1), True),
}


@pytest.mark.parametrize("values", ZEROS, ids=["one_zero", "two_zeros", "mostly_zeros", "zero_in_col"])
@pytest.mark.parametrize("name", list(ZERO_CASES))
def test_zeros_match_torch(name, values):
    assert_grads_match(ZERO_CASES[name], values)


def test_std_of_constant_slices_matches_torch():
    constant_rows = [[2.0, 2.0, 2.0], [1.0, -1.0, 0.5]]
    assert_grads_match(lambda x, _: x.std(1), constant_rows)
    assert_grads_match(lambda x, _: x.std(1, keepdim=True, correction=0), constant_rows)
    assert_grads_match(lambda x, _: x.std(), [[0.5, 0.5], [0.5, 0.5]])


def test_cumprod_with_zeros_in_a_longer_row_matches_torch():
    row = [2.0, 0.5, 0.0, 3.0, -1.5, 0.0, 2.0, 4.0]
    assert_grads_match(lambda x, _: x.cumprod(0), row)
    assert_grads_match(lambda x, _: x.cumprod(0), row[::-1])


NAN_CASES = {"max_all": lambda x, _: x.max(), "min_all": lambda x, _: x.min(), "amax": lambda x, _: x.amax(1),
             "max_dim": lambda x, _: x.max(1)[0], "norm_inf": lambda x, _: x.norm(INF, 1),
             "logsumexp": lambda x, _: x.logsumexp(1)}


@pytest.mark.parametrize("name", list(NAN_CASES))
def test_nan_matches_torch(name):
    assert_grads_match(NAN_CASES[name], [[1.0, math.nan, 2.0], [0.5, -1.0, 0.25]])


def test_variance_without_degrees_of_freedom_matches_torch():
    with pytest.warns(UserWarning):
        assert_grads_match(lambda x, _: x.var(1), [[1.0], [2.0]])
    with pytest.warns(UserWarning):
        assert_grads_match(lambda x, _: x.std(0, correction=3), [[1.0, 2.0], [3.0, 5.0]])


def test_infinities_match_torch():
    row = [[-INF, 0.5, 1.0], [-INF, -INF, -INF]]
    assert_grads_match(lambda x, _: x.logsumexp(1), [row[0]])


DTYPE_CASES = {
    "sum": lambda x, lib: x.sum(1, dtype=lib.float64), "mean": lambda x, lib: x.mean(dtype=lib.float64),
    "prod": lambda x, lib: x.prod(0, dtype=lib.float64), "cumsum": lambda x, lib: x.cumsum(1, dtype=lib.float64),
    "cumprod": lambda x, lib: x.cumprod(1, dtype=lib.float64),
    "norm": lambda x, lib: lib.norm(x, 2, 1, dtype=lib.float64),
}


@pytest.mark.parametrize("name", list(DTYPE_CASES))
def test_dtype_argument_gives_gradients_of_the_input_dtype(name):
    assert_grads_match(DTYPE_CASES[name], [[1.5, -0.5, 2.0], [0.25, 3.0, -1.0]], dtype=tritorch.float32)


@pytest.mark.parametrize("op", ["var_mean", "std_mean"])
def test_var_mean_and_std_mean_sum_both_gradients(op):
    values = [[1.5, -0.5, 2.0], [0.25, 3.0, -1.0]]
    results = []
    for lib in (tritorch, torch):
        x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
        spread, mean = getattr(lib, op)(x, 1, correction=0)
        lib.autograd.backward([spread, mean], [lib.tensor([1.0, -2.0], dtype=lib.float64),
                                               lib.tensor([0.5, 3.0], dtype=lib.float64)])
        results.append(x.grad.numpy())
    np.testing.assert_allclose(*results, rtol=1e-12, atol=1e-12)


def test_second_derivatives_match_torch():
    def hessian_vector(x, lib, fn):
        y = fn(x)
        g, = (lib.autograd.grad(y, x, create_graph=True))
        return (g * g).sum()

    values = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]
    for fn in (lambda x: x.std(1).sum(), lambda x: x.norm(), lambda x: x.logsumexp(1).sum(),
               lambda x: x.prod(1).sum(), lambda x: x.cumprod(1).sum(), lambda x: x.var(0).sum()):
        assert_grads_match(lambda x, lib, fn=fn: hessian_vector(x, lib, fn), values)
    for values in ZEROS:
        for fn in (lambda x: x.prod(1).sum(), lambda x: x.prod(), lambda x: x.cumprod(1).sum(),
                   lambda x: (x.cumprod(0) * x.cumprod(0)).sum()):
            assert_grads_match(lambda x, lib, fn=fn: hessian_vector(x, lib, fn), values)


# --- on cuda: the same gradients as on the cpu, at the same inputs --------------------------------

CUDA_GRADS = {
    "var": lambda x: x.var(1), "var_c0": lambda x: x.var((0, 2), keepdim=True, correction=0),
    "std": lambda x: x.std(), "std_dim": lambda x: x.std(-1, correction=1.5),
    "var_mean": lambda x: sum(tritorch.var_mean(x, 1, correction=0)),
    "std_mean": lambda x: sum(tritorch.std_mean(x, (0, 1), keepdim=True)),
    "logsumexp": lambda x: x.logsumexp(1), "logsumexp_all": lambda x: x.logsumexp((0, 1, 2)),
    "norm": lambda x: x.norm(), "norm1": lambda x: x.norm(1, 0), "norm3": lambda x: x.norm(3, 1),
    "norm0.5": lambda x: x.norm(0.5, (0, 2)), "norm_inf": lambda x: x.norm(INF, 1),
    "vector_norm": lambda x: tritorch.linalg.vector_norm(x, 2, (1, 2), True),
    "vector_norm_-inf": lambda x: tritorch.linalg.vector_norm(x, -INF),
}


@pytest.mark.parametrize("dtype", [tritorch.float64, tritorch.float32], ids=str)
@pytest.mark.parametrize("name", list(CUDA_GRADS))
def test_cuda_gradients_equal_the_cpus(name, dtype):
    fn = CUDA_GRADS[name]
    x = leaf(*SHAPE).detach().to(dtype).requires_grad_()
    on_cuda = x.detach().to("cuda").requires_grad_()
    y, y_cuda = fn(x), fn(on_cuda)
    upstream = np.random.default_rng(1).standard_normal(tuple(y.shape))
    y.backward(tritorch.tensor(upstream, dtype=dtype))
    y_cuda.backward(tritorch.tensor(upstream, dtype=dtype, device="cuda"))
    assert on_cuda.grad.device.type == "cuda"
    assert_close(on_cuda.grad.cpu(), x.grad, reduction_len=math.prod(SHAPE))
