"""Host memory for the cpu device: flat numpy buffers, and the strided numpy view of an ArrayView."""
from __future__ import annotations

import numpy as np

from ..array_view import ArrayView
from ..dtypes import DType


def empty(numel: int, dtype: DType, index: int | None = None) -> np.ndarray:
    """An uninitialised flat buffer (`index`: a device index, meaningless on the cpu)."""
    return np.empty(numel, dtype.np)


def from_numpy(a: np.ndarray, index: int | None = None) -> np.ndarray:
    """A flat buffer holding a copy of `a`'s values in C order (`index`: as in `empty`)."""
    return np.ascontiguousarray(a).reshape(-1).copy()


def to_numpy(v: ArrayView) -> np.ndarray:
    """The view's values as a numpy array that shares the buffer's memory (a new array object
    each call: what the caller does to its flags stays with it)."""
    return ndarray(v).view()


def dlpack(v: ArrayView, stream=None):
    """A DLPack capsule of the view (numpy builds it; no data moves)."""
    if stream is not None:
        raise BufferError("the cpu device has no streams: pass stream=None")
    return ndarray(v).__dlpack__()


def dlpack_device(v: ArrayView) -> tuple[int, int]:
    return (1, 0)  # kDLCPU


def data_ptr(buffer: np.ndarray) -> int:
    return buffer.__array_interface__["data"][0]


def ndarray(v: ArrayView) -> np.ndarray:
    """A writable numpy view of `v` (no copy), made once per ArrayView."""
    view = v.host
    if view is None:
        buffer = v.buffer
        item = buffer.itemsize
        strides = tuple(s * item for s in v.strides)
        if 0 in v.shape:  # an empty view may start past the buffer's end, which ndarray() refuses
            view = np.lib.stride_tricks.as_strided(buffer[:0], shape=v.shape, strides=strides)
        else:
            view = np.ndarray(v.shape, buffer.dtype, buffer, v.offset * item, strides)
        v.host = view
    return view
