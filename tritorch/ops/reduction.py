"""Reductions: sum, mean, prod, max/min, amax/amin, argmax/argmin, median, var/std, logsumexp,
norm, any/all, count_nonzero (scans are in scan.py, sorting in sorting.py).

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
import numbers

from .. import dtypes
from ..array_view import ArrayView
from ..autograd.function import Function
from ..tensor import Tensor
from .common import accumulating_dtype, as_shape, at_least_1d, empty, values_indices, wrap_dim, wrap_dims
from .indexing import Selection
from .joining import cat
from .registry import function, method


MaxResult = values_indices("max")
MinResult = values_indices("min")
MedianResult = values_indices("median")
ModeResult = values_indices("mode")


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


def _reduced_output(x: Tensor, dims: tuple[int, ...], keepdim: bool, dtype: dtypes.DType) -> tuple[Tensor, ArrayView]:
    """A new result tensor (reduced dims kept as size 1 or dropped) and the view of it that a
    primitive writes: x's rank, size 1 at `dims`."""
    kept = tuple(1 if d in dims else s for d, s in enumerate(x.shape))
    shape = kept if keepdim else tuple(s for d, s in enumerate(x.shape) if d not in dims)
    out = empty(shape, dtype, x.device)
    return out, as_shape(out, kept)


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
        ctx.save_for_backward(x)
        return _reduce("prod", x, dims, keepdim, dtype)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        if x.ndim == 0:
            return grad
        grad = _restore_reduced_dims(grad, x.shape, ctx.dims, ctx.keepdim)
        # the product of the others, not out / x: right with zeros without reading the device
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
    return Sum.apply(input, dims=dims, keepdim=keepdim, dtype=accumulating_dtype(input, dtype))


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
    return Prod.apply(input, dims=dims, keepdim=keepdim, dtype=accumulating_dtype(input, dtype))


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


class _ArgReduction(Selection):
    """max/min/median/mode along one dim: the values and where they are."""
    op = ""

    @classmethod
    def select(cls, x: Tensor, *, dim: int, keepdim: bool):
        return _arg_reduce(cls.op, x, dim, keepdim, with_values=True)


class MaxDim(_ArgReduction):
    op, node_name = "max", "MaxBackward0"


class MinDim(_ArgReduction):
    op, node_name = "min", "MinBackward0"


class MedianDim(_ArgReduction):
    op, node_name = "median", "MedianBackward1"


class MedianAll(MedianDim):
    """median() without a dim, run on the flattened tensor."""
    node_name = "MedianBackward0"


class ModeDim(_ArgReduction):
    op, node_name = "mode", "ModeBackward0"


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
        input.backend.reduction.arg_reduce(op, flat.array, 0, None, as_shape(out, (1,)))
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

    Where the median value occurs more than once, the index is the one a stable sort puts at
    the median position (PyTorch's cpu gives the same)."""
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


@function
@method()
def mode(input: Tensor, dim: int = -1, keepdim: bool = False):
    """`(values, indices)` of the most frequent value along `dim`: among equally frequent values
    the smallest, and the index of its last occurrence (PyTorch's cpu agrees on rows of up to
    16 elements; past that its index is any occurrence). NaNs count as one value, the largest;
    -0.0 counts as 0.0."""
    d = wrap_dim(dim, input.ndim)
    _check_nonempty("mode", input, (d,) if input.ndim else ())
    return ModeResult(*ModeDim.apply(input, dim=d, keepdim=keepdim))


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
    dims = _reduction_dims(input, dim)
    return _vector_norm("norm", input, _norm_order(p, dim, dims), dims, keepdim, dtype)


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """`tritorch.linalg.vector_norm` (torch.linalg's): the `ord`-norm of x over `dim` (an int or a
    tuple; None or () flattens), ord a number (inf, -inf and 0 included); `dtype=` casts x first."""
    if not isinstance(ord, numbers.Real):
        raise TypeError(f"linalg.vector_norm(): argument 'ord' must be a number, not {type(ord).__name__}")
    return _vector_norm("linalg.vector_norm", x, float(ord), _reduction_dims(x, dim), keepdim, dtype)


def _vector_norm(name: str, x: Tensor, order: float, dims: tuple[int, ...], keepdim: bool, dtype) -> Tensor:
    """PyTorch's checks of a vector norm (its messages, prefixed by `name`), then the norm."""
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"{name}: expected a floating point input, got dtype {x.dtype.name} "
                           f"(shape {list(x.shape)})")
    out_dtype = x.dtype
    if dtype is not None:
        out_dtype = dtypes.as_dtype(dtype)
        if not out_dtype.is_floating_point:
            raise RuntimeError(f"{name}: dtype should be floating point, but got {out_dtype.name}")
        if dtypes.promote_types(x.dtype, out_dtype) is not out_dtype:
            raise RuntimeError(f"{name}: the dtype of the input ({x.dtype.name}) should be "
                               f"convertible without narrowing to the specified dtype ({out_dtype.name})")
    if (order < 0 or order == math.inf) and builtins.any(x.shape[d] == 0 for d in dims):
        raise RuntimeError(f"{name}: cannot compute the {order} norm over dims {list(dims)} of a tensor "
                           f"of shape {list(x.shape)}: the reduction is empty and this norm has no identity")
    return Norm.apply(x, dims=dims, p=order, keepdim=keepdim, dtype=out_dtype)


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


