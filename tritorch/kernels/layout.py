"""Strided geometry for kernel launches: every kernel sees at most `MAX_DIMS` dimensions.

`collapse` merges dimensions that are contiguous with respect to each other in *every* operand,
so the common cases (contiguous, transposed, broadcast rows) become 1-D or 2-D loops. A view
that still has more than `MAX_DIMS` dimensions is split on the host: `launches` yields one
geometry per index of the extra leading dimensions, each with its operands' base offsets moved.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

MAX_DIMS = 4


def collapse(shape: Sequence[int], strides: Sequence[Sequence[int]]) -> tuple[tuple[int, ...], list[tuple[int, ...]]]:
    """Drop size-1 dims and merge dim k into k+1 whenever, for every operand,
    stride[k] == stride[k+1] * shape[k+1]. Returns (shape, strides per operand), at least 1-D."""
    dims = [d for d in range(len(shape)) if shape[d] != 1]
    out_shape: list[int] = []
    out_strides: list[list[int]] = [[] for _ in strides]
    for d in dims:
        if out_shape and all(st[d] * shape[d] == o[-1] for st, o in zip(strides, out_strides)):
            out_shape[-1] *= shape[d]
            for st, o in zip(strides, out_strides):
                o[-1] = st[d]
            continue
        out_shape.append(shape[d])
        for st, o in zip(strides, out_strides):
            o.append(st[d])
    if not out_shape:
        return (1,), [(0,) for _ in strides]
    return tuple(out_shape), [tuple(o) for o in out_strides]


def launches(shape: Sequence[int], offsets: Sequence[int], strides: Sequence[Sequence[int]]
             ) -> Iterator[tuple[tuple[int, ...], list[int], list[tuple[int, ...]]]]:
    """Collapse, then yield (shape, offsets, strides) padded to exactly MAX_DIMS dims (leading
    size-1 dims with stride 0), one per index of any dims beyond MAX_DIMS."""
    shape, strides = collapse(shape, strides)
    extra = len(shape) - MAX_DIMS
    lead_shape = shape[:max(extra, 0)]
    inner = shape[max(extra, 0):]
    pad = MAX_DIMS - len(inner)
    for lead in itertools.product(*(range(n) for n in lead_shape)):
        offs = [off + sum(i * s for i, s in zip(lead, st[:len(lead)])) for off, st in zip(offsets, strides)]
        yield ((1,) * pad + tuple(inner), offs,
               [(0,) * pad + tuple(st[len(lead):]) for st in strides])


def _byte_span(v) -> tuple[int, int]:
    """First and last byte address a view can touch (strides may be negative: flips)."""
    reach = [(n - 1) * s for n, s in zip(v.shape, v.strides)]
    item = v.dtype.itemsize
    start = v.buffer.data_ptr() + (v.offset + sum(r for r in reach if r < 0)) * item
    return start, v.buffer.data_ptr() + (v.offset + sum(r for r in reach if r > 0) + 1) * item - 1


def may_overlap(a, b) -> bool:
    """Whether two views may share memory (conservatively: their byte ranges meet). Addresses,
    not buffer objects: two buffers imported through DLPack can alias one allocation."""
    (lo_a, hi_a), (lo_b, hi_b) = _byte_span(a), _byte_span(b)
    return lo_a <= hi_b and lo_b <= hi_a


def same_elements(a, b) -> bool:
    """Whether two views read exactly the same elements in the same order (an in-place op then
    reads and writes each element in one place, which is safe)."""
    return (a.buffer.data_ptr() + a.offset * a.dtype.itemsize, tuple(a.shape), tuple(a.strides), a.dtype.itemsize) == \
        (b.buffer.data_ptr() + b.offset * b.dtype.itemsize, tuple(b.shape), tuple(b.strides), b.dtype.itemsize)
