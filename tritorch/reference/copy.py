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
    ndarray(out)[...] = s.astype(out.dtype.np, copy=False)
