"""Picks the backend module for a device.

A backend is a package of kernel families (`memory`, `elementwise`, `copy`, `reduction`,
`softmax`, `matmul`, `index`, `random`), each a flat module of primitives that take
`ArrayView`s and write into an output the caller allocated. `tritorch/reference` is the numpy
backend of the cpu; `tritorch/kernels` (Triton) serves cuda.
"""
from __future__ import annotations

from . import reference
from .device import device as Device

FAMILIES = ("memory", "elementwise", "copy", "reduction", "softmax", "matmul", "index", "random")


def backend_for(device: Device):
    if device.type == "cpu":
        return reference
    raise NotImplementedError(
        f"tritorch has no {device} backend yet: the Triton kernels of the cuda device are not "
        "built (issue 4); use device='cpu'")
