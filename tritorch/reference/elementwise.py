"""Elementwise family, numpy reference.

Half-precision inputs are computed in float32 and rounded once on store, as the Triton kernels
do; float64 stays float64.
"""
from __future__ import annotations

import numpy as np

from ..array_view import ArrayView
from .memory import ndarray


def fill(out: ArrayView, value) -> None:
    """out[...] = value (converted to out's dtype)."""
    ndarray(out)[...] = np.asarray(value).astype(out.dtype.np)


def arange(start, step, out: ArrayView) -> None:
    """out[i] = start + i * step for a 1-D out, computed in float64 (or int64) then converted."""
    n = out.shape[0]
    kind = np.float64 if out.dtype.is_floating_point else np.int64
    ndarray(out)[...] = (np.asarray(start, kind) + np.arange(n, dtype=kind) * np.asarray(step, kind)).astype(out.dtype.np)
