"""Device memory for the cuda backend: the one module of tritorch that touches torch.

torch is memory, not math: this module allocates buffers with torch's caching allocator, copies
between host and device, synchronises and exchanges DLPack capsules, and nothing else. A test
parses this file and fails if it uses a torch attribute outside `TORCH_ALLOWED`.

On a machine without a GPU, with Triton's interpreter on (`TRITON_INTERPRET=1`), the cuda
device keeps its buffers in host memory as torch CPU tensors and the kernels run interpreted.
"""
from __future__ import annotations

import weakref

import numpy as np
import torch
import triton

from ..array_view import ArrayView
from ..dtypes import DType

TORCH_ALLOWED = frozenset({
    # allocation and dtypes
    "empty", "zeros", "from_numpy", "from_dlpack", "dtype", "bool", "uint8", "int8", "int16", "int32",
    "int64", "float16", "bfloat16", "float32", "float64", "uint16", "Tensor",
    # devices, streams and synchronisation
    "cuda", "is_available", "device_count", "current_device", "get_device_name", "synchronize",
    "memory_allocated", "max_memory_allocated", "reset_peak_memory_stats", "empty_cache", "current_stream",
})

_TORCH_DTYPE = {"bool": torch.bool, "uint8": torch.uint8, "int8": torch.int8, "int16": torch.int16,
                "int32": torch.int32, "int64": torch.int64, "float16": torch.float16,
                "bfloat16": torch.bfloat16, "float32": torch.float32, "float64": torch.float64}


def interpreted() -> bool:
    """Whether kernels run under Triton's interpreter (TRITON_INTERPRET=1 before import), read
    the way Triton reads it."""
    return bool(triton.knobs.runtime.interpret)


def gpu_present() -> bool:
    return torch.cuda.is_available()


def available() -> bool:
    return interpreted() or gpu_present()


def device_count() -> int:
    if interpreted():
        return 1
    return torch.cuda.device_count() if gpu_present() else 0


def _where(index: int | None) -> str:
    """Where a buffer of cuda device `index` lives (None: the current device)."""
    if interpreted():
        return "cpu"
    return "cuda" if index is None else f"cuda:{index}"


class _Counters:
    """The interpreter's device figures: bytes of tritorch's live buffers, and their peak."""
    allocated = 0
    peak = 0


def _freed(nbytes: int) -> None:
    _Counters.allocated -= nbytes


def _counted(buffer):
    """Under the interpreter the buffers are host tensors, which torch.cuda does not see:
    count each one until it is garbage collected."""
    if interpreted():
        nbytes = buffer.numel() * buffer.element_size()
        _Counters.allocated += nbytes
        _Counters.peak = max(_Counters.peak, _Counters.allocated)
        weakref.finalize(buffer, _freed, nbytes)
    return buffer


def empty(numel: int, dtype: DType, index: int | None = None):
    """An uninitialised flat buffer of `numel` elements on cuda device `index` (None: the
    current one)."""
    return _counted(torch.empty(numel, dtype=_TORCH_DTYPE[dtype.name], device=_where(index)))


def from_numpy(a: np.ndarray, index: int | None = None):
    """A flat buffer on cuda device `index` (None: the current one) holding a copy of `a`'s
    values in C order."""
    flat = np.array(a, order="C", copy=True).reshape(-1)
    if flat.dtype.name == "bfloat16":  # torch does not know numpy's bfloat16: move the bits
        host = torch.from_numpy(flat.view(np.uint16)).view(torch.bfloat16)
    else:
        host = torch.from_numpy(flat)
    return _counted(host.to(_where(index)))


def to_numpy(v: ArrayView) -> np.ndarray:
    """A host copy of the view: the span of the buffer it covers is copied, then strided on
    the host."""
    if v.numel == 0:
        return np.empty(v.shape, v.dtype.np)
    span = 1 + sum((n - 1) * s for n, s in zip(v.shape, v.strides))
    chunk = v.buffer[v.offset:v.offset + span].to("cpu")
    if v.dtype.name == "bfloat16":
        host = chunk.view(torch.uint16).numpy().view(v.dtype.np)
    else:
        host = chunk.numpy()
    item = host.itemsize
    strided = np.lib.stride_tricks.as_strided(host, v.shape, tuple(s * item for s in v.strides))
    return strided.copy()


def data_ptr(buffer) -> int:
    return buffer.data_ptr()


def synchronize() -> None:
    if gpu_present() and not interpreted():
        torch.cuda.synchronize()


def current_device() -> int:
    return torch.cuda.current_device() if gpu_present() and not interpreted() else 0


def device_name() -> str:
    if interpreted():
        return "Triton interpreter (cpu)"
    return torch.cuda.get_device_name()


def memory_allocated() -> int:
    """Bytes in live device buffers: torch's allocator's figure on a GPU, tritorch's own count
    under the interpreter."""
    if interpreted():
        return _Counters.allocated
    return torch.cuda.memory_allocated() if gpu_present() else 0


def max_memory_allocated() -> int:
    """The peak of `memory_allocated()` since the start or `reset_peak_memory_stats()`."""
    if interpreted():
        return _Counters.peak
    return torch.cuda.max_memory_allocated() if gpu_present() else 0


def reset_peak_memory_stats() -> None:
    if interpreted():
        _Counters.peak = _Counters.allocated
    elif gpu_present():
        torch.cuda.reset_peak_memory_stats()


def empty_cache() -> None:
    if gpu_present() and not interpreted():
        torch.cuda.empty_cache()


def dlpack(v: ArrayView, stream=None):
    """A DLPack capsule of the view (no data moves)."""
    view = v.buffer.as_strided(v.shape, v.strides, v.offset)
    return view.__dlpack__() if stream is None else view.__dlpack__(stream=stream)


def dlpack_device(v: ArrayView) -> tuple[int, int]:
    return tuple(v.buffer.__dlpack_device__())


def from_dlpack(obj):
    """(flat buffer starting at the first element, its length, shape, strides, dtype name) of a DLPack
    producer's memory, without copying."""
    t = torch.from_dlpack(obj)
    name = str(t.dtype).replace("torch.", "")
    if name not in _TORCH_DTYPE:
        raise TypeError(f"from_dlpack: dtype {t.dtype} has no tritorch equivalent "
                        f"(supported: {', '.join(_TORCH_DTYPE)})")
    extent = 1 + sum((n - 1) * s for n, s in zip(t.shape, t.stride())) if t.numel() else 0
    flat = t.as_strided((extent,), (1,), t.storage_offset())
    return flat, extent, tuple(t.shape), tuple(t.stride()), name
