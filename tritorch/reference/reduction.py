"""Reduction family, numpy reference: reductions over dims, arg-reductions, variance,
log-sum-exp, vector norms, scans and sorting.

Conventions the Triton kernels share:

* A reduction's outputs have x's ndim, the reduced dims of size 1 (the op layer drops them for
  keepdim=False); scans and sorts write outputs of x's shape. x has at least one dim wherever a
  `dim` is named (the op layer views a 0-d tensor as shape (1,)).
* x's values are first converted to the output's dtype (PyTorch's `dtype=` argument casts the
  input), then computed as PyTorch's cpu computes them and rounded once on store: float32 in
  float32, float16/bfloat16 in float32, float64 in float64, integers in int64. Where PyTorch's
  cpu accumulates float32 in float64 (its `acc_type`), so does this module: the scans
  (cumsum, cumprod, logcumsumexp: float64 for float32, float32 for halves) and the variance
  (Welford in float64 for every floating dtype). Run on float64 copies of the inputs
  (`tritorch.testing.oracle`), the same code is the oracle for every kernel.
* Comparisons (arg-reductions, running extrema, sorting, searching) read x in its own dtype;
  halves widen exactly to float32 first.
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


_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)


def _compute_type(dtype: DType) -> np.dtype:
    """What PyTorch's cpu computes a `dtype` result in (its opmath type): halves in float32."""
    if dtype.is_floating_point:
        return _F64 if dtype.np == _F64 else _F32
    return np.dtype(np.bool_) if dtype.kind == "b" else np.dtype(np.int64)


def _accumulate_type(dtype: DType) -> np.dtype:
    """PyTorch's cpu `acc_type` of its scans: float64 for float32 too."""
    return _F64 if dtype.is_floating_point and dtype.itemsize >= 4 else _compute_type(dtype)


def _load(x: ArrayView, dtype: DType) -> np.ndarray:
    """x's values converted to `dtype` (the output's), then to its compute type (no copy when
    x already holds it)."""
    return ndarray(x).astype(dtype.np, copy=False).astype(_compute_type(dtype), copy=False)


def _comparable(x: ArrayView) -> np.ndarray:
    """x's values for comparisons only: its own dtype, halves widened (exactly) to float32."""
    a = ndarray(x)
    return a.astype(_F32) if x.dtype.is_floating_point and x.dtype.itemsize < 4 else a


def _store(out: ArrayView, values: np.ndarray) -> None:
    """Round once into out's dtype; values beyond its range become inf, as in PyTorch."""
    with np.errstate(over="ignore", invalid="ignore"):
        np.copyto(ndarray(out), values, casting="unsafe")


def _count(x: ArrayView, dims: tuple[int, ...]) -> int:
    n = 1
    for d in dims:
        n *= x.shape[d]
    return n


_REDUCERS = {"sum": np.add, "mean": np.add, "prod": np.multiply, "max": np.maximum, "min": np.minimum}


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
    if op not in _REDUCERS:
        raise ValueError(f"reduce: unknown op {op!r}; expected one of {', '.join(REDUCE_OPS)}")
    a = _load(x, out.dtype)
    with np.errstate(all="ignore"):  # int overflow wraps, 0/0 is NaN and inf rounds, as in PyTorch
        result = _REDUCERS[op].reduce(a, axis=axis, keepdims=True)
        if op == "mean":  # sum, then one division in the compute type (PyTorch's cpu)
            result = np.divide(result, _count(x, axis), dtype=a.dtype)
        np.copyto(ndarray(out), result, casting="unsafe")



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
    raw, a = ndarray(x), _comparable(x)
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
    Computed in float64 for every floating dtype: PyTorch's cpu accumulates its Welford
    variance in double.
    """
    a = ndarray(x).astype(out.dtype.np, copy=False)
    axis = tuple(dims)
    n = _count(x, axis)
    with np.errstate(all="ignore"):
        mean = np.sum(a, axis=axis, keepdims=True, dtype=_F64) / n
        deviations = np.subtract(a, mean, out=np.empty(a.shape, _F64))  # an array even 0-d
        squares = np.sum(np.square(deviations, out=deviations), axis=axis, keepdims=True)
        result = squares / max(0.0, n - correction)
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
        m = np.where(np.isfinite(m), m, 0)
        shifted = np.subtract(a, m, out=np.empty_like(a))  # an array even 0-d: exp works in place
        total = np.sum(np.exp(shifted, out=shifted), axis=axis, keepdims=True)
        total = np.log(total) + m
    _store(out, total)


def norm(x: ArrayView, dims: tuple[int, ...], p: float, out: ArrayView) -> None:
    """The vector p-norm over `dims` (torch.linalg.vector_norm); out has size 1 at `dims`.

        p = inf: max |x|    p = -inf: min |x|    p = 0: count of x != 0
        other p: (sum |x|^p)^(1/p)
    The inf norms need a non-empty reduction (the op layer checks).
    """
    loaded = _load(x, out.dtype)
    a = np.abs(loaded, out=np.empty_like(loaded))  # an array even 0-d: the steps below reuse it
    axis = tuple(dims)
    with np.errstate(all="ignore"):  # negative p over zeros: 0^p = inf, inf^(1/p) = 0
        if p == np.inf:
            result = np.max(a, axis=axis, keepdims=True)
        elif p == -np.inf:
            result = np.min(a, axis=axis, keepdims=True)
        elif p == 0:
            result = np.sum(a != 0, axis=axis, keepdims=True, dtype=a.dtype)
        elif p == 1:
            result = np.sum(a, axis=axis, keepdims=True)
        elif p == 2:
            result = np.sqrt(np.sum(np.square(a, out=a), axis=axis, keepdims=True))
        else:
            result = np.sum(np.power(a, p, out=a), axis=axis, keepdims=True) ** (1.0 / p)
    _store(out, result)


def cumulative(op: str, x: ArrayView, dim: int, out: ArrayView) -> None:
    """Inclusive scan along `dim`, for op in CUMULATIVE_OPS; out has x's shape.

        for every row r along dim:
            acc = identity(op)          (logcumsumexp: op(a, b) = log(exp(a) + exp(b)), identity -inf)
            for k in range(len(r)):  acc = op(acc, r[k]);  out_row[k] = acc

    The accumulator is PyTorch's cpu `acc_type` (float64 for float32, float32 for halves); each
    output is rounded from it once.
    """
    scans = {"cumsum": np.cumsum, "cumprod": np.cumprod, "logcumsumexp": np.logaddexp.accumulate}
    if op not in scans:
        raise ValueError(f"cumulative: unknown op {op!r}; expected one of {', '.join(CUMULATIVE_OPS)}")
    a = ndarray(x).astype(out.dtype.np, copy=False)
    with np.errstate(all="ignore"):
        _store(out, scans[op](a, axis=dim, dtype=_accumulate_type(out.dtype)))


def cumulative_extremum(op: str, x: ArrayView, dim: int, values_out: ArrayView, indices_out: ArrayView) -> None:
    """Running max or min along `dim` (op in EXTREMUM_OPS) and its int64 index; outputs have x's shape.

        for every row r along dim:
            k = 0;  for i in range(len(r)):  if r[i] is NaN or (r[k] is not NaN and r[i] >= r[k]):  k = i
                    values_out_row[i] = r[k];  indices_out_row[i] = k        (min: r[i] <= r[k])

    Ties take the later index and a NaN sticks until the next one, as PyTorch's cummax/cummin.
    """
    if op not in EXTREMUM_OPS:
        raise ValueError(f"cumulative_extremum: unknown op {op!r}; expected one of {', '.join(EXTREMUM_OPS)}")
    raw, a = ndarray(x), _comparable(x)
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
    raw, a = ndarray(x), _comparable(x)
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
    seq, v = _comparable(sorted_sequence), _comparable(values)
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
