"""Picks the backend for a device.

A backend is a set of kernel families (`tritorch.families.FAMILIES`) plus `memory`, each a
flat module of primitives that take `ArrayView`s and write into an output the caller
allocated. `tritorch/reference` (numpy) serves the cpu; `tritorch/kernels` (Triton) serves
cuda, imported on first use so that the interpreter switch (`TRITON_INTERPRET=1`) is read
before any kernel is defined.
"""
from __future__ import annotations

import inspect
from types import SimpleNamespace

from . import reference
from .device import device as Device
from .families import FAMILIES

__all__ = ["FAMILIES", "backend_for", "cuda_backend", "primitives"]

_cuda = None


def primitives(module) -> tuple[str, ...]:
    """The primitive names of a reference family module: its `PRIMITIVES`, or else every public
    function defined in it."""
    names = getattr(module, "PRIMITIVES", None)
    if names is not None:
        return tuple(names)
    return tuple(n for n, f in vars(module).items()
                 if inspect.isfunction(f) and f.__module__ == module.__name__ and not n.startswith("_"))


def backend_for(device: Device):
    """The backend of a device: the numpy reference for the cpu, the Triton kernels for cuda."""
    if device.type == "cpu":
        return reference
    return cuda_backend(device)


def cuda_backend(device: Device | None = None):
    """The Triton backend: for each family a namespace holding every reference primitive, bound
    to its kernel or, while that kernel is pending, to a function raising NotImplementedError."""
    global _cuda
    if _cuda is None:
        from . import kernels  # defines the kernels: the interpreter switch must be set by now
        if not kernels.memory.available():
            raise RuntimeError(
                "tritorch: the cuda device needs an NVIDIA GPU, and none was found. Without one, run "
                "the same Triton kernels on the CPU through Triton's interpreter: set the environment "
                "variable TRITON_INTERPRET=1 before importing tritorch (or call "
                "tritorch.cuda.use_interpreter() before the first cuda tensor).")
        _cuda = SimpleNamespace(memory=kernels.memory, **{
            fam: SimpleNamespace(**{name: getattr(getattr(kernels, fam, None), name, None) or _pending(fam, name)
                                    for name in primitives(getattr(reference, fam))})
            for fam in FAMILIES})
    if device is not None and device.index >= _cuda.memory.device_count():
        raise RuntimeError(f"cuda device {device.index} requested but only "
                           f"{_cuda.memory.device_count()} cuda device(s) are available")
    return _cuda


def _pending(family: str, name: str):
    def pending(*args, **kwargs):
        raise NotImplementedError(f"the cuda device has no Triton kernel for primitive {family}.{name} "
                                  "yet (a pending primitive); run this op on the cpu for now")
    pending.pending = True
    return pending
