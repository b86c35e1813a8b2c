"""Indexing: `x[key]`, `x[key] = value`, gather/scatter, index_select, take, masked_select,
nonzero, index_put/index_fill/index_copy/index_add (joining and rearranging: `joining.py`).

Basic indexing (ints, slices, None, ...) returns views built from the ops of `views.py`.
Advanced indexing (integer/bool tensors, lists, numpy arrays) follows PyTorch/numpy rules:
the index tensors broadcast together to a shape I; if they index adjacent dimensions, I
replaces those dimensions in place, otherwise I goes first. Its results are copies, made by
the `index` family's primitives, whose layout puts I first; the ops pass a permuted view of
the final tensor so that the result is contiguous in the numpy/PyTorch order.
"""
from __future__ import annotations

import builtins
import operator
import warnings

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor
from . import views
from .common import (broadcast_shapes, bump_version, empty, expand_to, is_scalar, operand_device, same_device,
                     wrap_dim)
from .conversion import clone
from .creation import full, tensor as new_tensor
from .registry import function, method

_BAD_INDEX = ("only integers, slices (`:`), ellipsis (`...`), None and long or bool tensors are "
              "valid indices (got {})")


# --- bounds ---------------------------------------------------------------------------------

def value_range(index: Tensor) -> tuple[int, int]:
    """(min, max) of a non-empty integer tensor, reduced on its device and read back in one
    round trip of two scalars."""
    rng = empty((2,), dtypes.int64, index.device)
    index.backend.index.index_range(index.array, rng.array)
    lo, hi = rng.tolist()
    return lo, hi


def _out_of_bounds(index: Tensor, low: int, high: int) -> int | None:
    """An element of `index` outside [low, high), or None (one device round trip)."""
    if index.numel() == 0:
        return None
    lo, hi = value_range(index)
    if hi >= high:
        return hi
    return lo if lo < low else None


def _check_bounds(index: Tensor, size: int, dim: int, *, negative_ok: bool = True,
                  error: type = IndexError, op: str = "") -> None:
    bad = _out_of_bounds(index, -size if negative_ok else 0, size)
    if bad is not None:
        raise error(f"{op}index {bad} is out of bounds for dimension {dim} with size {size}")


def _as_int64(index: Tensor, op: str, allowed: tuple = (dtypes.int64, dtypes.int32)) -> Tensor:
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): index must be a Tensor, got {type(index).__name__}")
    if index.dtype not in allowed:
        names = " or ".join(d.name for d in allowed)
        raise RuntimeError(f"{op}(): Expected dtype {names} for index, got {index.dtype.name}")
    return index if index.dtype is dtypes.int64 else index.to(dtypes.int64)


# --- parsing an index key -------------------------------------------------------------------

def _parse_key(key, device, ints_as_views: bool = True) -> tuple:
    """The key as a tuple of None, Ellipsis, slice, int and Tensor (integer or bool) entries.

    A 0-d integer tensor becomes an int (a view, as PyTorch's `x[torch.tensor(1)]` values)
    unless `ints_as_views` is False (`index_put_`, which takes only tensors)."""
    if not isinstance(key, tuple):
        key = tuple(key) if isinstance(key, list) and _list_is_tuple(key) else (key,)
    return tuple(_parse_entry(k, device, ints_as_views) for k in key)


def _list_is_tuple(key: list) -> bool:
    """PyTorch's legacy rule: a list holding slices, None, ..., sequences or tensors indexes
    several dimensions, like a tuple (PyTorch warns that this will change)."""
    several = len(key) < 32 and any(
        k is None or k is Ellipsis or isinstance(k, (slice, list, tuple, np.ndarray, Tensor)) for k in key)
    if several:
        warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated; "
                      "use x[tuple(seq)] instead of x[seq]", UserWarning, stacklevel=4)
    return several


def _parse_entry(k, device, ints_as_views: bool):
    if k is None or k is Ellipsis or isinstance(k, slice):
        return k
    if isinstance(k, Tensor):
        return _tensor_entry(k, ints_as_views)
    if isinstance(k, (builtins.bool, np.bool_)):
        return full((), builtins.bool(k), dtype=dtypes.bool_, device=device)
    if isinstance(k, (builtins.int, np.integer)):
        return builtins.int(k)
    if isinstance(k, (list, tuple, range, np.ndarray)):
        a = np.asarray(k)
        if a.size == 0 and not isinstance(k, np.ndarray):
            a = a.astype(np.int64)  # `x[[]]` selects nothing, as in PyTorch
        return _tensor_entry(new_tensor(a, device=device), ints_as_views)
    raise IndexError(_BAD_INDEX.format(type(k).__name__))


def _tensor_entry(t: Tensor, ints_as_views: bool):
    if t.dtype.is_floating_point:
        raise IndexError(f"tensors used as indices must be long, int, byte or bool tensors, "
                         f"got {t.dtype.name}")
    if t.dtype is dtypes.uint8:
        warnings.warn("indexing with dtype uint8 is deprecated, please use dtype bool instead",
                      UserWarning, stacklevel=4)
        return t.to(dtypes.bool_)
    if t.dtype.kind == "i" and t.ndim == 0 and ints_as_views:
        return builtins.int(t.item())
    return t


def _is_mask(k) -> bool:
    return isinstance(k, Tensor) and k.dtype is dtypes.bool_


def _dims_used(k) -> int:
    if k is None or k is Ellipsis:
        return 0
    return k.ndim if _is_mask(k) else 1


# --- basic indexing: views ------------------------------------------------------------------

def _apply_basic(x: Tensor, key: tuple) -> tuple[Tensor, list]:
    """Apply the ints, slices, None and ... of `key` as views. Tensor entries keep their
    dimensions and come back as (dim of the view, dim of x, int index tensor, whether it needs a
    bounds check: a mask's nonzero columns are in range by construction)."""
    used = sum(_dims_used(k) for k in key)
    if used > x.ndim:
        raise IndexError(f"too many indices for tensor of dimension {x.ndim} (got {used} indices)")
    v, d, src, adv, seen_ellipsis = x, 0, 0, [], False
    for k in key:
        if k is Ellipsis:
            # PyTorch lets later ellipses stand for no dimensions
            skip = 0 if seen_ellipsis else x.ndim - used
            d, src, seen_ellipsis = d + skip, src + skip, True
        elif k is None:
            v, d = views.unsqueeze(v, d), d + 1
        elif isinstance(k, builtins.int):
            v, src = _select(v, d, k, src), src + 1
        elif isinstance(k, slice):
            v, d, src = _slice(v, d, k), d + 1, src + 1
        elif _is_mask(k):
            v, entries = _mask_entries(x, v, d, src, k)
            adv += entries
            d, src = d + max(k.ndim, 1), src + k.ndim
        else:
            adv.append((d, src, k, True))
            d, src = d + 1, src + 1
    return v, adv


def _check_index(index: int, size: int, dim: int) -> None:
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of bounds for dimension {dim} with size {size}")


def _slice_range(k: slice, size: int) -> tuple[int, int, int, int]:
    """(start, stop, step, length) of slice `k` over a dim of `size`, clipped like Python's."""
    step = 1 if k.step is None else operator.index(k.step)
    if step <= 0:
        raise ValueError("step must be greater than zero")
    start, stop, _ = slice(k.start, k.stop, step).indices(size)
    return start, stop, step, max(0, -(-(stop - start) // step))


def _select(v: Tensor, d: int, index: int, src: int) -> Tensor:
    _check_index(index, v.shape[d], src)
    return views.select(v, d, index)


def _slice(v: Tensor, d: int, k: slice) -> Tensor:
    start, _, step, length = _slice_range(k, v.shape[d])
    shape, strides = list(v.shape), list(v.stride())
    shape[d], strides[d] = length, strides[d] * step
    # the gradient is scattered back by slicing a tensor of v's shape the same way
    return views._subview(v, shape, strides, v.storage_offset() + start * v.stride(d),
                          name="SliceBackward0", reselect=lambda t: _slice(t, d, k))


def _mask_entries(x: Tensor, v: Tensor, d: int, src: int, mask: Tensor) -> tuple[Tensor, list]:
    """A bool mask over dims d.. of v becomes one int index per dim: the columns of nonzero.
    A 0-d mask adds a dimension of size 1 and keeps it (True) or empties it (False)."""
    if mask.ndim == 0:
        n = 1 if mask.item() else 0
        return views.unsqueeze(v, d), [(d, src, full((n,), 0, dtype=dtypes.int64, device=v.device), False)]
    for j, size in enumerate(mask.shape):
        if size != v.shape[d + j]:
            raise IndexError(f"The shape of the mask {list(mask.shape)} at index {j} does not match "
                             f"the shape of the indexed tensor {list(x.shape)} at index {src + j}")
    nz = nonzero(mask)
    return v, [(d + j, src + j, views.select(nz, 1, j), False) for j in range(mask.ndim)]


def _basic_view(x: Tensor, key) -> Tensor | None:
    """`x[key]` as one view when `key` holds only ints, slices, None and at most one ... (the
    common case, kept short); None for any other key, which `_apply_basic` takes entry by entry.
    The gradient node is named after the last entry that changes the view, as PyTorch names
    it (within a tuple, a slice from 0 covering its whole dim changes nothing)."""
    whole = type(key) is slice
    key = key if type(key) is tuple else (key,)
    used = 0
    for k in key:
        if type(k) is builtins.int or type(k) is slice:
            used += 1
        elif k is not None and k is not Ellipsis:
            return None
    if used > x.ndim or sum(k is Ellipsis for k in key) > 1:
        return None
    shape, strides, offset = x.shape, x.stride(), x.storage_offset()
    out_shape, out_strides, d, name = [], [], 0, "AliasBackward0"
    for k in key:
        if k is None:
            out_shape.append(1)
            out_strides.append(shape[d] * strides[d] if d < len(shape) else 1)
            name = "UnsqueezeBackward0"
        elif k is Ellipsis:
            skip = x.ndim - used
            out_shape += shape[d:d + skip]
            out_strides += strides[d:d + skip]
            d += skip
        elif type(k) is slice:
            start, stop, step, length = _slice_range(k, shape[d])
            if whole or step != 1 or stop != shape[d] or (k.start is not None and k.start != 0):
                name = "SliceBackward0"
            out_shape.append(length)
            out_strides.append(strides[d] * step)
            offset += start * strides[d]
            d += 1
        else:
            _check_index(k, shape[d], d)
            offset += (k % shape[d]) * strides[d]
            d += 1
            name = "SelectBackward0"
    out_shape += shape[d:]
    out_strides += strides[d:]
    return views._subview(x, out_shape, out_strides, offset, name=name,
                          reselect=lambda t: _basic_view(t, key))


def _alias(x: Tensor) -> Tensor:
    """`x[...]`: a new view of all of x (its gradient passes through)."""
    return views._view(x, x.shape, x.stride(), name="AliasBackward0")


# --- advanced indexing: the index primitives ------------------------------------------------

def _advanced_indices(v: Tensor, adv: list) -> tuple:
    """Index tensors broadcast together, as int64, bounds-checked: one entry per dim of v."""
    try:
        shape = broadcast_shapes(*(t.shape for _, _, t, _ in adv))
    except RuntimeError:
        shapes = ", ".join(str(list(t.shape)) for _, _, t, _ in adv)
        raise IndexError(f"shape mismatch: indexing tensors could not be broadcast together "
                         f"with shapes {shapes}") from None
    indices = [None] * v.ndim
    for d, src, t, check in adv:
        t = t.to(device=v.device, dtype=dtypes.int64)  # no copy when it already is
        if check:
            _check_bounds(t, v.shape[d], src)
        indices[d] = expand_to(t, shape)
    return tuple(indices)


def _index_front(indices: tuple) -> int:
    """Where the broadcast index dims go in the result: in place of adjacent indexed dims,
    otherwise first (numpy's rule)."""
    dims = [d for d, j in enumerate(indices) if j is not None]
    return dims[0] if dims[-1] - dims[0] + 1 == len(dims) else 0


def _index_shape(indices: tuple) -> tuple:
    return next(tuple(j.shape) for j in indices if j is not None)


def _result_shape(x: Tensor, indices: tuple, front: int) -> tuple:
    kept = [x.shape[d] for d, j in enumerate(indices) if j is None]
    return tuple(kept[:front]) + _index_shape(indices) + tuple(kept[front:])


def _dims_first(t: Tensor, front: int, n: int) -> Tensor:
    """A view of `t` (in result order) in the primitives' order: index dims first."""
    order = list(range(front, front + n)) + list(range(front)) + list(range(front + n, t.ndim))
    return views.permute(t, order)


def _arrays(indices: tuple) -> tuple:
    return tuple(None if j is None else j.array for j in indices)


class IndexGet(Function):
    """x[indices] with the index dims at `front` of the result (see `_index_front`)."""

    node_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, x: Tensor, *, indices: tuple, front: int) -> Tensor:
        out = empty(_result_shape(x, indices, front), x.dtype, x.device)
        if out.numel():
            n = len(_index_shape(indices))
            x.backend.index.index_get(x.array, _arrays(indices), _dims_first(out, front, n).array)
        ctx.save_for_backward(*(j for j in indices if j is not None))
        ctx.indices, ctx.front, ctx.input_shape = indices, front, tuple(x.shape)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor):
        indices = _saved_indices(ctx)
        values = _dims_first(grad, ctx.front, len(_index_shape(indices)))
        zeros = full(ctx.input_shape, 0, dtype=grad.dtype, device=grad.device)
        # repeated indices read one element several times: their gradients add up
        return IndexPut.apply(zeros, values, indices=indices, accumulate=True)


class IndexPut(Function):
    """In place: x[indices] = values (+= with `accumulate`), values in the primitives' layout
    (index dims first)."""

    node_name = "IndexPutBackward0"
    inplace = True

    @staticmethod
    def forward(ctx, x: Tensor, values: Tensor, *, indices: tuple, accumulate: bool) -> Tensor:
        if values.numel():
            x.backend.index.index_put(x.array, _arrays(indices), values.array, accumulate)
        bump_version(x)
        ctx.save_for_backward(*(j for j in indices if j is not None))
        ctx.indices, ctx.accumulate = indices, accumulate
        return x

    @staticmethod
    def backward(ctx, grad: Tensor):
        indices = _saved_indices(ctx)
        grad_self = grad_values = None
        if ctx.needs_input_grad[0]:
            # overwritten old values no longer reach the output; added-to ones still do
            grad_self = grad if ctx.accumulate else _zeroed_at(grad, indices)
        if ctx.needs_input_grad[1]:
            grad_values = IndexGet.apply(grad, indices=indices, front=0)
        return grad_self, grad_values


def _saved_indices(ctx) -> tuple:
    """ctx.indices with its tensors read from saved_tensors, which checks that they were not
    modified in place since forward."""
    saved = iter(ctx.saved_tensors)
    return tuple(None if j is None else next(saved) for j in ctx.indices)


def _zeroed_at(grad: Tensor, indices: tuple) -> Tensor:
    """A copy of grad with the positions at `indices` set to zero."""
    zeros = expand_to(full((), 0, dtype=grad.dtype, device=grad.device), _result_shape(grad, indices, 0))
    return IndexPut.apply(grad.clone(), zeros, indices=indices, accumulate=False)


def _index_put(x: Tensor, indices: tuple, values, accumulate: bool) -> None:
    """x[indices] = values (a scalar or a tensor broadcast to the indexing result)."""
    front = _index_front(indices)
    vals = _value_tensor(values, x, _result_shape(x, indices, front))
    vals = _dims_first(vals, front, len(_index_shape(indices)))
    IndexPut.apply(x, vals, indices=indices, accumulate=accumulate)


def _value_tensor(value, x: Tensor, shape: tuple) -> Tensor:
    """`value` as a tensor on x's device broadcast to `shape` (through view ops, so that autograd
    sees them); leading size-1 dims beyond `shape` are dropped, as PyTorch's setitem does."""
    if not isinstance(value, Tensor):
        value = new_tensor(value, dtype=x.dtype, device=x.device)
    value = value.to(operand_device([value], [x]))  # a 0-dim cpu value joins, as a scalar would
    while value.ndim > len(shape) and value.shape[0] == 1:
        value = views.select(value, 0, 0)
    try:
        fits = broadcast_shapes(value.shape, shape) == tuple(shape)
    except RuntimeError:
        fits = False
    if not fits:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(value.shape)} cannot be "
                           f"broadcast to indexing result of shape {list(shape)}")
    return views.broadcast_to(value, shape)


# --- x[key] and x[key] = value --------------------------------------------------------------

@method("__getitem__")
def getitem(self: Tensor, key) -> Tensor:
    """`x[key]`: a view for ints, slices, None and ...; a copy when `key` holds integer or bool
    tensors, lists or arrays (advanced indexing, numpy's rules)."""
    view = _basic_view(self, key)
    if view is not None:
        return view
    v, adv = _apply_basic(self, _parse_key(key, self.device))
    if not adv:
        return _alias(self) if v is self else v
    indices = _advanced_indices(v, adv)
    return IndexGet.apply(v, indices=indices, front=_index_front(indices))


@method("__setitem__")
def setitem(self: Tensor, key, value) -> None:
    """`x[key] = value`: value (a scalar, tensor, list or array) is broadcast to `x[key]`'s
    shape and converted to x's dtype; the write lands in x's storage."""
    v, adv = _apply_basic(self, _parse_key(key, self.device))
    if adv:
        _index_put(v, _advanced_indices(v, adv), value, accumulate=False)
    elif is_scalar(value):
        v.fill_(value)
    else:
        if isinstance(value, Tensor):  # PyTorch copies a basic-indexed write across devices
            value = value.to(v.device)
        value = _value_tensor(value, v, tuple(v.shape))
        if not _same_elements(value, v):  # `x[k] += 1` ends by assigning x[k] to itself
            v.copy_(value)


def _same_elements(a: Tensor, b: Tensor) -> bool:
    return (a.untyped_storage() is b.untyped_storage() and a.shape == b.shape
            and a.stride() == b.stride() and a.storage_offset() == b.storage_offset())


@method()
def index_put_(self: Tensor, indices, values: Tensor, accumulate: bool = False) -> Tensor:
    """`self[indices] = values` (or `+=`, repeated indices adding up, with `accumulate`), where
    `indices` is a tuple of index tensors (None keeps a dimension whole)."""
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put_(): values must be a Tensor, got {type(values).__name__}")
    if values.dtype is not self.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{self.dtype.name} for the destination and {values.dtype.name} for the source.")
    key = tuple(slice(None) if i is None else i for i in indices)
    v, adv = _apply_basic(self, _parse_key(key, self.device, ints_as_views=False))
    if not adv:
        raise RuntimeError("index_put_(): indices must hold at least one index tensor")
    _index_put(v, _advanced_indices(v, adv), values, accumulate)
    return self


@function
@method()
def index_put(input: Tensor, indices, values: Tensor, accumulate: bool = False) -> Tensor:
    """Out-of-place `index_put_`."""
    return index_put_(input.clone(), indices, values, accumulate)


# --- index_select, take, masked_select, nonzero ---------------------------------------------

@function
@method()
def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The entries of `input` at positions `index` (a vector) along `dim`."""
    index = _as_int64(index, "index_select")
    if index.ndim > 1:
        raise IndexError(f"index_select(): Index is supposed to be a vector, got shape {list(index.shape)}")
    if input.ndim == 0:
        if index.numel() != 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                               f"{index.numel()} value(s)")
        return views.reshape(index_select(views.reshape(input, (1,)), 0, index), ())
    d = wrap_dim(dim, input.ndim)
    index = views.reshape(index, (-1,))
    _check_bounds(index, input.shape[d], d, negative_ok=False, op="index_select(): ")
    return select_in_range(input, d, index)


def select_in_range(input: Tensor, d: int, index: Tensor) -> Tensor:
    """`index_select` along dim `d` for a 1-D int64 `index` that the library built in range
    (no bounds check, so no device round trip)."""
    return IndexGet.apply(input, indices=_one_index(input.ndim, d, index), front=d)


def _one_index(ndim: int, d: int, index: Tensor) -> tuple:
    return tuple(index if k == d else None for k in range(ndim))


@function
@method()
def take(input: Tensor, index: Tensor) -> Tensor:
    """`input` read as 1-D at `index` (negative counts from the end); the result has index's shape."""
    index = _as_int64(index, "take", (dtypes.int64,))
    flat = views.reshape(input, (-1,))
    n = flat.shape[0]
    bad = _out_of_bounds(index, -n, n)
    if bad is not None:
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return IndexGet.apply(flat, indices=(index,), front=0)


@function
@method()
def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The elements of `input` where the bool `mask` is True (both broadcast), as a 1-D tensor."""
    if not isinstance(mask, Tensor) or mask.dtype is not dtypes.bool_:
        got = mask.dtype.name if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(f"masked_select: expected BoolTensor for mask, got {got}")
    shape = broadcast_shapes(input.shape, mask.shape)
    return getitem(views.broadcast_to(input, shape), expand_to(mask, shape))


@function
@method()
def nonzero(input: Tensor, *, as_tuple: bool = False):
    """Indices of the nonzero elements: an int64 (n, ndim) tensor in row-major order, or with
    `as_tuple` one 1-D tensor per dimension (a 0-d input counts as 1-D)."""
    if as_tuple and input.ndim == 0:
        input = views.reshape(input, (1,))
    count = empty((), dtypes.int64, input.device)
    input.backend.index.count_nonzero(input.array, count.array)
    out = empty((count.item(), input.ndim), dtypes.int64, input.device)
    if out.numel():
        input.backend.index.nonzero(input.array, out.array)
    if as_tuple:
        return tuple(views.select(out, 1, j) for j in range(input.ndim))
    return out


@function
@method()
def argwhere(input: Tensor) -> Tensor:
    """`nonzero(input)`: the (n, ndim) indices of the nonzero elements."""
    return nonzero(input)


# --- gather and scatter ---------------------------------------------------------------------

def _at_least_1d(t: Tensor) -> Tensor:
    return views.reshape(t, (1,)) if t.ndim == 0 else t


class Gather(Function):
    """out[i] = x[i with i_dim replaced by index[i]]."""

    @staticmethod
    def forward(ctx, x: Tensor, *, dim: int, index: Tensor) -> Tensor:
        out = empty(index.shape, x.dtype, x.device)
        if out.numel():
            x.backend.index.gather(_at_least_1d(x).array, dim, _at_least_1d(index).array,
                                   _at_least_1d(out).array)
        ctx.save_for_backward(index)
        ctx.dim, ctx.input_shape = dim, tuple(x.shape)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor):
        index, = ctx.saved_tensors
        zeros = full(ctx.input_shape, 0, dtype=grad.dtype, device=grad.device)
        # an element gathered several times collects all of its gradients
        return ScatterInPlace.apply(zeros, grad, dim=ctx.dim, index=index, accumulate=True)


@function
@method()
def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    """out[i][j][k] = input[i][index[i][j][k]][k] for dim=1 (torch.gather)."""
    index = _as_int64(index, "gather")
    d = wrap_dim(dim, input.ndim)
    if index.ndim != input.ndim:
        raise RuntimeError(f"gather(): Index tensor must have the same number of dimensions as input "
                           f"tensor (index shape {list(index.shape)}, input shape {list(input.shape)})")
    for k in range(input.ndim):
        if k != d and index.shape[k] > input.shape[k]:
            raise RuntimeError(f"Size does not match at dimension {k} expected index {list(index.shape)} "
                               f"to be no larger than self {list(input.shape)} apart from dimension {d}")
    size = input.shape[d] if input.ndim else 1
    _check_bounds(index, size, d, negative_ok=False, error=RuntimeError, op="gather(): ")
    return Gather.apply(input, dim=d, index=index)


def _scatter_args(op: str, x: Tensor, dim: int, index: Tensor, src) -> tuple:
    """Validated (dim, int64 index, src view of index's shape) for the scatter primitive."""
    index = _as_int64(index, op)
    d = wrap_dim(dim, x.ndim)
    if index.ndim != x.ndim:
        raise RuntimeError(f"{op}(): Index tensor must have the same number of dimensions as self "
                           f"tensor (index shape {list(index.shape)}, self shape {list(x.shape)})")
    if isinstance(src, Tensor):
        src = _scatter_src(op, x, d, index, src)
    elif is_scalar(src):
        src = expand_to(full((), src, dtype=x.dtype, device=x.device), index.shape)
    else:
        raise TypeError(f"{op}(): src must be a Tensor or a number, got {type(src).__name__}")
    for k in range(x.ndim):
        if k != d and index.shape[k] > x.shape[k]:
            raise RuntimeError(f"{op}(): Expected index {list(index.shape)} to be no larger than self "
                               f"{list(x.shape)} apart from dimension {d}")
    _check_bounds(index, x.shape[d] if x.ndim else 1, d, negative_ok=False, error=RuntimeError,
                  op=f"{op}(): ")
    return d, index, src


def _scatter_src(op: str, x: Tensor, d: int, index: Tensor, src: Tensor) -> Tensor:
    same_device(x, src, index)
    if src.dtype is not x.dtype:
        raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype, got "
                           f"{x.dtype.name} and {src.dtype.name}")
    if src.ndim != index.ndim or any(i > s for i, s in zip(index.shape, src.shape)):
        raise RuntimeError(f"{op}(): Expected index {list(index.shape)} to be no larger size than "
                           f"src {list(src.shape)} in any dimension")
    for k, n in enumerate(index.shape):
        src = views.narrow(src, k, 0, n)
    return src


def _accumulate(op: str, reduce_: str | None) -> bool:
    if reduce_ is None:
        return False
    if reduce_ == "add":
        return True
    if reduce_ == "multiply":
        raise NotImplementedError(f"{op}(reduce='multiply') is not supported by tritorch; "
                                  "use reduce='add' or scatter_add")
    raise RuntimeError(f"{op}(): reduce argument must be either add or multiply, got {reduce_!r}.")


def _scatter_into(x: Tensor, d: int, index: Tensor, src: Tensor, accumulate: bool) -> None:
    if index.numel():
        x.backend.index.scatter(_at_least_1d(x).array, d, _at_least_1d(index).array,
                                _at_least_1d(src).array, accumulate)


class ScatterInPlace(Function):
    """In place: x[... index[i] ...] = src[i] (+= with `accumulate`) along dim."""

    inplace = True

    @staticmethod
    def forward(ctx, x: Tensor, src: Tensor, *, dim: int, index: Tensor, accumulate: bool) -> Tensor:
        _scatter_into(x, dim, index, src, accumulate)
        bump_version(x)
        ctx.save_for_backward(index)
        ctx.dim, ctx.accumulate = dim, accumulate
        ctx.node_name = "ScatterAddBackward0" if accumulate else "ScatterBackward0"
        return x

    @staticmethod
    def backward(ctx, grad: Tensor):
        return _scatter_grads(ctx, grad)


def add_in_range(x: Tensor, index: Tensor, src: Tensor) -> Tensor:
    """`x.scatter_add_(0, index, src)` for a 1-D int64 `index` that the library built in
    range (no bounds check, so no device round trip)."""
    return ScatterInPlace.apply(x, src, dim=0, index=index, accumulate=True)


def scatter_in_range(x: Tensor, dim: int, index: Tensor, src: Tensor, accumulate: bool = False) -> Tensor:
    """`x.scatter(dim, index, src)` (`scatter_add` with `accumulate`), differentiable, for an
    int64 `index` of src's shape that the library computed in range (the indices of max, sort,
    cummax...): no bounds check, so no device round trip."""
    return _scatter(x, src, wrap_dim(dim, x.ndim), index, accumulate)


class Selection(Function):
    """An op whose values are input elements picked along `dim` (sort, topk, kthvalue, and
    max/min/median/mode along a dim): a subclass's `select(x, dim=, keepdim=, **options)` gives
    (values, int64 indices); only the picked elements get the gradient, also among ties (as
    PyTorch), scattered to the indices the forward computed (no bounds check, no host read)."""

    @classmethod
    def forward(cls, ctx, x: Tensor, *, dim: int, keepdim: bool = True, **options):
        ctx.dim, ctx.keepdim, ctx.input_shape = dim, keepdim, tuple(x.shape)
        values, indices = cls.select(x, dim=dim, keepdim=keepdim, **options)
        ctx.save_for_backward(indices)
        ctx.mark_non_differentiable(indices)
        return values, indices

    @staticmethod
    def select(x: Tensor, *, dim: int, keepdim: bool, **options) -> tuple[Tensor, Tensor]:
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad: Tensor, _indices_grad):
        indices, = ctx.saved_tensors
        if not ctx.input_shape:
            return grad
        if not ctx.keepdim:
            grad, indices = grad.unsqueeze(ctx.dim), indices.unsqueeze(ctx.dim)
        return scatter_in_range(grad.new_zeros(ctx.input_shape), ctx.dim, indices, grad)


def _scatter(x: Tensor, src: Tensor, dim: int, index: Tensor, accumulate: bool) -> Tensor:
    """A copy of x with src written (or added) at index along dim: the in-place op on a clone,
    whose gradient flows back to x through the clone."""
    return ScatterInPlace.apply(clone(x), src, dim=dim, index=index, accumulate=accumulate)


def _scatter_grads(ctx, grad: Tensor) -> tuple:
    """(grad of x, grad of src) for x with src scattered (or added) into it at index."""
    index, = ctx.saved_tensors
    grad_self = grad_src = None
    if ctx.needs_input_grad[0]:
        # overwritten old values no longer reach the output; added-to ones still do
        zeros = expand_to(full((), 0, dtype=grad.dtype, device=grad.device), index.shape)
        grad_self = grad if ctx.accumulate else _scatter(grad, zeros, ctx.dim, index, False)
    if ctx.needs_input_grad[1]:
        grad_src = Gather.apply(grad, dim=ctx.dim, index=index)
    return grad_self, grad_src


@function
@method()
def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None, reduce=None) -> Tensor:
    """A copy of `input` with `src` (a tensor, or a scalar `value`) written at `index` along
    `dim`: out[i][index[i][j][k]][k] = src[i][j][k] for dim=1 (torch.scatter)."""
    src = value if src is None else src
    accumulate = _accumulate("scatter", reduce)
    d, index, src = _scatter_args("scatter", input, dim, index, src)
    return _scatter(input, src, d, index, accumulate)


@method()
def scatter_(self: Tensor, dim: int, index: Tensor, src=None, *, value=None, reduce=None) -> Tensor:
    """In-place `scatter`."""
    src = value if src is None else src
    accumulate = _accumulate("scatter_", reduce)
    d, index, src = _scatter_args("scatter_", self, dim, index, src)
    return ScatterInPlace.apply(self, src, dim=d, index=index, accumulate=accumulate)


@function
@method()
def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """`scatter` that adds: repeated positions in `index` sum their `src` values."""
    d, index, src = _scatter_args("scatter_add", input, dim, index, src)
    return _scatter(input, src, d, index, True)


@method()
def scatter_add_(self: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    d, index, src = _scatter_args("scatter_add_", self, dim, index, src)
    return ScatterInPlace.apply(self, src, dim=d, index=index, accumulate=True)


# --- scatter_reduce -------------------------------------------------------------------------

SCATTER_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def _scatter_reduce_args(op: str, x: Tensor, dim: int, index: Tensor, src, reduce: str) -> tuple:
    if reduce not in SCATTER_REDUCTIONS:
        raise RuntimeError(f"{op}(): reduce argument must be one of {', '.join(SCATTER_REDUCTIONS)}, "
                           f"got {reduce!r}")
    if reduce == "mean" and x.dtype is dtypes.bool_:
        raise RuntimeError(f"{op}(): reduce='mean' is not implemented for bool")
    if not isinstance(src, Tensor):
        raise TypeError(f"{op}(): argument 'src' must be Tensor, not {type(src).__name__}")
    return _scatter_args(op, x, dim, index, src)


class ScatterReduceInPlace(Function):
    """In place: x[j] = reduce(x[j] if include_self, every src[i] that index sends to j)."""

    inplace = True

    @staticmethod
    def forward(ctx, x: Tensor, src: Tensor, *, dim: int, index: Tensor, reduce: str, include_self: bool) -> Tensor:
        # amax, amin and prod differentiate through x's old values: keep them before the write
        before = clone(x) if any(ctx.needs_input_grad) and reduce in ("amax", "amin", "prod") else None
        if index.numel():
            x.backend.index.scatter_reduce(_at_least_1d(x).array, dim, _at_least_1d(index).array,
                                           _at_least_1d(src).array, reduce, include_self)
        bump_version(x)
        ctx.save_for_backward(index, src, before, x if before is not None else None)
        ctx.dim, ctx.reduce, ctx.include_self = dim, reduce, include_self
        ctx.node_name = "ScatterReduceBackward0"
        return x

    @staticmethod
    def backward(ctx, grad: Tensor):
        index, src, x, result = ctx.saved_tensors
        d, reduce = ctx.dim, ctx.reduce
        if reduce == "sum":
            grad_self, grad_src = grad, Gather.apply(grad, dim=d, index=index)
        elif reduce == "mean":
            n = _scatter(full(grad.shape, int(ctx.include_self), dtype=grad.dtype, device=grad.device),
                         expand_to(full((), 1, dtype=grad.dtype, device=grad.device), index.shape), d, index, True)
            n = n.masked_fill(n == 0, 1)
            grad_self, grad_src = grad / n, Gather.apply(grad / n, dim=d, index=index)
        elif reduce == "prod":
            grad_self, grad_src = _prod_grads(ctx, grad, index, src, x, result)
        else:  # amax, amin: shared evenly among the elements equal to the result
            value = Gather.apply(result, dim=d, index=index)
            self_is, src_is = (x == result).to(grad.dtype), (src == value).to(grad.dtype)
            share = grad / _scatter(self_is, src_is, d, index, True)
            grad_self, grad_src = self_is * share, src_is * Gather.apply(share, dim=d, index=index)
        if not ctx.include_self:
            grad_self = _scatter(grad_self, expand_to(full((), 0, dtype=grad.dtype, device=grad.device), index.shape),
                                 d, index, False)
        return grad_self, grad_src


def _prod_grads(ctx, grad: Tensor, index: Tensor, src: Tensor, x: Tensor, result: Tensor) -> tuple:
    """PyTorch's prod gradients: products that leave out the one element, exact where it is 0."""
    d, include_self = ctx.dim, ctx.include_self
    masked_self = x.masked_fill(x == 0, 1)
    grad_self = grad * _scatter_reduce(masked_self, src, d, index, "prod", include_self) / masked_self
    src_zero = src == 0
    zeros = full(x.shape, 0, dtype=grad.dtype, device=grad.device)
    single_zero = src_zero & (Gather.apply(_scatter(zeros, src_zero.to(grad.dtype), d, index, True), dim=d,
                                           index=index) == 1)
    without = _scatter_reduce(x, src.masked_fill(single_zero, 1), d, index, "prod", include_self)
    grad_src = Gather.apply(grad * without, dim=d, index=index).where(
        single_zero, Gather.apply(grad * result, dim=d, index=index) / src.masked_fill(src_zero, 1))
    return grad_self, grad_src


def _scatter_reduce(x: Tensor, src: Tensor, dim: int, index: Tensor, reduce: str, include_self: bool) -> Tensor:
    return ScatterReduceInPlace.apply(clone(x), src, dim=dim, index=index, reduce=reduce, include_self=include_self)


@function
@method()
def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """A copy of `input` where each element that `index` names along `dim` is reduced (sum,
    prod, mean, amax, amin) with every `src` value sent to it, and with itself when
    `include_self` (torch.scatter_reduce); deterministic."""
    d, index, src = _scatter_reduce_args("scatter_reduce", input, dim, index, src, reduce)
    return _scatter_reduce(input, src, d, index, reduce, include_self)


@method()
def scatter_reduce_(self: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                    include_self: bool = True) -> Tensor:
    """In-place `scatter_reduce`."""
    d, index, src = _scatter_reduce_args("scatter_reduce_", self, dim, index, src, reduce)
    return ScatterReduceInPlace.apply(self, src, dim=d, index=index, reduce=reduce, include_self=include_self)


# --- index_fill_, index_copy_, index_add_ ---------------------------------------------------

def _dim_index(op: str, x: Tensor, dim: int, index: Tensor, negative_ok: bool) -> tuple:
    """(dim, 1-D int64 index, x as at least 1-D) for the index_* family, bounds-checked."""
    index = _as_int64(index, op)
    if index.ndim > 1:
        raise RuntimeError(f"{op}(): Index has to be a vector/scalar, got shape {list(index.shape)}")
    x1 = _at_least_1d(x)
    d = wrap_dim(dim, x1.ndim)
    index = views.reshape(index, (-1,))
    _check_bounds(index, x1.shape[d], d, negative_ok=negative_ok, op=f"{op}(): ")
    return d, index, x1


def _put_along(x1: Tensor, d: int, index: Tensor, values: Tensor, accumulate: bool) -> None:
    """x1 index-put at `index` along d; `values` is in result order (index dim at d)."""
    IndexPut.apply(x1, views.movedim(values, d, 0), indices=_one_index(x1.ndim, d, index),
                   accumulate=accumulate)


@method()
def index_fill_(self: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """Fill the entries at `index` along `dim` with the scalar (or 0-d tensor) `value`."""
    if isinstance(value, Tensor) and value.ndim != 0:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value.ndim} dimension(s).")
    d, index, x1 = _dim_index("index_fill_", self, dim, index, negative_ok=True)
    if isinstance(value, Tensor) and value.requires_grad:
        # value's gradient sums the filled elements' gradients, each filled element once
        index = _unique_positions(index, x1.shape[d])
        fill = value.to(dtype=self.dtype, device=self.device)
    else:
        fill = full((), value.item() if isinstance(value, Tensor) else value, dtype=self.dtype,
                    device=self.device)
    shape = list(x1.shape)
    shape[d] = index.shape[0]
    _put_along(x1, d, index, views.broadcast_to(fill, shape), False)
    return self


def _unique_positions(index: Tensor, size: int) -> Tensor:
    """The distinct positions named by `index` (negative ones wrapped), in increasing order:
    marked in a boolean mask on the index's device, then read back with nonzero."""
    seen = full((size,), False, dtype=dtypes.bool_, device=index.device)
    seen[index % size] = True
    return views.reshape(nonzero(seen), (-1,))


@function
@method()
def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """A copy of input with `value` written at `index` along `dim` (see `index_fill_`)."""
    return index_fill_(input.clone(), dim, index, value)


def _index_source(op: str, x1: Tensor, d: int, index: Tensor, source: Tensor) -> Tensor:
    if not isinstance(source, Tensor):
        raise TypeError(f"{op}(): source must be a Tensor, got {type(source).__name__}")
    same_device(x1, source)
    if source.dtype is not x1.dtype:
        raise RuntimeError(f"{op}(): self ({x1.dtype.name}) and source ({source.dtype.name}) must "
                           f"have the same scalar type")
    source = _at_least_1d(source)
    want = list(x1.shape)
    want[d] = index.shape[0]
    if list(source.shape) != want:
        raise RuntimeError(f"{op}(): source shape {list(source.shape)} does not match self shape "
                           f"{list(x1.shape)} with dimension {d} replaced by the number of indices "
                           f"({index.shape[0]})")
    return source


@method()
def index_copy_(self: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """self[..., index[i], ...] = source[..., i, ...] along `dim`."""
    d, index, x1 = _dim_index("index_copy_", self, dim, index, negative_ok=False)
    _put_along(x1, d, index, _index_source("index_copy_", x1, d, index, source), False)
    return self


@function
@method()
def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """A copy of input with `source` written at `index` along `dim` (see `index_copy_`)."""
    return index_copy_(input.clone(), dim, index, source)


@method()
def index_add_(self: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1) -> Tensor:
    """self[..., index[i], ...] += alpha * source[..., i, ...] along `dim`; repeated indices add up."""
    d, index, x1 = _dim_index("index_add_", self, dim, index, negative_ok=False)
    source = _index_source("index_add_", x1, d, index, source)
    if alpha != 1:
        source = source * alpha
    _put_along(x1, d, index, source, True)
    return self


@function
@method()
def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1) -> Tensor:
    """A copy of input with `alpha * source` added at `index` along `dim` (see `index_add_`)."""
    return index_add_(input.clone(), dim, index, source, alpha=alpha)
