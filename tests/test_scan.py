"""cummax, cummin and logcumsumexp against torch (the oracle) on both devices (cuda runs the
Triton kernels, interpreted without a GPU, with the numpy reference forbidden): every dtype the
op takes, contiguous, permuted, broadcast, narrowed, empty and 0-d inputs, ties, NaN and
infinities; the named-tuple results and the errors, each matched."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import tritorch
from harness import record_launches, reference_forbidden
from helpers import assert_close, to_numpy

FLOATS = [tritorch.float32, tritorch.float64, tritorch.float16, tritorch.bfloat16]
ALL_DTYPES = FLOATS + [tritorch.int64, tritorch.int32, tritorch.uint8, tritorch.bool]
CUDA_DTYPES = [tritorch.float32, tritorch.bfloat16, tritorch.int32, tritorch.bool]  # interpreted: keep it short
LAYOUTS = ["contiguous", "permuted", "expanded", "narrowed", "empty", "scalar"]


def make(layout: str, dtype: tritorch.DType, seed: int = 0) -> tritorch.Tensor:
    """A (3, 4, 5)-shaped tensor (empty or 0-d for those layouts) laid out as `layout`, its
    values from a small set so that running extrema tie."""
    rng = np.random.default_rng(seed)

    def new(shape):
        if dtype is tritorch.bool:
            return tritorch.tensor(rng.integers(0, 2, shape).astype(bool))
        low = 0 if dtype is tritorch.uint8 else -4
        a = rng.integers(low, 5, shape) / (2 if dtype.is_floating_point else 1)
        return tritorch.tensor(a, dtype=dtype)

    return {"contiguous": lambda: new((3, 4, 5)), "permuted": lambda: new((5, 3, 4)).permute(1, 2, 0),
            "expanded": lambda: new((3, 1, 5)).expand(3, 4, 5), "narrowed": lambda: new((3, 6, 5)).narrow(1, 1, 4),
            "empty": lambda: new((3, 0, 5)), "scalar": lambda: new(())}[layout]()


def as_torch(x: tritorch.Tensor) -> torch.Tensor:
    return torch.from_numpy(np.array(to_numpy(x), order="C")).to(getattr(torch, x.dtype.name))


def run(fn, x: tritorch.Tensor, device: str):
    """fn(x) on `device`, results back on the cpu; on cuda every launch is a Triton kernel."""
    if device == "cpu":
        return fn(x)
    x = x.to("cuda")
    with reference_forbidden(), record_launches() as launches:
        result = fn(x)
    assert len(launches) >= 1 or x.numel() == 0, "the cuda op launched no Triton kernel"
    if isinstance(result, tuple):
        return type(result)(*(r.cpu() for r in result))
    return result.cpu()


def compare(actual, expected: torch.Tensor, reduction_len: int = 1) -> None:
    dtype = tritorch.dtypes.from_name(str(expected.dtype).removeprefix("torch."))
    want = (expected.double() if expected.dtype == torch.bfloat16 else expected).numpy()
    assert_close(actual, want, dtype=dtype, reduction_len=reduction_len)


def compare_extremum(got, want) -> None:
    """Named tuples of torch's type name; values equal to the bit (signed zeros), same indices."""
    assert type(got).__name__ == type(want).__name__ and got.values is got[0] and got.indices is got[1]
    compare(got.values, want.values)
    compare(got.indices, want.indices)
    if got.values.dtype.is_floating_point:
        np.testing.assert_array_equal(np.signbit(to_numpy(got.values)), np.signbit(want.values.double().numpy()))


def cases(dtypes):
    return [(dtype, layout, dim) for dtype in dtypes for layout in LAYOUTS for dim in ((0, -1) if layout == "scalar"
                                                                                         else (0, 1, -1))]


@pytest.mark.parametrize("op", ["cummax", "cummin"])
@pytest.mark.parametrize("device, dtype, layout, dim", [("cpu", *c) for c in cases(ALL_DTYPES)] +
                         [("cuda", *c) for c in cases(CUDA_DTYPES)], ids=str)
def test_cummax_cummin_match_torch(op, device, dtype, layout, dim):
    x = make(layout, dtype)
    got = run(lambda t: getattr(tritorch, op)(t, dim), x, device)
    compare_extremum(got, getattr(torch, op)(as_torch(x), dim))
    compare_extremum(run(lambda t: getattr(t, op)(dim=dim), x, device), getattr(as_torch(x), op)(dim=dim))


@pytest.mark.parametrize("device", ["cpu", "cuda"])
@pytest.mark.parametrize("op", ["cummax", "cummin"])
def test_cummax_cummin_nan_and_ties(op, device):
    nan, inf = math.nan, math.inf
    x = tritorch.tensor([[1.0, 3.0, 3.0, 2.0, nan, 5.0, nan, 7.0], [-inf, -inf, -0.0, 0.0, -0.0, inf, inf, -inf],
                         [nan, nan, 1.0, 2.0, 0.0, nan, -1.0, 4.0]])
    compare_extremum(run(lambda t: getattr(t, op)(1), x, device), getattr(as_torch(x), op)(1))


@pytest.mark.parametrize("device, dtype, layout, dim", [("cpu", *c) for c in cases(FLOATS)] +
                         [("cuda", *c) for c in cases([tritorch.float32, tritorch.float16])], ids=str)
def test_logcumsumexp_matches_torch(device, dtype, layout, dim):
    x = make(layout, dtype) * 3
    got = run(lambda t: t.logcumsumexp(dim), x, device)
    compare(got, as_torch(x).logcumsumexp(dim), x.shape[dim] if x.ndim else 1)
    compare(run(lambda t: tritorch.logcumsumexp(t, dim=dim), x, device), torch.logcumsumexp(as_torch(x), dim=dim),
            x.shape[dim] if x.ndim else 1)


@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_logcumsumexp_special_values(device):
    inf, nan = math.inf, math.nan
    x = tritorch.tensor([[-inf, -inf, 1.0, -inf], [inf, 1.0, inf, -inf], [inf, -inf, -inf, -inf],
                         [1.0, nan, 2.0, inf], [1e4, 1e4, -1e4, -1e4], [-1e4, -1e4, 1e4, 0.0]])
    compare(run(lambda t: t.logcumsumexp(1), x, device), as_torch(x).logcumsumexp(1), 4)


@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_scan_errors(device):
    x = tritorch.zeros(2, 3, device=device)
    for op in ("cummax", "cummin", "logcumsumexp"):
        with pytest.raises(IndexError, match=r"out of range \(expected to be in range of \[-2, 1\], but got 2\)"):
            getattr(x, op)(2)
        with pytest.raises(TypeError):
            getattr(tritorch, op)(x)
    with pytest.raises(IndexError, match="Dimension out of range"):
        tritorch.tensor(1.0, device=device).cummax(1)
    with pytest.raises(NotImplementedError, match=r"logcumsumexp: not implemented for dtype int64 \(input shape"):
        tritorch.tensor([1, 2, 3], device=device).logcumsumexp(0)
    with pytest.raises(NotImplementedError, match="not implemented for dtype bool"):
        tritorch.tensor([True], device=device).logcumsumexp(0)
