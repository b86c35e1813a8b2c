"""Host memory for the cpu device: flat numpy buffers, and the strided numpy view of an ArrayView."""
from __future__ import annotations

import ctypes
import os
import platform

import numpy as np

from ..array_view import ArrayView
from ..dtypes import DType

HEAP_MMAP_THRESHOLD = 32 << 20  # bytes: glibc's largest dynamic threshold, fixed from the start
HEAP_TRIM_THRESHOLD = 256 << 20  # bytes of free heap kept before any is returned to the kernel


def keep_freed_heap() -> bool:
    """Let freed tensor buffers be reused instead of returned to the kernel, as a caching
    allocator would. Every op allocates its result; glibc serves a request above its mmap
    threshold (128 KiB at first) with fresh pages from the kernel, and the first touch of each
    page faults: for a 2 MiB tensor that costs more than the op itself (the MLP step of issue 8
    at batch 512 ran 2.4x slower than with the heap kept). PyTorch avoids it with huge pages.
    glibc's malloc is process-wide, so this is a setting of the process: tritorch applies it
    when imported, unless the environment sets TRITORCH_KEEP_HEAP=0. Returns whether it did."""
    if os.environ.get("TRITORCH_KEEP_HEAP", "1") == "0" or platform.libc_ver()[0] != "glibc":
        return False
    libc = ctypes.CDLL("libc.so.6")
    m_trim_threshold, m_mmap_threshold = -1, -3  # malloc.h
    return bool(libc.mallopt(m_mmap_threshold, HEAP_MMAP_THRESHOLD)
                and libc.mallopt(m_trim_threshold, HEAP_TRIM_THRESHOLD))


HEAP_KEPT = keep_freed_heap()


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
