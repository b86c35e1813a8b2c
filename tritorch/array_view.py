"""The currency of every primitive: a strided view into a flat buffer.

`buffer` is a flat 1-D array of `dtype` elements (a numpy array on the cpu, a torch-allocated
buffer on cuda); the view's element (i0, i1, ...) lives at `buffer[offset + sum(ik * strides[k])]`.
Strides are in elements and never negative (flips copy, as in PyTorch); a stride of 0 is a
broadcast.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from .dtypes import DType

Shape = tuple[int, ...]
Strides = tuple[int, ...]


class _Fields(NamedTuple):
    buffer: Any
    offset: int
    shape: Shape
    strides: Strides
    dtype: DType


class ArrayView(_Fields):
    """A strided view (see the module docstring). A backend may cache what it derives from the
    view on it (the cpu backend keeps the numpy view in `host`): a Tensor reuses one ArrayView
    for every call."""

    host = None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def numel(self) -> int:
        n = 1
        for s in self.shape:
            n *= s
        return n


def contiguous_strides(shape: Shape) -> Strides:
    """Row-major strides of `shape` (a size-0 dim counts as 1, so no stride is 0)."""
    n = len(shape)
    if n == 2:  # the common cases without the loop: every op asks for one
        return (shape[1] or 1, 1)
    if n < 2:
        return (1,) if n else ()
    strides, step = [1] * n, 1
    for i in range(n - 1, -1, -1):
        strides[i] = step
        step *= shape[i] or 1
    return tuple(strides)


def is_row_major(shape: Shape, strides: Strides) -> bool:
    """Whether (shape, strides) is C-contiguous (size-1 dims may have any stride)."""
    expected = 1
    for size, stride in zip(reversed(shape), reversed(strides)):
        if size != 1 and stride != expected:
            return False
        expected *= size
    return True
