"""Copy family, numpy reference: strided copies with dtype conversion.

    for every index i of out:  out[i] = convert(src[i])
"""
from __future__ import annotations

import numpy as np

from ..array_view import ArrayView
from .memory import ndarray


def copy(src: ArrayView, out: ArrayView) -> None:
    """out[...] = src[...] converted to out's dtype; src may broadcast (stride 0) or overlap out
    (the source is read completely before out is written)."""
    s = ndarray(src)
    if np.shares_memory(s, ndarray(out)):
        s = s.copy()
    with np.errstate(over="ignore", invalid="ignore"):  # out-of-range casts wrap, as in PyTorch
        ndarray(out)[...] = s.astype(out.dtype.np, copy=False)


def flip(x: ArrayView, dims: tuple[int, ...], out: ArrayView) -> None:
    """out[i] = x[i with i_d -> x.shape[d] - 1 - i_d for each d in dims], converted to out's
    dtype; out has x's shape and may overlap x (x is read completely first)."""
    s = np.flip(ndarray(x), tuple(dims))
    if np.shares_memory(s, ndarray(out)):
        s = s.copy()
    with np.errstate(over="ignore", invalid="ignore"):  # out-of-range casts wrap, as in PyTorch
        ndarray(out)[...] = s.astype(out.dtype.np, copy=False)
