"""Searching sorted data: searchsorted, bucketize, unique, unique_consecutive.

searchsorted and bucketize call the backend's `reduction.searchsorted` primitive (a binary
search per value). unique is sort + run detection, all on the tensor's device:

    sorted, order = sort(x)                       (unique_consecutive: no sort)
    ids   = cumsum(row i differs from row i-1)    the run of each sorted row
    K     = ids[-1] + 1                           the one number read to the host
    starts, ends = searchsorted(ids, 0..K-1)      each run's first and one-past-last position
    values = sorted[starts];  counts = ends - starts;  inverse = ids[argsort(order)]
"""
from __future__ import annotations

from .. import dtypes
from ..array_view import ArrayView
from ..tensor import Tensor
from .common import empty, is_scalar, same_device, wrap_dim
from .creation import arange, full, zeros
from .joining import cat
from .registry import function, method
from .sorting import argsort, sort


def gather_in_range(x: Tensor, dim: int, index: Tensor) -> Tensor:
    """`x.gather(dim, index)` for an int64 index known to be in range (no bounds check, so no
    device round trip) and without autograd: for indices that these ops computed themselves."""
    out = empty(index.shape, x.dtype, x.device)
    if out.numel():
        x.backend.index.gather(x.array, wrap_dim(dim, x.ndim), index.array, out.array)
    return out


# --- searchsorted, bucketize ----------------------------------------------------------------

def _side(right: bool, side: str | None) -> bool:
    """PyTorch's two spellings of the search side, as one `right` flag."""
    if side is None:
        return bool(right)
    if side not in ("left", "right"):
        raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
    if right and side == "left":
        raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of "
                           "left while right was True")
    return side == "right"


def _check_sequence(seq: Tensor, values: Tensor, scalar: bool) -> None:
    if seq.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
                           "dimension")
    if seq.ndim > 1 and (scalar or values.ndim == 0):
        raise RuntimeError(f"torch.searchsorted(): input value can be a scalar only when boundaries tensor "
                           f"dimension is 1, but we got boundaries tensor dim({seq.ndim}) and input value's "
                           f"dim({values.ndim}) numel({values.numel()})")
    if seq.ndim > 1 and (seq.ndim != values.ndim or tuple(seq.shape[:-1]) != tuple(values.shape[:-1])):
        raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                           f"dimensions of boundaries tensor and input value tensor must match, but we got "
                           f"boundaries tensor {list(seq.shape)} and input value tensor {list(values.shape)}")
    if seq.dtype is dtypes.bool_ or values.dtype is dtypes.bool_:
        raise NotImplementedError(f"torch.searchsorted(): not implemented for bool (boundaries {seq.dtype.name}, "
                                  f"values {values.dtype.name})")


def _apply_sorter(seq: Tensor, sorter) -> Tensor:
    """The sequence in sorted order: seq gathered along its last dim by `sorter`."""
    if not isinstance(sorter, Tensor) or sorter.dtype is not dtypes.int64:
        got = sorter.dtype.name if isinstance(sorter, Tensor) else type(sorter).__name__
        raise RuntimeError(f"torch.searchsorted(): sorter must be a tensor of long dtype but got dtype {got}")
    if tuple(sorter.shape) != tuple(seq.shape):
        raise RuntimeError(f"torch.searchsorted(): boundary and sorter must have the same size, but got "
                           f"boundary tensor {list(seq.shape)} and got sorter tensor {list(sorter.shape)}")
    same_device(seq, sorter)
    if sorter.numel() and sorter.lt(0).logical_or(sorter.ge(seq.shape[-1])).any().item():
        raise RuntimeError(f"torch.searchsorted(): sorter index out of range (boundary tensor {list(seq.shape)})")
    return gather_in_range(seq, -1, sorter)


def _rows_view(t: Tensor, lead: tuple[int, ...]) -> ArrayView:
    """t as (lead..., t's last dim): a 1-D sequence is broadcast over `lead` with stride 0."""
    v = t.array
    if t.ndim == 1 and lead:
        return ArrayView(v.buffer, v.offset, lead + v.shape, (0,) * len(lead) + v.strides, v.dtype)
    return v


@function
def searchsorted(sorted_sequence: Tensor, input, *, out_int32: bool = False, right: bool = False,
                 side: str | None = None, sorter: Tensor | None = None) -> Tensor:
    """Indices where `input`'s values would be inserted into the innermost dim of
    `sorted_sequence` to keep it sorted (the first such index; the last with right=True or
    side='right'). `sorted_sequence` is 1-D, or has `input`'s leading dims; `sorter` sorts an
    unsorted sequence along its last dim. NaNs are placed as PyTorch places them."""
    if not isinstance(sorted_sequence, Tensor):
        raise TypeError(f"searchsorted(): sorted_sequence must be a Tensor, got {type(sorted_sequence).__name__}")
    right = _side(right, side)
    scalar = is_scalar(input)
    values = full((), input, dtype=dtypes.scalar_dtype(input), device=sorted_sequence.device) if scalar else input
    if not isinstance(values, Tensor):
        raise TypeError(f"searchsorted(): input must be a Tensor or a number, got {type(input).__name__}")
    same_device(sorted_sequence, values)
    _check_sequence(sorted_sequence, values, scalar)
    dtype = dtypes.result_type(sorted_sequence, input)
    seq = sorted_sequence if sorter is None else _apply_sorter(sorted_sequence, sorter)
    seq, values = seq.to(dtype), values.to(dtype)
    out = empty(values.shape, dtypes.int32 if out_int32 else dtypes.int64, values.device)
    if values.ndim == 0:
        values, target = values.reshape(1), out.reshape(1)
    else:
        target = out
    values.backend.reduction.searchsorted(_rows_view(seq, tuple(values.shape[:-1])), values.array, right,
                                          target.array)
    return out


@function
def bucketize(input, boundaries: Tensor, *, out_int32: bool = False, right: bool = False) -> Tensor:
    """The bucket of each value of `input` among the 1-D, sorted `boundaries`:
    `searchsorted(boundaries, input, right=right)` (note: PyTorch's `right` here picks
    boundaries[i-1] < x <= boundaries[i] when False)."""
    if not isinstance(boundaries, Tensor) or boundaries.ndim != 1:
        got = boundaries.ndim if isinstance(boundaries, Tensor) else type(boundaries).__name__
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({got})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


# --- unique, unique_consecutive -------------------------------------------------------------

def _runs(rows: Tensor, order: Tensor | None, return_inverse: bool, return_counts: bool):
    """Runs of equal rows in `rows` (n, m), n > 0: (the first position of each run, inverse,
    counts). `order[i]` is the input position of row i (None: the identity); inverse maps each
    input position to its run. Rows holding NaN never equal another (NaN != NaN, as PyTorch)."""
    n = rows.shape[0]
    differs = rows.narrow(0, 1, n - 1).ne(rows.narrow(0, 0, n - 1)).any(1)
    ids = cat([zeros(1, dtype=dtypes.int64, device=rows.device), differs.cumsum(0)])
    count = int(ids.select(0, n - 1).item()) + 1
    run = arange(count, device=rows.device)
    starts = searchsorted(ids, run)
    inverse = counts = None
    if return_inverse:
        inverse = ids if order is None else gather_in_range(ids, 0, argsort(order, stable=True))
    if return_counts:
        counts = searchsorted(ids, run, right=True) - starts
    return starts, inverse, counts


def _unique(input: Tensor, dim, consecutive: bool, return_inverse: bool, return_counts: bool):
    """(values, inverse, counts) of unique (consecutive: unique_consecutive) along `dim`."""
    input = input.detach()
    if dim is None:
        moved, inverse_shape = input.reshape(-1, 1), tuple(input.shape)
    else:
        if input.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        d = wrap_dim(dim, input.ndim)
        if input.shape[d] and any(s == 0 for k, s in enumerate(input.shape) if k != d):
            raise RuntimeError(f"There are 0 sized dimensions, and they aren't selected, so unique cannot be "
                               f"applied (input shape {list(input.shape)}, dim {d})")
        moved, inverse_shape = input.movedim(d, 0), (input.shape[d],)
    n = moved.shape[0]
    if n == 0:
        none = empty((0,), dtypes.int64, input.device)
        values = empty((0,), input.dtype, input.device) if dim is None else input.clone()
        return values, none.reshape(inverse_shape), none
    rows = moved.reshape(n, -1)
    order = None
    if not consecutive and rows.shape[1] == 1:
        values, order = sort(rows.select(1, 0), stable=True)
        rows = values.unsqueeze(1)
    elif not consecutive:
        order = _lexicographic_order(rows)
        rows = gather_in_range(rows, 0, order.unsqueeze(1).expand(tuple(rows.shape)))
    starts, inverse, counts = _runs(rows, order, return_inverse, return_counts)
    picked = gather_in_range(rows, 0, starts.unsqueeze(1).expand(starts.shape[0], rows.shape[1]))
    values = picked.reshape(-1) if dim is None else picked.reshape((-1,) + tuple(moved.shape[1:])).movedim(0, d)
    return values, None if inverse is None else inverse.reshape(inverse_shape), counts


def _lexicographic_order(rows: Tensor) -> Tensor:
    """The permutation that sorts the rows of (n, m) `rows` lexicographically: stable sorts by
    each column, last column first (a least-significant-digit radix sort over columns)."""
    order = arange(rows.shape[0], device=rows.device)
    for c in reversed(range(rows.shape[1])):
        key = gather_in_range(rows.select(1, c), 0, order)
        order = gather_in_range(order, 0, argsort(key, stable=True))
    return order


def _result(values: Tensor, inverse, counts, return_inverse: bool, return_counts: bool):
    if not (return_inverse or return_counts):
        return values
    return (values,) + ((inverse,) if return_inverse else ()) + ((counts,) if return_counts else ())


@function
@method()
def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
           dim: int | None = None):
    """The unique elements of `input` (flattened), or its unique slices along `dim`, in ascending
    (lexicographic) order; with `return_inverse` the index of each input element (slice) in the
    result, with `return_counts` how often each occurs. NaNs are all distinct, as in PyTorch.
    `sorted=False` also returns them sorted (PyTorch leaves that order unspecified)."""
    values, inverse, counts = _unique(input, dim, False, return_inverse, return_counts)
    return _result(values, inverse, counts, return_inverse, return_counts)


@function
@method()
def unique_consecutive(input: Tensor, return_inverse: bool = False, return_counts: bool = False,
                       dim: int | None = None):
    """`input` with each run of consecutive equal elements (slices along `dim`) kept once;
    `return_inverse` and `return_counts` as in `unique`."""
    values, inverse, counts = _unique(input, dim, True, return_inverse, return_counts)
    return _result(values, inverse, counts, return_inverse, return_counts)
