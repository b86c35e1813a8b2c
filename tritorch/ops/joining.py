"""Joining and rearranging: cat/concat/concatenate, stack, hstack/vstack/dstack, flip/fliplr/
flipud, roll, repeat, tile, repeat_interleave, meshgrid.

Every result is a new tensor written by the `copy` family (cat writes each input into its
slice of the result; flip reads through negated strides; repeat reads through stride-0 dims),
except meshgrid's, which are broadcast views. Their gradients are the same moves backwards:
narrow for cat, flip and roll by the opposite shift, and a sum over the repeated dims. (split,
chunk, unbind and the other ops that return views of one tensor are in `views.py`.)
"""
from __future__ import annotations

import operator
import warnings
from collections.abc import Sequence
from functools import reduce

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor
from . import views
from .common import bump_version, check_out, empty, same_device, wrap_dim
from .conversion import clone, copy_into
from .indexing import select_in_range
from .registry import function, method


# --- cat, stack and friends -----------------------------------------------------------------

def _tensor_list(op: str, tensors) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, Sequence):
        raise TypeError(f"{op}(): argument 'tensors' must be a sequence of Tensors, not "
                        f"{type(tensors).__name__}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): expected a Tensor at position {i}, got {type(t).__name__}")
    return list(tensors)


def _is_legacy_empty(t: Tensor) -> bool:
    """PyTorch lets 1-D empty tensors join a cat of any shape (they are skipped)."""
    return t.ndim == 1 and t.shape[0] == 0


def _cat_shape(tensors: list[Tensor], dim: int) -> tuple[int, tuple]:
    """(wrapped dim, result shape) after checking that the shapes agree off `dim`."""
    parts = [(i, t) for i, t in enumerate(tensors) if not _is_legacy_empty(t)]
    if not parts:
        return wrap_dim(dim, 1), (0,)
    i0, ref = parts[0]
    d = wrap_dim(dim, ref.ndim)
    for i, t in parts:
        if t.ndim != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} and "
                               f"{t.ndim} (tensor {i0} has shape {list(ref.shape)}, tensor {i} has "
                               f"shape {list(t.shape)})")
        for k in range(ref.ndim):
            if k != d and t.shape[k] != ref.shape[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{ref.shape[k]} but got size {t.shape[k]} for tensor number {i} in the list "
                    f"(shapes {list(ref.shape)} and {list(t.shape)}).")
    shape = list(ref.shape)
    shape[d] = sum(t.shape[d] for _, t in parts)
    return d, tuple(shape)


def _cat_into(tensors, dim: int, out: Tensor) -> None:
    start = 0
    for t in tensors:
        if _is_legacy_empty(t):
            continue
        n = t.shape[dim]
        if t.numel():
            copy_into(t, views.narrow(out, dim, start, n))
        start += n


class Cat(Function):
    """The tensors joined along dim (1-D empty ones skipped), converted to dtype."""

    @staticmethod
    def forward(ctx, *tensors: Tensor, dim: int, shape: tuple, dtype) -> Tensor:
        out = empty(shape, dtype, tensors[0].device)
        _cat_into(tensors, dim, out)
        ctx.dim = dim
        ctx.sizes = [0 if _is_legacy_empty(t) else t.shape[dim] for t in tensors]
        ctx.shapes = [tuple(t.shape) for t in tensors]
        return out

    @staticmethod
    def backward(ctx, grad: Tensor):
        grads, start = [], 0
        for n, shape, needed in zip(ctx.sizes, ctx.shapes, ctx.needs_input_grad):
            part = views.narrow(grad, ctx.dim, start, n)
            start += n
            if tuple(part.shape) != shape:  # a skipped 1-D empty tensor
                part = views.reshape(part, shape)
            # the engine converts each part back to its input's dtype
            grads.append(part if needed else None)
        return tuple(grads)


@function(aliases=("concat", "concatenate"))
def cat(tensors, dim: int = 0, *, out: Tensor | None = None) -> Tensor:
    """Join tensors along an existing dimension `dim`; their dtypes promote. As PyTorch,
    1-D empty tensors may join tensors of any shape."""
    tensors = _tensor_list("cat", tensors)
    if not tensors:
        raise ValueError("cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    device = same_device(*tensors)
    dtype = reduce(dtypes.promote_types, (t.dtype for t in tensors))
    d, shape = _cat_shape(tensors, dim)
    if out is not None:
        check_out("cat", out, shape, dtype, device)
        _cat_into(tensors, d, out)
        bump_version(out)
        return out
    return Cat.apply(*tensors, dim=d, shape=shape, dtype=dtype)


@function
def stack(tensors, dim: int = 0, *, out: Tensor | None = None) -> Tensor:
    """Join equal-shaped tensors along a new dimension `dim`."""
    tensors = _tensor_list("stack", tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(tensors[0].shape)} at entry 0 and {list(t.shape)} at entry {i}")
    d = wrap_dim(dim, tensors[0].ndim + 1)
    return cat([views.unsqueeze(t, d) for t in tensors], d, out=out)


def _at_least(t: Tensor, ndim: int) -> Tensor:
    """numpy's atleast_{1,2,3}d: (n,) -> (1, n) -> (1, n, 1); (m, n) -> (m, n, 1)."""
    if t.ndim >= ndim:
        return t
    if t.ndim == 0:
        return views.reshape(t, (1,) * ndim)
    if t.ndim == 1:
        return views.reshape(t, (1, t.shape[0], 1)[:ndim])
    return views.unsqueeze(t, 2)


@function
def hstack(tensors) -> Tensor:
    """Join along the columns: dim 1, or dim 0 for 1-D tensors."""
    tensors = [_at_least(t, 1) for t in _tensor_list("hstack", tensors)]
    return cat(tensors, 0 if tensors and tensors[0].ndim == 1 else 1)


@function(aliases=("row_stack",))
def vstack(tensors) -> Tensor:
    """Join along the rows (dim 0), 1-D tensors becoming rows."""
    return cat([_at_least(t, 2) for t in _tensor_list("vstack", tensors)], 0)


@function
def dstack(tensors) -> Tensor:
    """Join along the depth (dim 2), lower-dimensional tensors lifted to 3-D."""
    return cat([_at_least(t, 3) for t in _tensor_list("dstack", tensors)], 2)


# --- flip, roll, repeat, tile ---------------------------------------------------------------

def _int_tuple(args) -> tuple[int, ...]:
    """Accept `f(1, 2)`, `f((1, 2))`, `f([1, 2])` and `f(1)`."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    return tuple(operator.index(a) for a in args)


class Flip(Function):
    """A copy with the elements reversed along dims."""

    @staticmethod
    def forward(ctx, x: Tensor, *, dims: tuple) -> Tensor:
        out = empty(x.shape, x.dtype, x.device)
        if out.numel():
            x.backend.copy.flip(x.array, dims, out.array)
        ctx.dims = dims
        return out

    @staticmethod
    def backward(ctx, grad: Tensor):
        return Flip.apply(grad, dims=ctx.dims)


@function
@method()
def flip(input: Tensor, *args, dims=None) -> Tensor:
    """A copy with the order of elements reversed along `dims`: `flip(x, (0, 1))`,
    `x.flip(0, 1)` or `flip(x, dims=[0])`."""
    dims = _distinct_dims(_int_tuple(args if dims is None else (dims,)), input.ndim)
    return Flip.apply(input, dims=dims if input.ndim else ())


def _distinct_dims(dims: tuple, ndim: int) -> tuple:
    wrapped = tuple(wrap_dim(d, ndim) for d in dims)
    for i, d in enumerate(wrapped):
        if d in wrapped[:i]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims {list(dims)}")
    return wrapped


@function
@method()
def fliplr(input: Tensor) -> Tensor:
    """input with its columns (dim 1) in reverse order; input needs at least 2 dimensions."""
    if input.ndim < 2:
        raise RuntimeError(f"fliplr: Input must be >= 2-d, got shape {list(input.shape)}.")
    return flip(input, (1,))


@function
@method()
def flipud(input: Tensor) -> Tensor:
    """input with its rows (dim 0) in reverse order."""
    if input.ndim < 1:
        raise RuntimeError("flipud: Input must be >= 1-d, got a 0-d tensor.")
    return flip(input, (0,))


def _roll_dim(x: Tensor, shift: int, d: int) -> Tensor:
    n = x.shape[d]
    s = shift % n if n else 0
    out = empty(x.shape, x.dtype, x.device)
    if x.numel():
        copy_into(views.narrow(x, d, n - s, s), views.narrow(out, d, 0, s))
        copy_into(views.narrow(x, d, 0, n - s), views.narrow(out, d, s, n - s))
    return out


class Roll(Function):
    """A copy shifted cyclically by shifts[k] along dims[k], one dim after the other."""

    @staticmethod
    def forward(ctx, x: Tensor, *, shifts: tuple, dims: tuple) -> Tensor:
        out = x
        for s, d in zip(shifts, dims):
            out = _roll_dim(out, s, d)
        ctx.shifts, ctx.dims = shifts, dims
        return clone(x) if out is x else out

    @staticmethod
    def backward(ctx, grad: Tensor):
        return Roll.apply(grad, shifts=tuple(-s for s in ctx.shifts), dims=ctx.dims)


@function
@method()
def roll(input: Tensor, shifts, dims=None) -> Tensor:
    """Shift elements cyclically by `shifts` along `dims` (the flattened tensor when None)."""
    shifts = _int_tuple((shifts,))
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        flat = views.reshape(input, (-1,))
        return views.view(Roll.apply(flat, shifts=shifts, dims=(0,)), tuple(input.shape))
    dims = _int_tuple((dims,))
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    if input.ndim == 0:
        raise IndexError(f"roll: dimension specified as {dims[0]} but tensor has no dimensions")
    return Roll.apply(input, shifts=shifts, dims=tuple(wrap_dim(d, input.ndim) for d in dims))


class Repeat(Function):
    """x tiled sizes[k] times along dim k (x padded with leading size-1 dims)."""

    @staticmethod
    def forward(ctx, x: Tensor, *, sizes: tuple) -> Tensor:
        lead = len(sizes) - x.ndim
        shape = (1,) * lead + tuple(x.shape)
        strides = (0,) * lead + x.stride()
        # (r0, s0, r1, s1, ...): each size s_k repeated r_k times, read with stride 0
        pairs = tuple(v for r, s in zip(sizes, shape) for v in (r, s))
        pair_strides = tuple(v for st in strides for v in (0, st))
        out = empty(tuple(r * s for r, s in zip(sizes, shape)), x.dtype, x.device)
        if out.numel():
            copy_into(x.as_strided_view(pairs, pair_strides, x.storage_offset()), views.view(out, pairs))
        ctx.sizes, ctx.input_shape = sizes, tuple(x.shape)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor):
        sizes, shape = ctx.sizes, ctx.input_shape
        if not sizes:  # a 0-d tensor repeated over no dims is a copy
            return grad
        padded = (1,) * (len(sizes) - len(shape)) + shape
        pairs = tuple(v for r, s in zip(sizes, padded) for v in (r, s))
        # every copy of an element sends its gradient back: sum over the repeat dims
        copies = tuple(range(0, len(pairs), 2))
        return views.reshape(views.reshape(grad, pairs).sum(copies), shape)


@method()
def repeat(self: Tensor, *sizes) -> Tensor:
    """The tensor tiled `sizes[k]` times along dim k (leading new dims for extra sizes)."""
    sizes = _int_tuple(sizes)
    if len(sizes) < self.ndim:
        raise RuntimeError(f"Number of dimensions of repeat dims ({len(sizes)}) can not be smaller "
                           f"than number of dimensions of tensor ({self.ndim}, shape {list(self.shape)})")
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension: repeat sizes {list(sizes)}")
    return Repeat.apply(self, sizes=sizes)


@function
@method()
def tile(input: Tensor, *args, dims=None) -> Tensor:
    """`repeat` with `dims` padded by leading 1s to input's number of dimensions."""
    dims = _int_tuple(args if dims is None else (dims,))
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)


def _repeat_index(repeats: Tensor) -> Tensor:
    """[0] * repeats[0] + [1] * repeats[1] + ... as an int64 tensor."""
    if repeats.ndim > 1:
        raise RuntimeError(f"repeats must be 0-dim or 1-dim tensor, got shape {list(repeats.shape)}")
    if repeats.dtype.kind not in "iu":
        raise RuntimeError(f"repeat_interleave: repeats must be an integer tensor, got {repeats.dtype.name}")
    repeats = views.reshape(repeats, (-1,))
    # the output's size: the smallest count and the total, reduced on the device, read in one trip
    lo, total = stack([repeats.amin().to(dtypes.int64), repeats.sum()]).tolist() if repeats.numel() else (0, 0)
    if lo < 0:
        raise RuntimeError(f"repeats can not be negative, got {lo}")
    out = empty((total,), dtypes.int64, repeats.device)
    if out.numel():
        repeats.backend.index.repeat_index(repeats.array, out.array)
    return out


@function
@method()
def repeat_interleave(input: Tensor, repeats=None, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:
    """Repeat each element (or each slice along `dim`) `repeats` times, `repeats` an int or one
    count per element. With a tensor alone, `repeat_interleave(counts)` gives the repeated
    indices [0] * counts[0] + [1] * counts[1] + ..."""
    if repeats is None:
        return _repeat_index(input)
    if dim is None:
        input, d = views.reshape(input, (-1,)), 0
    else:
        d = wrap_dim(dim, max(input.ndim, 1))
        input = _at_least(input, 1)
    if isinstance(repeats, Tensor) and repeats.ndim <= 1 and repeats.numel() == 1:
        repeats = repeats.item()
    if isinstance(repeats, Tensor):
        if repeats.ndim == 1 and repeats.shape[0] != input.shape[d]:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {repeats.shape[0]} and input.size({d}) = {input.shape[d]}")
        result = select_in_range(input, d, _repeat_index(repeats))
    else:
        result = _repeat_each(input, operator.index(repeats), d)
    if output_size is not None and result.shape[d] != output_size:
        raise RuntimeError(f"repeat_interleave: output_size {output_size} does not match the "
                           f"result's size {result.shape[d]} along dim {d}")
    return result


def _repeat_each(x: Tensor, r: int, d: int) -> Tensor:
    if r < 0:
        raise RuntimeError(f"repeat_interleave: Repeats must be non-negative, got {r}")
    shape = list(x.shape)
    wide = views.expand(views.unsqueeze(x, d + 1), *(shape[:d + 1] + [r] + shape[d + 1:]))
    shape[d] *= r
    return views.reshape(wide, shape)


# --- meshgrid -------------------------------------------------------------------------------

@function
def meshgrid(*tensors, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors, as broadcast views (no copy). indexing='ij' gives
    shape (len(t0), len(t1), ...); 'xy' swaps the first two dims. PyTorch warns when indexing
    is omitted and uses 'ij'."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    tensors = _tensor_list("meshgrid", tensors)
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    _check_grid_inputs(tensors)
    pos = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        pos[0], pos[1] = 1, 0
    shape = [0] * len(tensors)
    for p, t in zip(pos, tensors):
        shape[p] = t.numel()
    grids = []
    for p, t in zip(pos, tensors):
        along = [1] * len(tensors)
        along[p] = -1
        grids.append(views.expand(views.reshape(t, along), *shape))
    return tuple(grids)


def _check_grid_inputs(tensors: list[Tensor]) -> None:
    if not tensors:
        raise RuntimeError("torch.meshgrid: expects a non-empty TensorList")
    same_device(*tensors)
    for i, t in enumerate(tensors):
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got "
                               f"a tensor of shape {list(t.shape)} at position {i}")
        if t.dtype is not tensors[0].dtype:
            raise RuntimeError(f"meshgrid expects all tensors to have the same dtype, got "
                               f"{tensors[0].dtype.name} and {t.dtype.name}")
