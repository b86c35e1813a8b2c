"""Index math for strided views: the one index decomposition, the element-block and row-block
prologues every kernel family uses (device helpers, inlined into the kernels that call them),
and the host-side choice of 32- or 64-bit index math.

A view reaches a kernel collapsed and padded to 4 dims (`layout.py`): sizes (S0,) S1, S2, S3
and strides s0..s3; dim 0's size is implied by the element or row count.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence

import triton
import triton.language as tl

from .layout import launches

INDEX_LIMIT = 2 ** 31  # an extent or offset from here on switches a launch to int64 index math


@triton.jit
def coords(i, S1, S2, S3):
    """The 4-D coordinates of linear (row-major) indices `i` over a shape (S0, S1, S2, S3)."""
    i3 = i % S3
    r = i // S3
    i2 = r % S2
    r = r // S2
    return r // S1, r % S1, i2, i3


@triton.jit
def strided(i0, i1, i2, i3, s0, s1, s2, s3):
    """The storage offset of 4-D coordinates under strides s0..s3."""
    return i0 * s0 + i1 * s1 + i2 * s2 + i3 * s3


@triton.jit
def offsets(i, S1, S2, S3, s0, s1, s2, s3):
    """Storage offsets of linear indices `i` over a 4-D shape with strides s0..s3."""
    i0, i1, i2, i3 = coords(i, S1, S2, S3)
    return strided(i0, i1, i2, i3, s0, s1, s2, s3)


@triton.jit
def element_block(S1, S2, S3, FLAT: tl.constexpr, I64: tl.constexpr, BLOCK: tl.constexpr):
    """The prologue of an element kernel: this program's BLOCK linear indices `lin` over the
    4-D shape, in int64 when I64 (else int32, the cheaper index math), and their coordinates
    (i0, i1, i2, i3), decomposed once and shared by every operand. On the FLAT path (the shape
    collapsed to 1-D) there is nothing to decompose: the coordinates are `lin` itself."""
    if I64:
        lin = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK).to(tl.int64)
    else:
        lin = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    if FLAT:
        return lin, lin, lin, lin, lin
    else:
        i0, i1, i2, i3 = coords(lin, S1, S2, S3)
        return lin, i0, i1, i2, i3


@triton.jit
def element_offsets(lin, i0, i1, i2, i3, s0, s1, s2, s3, FLAT: tl.constexpr):
    """An operand's storage offsets for a block from `element_block`: `lin * s3` on the FLAT
    path (a 1-D shape has one stride; a stride of 1 is specialised away), else `strided`."""
    if FLAT:
        return lin * s3
    else:
        return strided(i0, i1, i2, i3, s0, s1, s2, s3)


@triton.jit
def row_block(M, x, x_off, o, o_off, R1, R2, R3, xr0, xr1, xr2, xr3, or0, or1, or2, or3,
              BLOCK_M: tl.constexpr):
    """The prologue of a row kernel (see `rows.py`): this program's BLOCK_M row indices, their
    mask, and pointers to the first element of each row of x and of out."""
    rows = tl.program_id(0).to(tl.int64) * BLOCK_M + tl.arange(0, BLOCK_M)
    x_row = x + x_off + offsets(rows, R1, R2, R3, xr0, xr1, xr2, xr3)
    o_row = o + o_off + offsets(rows, R1, R2, R3, or0, or1, or2, or3)
    return rows, rows < M, x_row, o_row


def reach(offset: int, shape: Sequence[int], strides: Sequence[int]) -> int:
    """An upper bound of the storage offsets a view reaches (strides may be negative: flips)."""
    return offset + sum((d - 1) * abs(s) for d, s in zip(shape, strides))


def element_launches(shape: Sequence[int], offsets: Sequence[int], strides: Sequence[Sequence[int]]
                     ) -> Iterator[tuple[int, tuple[int, ...], list[int], list[tuple[int, ...]], bool, bool]]:
    """`layout.launches` for an element kernel: per launch (n, 4-D shape, offsets, 4-D strides
    (one per operand), FLAT, I64), where FLAT says the shape collapsed to 1-D and I64 that the
    element count or an offset some operand reaches needs 64-bit index math."""
    for shape4, offs, strides4 in launches(shape, offsets, strides):
        n = shape4[0] * shape4[1] * shape4[2] * shape4[3]
        flat = shape4[:3] == (1, 1, 1)
        i64 = n >= INDEX_LIMIT or any(reach(o, shape4, s) >= INDEX_LIMIT for o, s in zip(offs, strides4))
        yield n, shape4, offs, strides4, flat, i64
