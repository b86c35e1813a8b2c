"""Order statistics and NaN-ignoring reductions: quantile, nanquantile, nansum, nanmean.

quantile follows PyTorch's algorithm step for step, so ranks round as PyTorch's do:

    sorted = sort(x along dim)                    ranks = q * (n - 1), in x's dtype
    (nanquantile: n counts the non-NaN values;   quantile: a row holding NaN takes rank n - 1)
    below, above = floor(ranks), ceil(ranks)     (lower/higher/nearest: one rank)
    out = lerp(sorted[below], sorted[above], ranks - below)   (midpoint: weight 0.5)

Every step runs on x's device (sort, gather, elementwise); the backward sends each output's
gradient to the input elements that sat at `below` and `above`, without a scatter.
"""
from __future__ import annotations

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor
from .common import is_scalar, same_device, wrap_dim, wrap_dims
from .creation import arange, full
from .ternary import where
from .registry import function, method
from .search import gather_in_range
from .sorting import sort

INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


# --- nansum, nanmean ------------------------------------------------------------------------

class NanSum(Function):
    node_name = "NansumBackward0"

    @staticmethod
    def forward(ctx, x: Tensor, *, dim, keepdim, dtype):
        ctx.dim, ctx.keepdim = dim, keepdim
        ctx.save_for_backward(x)
        return x.masked_fill(x.isnan(), 0).sum(dim, keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        # PyTorch's grad * !isnan(x): an infinite grad (nanmean over only NaNs) gives NaN, not 0
        x, = ctx.saved_tensors
        dims = wrap_dims(None if ctx.dim == () else ctx.dim, x.ndim) if x.ndim else ()
        if not ctx.keepdim:
            grad = grad.reshape(tuple(1 if d in dims else s for d, s in enumerate(x.shape)))
        return (grad.expand(tuple(x.shape)) * x.isnan().logical_not()).to(x.dtype)


@function
@method()
def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """`sum` with NaNs counted as zero (their gradient is zero)."""
    if not input.dtype.is_floating_point:
        return input.sum(dim, keepdim, dtype=dtype)
    return NanSum.apply(input, dim=dim, keepdim=keepdim, dtype=dtype)


@function
@method()
def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The mean of the non-NaN elements over `dim` (NaN where there are none)."""
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got "
                           f"{input.dtype.name} (shape {list(input.shape)})")
    if dtype is not None and not dtypes.as_dtype(dtype).is_floating_point:
        raise RuntimeError(f"nanmean(): could not infer output dtype. Optional dtype must be either a floating "
                           f"point or complex dtype. Got: {dtypes.as_dtype(dtype).name}")
    count = input.isnan().logical_not().sum(dim, keepdim)
    return nansum(input, dim, keepdim, dtype=dtype).div(count)


# --- quantile, nanquantile ------------------------------------------------------------------

class Quantile(Function):
    """out[..., k] = lerp(sorted[..., below[k]], sorted[..., above[k]], weight[..., k]) over
    the last dim of x, where (sorted, order) sort x along it; without `interpolate` just
    sorted[..., below[k]]."""
    node_name = "QuantileBackward0"

    @staticmethod
    def forward(ctx, x: Tensor, *, sorted: Tensor, order: Tensor, below: Tensor, above: Tensor,
                weight: Tensor, interpolate: bool):
        out = gather_in_range(sorted, -1, below)
        if interpolate:
            out = out.lerp(gather_in_range(sorted, -1, above), weight)
        ctx.interpolate, ctx.n = interpolate, x.shape[-1]
        ctx.save_for_backward(gather_in_range(order, -1, below), gather_in_range(order, -1, above), weight)
        return out

    @staticmethod
    def backward(ctx, grad):
        # input element j gets sum_k grad[k] * ((1 - w[k]) [j == src_below[k]] + w[k] [j == src_above[k]])
        src_below, src_above, weight = ctx.saved_tensors
        j = arange(ctx.n, device=grad.device).unsqueeze(-1)
        if not ctx.interpolate:
            return where(src_below.unsqueeze(-2).eq(j), grad.unsqueeze(-2), 0).sum(-1)
        g_below, g_above = (grad * (1 - weight)).unsqueeze(-2), (grad * weight).unsqueeze(-2)
        return (where(src_below.unsqueeze(-2).eq(j), g_below, 0) +
                where(src_above.unsqueeze(-2).eq(j), g_above, 0)).sum(-1)


def _q_tensor(name: str, input: Tensor, q) -> Tensor:
    """q as a tensor of input's dtype on its device, checked as PyTorch checks it."""
    if is_scalar(q):
        if not 0 <= q <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
        return full((), q, dtype=input.dtype, device=input.device)
    if not isinstance(q, Tensor):
        raise TypeError(f"{name}(): q must be a float or a Tensor, got {type(q).__name__}")
    if q.ndim > 1:
        raise RuntimeError(f"{name}() q must be a scalar or 1D tensor (got shape {list(q.shape)})")
    if q.dtype is not input.dtype:
        raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor (q {q.dtype.name}, "
                           f"input {input.dtype.name})")
    same_device(input, q)
    if q.numel() and not q.ge(0).logical_and(q.le(1)).all().item():  # NaN fails too
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    return q


def _ranks(sorted: Tensor, q: Tensor, interpolation: str, ignore_nan: bool):
    """(below, above, weight) along the last dim of `sorted`, each (..., len(q)): PyTorch's."""
    q = q.reshape(-1)
    nan = sorted.isnan()
    if ignore_nan:
        ranks = q * (nan.logical_not().sum(-1, keepdim=True) - 1)
        ranks = ranks.masked_fill(ranks.lt(0), 0)
    else:
        last = sorted.shape[-1] - 1
        ranks = where(nan.any(-1, keepdim=True), full((), last, dtype=q.dtype, device=q.device), q * last)
    if interpolation == "lower":
        ranks = ranks.floor()
    elif interpolation == "higher":
        ranks = ranks.ceil()
    elif interpolation == "nearest":
        ranks = ranks.round()
    below = ranks.to(dtypes.int64)
    if interpolation not in ("linear", "midpoint"):
        return below, below, None
    weight = ranks - below if interpolation == "linear" else full(tuple(ranks.shape), 0.5, dtype=ranks.dtype,
                                                                    device=ranks.device)
    return below, ranks.ceil().to(dtypes.int64), weight


def _quantile(name: str, input: Tensor, q, dim, keepdim: bool, interpolation: str, ignore_nan: bool) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): input must be a Tensor, got {type(input).__name__}")
    if input.dtype not in (dtypes.float32, dtypes.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype (got {input.dtype.name})")
    if interpolation not in INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest, "
                           f"but got {interpolation}")
    q_t = _q_tensor(name, input, q)
    d = None if dim is None else wrap_dim(dim, input.ndim)
    if input.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty (input shape {list(input.shape)})")
    # x: the reduced elements along the last dim (PyTorch's layout: the dim swapped to the end)
    x = input.reshape(-1) if d is None else input.unsqueeze(-1).transpose(d, -1)
    sorted, order = sort(x.detach(), -1, stable=True)
    below, above, weight = _ranks(sorted, q_t, interpolation, ignore_nan)
    out = Quantile.apply(x, sorted=sorted, order=order, below=below, above=above, weight=weight,
                         interpolate=weight is not None)
    out = out.squeeze(-1) if q_t.ndim == 0 else out.movedim(-1, 0)
    lead = q_t.ndim  # the q dim comes first
    if d is None:
        return out.reshape(tuple(out.shape[:lead]) + (1,) * input.ndim) if keepdim else out
    return out if keepdim or input.ndim == 0 else out.squeeze(d + lead)


@function
@method()
def quantile(input: Tensor, q, dim: int | None = None, keepdim: bool = False, *,
             interpolation: str = "linear") -> Tensor:
    """The q-th quantiles of `input` (flattened, or along `dim`) for q a float or a 1-D tensor
    in [0, 1]; a 1-D q puts its dim first in the result. A slice holding NaN gives NaN.
    `interpolation` picks between the two neighbouring sorted values: linear, lower, higher,
    midpoint or nearest (half to even)."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, ignore_nan=False)


@function
@method()
def nanquantile(input: Tensor, q, dim: int | None = None, keepdim: bool = False, *,
                interpolation: str = "linear") -> Tensor:
    """`quantile` ignoring NaNs: the quantiles of the non-NaN values (NaN where all are NaN)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, ignore_nan=True)
