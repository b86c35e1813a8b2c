"""Index family, numpy reference: gathers and scatters driven by int64 index views.

Two layouts recur. An *indices tuple* has one entry per dimension of `x`: None keeps that
dimension whole (a full slice), an int64 ArrayView picks positions along it. All index views of
one call have the same shape I (the caller broadcasts them, stride 0 where needed), and the
result of indexing is laid out *index dims first*:

    out.shape == I + tuple(x.shape[d] for d where indices[d] is None)
    out[i..., k...] = x[j_0, ..., j_{n-1}],  j_d = wrap(indices[d][i...]) if indexed, else the next k

`wrap(j) = j + size if j < 0 else j`: negative indices count from the end. Every index must lie
in [-size, size); the op layer checks that first (with `index_range`), so primitives never see
an out-of-bounds index. Callers that want another placement of the index dims pass a permuted
view as `out` (or `values`). Half-precision accumulation happens in float32, rounded once.
"""
from __future__ import annotations

import numpy as np

from ..array_view import ArrayView
from .memory import ndarray


def _wrapped(index: ArrayView, size: int) -> np.ndarray:
    j = ndarray(index)
    return np.where(j < 0, j + size, j)


def _index_dims_first(x: ArrayView, indices: tuple) -> tuple[np.ndarray, tuple]:
    """x as a numpy view with the indexed dims moved to the front, and the numpy key that
    picks them (numpy then puts the broadcast index dims first, as the layout above says)."""
    if len(indices) != x.ndim:
        raise ValueError(f"index: {len(indices)} index entries for a {x.ndim}-d tensor")
    picked = [d for d, j in enumerate(indices) if j is not None]
    if not picked:
        raise ValueError("index: at least one dimension must be indexed")
    kept = [d for d, j in enumerate(indices) if j is None]
    xa = ndarray(x).transpose(picked + kept)
    key = tuple(_wrapped(indices[d], x.shape[d]) for d in picked)
    return xa, key


def _is_half(v: ArrayView) -> bool:
    return v.dtype.is_floating_point and v.dtype.itemsize < 4


def index_get(x: ArrayView, indices: tuple, out: ArrayView) -> None:
    """out = x[indices] in the index-dims-first layout of the module docstring."""
    xa, key = _index_dims_first(x, indices)
    ndarray(out)[...] = xa[key].astype(out.dtype.np, copy=False)


def index_put(x: ArrayView, indices: tuple, values: ArrayView, accumulate: bool) -> None:
    """x[indices] = values (or += values when `accumulate`), values converted to x's dtype and
    laid out index dims first (values.shape == out.shape of `index_get`; it may broadcast with
    stride 0 or overlap x: it is read completely before x is written). Without `accumulate`,
    which of several writes to one element wins is unspecified; with it, all of them add up."""
    xa, key = _index_dims_first(x, indices)
    vals = ndarray(values)
    if np.shares_memory(vals, ndarray(x)):
        vals = vals.copy()
    if not accumulate:
        xa[key] = vals.astype(x.dtype.np, copy=False)
        return
    _add_at(xa, key, vals, x)


def _add_at(xa: np.ndarray, key: tuple, vals: np.ndarray, x: ArrayView) -> None:
    """xa[key] += vals with repeated positions adding up; half precision sums in float32."""
    if x.dtype.kind == "b":
        acc = xa.astype(np.int64)
        np.add.at(acc, key, vals.astype(np.int64))
        xa[...] = acc != 0
    elif _is_half(x):
        acc = xa.astype(np.float32)
        np.add.at(acc, key, vals.astype(np.float32))
        xa[...] = acc.astype(x.dtype.np)
    else:
        np.add.at(xa, key, vals.astype(x.dtype.np, copy=False))


def _along_dim_key(index: ArrayView, dim: int) -> tuple:
    """The numpy key that sends element i of `index` to position (i with i_dim -> index[i])."""
    j = ndarray(index)
    grid = np.indices(index.shape, sparse=True)
    return tuple(j if d == dim else grid[d] for d in range(index.ndim))


def gather(x: ArrayView, dim: int, index: ArrayView, out: ArrayView) -> None:
    """out[i] = x[i with i_dim replaced by index[i]] (torch.gather); out.shape == index.shape,
    x.ndim == index.ndim >= 1, index.shape[d] <= x.shape[d] for d != dim and
    0 <= index < x.shape[dim]."""
    ndarray(out)[...] = ndarray(x)[_along_dim_key(index, dim)].astype(out.dtype.np, copy=False)


def scatter(x: ArrayView, dim: int, index: ArrayView, src: ArrayView, accumulate: bool) -> None:
    """x[i with i_dim replaced by index[i]] = src[i] (or += with `accumulate`) for every i of
    index (torch.scatter_ / scatter_add_); src.shape == index.shape (src may broadcast with
    stride 0), x.ndim == index.ndim >= 1, index.shape[d] <= x.shape[d] for d != dim and
    0 <= index < x.shape[dim]. Without `accumulate`, which of several writes to one element
    wins is unspecified."""
    xa = ndarray(x)
    vals = ndarray(src)
    if np.shares_memory(vals, xa):
        vals = vals.copy()
    key = _along_dim_key(index, dim)
    if accumulate:
        _add_at(xa, key, vals, x)
    else:
        xa[key] = vals.astype(x.dtype.np, copy=False)


_SCATTER_UFUNCS = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


def _identity(reduce: str, dtype: np.dtype):
    """The value a scattered-to element starts from when it does not include itself."""
    if reduce in ("amax", "amin"):
        if dtype.kind == "f":
            return -np.inf if reduce == "amax" else np.inf
        return np.iinfo(dtype).min if reduce == "amax" else np.iinfo(dtype).max
    return 1 if reduce == "prod" else 0


def scatter_reduce(x: ArrayView, dim: int, index: ArrayView, src: ArrayView, reduce: str,
                   include_self: bool) -> None:
    """x[j] = reduce over x[j] (when `include_self`) and every src[i] whose position i with
    i_dim replaced by index[i] is j, for reduce in sum, prod, mean, amax, amin
    (torch.scatter_reduce_); elements no index names keep their value. NaN wins amax/amin; an
    integer mean floors; half types reduce in float32. Index and src as for `scatter`."""
    xa, vals = ndarray(x), ndarray(src)
    acc_type = np.dtype(np.float32 if _is_half(x) else np.int64 if x.dtype.kind == "b" else x.dtype.np)
    acc = xa.astype(acc_type)
    key = _along_dim_key(index, dim)
    hits = np.zeros(xa.shape, np.int64)
    np.add.at(hits, key, 1)
    named = hits > 0
    if not include_self:
        acc[named] = _identity(reduce, acc_type)
    _SCATTER_UFUNCS[reduce].at(acc, key, vals.astype(acc_type, copy=False))
    if reduce == "mean":
        count = hits[named] + bool(include_self)
        acc[named] = acc[named] / count if acc_type.kind == "f" else acc[named] // count
    xa[...] = acc != 0 if x.dtype.kind == "b" else acc.astype(x.dtype.np)


def index_range(index: ArrayView, out: ArrayView) -> None:
    """out[0] = min(index), out[1] = max(index) for a non-empty integer index; out is int64 (2,).
    The op layer reads it back to check bounds before any gather or scatter."""
    j = ndarray(index)
    ndarray(out)[...] = (j.min(), j.max())


def count_nonzero(x: ArrayView, out: ArrayView) -> None:
    """out[()] = number of elements of x that are not zero (NaN counts); out is int64, 0-d."""
    ndarray(out)[...] = np.count_nonzero(_nonzero_mask(x))


def nonzero(x: ArrayView, out: ArrayView) -> None:
    """Row r of out (int64, shape (count_nonzero(x), x.ndim)) is the index of the r-th nonzero
    element of x in row-major order of x's logical shape (not its memory order)."""
    ndarray(out)[...] = np.argwhere(_nonzero_mask(x))


def _nonzero_mask(x: ArrayView) -> np.ndarray:
    a = ndarray(x)
    return a.astype(np.float32) != 0 if _is_half(x) else a != 0


def repeat_index(repeats: ArrayView, out: ArrayView) -> None:
    """out = [0] * repeats[0] + [1] * repeats[1] + ...: for a 1-D integer `repeats` (all >= 0)
    and a 1-D int64 out of length sum(repeats)."""
    r = ndarray(repeats)
    ndarray(out)[...] = np.repeat(np.arange(r.shape[0], dtype=np.int64), r)
