"""`tritorch.cuda`: the cuda device's state, as `torch.cuda`.

Without a GPU, Triton's interpreter runs the same kernels on the CPU: set `TRITON_INTERPRET=1`
before importing tritorch, or call `use_interpreter()` before the first cuda tensor. Then
`is_available()` is True and `is_interpreted()` tells the two apart.
"""
from __future__ import annotations

import os
import sys


def _memory():
    from .kernels import memory  # imports torch (for allocation only) on first use
    return memory


def use_interpreter() -> None:
    """Run cuda kernels through Triton's interpreter from now on (must precede the first cuda op)."""
    if "tritorch.kernels" in sys.modules and not is_interpreted():
        raise RuntimeError("use_interpreter() must be called before the first cuda operation: the "
                           "Triton kernels are already compiled for the GPU")
    os.environ["TRITON_INTERPRET"] = "1"


def is_interpreted() -> bool:
    return _memory().interpreted()


def is_available() -> bool:
    return _memory().available()


def device_count() -> int:
    return _memory().device_count()


def current_device() -> int:
    return _memory().current_device()


def get_device_name(device=None) -> str:
    return _memory().device_name()


def synchronize(device=None) -> None:
    _memory().synchronize()


def memory_allocated(device=None) -> int:
    return _memory().memory_allocated()


def max_memory_allocated(device=None) -> int:
    return _memory().max_memory_allocated()


def empty_cache() -> None:
    _memory().empty_cache()
