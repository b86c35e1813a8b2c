"""Softmax family, numpy reference: softmax and log-softmax along one dim, max-shifted.

x's values are converted to out's dtype (PyTorch's `dtype=` casts the input), computed as
PyTorch's cpu computes them (float32 and halves in float32, float64 in float64) and rounded once
on store; run on float64 copies (`tritorch.testing.oracle`) it is the kernels' oracle. x has at
least one dim (the op layer views a 0-d tensor as shape (1,)). A row of all -inf, or one holding
+inf, gives NaN, as in PyTorch.
"""
from __future__ import annotations

import numpy as np

from ..array_view import ArrayView
from .reduction import _load, _store


def _shifted(x: ArrayView, dtype, dim: int) -> np.ndarray:
    """x - max(x) along `dim` in `dtype`'s compute type, a new array: exp of it cannot overflow."""
    a = _load(x, dtype)
    return np.subtract(a, np.max(a, axis=dim, keepdims=True, initial=-np.inf))


def softmax(x: ArrayView, dim: int, out: ArrayView) -> None:
    """out = exp(x) / sum(exp(x)) along `dim`.

        for every row r along dim:
            m = max(r);  e = exp(r - m)
            out_row = e / sum(e)
    """
    with np.errstate(all="ignore"):  # NaN rows and the final rounding are PyTorch's behaviour too
        e = _shifted(x, out.dtype, dim)
        np.exp(e, out=e)
        e /= np.sum(e, axis=dim, keepdims=True)
    _store(out, e)


def log_softmax(x: ArrayView, dim: int, out: ArrayView) -> None:
    """out = x - log(sum(exp(x))) along `dim`.

        for every row r along dim:
            s = r - max(r)
            out_row = s - log(sum(exp(s)))
    """
    with np.errstate(all="ignore"):
        s = _shifted(x, out.dtype, dim)
        s -= np.log(np.sum(np.exp(s), axis=dim, keepdims=True))
    _store(out, s)
