"""Helpers shared by every op: dims, devices, broadcasting, dtype checks, output tensors."""
from __future__ import annotations

from collections import namedtuple

from collections.abc import Sequence

import numpy as np

from .. import dtypes
from ..array_view import ArrayView, Shape, contiguous_strides
from ..device import device as Device
from ..tensor import Tensor, _wrap_dim

Scalar = (bool, int, float, np.bool_, np.integer, np.floating)


def is_scalar(x) -> bool:
    return isinstance(x, Scalar)


def wrap_dim(dim: int, ndim: int) -> int:
    """`dim` in [0, ndim); IndexError naming the valid range otherwise."""
    return _wrap_dim(dim, ndim)


def wrap_dims(dims, ndim: int) -> tuple[int, ...]:
    """Normalise an int, a sequence of ints or None (all dims) to a sorted tuple."""
    if dims is None:
        return tuple(range(ndim))
    if isinstance(dims, (int, np.integer)):
        dims = (dims,)
    out = tuple(sorted(wrap_dim(d, ndim) for d in dims))
    if len(set(out)) != len(out):
        raise RuntimeError(f"dim {tuple(dims)} appears multiple times in the list of dims")
    return out


def shape_arg(args) -> tuple[int, ...]:
    """Accept `f(2, 3)`, `f((2, 3))` and `f([2, 3])`; reject negative sizes."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    if not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) or hasattr(s, "__index__")
               for s in args):
        raise TypeError(f"size must be a tuple of ints, got {list(args)}")
    shape = tuple(int(s) for s in args)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension: size {list(shape)}")
    return shape


def same_device(*tensors: Tensor) -> Device:
    """The one device all tensors live on; RuntimeError naming two devices otherwise."""
    dev = None
    for t in tensors:
        if isinstance(t, Tensor):
            if dev is None:
                dev = t.device
            elif t.device != dev:
                raise RuntimeError("Expected all tensors to be on the same device, but found at "
                                   f"least two devices, {dev} and {t.device}!")
    return dev


def operand_device(movable, fixed=()) -> Device:
    """The device an elementwise op runs on. As in PyTorch, a 0-dim cpu tensor among the
    `movable` operands joins an op on another device, as a scalar would (the caller moves it);
    every other tensor, and every `fixed` one (the written self, a mask), must share one device."""
    pinned = [t for t in movable if not (t.device.type == "cpu" and t.ndim == 0)] + list(fixed)
    return same_device(*(pinned or movable))


def broadcast_shapes(*shapes: Sequence[int]) -> tuple[int, ...]:
    """PyTorch/numpy broadcasting of shapes, with a message naming the shapes at fault."""
    ndim = max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for s in shapes:
        for i, size in enumerate(s):
            k = ndim - len(s) + i
            if size == out[k] or size == 1:
                continue
            if out[k] != 1:
                raise RuntimeError(
                    f"shapes {' and '.join(str(list(x)) for x in shapes)} cannot be broadcast: "
                    f"size {out[k]} does not match size {size} at non-singleton dimension {k}")
            out[k] = size
    return tuple(out)


def expand_to(x: Tensor, shape: Shape) -> Tensor:
    """A stride-0 view of `x` broadcast to `shape` (no copy)."""
    shape = tuple(shape)
    if tuple(x.shape) == shape:
        return x
    lead = len(shape) - x.ndim
    if lead < 0:
        raise RuntimeError(f"expand: the number of sizes provided ({len(shape)}) must be greater "
                           f"or equal to the number of dimensions in the tensor ({x.ndim})")
    strides = []
    for i, size in enumerate(shape):
        if i < lead:
            if size < 0:
                raise RuntimeError(f"expand: -1 is not allowed in a leading, non-existing dimension {i}")
            strides.append(0)
            continue
        have, stride = x.shape[i - lead], x.stride(i - lead)
        if size == -1:
            size = have
        if have == size:
            strides.append(stride)
        elif have == 1:
            strides.append(0)
        else:
            raise RuntimeError(f"expand: the expanded size of the tensor ({size}) must match the "
                               f"existing size ({have}) at non-singleton dimension {i}; "
                               f"target sizes {list(shape)}, tensor sizes {list(x.shape)}")
    shape = tuple(s if s != -1 else x.shape[i - lead] for i, s in enumerate(shape))
    return x.as_strided_view(shape, tuple(strides), x.storage_offset())


empty = Tensor.empty  # empty(shape, dtype, device): a new contiguous tensor


def check_out(op: str, out: Tensor, shape: Shape, dtype: dtypes.DType, device: Device) -> None:
    """An `out=` tensor must already have the result's shape and device, and a dtype the result
    can be cast to (PyTorch resizes; tritorch asks for the right shape instead)."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}: out= must be a Tensor, got {type(out).__name__}")
    if tuple(out.shape) != tuple(shape):
        raise RuntimeError(f"{op}: out= has shape {list(out.shape)} but the result has shape {list(shape)}")
    if out.device != device:
        raise RuntimeError(f"{op}: out= is on {out.device} but the result is on {device}")
    if not dtypes.can_cast(dtype, out.dtype):
        raise RuntimeError(f"{op}: result type {dtype.name} can't be cast to the desired output type "
                           f"{out.dtype.name}")


def bump_version(t: Tensor) -> None:
    """Record an in-place write to `t`'s storage (autograd compares versions)."""
    t._storage.version += 1


def check_writable(op: str, t: Tensor) -> None:
    """A broadcast (stride-0) tensor cannot be written: several of its elements share memory."""
    if any(stride == 0 and size > 1 for size, stride in zip(t.shape, t.stride())):
        raise RuntimeError(
            f"{op}: unsupported operation: more than one element of the written-to tensor "
            f"(shape {list(t.shape)}, strides {list(t.stride())}) refers to a single memory "
            f"location. Please clone() the tensor before performing the operation.")


def at_least_1d(view):
    """A 0-d ArrayView as shape (1,), for primitives that name a dim; None and others unchanged."""
    if view is None or view.ndim:
        return view
    return type(view)(view.buffer, view.offset, (1,), (1,), view.dtype)


def finish(t: Tensor, requires_grad: bool) -> Tensor:
    """A factory's result, made to require grad when asked."""
    return t.requires_grad_(True) if requires_grad else t


def like(x: Tensor, dtype, device) -> tuple:
    """The dtype and device of a `*_like` factory: x's unless given."""
    if not isinstance(x, Tensor):
        raise TypeError(f"expected a Tensor as input, got {type(x).__name__}")
    return (x.dtype if dtype is None else dtypes.as_dtype(dtype)), (x.device if device is None else device)


def values_indices(name: str):
    """A (values, indices) named tuple, as PyTorch's `torch.return_types.<name>`."""
    cls = namedtuple(name, ("values", "indices"))
    cls.__module__ = "tritorch.return_types"
    return cls


def accumulating_dtype(x: Tensor, dtype) -> dtypes.DType:
    """sum/prod/cumsum/cumprod: `dtype=` wins; bool and integer tensors give int64, as PyTorch."""
    if dtype is not None:
        return dtypes.as_dtype(dtype)
    return dtypes.int64 if x.dtype.kind in "biu" else x.dtype


def reversed_cumsum(t: Tensor, dim: int) -> Tensor:
    """out[i] = sum of t[j] for j >= i along dim."""
    return t.flip(dim).cumsum(dim).flip(dim)


def as_shape(t: Tensor, shape) -> ArrayView:
    """The contiguous tensor `t` seen with `shape`, which has the same elements (size-1 dims
    added or dropped)."""
    shape = tuple(shape)
    return ArrayView(t.array.buffer, t.storage_offset(), shape, contiguous_strides(shape), t.dtype)
