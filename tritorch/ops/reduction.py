"""Reductions, scans and sorting: sum, mean, prod, max/min, amax/amin, argmax/argmin, median,
var/std, logsumexp, norm, any/all, count_nonzero, cumsum/cumprod, sort/argsort/topk.

Each op normalises its arguments (dims, dtype, PyTorch's errors), then calls one primitive of
the backend's `reduction` family. Primitives write reductions into a view of the result with
x's rank and size 1 at the reduced dims; the result itself is allocated with or without those
dims (keepdim), so it is always a fresh contiguous tensor. Differentiable ops are `Function`s
whose forward saves what their backward needs; the rest are plain functions.

This module defines `sum`, `max`, `min`, `any` and `all`, so it reaches Python's own through
`builtins`.
"""
from __future__ import annotations

import builtins
import math
from collections import namedtuple

from .. import dtypes
from ..array_view import ArrayView, contiguous_strides
from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor
from .common import at_least_1d, empty, wrap_dim, wrap_dims
from .elementwise import where
from .indexing import cat
from .registry import function, method


def _values_indices(name: str):
    """A (values, indices) named tuple, as PyTorch's `torch.return_types.<name>`."""
    cls = namedtuple(name, ("values", "indices"))
    cls.__module__ = "tritorch.return_types"
    return cls


MaxResult = _values_indices("max")
MinResult = _values_indices("min")
MedianResult = _values_indices("median")
SortResult = _values_indices("sort")
TopKResult = _values_indices("topk")


# --- shared helpers ---------------------------------------------------------------------------

def _means_all(dim) -> bool:
    """None, and (PyTorch's legacy rule, for most ops) an empty tuple, mean every dim."""
    return dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0)


def _reduction_dims(x: Tensor, dim, empty_means_all: bool = True) -> tuple[int, ...]:
    """Sorted, non-negative dims to reduce (see `_means_all`); a 0-d tensor accepts dim 0 or
    -1 and has nothing to reduce."""
    if dim is None or (empty_means_all and _means_all(dim)):
        return tuple(range(x.ndim))
    dims = wrap_dims(dim, x.ndim)
    return dims if x.ndim else ()


def _as_shape(t: Tensor, shape) -> ArrayView:
    """The contiguous tensor `t` seen with `shape`, which has the same elements (size-1 dims
    added or dropped)."""
    shape = tuple(shape)
    return ArrayView(t.array.buffer, t.storage_offset(), shape, contiguous_strides(shape), t.dtype)


def _reduced_output(x: Tensor, dims: tuple[int, ...], keepdim: bool, dtype: dtypes.DType) -> tuple[Tensor, ArrayView]:
    """A new result tensor (reduced dims kept as size 1 or dropped) and the view of it that a
    primitive writes: x's rank, size 1 at `dims`."""
    kept = tuple(1 if d in dims else s for d, s in enumerate(x.shape))
    shape = kept if keepdim else tuple(s for d, s in enumerate(x.shape) if d not in dims)
    out = empty(shape, dtype, x.device)
    return out, _as_shape(out, kept)


def _reduce(op: str, x: Tensor, dims: tuple[int, ...], keepdim: bool, dtype: dtypes.DType) -> Tensor:
    out, view = _reduced_output(x, dims, keepdim, dtype)
    x.backend.reduction.reduce(op, x.array, dims, view)
    return out


def _check_nonempty(op: str, x: Tensor, dims: tuple[int, ...]) -> None:
    """max/min and friends have no identity, so a reduced dim must not be empty."""
    for d in dims:
        if x.shape[d] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size "
                             f"(input shape {list(x.shape)})")


def _check_dim_given(op: str, x: Tensor, error=RuntimeError) -> None:
    if x.numel() == 0:
        raise error(f"{op}(): Expected reduction dim to be specified for input.numel() == 0 "
                    f"(input shape {list(x.shape)}). Specify the reduction dim with the 'dim' argument.")


def _accumulating_dtype(x: Tensor, dtype) -> dtypes.DType:
    """sum/prod/cumsum/cumprod: `dtype=` wins; bool and integer tensors give int64, as PyTorch."""
    if dtype is not None:
        return dtypes.as_dtype(dtype)
    return dtypes.int64 if x.dtype.kind in "biu" else x.dtype


# --- gradient helpers: every backward below is written in Tensor ops, so it is differentiable
# --- again (create_graph=True gives second derivatives) ----------------------------------------

def _restore_reduced_dims(t: Tensor, input_shape, dims: tuple[int, ...], keepdim: bool) -> Tensor:
    """A reduction's result (or its gradient) with the reduced dims back as size 1, so that it
    broadcasts against the input."""
    if keepdim:
        return t
    return t.reshape(tuple(1 if d in dims else s for d, s in enumerate(input_shape)))


def _unreduce(grad: Tensor, input_shape, dims: tuple[int, ...], keepdim: bool) -> Tensor:
    """The backward of summing: each input element gets the gradient of its reduced slot."""
    return _restore_reduced_dims(grad, input_shape, dims, keepdim).expand(tuple(input_shape))


def _reduced_count(input_shape, dims: tuple[int, ...]) -> int:
    """How many input elements each result element reduces."""
    return math.prod(input_shape[d] for d in dims)


def _spread_over_ties(grad: Tensor, mask: Tensor, dims: tuple[int, ...]) -> Tensor:
    """`grad` shared evenly among the elements of `mask` in each reduced slice (amax/amin:
    PyTorch's subgradient when several elements are the extremum)."""
    return grad / mask.sum(dims, keepdim=True) * mask


def _select_backward(grad: Tensor, indices: Tensor, dim: int, input_shape, keepdim: bool) -> Tensor:
    """Zeros of the input's shape with `grad` written at `indices` along `dim`: the backward of
    every op whose values are input elements picked by index (max/min/median along a dim,
    sort, topk)."""
    if not input_shape:
        return grad
    if not keepdim:
        grad, indices = grad.unsqueeze(dim), indices.unsqueeze(dim)
    return grad.new_zeros(tuple(input_shape)).scatter(dim, indices, grad)


def _reversed_cumsum(t: Tensor, dim: int) -> Tensor:
    """out[i] = sum of t[j] for j >= i along dim."""
    return t.flip(dim).cumsum(dim).flip(dim)


def _has_zero(x: Tensor) -> bool:
    return bool(x.eq(0).any().item())


# --- sum, mean, prod --------------------------------------------------------------------------

def _node_name(op: str, x: Tensor, dims: tuple[int, ...], keepdim: bool) -> str:
    """PyTorch's graph node name: `<Op>Backward0` for a whole-tensor reduction, 1 along dims."""
    whole = len(dims) == x.ndim and not keepdim
    return f"{op}Backward{0 if whole else 1}"


class Sum(Function):
    @staticmethod
    def forward(ctx, x: Tensor, *, dims, keepdim, dtype):
        ctx.dims, ctx.keepdim, ctx.input_shape = dims, keepdim, tuple(x.shape)
        ctx.node_name = _node_name("Sum", x, dims, keepdim)
        return _reduce("sum", x, dims, keepdim, dtype)

    @staticmethod
    def backward(ctx, grad):
        return _unreduce(grad, ctx.input_shape, ctx.dims, ctx.keepdim)


class Mean(Function):
    @staticmethod
    def forward(ctx, x: Tensor, *, dims, keepdim, dtype):
        ctx.dims, ctx.keepdim, ctx.input_shape = dims, keepdim, tuple(x.shape)
        ctx.node_name = _node_name("Mean", x, dims, keepdim)
        return _reduce("mean", x, dims, keepdim, dtype)

    @staticmethod
    def backward(ctx, grad):
        count = _reduced_count(ctx.input_shape, ctx.dims)
        # an empty reduction has an empty input, so the gradient has no elements to divide
        return _unreduce(grad, ctx.input_shape, ctx.dims, ctx.keepdim) / builtins.max(count, 1)


class Prod(Function):
    @staticmethod
    def forward(ctx, x: Tensor, *, dims, keepdim, dtype):
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.node_name = _node_name("Prod", x, dims, keepdim)
        out = _reduce("prod", x, dims, keepdim, dtype)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        if x.ndim == 0:
            return grad
        grad = _restore_reduced_dims(grad, x.shape, ctx.dims, ctx.keepdim)
        if not _has_zero(x):
            return grad * (_restore_reduced_dims(out, x.shape, ctx.dims, ctx.keepdim) / x)
        if len(ctx.dims) == 1:
            return _prod_of_others(grad, x, ctx.dims[0])
        return _prod_of_others(grad.reshape(1), x.reshape(-1), 0).reshape(tuple(x.shape))


def _prod_of_others(grad: Tensor, x: Tensor, dim: int) -> Tensor:
    """grad times, for each element, the product of the other elements along `dim`: the
    gradient of prod that stays right with zeros (an exclusive cumprod from each side, as
    PyTorch's prod_safe_zeros_backward)."""
    size = x.shape[dim]
    if x.numel() == 0 or size == 1:
        return grad.expand(tuple(x.shape))
    ones = x.new_ones(tuple(1 if d == dim else s for d, s in enumerate(x.shape)))
    before = cat([ones, x.narrow(dim, 0, size - 1)], dim).cumprod(dim)
    after = cat([ones, x.narrow(dim, 1, size - 1).flip(dim)], dim).cumprod(dim).flip(dim)
    return grad * (before * after)


@function
@method()
def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Sum over `dim` (an int or a tuple; None or () means every dim).

    Bool and integer tensors sum to int64; `dtype=` casts the input first, as PyTorch.
    The sum of an empty tensor is 0."""
    dims = _reduction_dims(input, dim)
    return Sum.apply(input, dims=dims, keepdim=keepdim, dtype=_accumulating_dtype(input, dtype))


@function
@method()
def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Mean over `dim` (an int or a tuple; None or () means every dim); NaN when empty.

    Needs a floating input or a floating `dtype=` (PyTorch raises for integer means)."""
    if dtype is not None:
        out_dtype = dtypes.as_dtype(dtype)
        if not out_dtype.is_floating_point:
            raise RuntimeError(f"mean(): could not infer output dtype. Optional dtype must be either "
                               f"a floating point or complex dtype. Got: {out_dtype.name}")
    elif not input.dtype.is_floating_point:
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {input.dtype.name}")
    else:
        out_dtype = input.dtype
    dims = _reduction_dims(input, dim)
    return Mean.apply(input, dims=dims, keepdim=keepdim, dtype=out_dtype)


@function
@method()
def prod(input: Tensor, dim: int | None = None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Product of all elements, or along one int `dim` (PyTorch accepts no tuple here).

    Bool and integer tensors multiply in int64; the product of an empty tensor is 1."""
    if dim is None:
        dims = tuple(range(input.ndim))
    else:
        d = wrap_dim(dim, input.ndim)
        dims = (d,) if input.ndim else ()
    return Prod.apply(input, dims=dims, keepdim=keepdim, dtype=_accumulating_dtype(input, dtype))


# --- max, min, amax, amin, argmax, argmin, median ---------------------------------------------

class Amax(Function):
    node_name = "AmaxBackward0"

    @staticmethod
    def forward(ctx, x: Tensor, *, dims, keepdim):
        ctx.dims, ctx.keepdim = dims, keepdim
        out = _reduce("max", x, dims, keepdim, x.dtype)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        return _extremum_backward(ctx, grad)


class Amin(Function):
    node_name = "AminBackward0"

    @staticmethod
    def forward(ctx, x: Tensor, *, dims, keepdim):
        ctx.dims, ctx.keepdim = dims, keepdim
        out = _reduce("min", x, dims, keepdim, x.dtype)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        return _extremum_backward(ctx, grad)


def _extremum_backward(ctx, grad: Tensor) -> Tensor:
    """amax/amin: the gradient is shared evenly by the elements equal to the result. As in
    PyTorch, a slice whose result is NaN matches no element and gets NaN gradients."""
    x, out = ctx.saved_tensors
    grad = _restore_reduced_dims(grad, x.shape, ctx.dims, ctx.keepdim)
    out = _restore_reduced_dims(out, x.shape, ctx.dims, ctx.keepdim)
    return _spread_over_ties(grad, x.eq(out), ctx.dims)


def _whole_extremum_backward(ctx, grad: Tensor) -> Tensor:
    """max()/min() of every element: as amax/amin, except that a NaN result sends the gradient
    to the NaN elements (PyTorch's evenly_distribute_backward)."""
    x, out = ctx.saved_tensors
    grad = _restore_reduced_dims(grad, x.shape, ctx.dims, ctx.keepdim)
    out = _restore_reduced_dims(out, x.shape, ctx.dims, ctx.keepdim)
    ties = x.eq(out).logical_or(x.isnan().logical_and(out.isnan()))
    return _spread_over_ties(grad, ties, ctx.dims)


def _arg_reduce(op: str, x: Tensor, dim: int, keepdim: bool, with_values: bool):
    """(values or None, int64 indices) of `op` along `dim`; a 0-d x reduces its one element."""
    dims = (dim,) if x.ndim else ()
    indices, indices_view = _reduced_output(x, dims, keepdim, dtypes.int64)
    values, values_view = _reduced_output(x, dims, keepdim, x.dtype) if with_values else (None, None)
    x.backend.reduction.arg_reduce(op, at_least_1d(x.array), dim, at_least_1d(values_view),
                                   at_least_1d(indices_view))
    return values, indices


def _values_indices_forward(ctx, op: str, x: Tensor, dim: int, keepdim: bool):
    """Forward of max/min/median along one dim; backward routes the gradient to the indices."""
    ctx.dim, ctx.keepdim, ctx.input_shape = dim, keepdim, tuple(x.shape)
    values, indices = _arg_reduce(op, x, dim, keepdim, with_values=True)
    ctx.save_for_backward(indices)
    ctx.mark_non_differentiable(indices)
    return values, indices


def _values_indices_backward(ctx, grad: Tensor, _indices_grad) -> Tensor:
    """Only the selected element gets the gradient, also among ties (as PyTorch)."""
    indices, = ctx.saved_tensors
    return _select_backward(grad, indices, ctx.dim, ctx.input_shape, ctx.keepdim)


class MaxAll(Amax):
    """max() without a dim: amax over every dim (PyTorch names its node MaxBackward1)."""
    node_name = "MaxBackward1"

    @staticmethod
    def backward(ctx, grad):
        return _whole_extremum_backward(ctx, grad)


class MinAll(Amin):
    node_name = "MinBackward1"

    @staticmethod
    def backward(ctx, grad):
        return _whole_extremum_backward(ctx, grad)


class MaxDim(Function):
    node_name = "MaxBackward0"

    @staticmethod
    def forward(ctx, x: Tensor, *, dim, keepdim):
        return _values_indices_forward(ctx, "max", x, dim, keepdim)

    backward = staticmethod(_values_indices_backward)


class MinDim(Function):
    node_name = "MinBackward0"

    @staticmethod
    def forward(ctx, x: Tensor, *, dim, keepdim):
        return _values_indices_forward(ctx, "min", x, dim, keepdim)

    backward = staticmethod(_values_indices_backward)


class MedianDim(Function):
    node_name = "MedianBackward1"

    @staticmethod
    def forward(ctx, x: Tensor, *, dim, keepdim):
        return _values_indices_forward(ctx, "median", x, dim, keepdim)

    backward = staticmethod(_values_indices_backward)


class MedianAll(MedianDim):
    """median() without a dim, run on the flattened tensor."""
    node_name = "MedianBackward0"


def _extremum(op: str, input: Tensor, dim, keepdim: bool):
    if dim is None:
        _check_dim_given(op, input)
        whole = MaxAll if op == "max" else MinAll
        return whole.apply(input, dims=tuple(range(input.ndim)), keepdim=keepdim)
    d = wrap_dim(dim, input.ndim)
    _check_nonempty(op, input, (d,) if input.ndim else ())
    along_dim, result = (MaxDim, MaxResult) if op == "max" else (MinDim, MinResult)
    return result(*along_dim.apply(input, dim=d, keepdim=keepdim))


@function
@method()
def max(input: Tensor, dim=None, keepdim: bool = False, *, other: Tensor | None = None):
    """`max(input)`: the largest element (NaN if there is one).
    `max(input, dim, keepdim=False)`: `(values, indices)` along `dim`; ties give the first index.
    `max(input, other)`: the elementwise maximum (`maximum`)."""
    if isinstance(dim, Tensor) or other is not None:
        return input.maximum(dim if other is None else other)
    return _extremum("max", input, dim, keepdim)


@function
@method()
def min(input: Tensor, dim=None, keepdim: bool = False, *, other: Tensor | None = None):
    """`min(input)`: the smallest element (NaN if there is one).
    `min(input, dim, keepdim=False)`: `(values, indices)` along `dim`; ties give the first index.
    `min(input, other)`: the elementwise minimum (`minimum`)."""
    if isinstance(dim, Tensor) or other is not None:
        return input.minimum(dim if other is None else other)
    return _extremum("min", input, dim, keepdim)


@function
@method()
def amax(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """Largest values over `dim` (an int or a tuple; () means every dim); NaN propagates."""
    dims = _reduction_dims(input, dim)
    if _means_all(dim):
        _check_dim_given("amax", input)
    _check_nonempty("amax", input, dims)
    return Amax.apply(input, dims=dims, keepdim=keepdim)


@function
@method()
def amin(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """Smallest values over `dim` (an int or a tuple; () means every dim); NaN propagates."""
    dims = _reduction_dims(input, dim)
    if _means_all(dim):
        _check_dim_given("amin", input)
    _check_nonempty("amin", input, dims)
    return Amin.apply(input, dims=dims, keepdim=keepdim)


def _arg_extremum(op: str, input: Tensor, dim: int | None, keepdim: bool) -> Tensor:
    name = f"arg{op}"
    if input.dtype is dtypes.bool_:
        raise RuntimeError(f"{name}(): does not support bool input (shape {list(input.shape)})")
    if dim is None:
        _check_dim_given(name, input, IndexError)
        flat = input.reshape(-1)
        out = empty((1,) * input.ndim if keepdim else (), dtypes.int64, input.device)
        input.backend.reduction.arg_reduce(op, flat.array, 0, None, _as_shape(out, (1,)))
        return out
    d = wrap_dim(dim, input.ndim)
    _check_nonempty(name, input, (d,) if input.ndim else ())
    return _arg_reduce(op, input, d, keepdim, with_values=False)[1]


@function
@method()
def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the first largest element along `dim` (of the flattened tensor when dim is
    None); a NaN counts as the largest."""
    return _arg_extremum("max", input, dim, keepdim)


@function
@method()
def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the first smallest element along `dim` (of the flattened tensor when dim is
    None); a NaN counts as the smallest."""
    return _arg_extremum("min", input, dim, keepdim)


@function
@method()
def median(input: Tensor, dim: int | None = None, keepdim: bool = False):
    """`median(input)`: the lower median of all elements (NaN if there is one, or if empty).
    `median(input, dim, keepdim=False)`: `(values, indices)` along `dim`.

    Where the median value occurs more than once, which of its indices is returned is not
    specified (PyTorch's differs too)."""
    if input.dtype is dtypes.bool_:
        raise RuntimeError(f"median(): bool tensors are not supported (shape {list(input.shape)})")
    if dim is None:
        if input.numel() == 0:
            if not input.dtype.is_floating_point:
                raise RuntimeError(f"median(): the median of an empty {input.dtype.name} tensor "
                                   f"(shape {list(input.shape)}) is undefined")
            out = empty((), input.dtype, input.device)
            input.backend.elementwise.fill(out.array, math.nan)
            return out
        return MedianAll.apply(input.reshape(-1), dim=0, keepdim=False)[0]
    d = wrap_dim(dim, input.ndim)
    _check_nonempty("median", input, (d,) if input.ndim else ())
    return MedianResult(*MedianDim.apply(input, dim=d, keepdim=keepdim))


# --- var, std, logsumexp, norm ----------------------------------------------------------------

def _var_args(op: str, input: Tensor, dim, unbiased, correction) -> tuple[tuple[int, ...], float]:
    """PyTorch's three spellings: var(x, unbiased), var(x, dim, unbiased, keepdim) and
    var(x, dim, correction=c, keepdim=k)."""
    if isinstance(dim, bool):
        if unbiased is not None:
            raise TypeError(f"{op}(): got unbiased twice (as dim={dim} and unbiased={unbiased})")
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{op}(): pass either unbiased ({unbiased}) or correction ({correction}), not both")
    if correction is None:
        correction = 1 if unbiased is None else int(unbiased)
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"{op}(): std and var only support floating point and complex dtypes, "
                           f"got {input.dtype.name} (shape {list(input.shape)})")
    return _reduction_dims(input, dim), correction


class Var(Function):
    node_name = "VarBackward0"

    @staticmethod
    def forward(ctx, x: Tensor, *, dims, correction, keepdim):
        ctx.dims, ctx.correction, ctx.keepdim = dims, correction, keepdim
        out, view = _reduced_output(x, dims, keepdim, x.dtype)
        x.backend.reduction.var(x.array, dims, correction, view)
        ctx.save_for_backward(x)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return _var_backward(grad, x, ctx.dims, ctx.correction, ctx.keepdim)


class Std(Function):
    node_name = "StdBackward0"

    @staticmethod
    def forward(ctx, x: Tensor, *, dims, correction, keepdim):
        ctx.dims, ctx.correction, ctx.keepdim = dims, correction, keepdim
        out, view = _reduced_output(x, dims, keepdim, x.dtype)
        x.backend.reduction.var(x.array, dims, correction, view, take_sqrt=True)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        # d std = d var / (2 std); where std is 0, PyTorch's subgradient is 0
        grad_var = (grad / (out * 2)).masked_fill(out.eq(0), 0)
        return _var_backward(grad_var, x, ctx.dims, ctx.correction, ctx.keepdim)


def _var_backward(grad: Tensor, x: Tensor, dims: tuple[int, ...], correction: float, keepdim: bool) -> Tensor:
    """2 (x - mean) / (N - correction). With N == correction the variance is NaN, and so is the
    gradient (the scale is inf, as in PyTorch's double arithmetic)."""
    dof = _reduced_count(tuple(x.shape), dims) - correction
    scale = 2.0 / dof if dof != 0 else math.inf
    grad = _restore_reduced_dims(grad, x.shape, dims, keepdim)
    return grad * scale * (x - x.mean(dims, keepdim=True))


@function
@method()
def var(input: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: float | None = None) -> Tensor:
    """Variance over `dim` (an int or a tuple; None means every dim), dividing by
    N - correction (correction=1 unless given; unbiased=False means correction=0)."""
    dims, correction = _var_args("var", input, dim, unbiased, correction)
    return Var.apply(input, dims=dims, correction=correction, keepdim=keepdim)


@function
@method()
def std(input: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: float | None = None) -> Tensor:
    """Standard deviation: the square root of `var` with the same arguments."""
    dims, correction = _var_args("std", input, dim, unbiased, correction)
    return Std.apply(input, dims=dims, correction=correction, keepdim=keepdim)


@function
def var_mean(input: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
             correction: float | None = None) -> tuple[Tensor, Tensor]:
    """`(var, mean)` over `dim`, with `var`'s arguments."""
    dims, correction = _var_args("var_mean", input, dim, unbiased, correction)
    return (Var.apply(input, dims=dims, correction=correction, keepdim=keepdim),
            Mean.apply(input, dims=dims, keepdim=keepdim, dtype=input.dtype))


@function
def std_mean(input: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
             correction: float | None = None) -> tuple[Tensor, Tensor]:
    """`(std, mean)` over `dim`, with `std`'s arguments."""
    dims, correction = _var_args("std_mean", input, dim, unbiased, correction)
    return (Std.apply(input, dims=dims, correction=correction, keepdim=keepdim),
            Mean.apply(input, dims=dims, keepdim=keepdim, dtype=input.dtype))


class LogSumExp(Function):
    node_name = "LogsumexpBackward0"

    @staticmethod
    def forward(ctx, x: Tensor, *, dims, keepdim, dtype):
        ctx.dims, ctx.keepdim = dims, keepdim
        out, view = _reduced_output(x, dims, keepdim, dtype)
        x.backend.reduction.logsumexp(x.array, dims, view)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        grad = _restore_reduced_dims(grad, x.shape, ctx.dims, ctx.keepdim)
        out = _restore_reduced_dims(out, x.shape, ctx.dims, ctx.keepdim)
        return grad * (x - out).exp()


@function
@method()
def logsumexp(input: Tensor, dim, keepdim: bool = False) -> Tensor:
    """log(sum(exp(input))) over `dim` (an int or a tuple), computed without overflow.
    Integer tensors give the default float dtype."""
    out_dtype = input.dtype if input.dtype.is_floating_point else dtypes.get_default_dtype()
    return LogSumExp.apply(input, dims=_reduction_dims(input, dim), keepdim=keepdim, dtype=out_dtype)


class Norm(Function):
    node_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x: Tensor, *, dims, p, keepdim, dtype):
        ctx.dims, ctx.p, ctx.keepdim = dims, p, keepdim
        out, view = _reduced_output(x, dims, keepdim, dtype)
        x.backend.reduction.norm(x.array, dims, p, view)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, norm = ctx.saved_tensors
        p, dims = ctx.p, ctx.dims
        if p == 0:
            return None  # a count of nonzeros: PyTorch gives no gradient at all
        grad = _restore_reduced_dims(grad, x.shape, dims, ctx.keepdim)
        norm = _restore_reduced_dims(norm, x.shape, dims, ctx.keepdim)
        if p == 1:
            return x.sign() * grad
        if p == 2:
            return grad * (x / norm).masked_fill(norm.eq(0), 0)
        if math.isinf(p):
            return _inf_norm_backward(grad, x, norm, dims)
        if p < 1:
            # |x|^(p-1) is inf at 0, where PyTorch's subgradient is 0
            scaled = x.sign() * x.abs().pow(p - 1).masked_fill(x.eq(0), 0)
            return scaled * grad * norm.pow(1 - p)
        scaled = x.sign() * x.abs().pow(p - 1) if p < 2 else x * x.abs().pow(p - 2)
        return scaled * (grad / norm.pow(p - 1)).masked_fill(norm.eq(0), 0)


def _inf_norm_backward(grad: Tensor, x: Tensor, norm: Tensor, dims: tuple[int, ...]) -> Tensor:
    """The (-)inf norm is amax (amin) of |x|: the gradient is shared by the elements whose |x|
    is the norm, or that are NaN (as PyTorch), with x's sign."""
    magnitude = x.abs()
    ties = magnitude.eq(norm).logical_or(magnitude.isnan())
    return x.sign() * _spread_over_ties(grad, ties, dims)


def _norm_order(p, dim, dims: tuple[int, ...]) -> float:
    if isinstance(p, str):
        if p != "fro":
            raise RuntimeError(f"norm: order {p!r} is not supported; use a number, inf, -inf or 'fro'")
        if dim is not None and len(dims) > 2:
            raise RuntimeError(f"norm: the 'fro' norm takes at most 2 dims, got dim={dim}")
        return 2.0
    return 2.0 if p is None else float(p)


@function
@method()
def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """The vector p-norm over `dim` (an int or a tuple; None flattens): p = 2 ('fro', the
    default), 1, inf (max |x|), -inf (min |x|), 0 (count of nonzeros) or any other number.

    Unlike PyTorch, 'fro' over 2 dims is computed as a vector norm (the same value) and the
    matrix 'nuc' norm is not supported."""
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"norm: expected a floating point input, got dtype {input.dtype.name} "
                           f"(shape {list(input.shape)})")
    out_dtype = input.dtype
    if dtype is not None:
        out_dtype = dtypes.as_dtype(dtype)
        if dtypes.promote_types(input.dtype, out_dtype) is not out_dtype:
            raise RuntimeError(f"norm: the dtype of the input ({input.dtype.name}) should be "
                               f"convertible without narrowing to the specified dtype ({out_dtype.name})")
    dims = _reduction_dims(input, dim)
    order = _norm_order(p, dim, dims)
    if (order < 0 or order == math.inf) and builtins.any(input.shape[d] == 0 for d in dims):
        raise RuntimeError(f"norm: cannot compute the {order} norm over dims {list(dims)} of a tensor "
                           f"of shape {list(input.shape)}: the reduction is empty and this norm has no identity")
    return Norm.apply(input, dims=dims, p=order, keepdim=keepdim, dtype=out_dtype)


# --- any, all, count_nonzero ------------------------------------------------------------------

def _logical_dtype(x: Tensor) -> dtypes.DType:
    """any/all give bool, except uint8 input gives uint8 (as PyTorch)."""
    return dtypes.uint8 if x.dtype is dtypes.uint8 else dtypes.bool_


@function
@method()
def any(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Whether any element over `dim` is nonzero (None: every dim; as PyTorch, dim=() tests
    each element alone). False when empty."""
    dims = _reduction_dims(input, dim, empty_means_all=False)
    return _reduce("any", input, dims, keepdim, _logical_dtype(input))


@function
@method()
def all(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Whether every element over `dim` is nonzero (None: every dim; as PyTorch, dim=() tests
    each element alone). True when empty."""
    dims = _reduction_dims(input, dim, empty_means_all=False)
    return _reduce("all", input, dims, keepdim, _logical_dtype(input))


@function
@method()
def count_nonzero(input: Tensor, dim=None) -> Tensor:
    """Number of nonzero elements over `dim` (an int or a tuple; None or () means every dim), as int64."""
    return _reduce("count_nonzero", input, _reduction_dims(input, dim), False, dtypes.int64)


# --- cumsum, cumprod --------------------------------------------------------------------------

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
        return _reversed_cumsum(grad, ctx.dim) if grad.ndim else grad


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
        if not _has_zero(x):
            return _reversed_cumsum(grad * out, dim) / x
        if is_grad_enabled():  # create_graph: this backward will be differentiated again
            return _cumprod_backward_by_slices(grad, x, dim)
        return _cumprod_backward_with_zeros(grad, x, out, dim)


def _cumprod_backward_with_zeros(grad: Tensor, x: Tensor, out: Tensor, dim: int) -> Tensor:
    """cumprod's gradient where x has zeros (PyTorch's case analysis). Along dim, with z the
    first zero: before z, out[k] / x[i] is still the product of the others (every out[k] from
    z on is 0, as it should be); at z, the sum over k >= z of grad[k] times the running product
    that skips x[z]; after z, every product of the others holds x[z], so 0.

    Right to first order only: differentiating it again misses how the gradient after z moves
    with x[z] (`_cumprod_backward_by_slices` is used when that matters)."""
    is_zero = x.eq(0)
    zeros_so_far = is_zero.cumsum(dim)
    before_first = zeros_so_far.eq(0)
    first_zero = is_zero.logical_and(zeros_so_far.eq(1))
    before = _reversed_cumsum(grad * out, dim) / x.masked_fill(~before_first, 1)
    skipping_first = x.masked_fill(first_zero, 1).cumprod(dim, dtype=out.dtype)
    at_first = _reversed_cumsum(grad * skipping_first, dim)
    return where(before_first, before, where(first_zero, at_first, 0))


def _cumprod_backward_by_slices(grad: Tensor, x: Tensor, dim: int) -> Tensor:
    """cumprod's gradient as PyTorch computes it under create_graph when x has zeros: for each
    i, the sum over k >= i of grad[k] times the product of x[:k+1] without x[i], built from
    prod and cumprod of slices (no division), so that it differentiates right again. O(n^2)."""
    size = x.shape[dim]
    ones = x.new_ones(tuple(1 if d == dim else s for d, s in enumerate(x.shape)))
    pieces = []
    for i in range(size):
        before = x.narrow(dim, 0, i).prod(dim, keepdim=True)
        after = x.narrow(dim, i + 1, size - i - 1).cumprod(dim)
        others = cat([ones, after], dim) * before  # for k = i .. size-1
        pieces.append((grad.narrow(dim, i, size - i) * others).sum(dim, keepdim=True))
    return cat(pieces, dim)


def _scan_args(op: str, input: Tensor, dim: int, dtype) -> tuple[int, dtypes.DType]:
    d = wrap_dim(dim, input.ndim)
    out_dtype = _accumulating_dtype(input, dtype)
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


# --- sort, argsort, topk ----------------------------------------------------------------------

def _sort_into(x: Tensor, dim: int, descending: bool, stable: bool, values: Tensor | None, indices: Tensor) -> None:
    x.backend.reduction.sort(at_least_1d(x.array), dim, descending, stable,
                             at_least_1d(None if values is None else values.array), at_least_1d(indices.array))


class Sort(Function):
    node_name = "SortBackward0"

    @staticmethod
    def forward(ctx, x: Tensor, *, dim, descending, stable):
        ctx.dim = dim
        values, indices = empty(x.shape, x.dtype, x.device), empty(x.shape, dtypes.int64, x.device)
        _sort_into(x, dim, descending, stable, values, indices)
        ctx.save_for_backward(indices)
        ctx.mark_non_differentiable(indices)
        return values, indices

    @staticmethod
    def backward(ctx, grad, _indices_grad):
        indices, = ctx.saved_tensors
        return _select_backward(grad, indices, ctx.dim, tuple(indices.shape), keepdim=True)


@function
@method()
def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False):
    """`(values, indices)` sorted along `dim`. NaN sorts as the largest value. tritorch's cpu
    sort is always stable: equal values keep their order (PyTorch promises it with stable=True)."""
    return SortResult(*Sort.apply(input, dim=wrap_dim(dim, input.ndim), descending=descending, stable=stable))


@function
@method()
def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The indices that sort `input` along `dim` (see `sort`)."""
    indices = empty(input.shape, dtypes.int64, input.device)
    _sort_into(input, wrap_dim(dim, input.ndim), descending, stable, None, indices)
    return indices


def _narrow(view: ArrayView, dim: int, length: int) -> ArrayView:
    shape = list(view.shape)
    shape[dim] = length
    return ArrayView(view.buffer, view.offset, tuple(shape), view.strides, view.dtype)


class TopK(Function):
    node_name = "TopkBackward0"

    @staticmethod
    def forward(ctx, x: Tensor, *, k, dim, largest):
        ctx.dim, ctx.input_shape = dim, tuple(x.shape)
        # A full stable sort, then its first k along dim: simple, and exact for every k.
        sorted_values, sorted_indices = empty(x.shape, x.dtype, x.device), empty(x.shape, dtypes.int64, x.device)
        _sort_into(x, dim, largest, True, sorted_values, sorted_indices)
        shape = list(x.shape)
        if x.ndim:
            shape[dim] = k
        else:
            k = 1  # as PyTorch, a 0-d tensor gives its element for k = 0 too
        values, indices = empty(shape, x.dtype, x.device), empty(shape, dtypes.int64, x.device)
        copy = x.backend.copy.copy
        copy(_narrow(at_least_1d(sorted_values.array), dim, k), at_least_1d(values.array))
        copy(_narrow(at_least_1d(sorted_indices.array), dim, k), at_least_1d(indices.array))
        ctx.save_for_backward(indices)
        ctx.mark_non_differentiable(indices)
        return values, indices

    @staticmethod
    def backward(ctx, grad, _indices_grad):
        indices, = ctx.saved_tensors
        return _select_backward(grad, indices, ctx.dim, ctx.input_shape, keepdim=True)


@function
@method()
def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """`(values, indices)` of the k largest (or smallest) elements along `dim`, in sorted order
    (also when sorted=False). NaN counts as the largest value."""
    d = wrap_dim(dim, input.ndim)
    if input.dtype is dtypes.bool_:
        raise RuntimeError(f"topk: bool tensors are not supported (shape {list(input.shape)})")
    size = input.shape[d] if input.ndim else 1
    k = int(k)
    if not 0 <= k <= size:
        raise RuntimeError(f"topk: selected index k out of range: k={k} but dimension {d} of the "
                           f"input (shape {list(input.shape)}) has size {size}")
    return TopKResult(*TopK.apply(input, k=k, dim=d, largest=largest))
