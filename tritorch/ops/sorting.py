"""Sorting along a dim: sort, argsort, msort, topk, kthvalue. Each calls the backend's
`reduction.sort` primitive (values and int64 indices of the input's shape, always stable);
backward scatters the gradient back to the picked indices."""
from __future__ import annotations

from .. import dtypes
from ..array_view import ArrayView
from ..tensor import Tensor
from .common import as_shape, at_least_1d, empty, values_indices, wrap_dim
from .indexing import Selection
from .registry import function, method

SortResult = values_indices("sort")
TopKResult = values_indices("topk")
KthValueResult = values_indices("kthvalue")


def _sort_into(x: Tensor, dim: int, descending: bool, stable: bool, values: Tensor | None, indices: Tensor) -> None:
    x.backend.reduction.sort(at_least_1d(x.array), dim, descending, stable,
                             at_least_1d(None if values is None else values.array), at_least_1d(indices.array))


class Sort(Selection):
    node_name = "SortBackward0"

    @staticmethod
    def select(x: Tensor, *, dim, keepdim, descending, stable):
        values, indices = empty(x.shape, x.dtype, x.device), empty(x.shape, dtypes.int64, x.device)
        _sort_into(x, dim, descending, stable, values, indices)
        return values, indices


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


def _narrow(view: ArrayView, dim: int, start: int, length: int) -> ArrayView:
    shape = list(view.shape)
    shape[dim] = length
    return ArrayView(view.buffer, view.offset + start * view.strides[dim], tuple(shape), view.strides, view.dtype)


def _sorted_slice(x: Tensor, dim: int, descending: bool, start: int, length: int, keepdim: bool = True):
    """(values, indices) at positions [start, start + length) along `dim` of x's stable sort,
    the size-1 `dim` dropped unless keepdim (length 1 only)."""
    sorted_values, sorted_indices = empty(x.shape, x.dtype, x.device), empty(x.shape, dtypes.int64, x.device)
    _sort_into(x, dim, descending, True, sorted_values, sorted_indices)
    kept = tuple(length if d == dim else s for d, s in enumerate(x.shape))
    shape = kept if keepdim else tuple(s for d, s in enumerate(x.shape) if d != dim)
    values, indices = empty(shape, x.dtype, x.device), empty(shape, dtypes.int64, x.device)
    for src, dst in ((sorted_values, values), (sorted_indices, indices)):
        x.backend.copy.copy(_narrow(at_least_1d(src.array), dim, start, length), at_least_1d(as_shape(dst, kept)))
    return values, indices


class TopK(Selection):
    node_name = "TopkBackward0"

    @staticmethod
    def select(x: Tensor, *, dim, keepdim, k, largest):
        # A full stable sort, then its first k along dim: simple, and exact for every k. As
        # PyTorch, a 0-d tensor gives its element for k = 0 too.
        return _sorted_slice(x, dim, largest, 0, k if x.ndim else 1)


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


@function
@method()
def msort(input: Tensor) -> Tensor:
    """`input` sorted along its first dim (`sort(input, dim=0).values`)."""
    return sort(input, 0).values


class KthValue(Selection):
    node_name = "KthvalueBackward0"

    @staticmethod
    def select(x: Tensor, *, dim, keepdim, k):
        return _sorted_slice(x, dim, False, k - 1, 1, keepdim)


@function
@method()
def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False):
    """`(values, indices)` of the k-th smallest element along `dim` (k counts from 1; NaN is the
    largest). Among equal values the index is the one a stable sort puts at position k - 1
    (PyTorch's quickselect may return another index of the same value)."""
    d = wrap_dim(dim, input.ndim)
    if input.dtype is dtypes.bool_:
        raise RuntimeError(f"kthvalue(): bool tensors are not supported (shape {list(input.shape)})")
    size = input.shape[d] if input.ndim else 1
    if size == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {d} to have non-zero size "
                         f"(input shape {list(input.shape)})")
    k = int(k)
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}: k={k} but the "
                           f"input (shape {list(input.shape)}) has size {size} there")
    return KthValueResult(*KthValue.apply(input, k=k, dim=d, keepdim=keepdim))
