"""Reduction family, numpy reference: reductions over dims, arg-reductions, variance,
log-sum-exp, vector norms, scans and sorting.

Conventions the Triton kernels share:

* A reduction's outputs have x's ndim, the reduced dims of size 1 (the op layer drops them for
  keepdim=False); scans and sorts write outputs of x's shape. x has at least one dim wherever a
  `dim` is named (the op layer views a 0-d tensor as shape (1,)).
* x's values are first converted to the output's dtype (PyTorch's `dtype=` argument casts the
  input), then computed in float64 (floating outputs) or int64 (integer outputs) and rounded
  once on store. float64 accumulation makes this the oracle for the float32/half kernels.
* NaN propagates through max/min and wins arg-reductions; ties go to the first index.
"""
from __future__ import annotations

import numpy as np

from ..array_view import ArrayView
from ..dtypes import DType
from .memory import ndarray

REDUCE_OPS = ("sum", "prod", "mean", "max", "min", "any", "all", "count_nonzero")
ARG_REDUCE_OPS = ("max", "min", "median", "mode")
CUMULATIVE_OPS = ("cumsum", "cumprod", "logcumsumexp")
EXTREMUM_OPS = ("max", "min")


def _compute_type(dtype: DType) -> np.dtype:
    if dtype.is_floating_point:
        return np.dtype(np.float64)
    if dtype.kind == "b":
        return np.dtype(np.bool_)
    return np.dtype(np.int64)


def _load(x: ArrayView, dtype: DType) -> np.ndarray:
    """x's values converted to `dtype` (the output's), then widened to the compute type."""
    return ndarray(x).astype(dtype.np, copy=False).astype(_compute_type(dtype), copy=False)


def _store(out: ArrayView, values: np.ndarray) -> None:
    """Round once into out's dtype; values beyond its range become inf, as in PyTorch."""
    with np.errstate(over="ignore", invalid="ignore"):
        ndarray(out)[...] = values.astype(out.dtype.np)


def _count(x: ArrayView, dims: tuple[int, ...]) -> int:
    n = 1
    for d in dims:
        n *= x.shape[d]
    return n


def reduce(op: str, x: ArrayView, dims: tuple[int, ...], out: ArrayView) -> None:
    """out = op over `dims` of x, for op in REDUCE_OPS; out has x's ndim, size 1 at `dims`.

        for every index i of out:
            acc = identity(op)
            for every j of x with j == i outside dims:  acc = op(acc, x[j])
            out[i] = acc

    any/all/count_nonzero test x != 0 (NaN counts as nonzero); the others load x as out's
    dtype. mean over nothing is NaN; max/min need a non-empty reduction (the op layer checks).
    """
    axis = tuple(dims)
    if op in ("any", "all", "count_nonzero"):
        nonzero = ndarray(x).astype(np.bool_)
        result = {"any": np.any, "all": np.all, "count_nonzero": np.sum}[op](nonzero, axis=axis, keepdims=True)
        _store(out, np.asarray(result))
        return
    a = _load(x, out.dtype)
    with np.errstate(all="ignore"):  # int overflow wraps and 0/0 is NaN, as in PyTorch
        if op == "mean":
            result = np.sum(a, axis=axis, keepdims=True) / np.float64(_count(x, axis))
        elif op in ("sum", "prod", "max", "min"):
            result = {"sum": np.sum, "prod": np.prod, "max": np.max, "min": np.min}[op](a, axis=axis, keepdims=True)
        else:
            raise ValueError(f"reduce: unknown op {op!r}; expected one of {', '.join(REDUCE_OPS)}")
    _store(out, np.asarray(result))


def arg_reduce(op: str, x: ArrayView, dim: int, values_out: ArrayView | None, indices_out: ArrayView) -> None:
    """The max, min, lower median or mode along `dim` and its int64 index; outputs have size 1
    at `dim`.

        for every row r along dim:
            k = first index of max(r) / min(r) / the lower median (a NaN wins: its first index)
                / the last index of the most frequent value
            values_out[r] = r[k];  indices_out[r] = k

    For max/min the index is the first occurrence. For median it is the index that a stable
    sort puts at the median position (PyTorch's cpu agrees). For mode, ties between values go to
    the smallest value, NaNs count as one value (the largest) and -0.0 as 0.0, and the index is
    the value's last occurrence (PyTorch's cpu gives that for rows of up to 16 elements; past
    that its index depends on its unstable sort). `values_out` may be None (argmax/argmin).
    """
    if op not in ARG_REDUCE_OPS:
        raise ValueError(f"arg_reduce: unknown op {op!r}; expected one of {', '.join(ARG_REDUCE_OPS)}")
    raw = ndarray(x)
    a = raw.astype(_compute_type(x.dtype), copy=False)
    if op == "max":
        idx = np.argmax(a, axis=dim, keepdims=True)
    elif op == "min":
        idx = np.argmin(a, axis=dim, keepdims=True)
    elif op == "median":
        idx = _median_index(a, dim)
    else:
        idx = _mode_index(a, dim)
    ndarray(indices_out)[...] = idx
    if values_out is not None:
        ndarray(values_out)[...] = np.take_along_axis(raw, idx, axis=dim)


def _median_index(a: np.ndarray, dim: int) -> np.ndarray:
    """Index of the lower median along `dim`; a row holding NaN gives its first NaN."""
    order = np.argsort(a, axis=dim, kind="stable")  # NaNs sort last, in their original order
    n = a.shape[dim]
    kept = a.shape[:dim] + (1,) + a.shape[dim + 1:]
    position = np.full(kept, (n - 1) // 2, dtype=np.int64)
    if a.dtype.kind == "f":
        nans = np.sum(np.isnan(a), axis=dim, keepdims=True)
        position = np.where(nans > 0, n - nans, position)
    return np.take_along_axis(order, position, axis=dim)


def _mode_index(a: np.ndarray, dim: int) -> np.ndarray:
    """Index of the last occurrence of the most frequent value along `dim` (the smallest such
    value; NaNs equal to each other): the end of the first longest run of the stable sort."""
    order = np.moveaxis(np.argsort(a, axis=dim, kind="stable"), dim, -1)
    s = np.take_along_axis(np.moveaxis(a, dim, -1), order, axis=-1)
    same = (s[..., 1:] == s[..., :-1]) | ((s[..., 1:] != s[..., 1:]) & (s[..., :-1] != s[..., :-1]))
    n = s.shape[-1]
    starts = np.maximum.accumulate(np.where(same, 0, np.arange(1, n)), axis=-1) if n > 1 else s[..., :0]
    starts = np.concatenate([np.zeros(s.shape[:-1] + (1,), np.int64), starts], axis=-1)
    end = np.argmax(np.arange(n) - starts, axis=-1)[..., None]  # the first longest run's end
    return np.moveaxis(np.take_along_axis(order, end, axis=-1), -1, dim)


def var(x: ArrayView, dims: tuple[int, ...], correction: float, out: ArrayView, take_sqrt: bool = False) -> None:
    """Variance over `dims` with Bessel-style `correction`, two-pass; its square root (the
    standard deviation) when `take_sqrt`. out has x's ndim, size 1 at `dims`.

        mean = sum(x[j]) / N                    over the N elements j of each reduced slice
        out  = sum((x[j] - mean)^2) / max(0, N - correction)

    N - correction <= 0 divides by zero (inf, or NaN when the sum is 0), as PyTorch.
    """
    a = _load(x, out.dtype)
    axis = tuple(dims)
    n = _count(x, axis)
    with np.errstate(all="ignore"):
        mean = np.sum(a, axis=axis, keepdims=True) / np.float64(n)
        squares = np.sum(np.square(a - mean), axis=axis, keepdims=True)
        result = squares / np.float64(max(0.0, n - correction))
        if take_sqrt:
            result = np.sqrt(result)
    _store(out, result)


def logsumexp(x: ArrayView, dims: tuple[int, ...], out: ArrayView) -> None:
    """out = log(sum(exp(x))) over `dims`, shifted by the max so large values do not overflow.

        m   = max(x[j])   (0 when it is infinite, so all -inf gives -inf and +inf gives +inf)
        out = m + log(sum(exp(x[j] - m)))
    """
    a = _load(x, out.dtype)
    axis = tuple(dims)
    with np.errstate(all="ignore"):
        m = np.max(a, axis=axis, keepdims=True, initial=-np.inf)
        m = np.where(np.isfinite(m), m, 0.0)
        result = m + np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))
    _store(out, result)


def norm(x: ArrayView, dims: tuple[int, ...], p: float, out: ArrayView) -> None:
    """The vector p-norm over `dims` (torch.linalg.vector_norm); out has size 1 at `dims`.

        p = inf: max |x|    p = -inf: min |x|    p = 0: count of x != 0
        other p: (sum |x|^p)^(1/p)
    The inf norms need a non-empty reduction (the op layer checks).
    """
    a = np.abs(_load(x, out.dtype))
    axis = tuple(dims)
    with np.errstate(all="ignore"):  # negative p over zeros: 0^p = inf, inf^(1/p) = 0
        if p == np.inf:
            result = np.max(a, axis=axis, keepdims=True)
        elif p == -np.inf:
            result = np.min(a, axis=axis, keepdims=True)
        elif p == 0:
            result = np.sum(a != 0, axis=axis, keepdims=True).astype(np.float64)
        elif p == 1:
            result = np.sum(a, axis=axis, keepdims=True)
        elif p == 2:
            result = np.sqrt(np.sum(np.square(a), axis=axis, keepdims=True))
        else:
            result = np.sum(a ** p, axis=axis, keepdims=True) ** (1.0 / p)
    _store(out, result)


def cumulative(op: str, x: ArrayView, dim: int, out: ArrayView) -> None:
    """Inclusive scan along `dim`, for op in CUMULATIVE_OPS; out has x's shape.

        for every row r along dim:
            acc = identity(op)          (logcumsumexp: op(a, b) = log(exp(a) + exp(b)), identity -inf)
            for k in range(len(r)):  acc = op(acc, r[k]);  out_row[k] = acc
    """
    scans = {"cumsum": np.cumsum, "cumprod": np.cumprod, "logcumsumexp": np.logaddexp.accumulate}
    if op not in scans:
        raise ValueError(f"cumulative: unknown op {op!r}; expected one of {', '.join(CUMULATIVE_OPS)}")
    with np.errstate(all="ignore"):
        _store(out, scans[op](_load(x, out.dtype), axis=dim))


def cumulative_extremum(op: str, x: ArrayView, dim: int, values_out: ArrayView, indices_out: ArrayView) -> None:
    """Running max or min along `dim` (op in EXTREMUM_OPS) and its int64 index; outputs have x's shape.

        for every row r along dim:
            k = 0;  for i in range(len(r)):  if r[i] is NaN or (r[k] is not NaN and r[i] >= r[k]):  k = i
                    values_out_row[i] = r[k];  indices_out_row[i] = k        (min: r[i] <= r[k])

    Ties take the later index and a NaN sticks until the next one, as PyTorch's cummax/cummin.
    """
    if op not in EXTREMUM_OPS:
        raise ValueError(f"cumulative_extremum: unknown op {op!r}; expected one of {', '.join(EXTREMUM_OPS)}")
    raw = ndarray(x)
    a = raw.astype(_compute_type(x.dtype), copy=False)
    running = (np.maximum if op == "max" else np.minimum).accumulate(a, axis=dim)  # NaN propagates
    # The running extremum moves only where r[i] equals it (or is NaN): the index is the last such i.
    hit = (a == running) | (a != a)
    position = np.arange(a.shape[dim]).reshape((-1,) + (1,) * (a.ndim - dim - 1))
    idx = np.maximum.accumulate(np.where(hit, position, 0), axis=dim)
    ndarray(indices_out)[...] = idx
    ndarray(values_out)[...] = np.take_along_axis(raw, idx, axis=dim)


def sort(x: ArrayView, dim: int, descending: bool, stable: bool,
         values_out: ArrayView | None, indices_out: ArrayView) -> None:
    """Sort along `dim`: values and their int64 source indices; outputs have x's shape.

        for every row r along dim:
            order = indices of r sorted ascending (descending), NaN largest, equal values
                    keeping their original order
            values_out_row = r[order];  indices_out_row = order

    The reference always sorts stably (`stable` lets a kernel pick a faster unstable sort);
    `values_out` may be None (argsort).
    """
    raw = ndarray(x)
    a = raw.astype(_compute_type(x.dtype), copy=False)
    if descending:
        # A stable ascending sort of the reversed row, read backwards, is a stable descending
        # sort: equal values come out in their original order, NaNs first.
        flipped = np.flip(a, axis=dim)
        order = np.flip(np.argsort(flipped, axis=dim, kind="stable"), axis=dim)
        order = a.shape[dim] - 1 - order
    else:
        order = np.argsort(a, axis=dim, kind="stable")
    ndarray(indices_out)[...] = order
    if values_out is not None:
        ndarray(values_out)[...] = np.take_along_axis(raw, order, axis=dim)


def searchsorted(sorted_sequence: ArrayView, values: ArrayView, right: bool, out: ArrayView) -> None:
    """Insertion points of `values` (..., L) in the rows of `sorted_sequence` (..., N) with the
    same leading index (the op layer broadcasts a 1-D sequence with stride 0 and gives both one
    dtype); out (int64 or int32) has values' shape. PyTorch's binary search, NaN included:

        for every value v and its row r:  lo, hi = 0, N
            while lo < hi:  mid = (lo + hi) // 2;  lo, hi = (mid + 1, hi) if not r[mid] >= v else (lo, mid)
            out = lo                                   (right: `r[mid] > v` in place of `>=`)
    """
    seq = ndarray(sorted_sequence).astype(_compute_type(sorted_sequence.dtype), copy=False)
    v = ndarray(values).astype(_compute_type(values.dtype), copy=False)
    n = seq.shape[-1]
    lo = np.zeros(v.shape, np.int64)
    hi = np.full(v.shape, n, np.int64)
    for _ in range(n.bit_length()):  # each step halves hi - lo
        active = lo < hi
        mid = lo + ((hi - lo) >> 1)
        probe = np.take_along_axis(seq, np.minimum(mid, n - 1), axis=-1)  # inactive lanes: any in-range probe
        go_right = ~(probe > v) if right else ~(probe >= v)
        lo = np.where(active & go_right, mid + 1, lo)
        hi = np.where(active & ~go_right, mid, hi)
    ndarray(out)[...] = lo
