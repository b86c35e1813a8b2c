"""Scans along a dim: cumsum, cumprod, logcumsumexp (the backend's `reduction.cumulative`
primitive) and cummax, cummin (`reduction.cumulative_extremum`: values and int64 indices), all
on outputs of the input's shape; backward is written in Tensor ops."""
from __future__ import annotations

from .. import dtypes
from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor
from .common import accumulating_dtype, at_least_1d, empty, reversed_cumsum, values_indices, wrap_dim
from .indexing import Selection, scatter_in_range
from .ternary import where
from .registry import function, method

CummaxResult = values_indices("cummax")
CumminResult = values_indices("cummin")


def _cumulative(op: str, x: Tensor, dim: int, dtype: dtypes.DType) -> Tensor:
    out = empty(x.shape, dtype, x.device)
    x.backend.reduction.cumulative(op, at_least_1d(x.array), dim, at_least_1d(out.array))
    return out


class Cumsum(Function):
    node_name = "CumsumBackward0"

    @staticmethod
    def forward(ctx, x: Tensor, *, dim, dtype):
        ctx.dim = dim
        return _cumulative("cumsum", x, dim, dtype)

    @staticmethod
    def backward(ctx, grad):
        return reversed_cumsum(grad, ctx.dim) if grad.ndim else grad


class Cumprod(Function):
    node_name = "CumprodBackward0"

    @staticmethod
    def forward(ctx, x: Tensor, *, dim, dtype):
        ctx.dim = dim
        out = _cumulative("cumprod", x, dim, dtype)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        dim = ctx.dim
        if x.ndim == 0 or x.shape[dim] <= 1:
            return grad
        # one formula for x with or without zeros, so nothing reads the device to choose; under
        # create_graph it is differentiated again, so its gradient must be right too
        return _cumprod_backward(grad, x, out, dim, 1 if is_grad_enabled() else 0)


def _cumprod_backward(grad: Tensor, x: Tensor, out: Tensor, dim: int, again: int) -> Tensor:
    """cumprod's gradient g[i] = sum over k >= i of grad[k] * prod(x[:k+1] without x[i]), in O(n)
    scans whether x has zeros or not. Along dim, with z the first zero of x and x' = x with x[z]
    set to 1 (out' = cumprod(x')):
      * before z, out[k] / x[i] is the product of the others (an out[k] from z on is 0, as it
        should be): reversed_cumsum(grad * out) / x, PyTorch's formula for x without zeros;
      * at z, the running product skipping x[z]: reversed_cumsum(grad * out');
      * after z, every product holds x[z]: g[i] = x[z] * g'[i], g' the gradient at x'. Its value
        is 0, but its derivative (g'[i] along x[z]) is not, so with `again` >= 1 g' is computed
        the same way, with again - 1 (0: g' is taken as 0).
    Each piece is g itself near x (where selects by the zeros of x, not by its values), so g is
    exact, and its derivatives are exact to order `again`: 1 makes double backward (gradgradcheck)
    exact, as PyTorch's O(n^2) create_graph formula is; a third derivative at a slice with two
    zeros or more would miss terms. Unselected pieces divide by 1, never by 0, so their zero
    gradients stay 0 (not NaN)."""
    is_zero = x.eq(0)
    zeros_so_far = is_zero.cumsum(dim)
    before_first = zeros_so_far.eq(0)
    first_zero = is_zero.logical_and(zeros_so_far.eq(1))
    before = reversed_cumsum(grad * out, dim) / x.masked_fill(~before_first, 1)
    skipping = x.masked_fill(first_zero, 1)
    skipping_out = skipping.cumprod(dim, dtype=out.dtype)
    at_first = reversed_cumsum(grad * skipping_out, dim)
    if again > 0:
        x_first = x.masked_fill(~first_zero, 0).sum(dim, keepdim=True)  # x[z] (0), differentiably
        after = x_first * _cumprod_backward(grad, skipping, skipping_out, dim, again - 1)
    else:
        after = 0
    return where(before_first, before, where(first_zero, at_first, after))


def _scan_args(op: str, input: Tensor, dim: int, dtype) -> tuple[int, dtypes.DType]:
    d = wrap_dim(dim, input.ndim)
    out_dtype = accumulating_dtype(input, dtype)
    if out_dtype is dtypes.bool_:
        raise RuntimeError(f"{op}: output dtype bool is not supported (input dtype {input.dtype.name}); "
                           f"pass an integer or floating dtype=")
    return d, out_dtype


@function
@method()
def cumsum(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Running sum along `dim`; bool and integer tensors give int64, `dtype=` casts first."""
    d, out_dtype = _scan_args("cumsum", input, dim, dtype)
    return Cumsum.apply(input, dim=d, dtype=out_dtype)


@function
@method()
def cumprod(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Running product along `dim`; bool and integer tensors give int64, `dtype=` casts first."""
    d, out_dtype = _scan_args("cumprod", input, dim, dtype)
    return Cumprod.apply(input, dim=d, dtype=out_dtype)


class Logcumsumexp(Function):
    node_name = "LogcumsumexpBackward0"

    @staticmethod
    def forward(ctx, x: Tensor, *, dim):
        ctx.dim = dim
        out = _cumulative("logcumsumexp", x, dim, x.dtype)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return _logcumsumexp_backward(grad, x, out, ctx.dim)


def _logcumsumexp_backward(grad: Tensor, x: Tensor, out: Tensor, dim: int) -> Tensor:
    """grad_x[i] = sum over k >= i of grad[k] * exp(x[i] - out[k]), PyTorch's way: the positive
    and the negative parts of grad each go through a reversed logcumsumexp in log space, so no
    exp(x - out) overflows and the sum needs no division. Differentiable again."""
    if grad.ndim == 0 or grad.numel() == 0:
        return grad
    lowest = dtypes.finfo(grad.dtype).min  # log(0) stand-in that keeps lowest - out finite
    log_abs = grad.abs().log()

    def part(sign_mask: Tensor) -> Tensor:
        log_part = where(sign_mask, log_abs, lowest) - out
        return (log_part.flip(dim).logcumsumexp(dim).flip(dim) + x).exp()
    return part(grad > 0) - part(grad < 0)


class _CumulativeExtremum(Selection):
    """cummax/cummin: values and int64 indices; the gradient goes to the indices (summed where
    several running values point at one element), as PyTorch's scatter_add."""
    op = ""

    @classmethod
    def select(cls, x: Tensor, *, dim, keepdim):
        values, indices = empty(x.shape, x.dtype, x.device), empty(x.shape, dtypes.int64, x.device)
        if x.numel():
            x.backend.reduction.cumulative_extremum(cls.op, at_least_1d(x.array), dim, at_least_1d(values.array),
                                                    at_least_1d(indices.array))
        return values, indices

    @staticmethod
    def backward(ctx, grad, _indices_grad):
        indices, = ctx.saved_tensors
        if grad.ndim == 0 or grad.numel() == 0:
            return grad
        return scatter_in_range(grad.new_zeros(tuple(grad.shape)), ctx.dim, indices, grad, accumulate=True)


class Cummax(_CumulativeExtremum):
    node_name = "CummaxBackward0"
    op = "max"


class Cummin(_CumulativeExtremum):
    node_name = "CumminBackward0"
    op = "min"


@function
@method()
def cummax(input: Tensor, dim: int):
    """`(values, indices)`: the running maximum along `dim` and where it was found. Ties give the
    later index; a NaN propagates, and its index holds until the next NaN (as PyTorch)."""
    return CummaxResult(*Cummax.apply(input, dim=wrap_dim(dim, input.ndim)))


@function
@method()
def cummin(input: Tensor, dim: int):
    """`(values, indices)`: the running minimum along `dim`, with cummax's tie and NaN rules."""
    return CumminResult(*Cummin.apply(input, dim=wrap_dim(dim, input.ndim)))


@function
@method()
def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """log(cumsum(exp(input))) along `dim`, computed stably (no overflow at +-1e4; rows of
    -inf give -inf, a +inf gives +inf from there on). Floating inputs only, as PyTorch."""
    d = wrap_dim(dim, input.ndim)
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"logcumsumexp: not implemented for dtype {input.dtype.name} (input shape "
                                  f"{list(input.shape)}); it needs a floating input")
    return Logcumsumexp.apply(input, dim=d)
