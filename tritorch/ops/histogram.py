"""Counting into bins: `bincount` and `histc`, both a deterministic scatter-add of ones (or
weights) into a zeroed result (the index family's sorted segmented sum, no atomics)."""
from __future__ import annotations

import math

from .. import dtypes
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from .common import expand_to
from .creation import full
from .indexing import add_in_range, value_range
from .joining import stack
from .registry import function, method


def _count_into(bins: int, index: Tensor, weights: Tensor | None, dtype: dtypes.DType) -> Tensor:
    """out[b] = sum of the weights (or ones) of the entries of the 1-D `index` equal to b."""
    out = full((bins,), 0, dtype=dtype, device=index.device)
    if weights is None:
        weights = expand_to(full((), 1, dtype=dtype, device=index.device), index.shape)
    return add_in_range(out, index, weights.to(dtype))  # index in [0, bins) by construction


@function
@method()
def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """Counts of each value of a 1-D non-negative integer tensor: out[v] = number of entries
    equal to v (or the sum of their `weights`), of length max(max(input) + 1, minlength)
    (torch.bincount). int64 without weights; float32 weights give float32, others float64."""
    if input.dtype.is_floating_point or input.dtype is dtypes.bool_:
        raise NotImplementedError(f'"bincount" not implemented for {input.dtype.name} input: it must be integral')
    if minlength < 0:
        raise RuntimeError(f"bincount(): minlength should be >= 0, got {minlength}")
    if weights is not None and (weights.ndim != 1 or weights.shape != input.shape):
        raise RuntimeError(f"bincount(): weights should be 1-d and have the same length as input, got weights "
                           f"{list(weights.shape)} and input {list(input.shape)}")
    if weights is not None and weights.device != input.device:
        raise RuntimeError(f"bincount(): input on {input.device} and weights on {weights.device}")
    lo, hi = value_range(input) if input.ndim == 1 and input.numel() else (0, -1)  # one device round trip
    if input.ndim != 1 or lo < 0:
        raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs (got shape {list(input.shape)})")
    dtype = dtypes.int64 if weights is None else dtypes.float32 if weights.dtype is dtypes.float32 else dtypes.float64
    bins = max(minlength, hi + 1)
    with no_grad():
        return _count_into(bins, input.to(dtypes.int64), weights, dtype)


@function
@method()
def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
    """Histogram of a floating tensor in `bins` equal-width bins over [min, max] (the data's
    range when min == max; widened by 1 each side if it is one value); elements outside it
    and NaN are ignored, max itself falls in the last bin (torch.histc)."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"histc" not implemented for {input.dtype.name} input: it must be floating')
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = float(min), float(max)
    if lo == hi and input.numel():
        lo, hi = stack([input.min(), input.max()]).tolist()  # one device round trip
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError(f"torch.histc: max must be larger than min, got min {min} and max {max}")
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite")
    with no_grad():
        x = input.reshape(-1)
        inside = (x >= lo) & (x <= hi)  # NaN is outside
        # torch's linear bin position: (x - lo) * bins / (hi - lo), truncated, max in the last bin
        at = ((x - lo) * bins / (hi - lo)).masked_fill(inside.logical_not(), 0).to(dtypes.int64)
        return _count_into(bins, at.clamp(max=bins - 1), inside.to(input.dtype), input.dtype)
