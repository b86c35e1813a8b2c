"""Copy family, Triton kernels (twins of `tritorch/reference/copy.py`).

    for every index i of out:  out[i] = convert(src[i])          (copy)
    for every index i of out:  out[i] = x[i with dims reversed]  (flip)
"""
from __future__ import annotations

import triton
import triton.language as tl

from ..array_view import ArrayView, contiguous_strides
from . import memory
from .cast import cast
from .launch import launch
from .layout import may_overlap
from .strided import element_block, element_launches, element_offsets

BLOCK = 1024


# Tiling: one program per BLOCK consecutive output elements (row-major over the collapsed,
# 4-D padded shape, `strided.element_block`): a shape that collapses to 1-D is one flat strided
# loop; otherwise each element's coordinates are decomposed once from its linear index and
# shared by src and dst. Index math is 32-bit unless the copy reaches 2^31 (I64).
# Bound: bytes, (in + out itemsize) per element.
@triton.jit
def _copy_kernel(src, dst, n, src_off, dst_off, S1, S2, S3,
                 a0, a1, a2, a3, b0, b1, b2, b3,
                 FLAT: tl.constexpr, I64: tl.constexpr, BLOCK: tl.constexpr):
    lin, i0, i1, i2, i3 = element_block(S1, S2, S3, FLAT, I64, BLOCK)
    mask = lin < n
    x = tl.load(src + src_off + element_offsets(lin, i0, i1, i2, i3, a0, a1, a2, a3, FLAT), mask=mask)
    tl.store(dst + dst_off + element_offsets(lin, i0, i1, i2, i3, b0, b1, b2, b3, FLAT),
             cast(x, dst.dtype.element_ty), mask=mask)


def _launch_copy(src: ArrayView, out: ArrayView) -> None:
    for n, shape, (s_off, d_off), (a, b), flat, i64 in element_launches(
            out.shape, (src.offset, out.offset), (src.strides, out.strides)):
        launch(_copy_kernel, (triton.cdiv(n, BLOCK),),
            src.buffer, out.buffer, n, s_off, d_off, shape[1], shape[2], shape[3],
            *a, *b, FLAT=flat, I64=i64, BLOCK=BLOCK)


def copy(src: ArrayView, out: ArrayView) -> None:
    """out[...] = src[...] converted to out's dtype; src may broadcast (stride 0) or overlap out
    (then it is staged through a temporary, since programs run in parallel)."""
    if out.numel == 0:
        return
    if may_overlap(src, out):
        tmp = ArrayView(memory.empty(out.numel, src.dtype), 0, out.shape, contiguous_strides(out.shape), src.dtype)
        _launch_copy(src, tmp)
        src = tmp
    _launch_copy(src, out)


def flip(x: ArrayView, dims: tuple[int, ...], out: ArrayView) -> None:
    """out = x with `dims` reversed: reading x through negative strides from the far end of each
    flipped dim is a plain strided copy."""
    offset, strides = x.offset, list(x.strides)
    for d in dims:
        if x.shape[d] > 1:
            offset += (x.shape[d] - 1) * strides[d]
            strides[d] = -strides[d]
    copy(ArrayView(x.buffer, offset, x.shape, tuple(strides), x.dtype), out)
