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
from .layout import launches, may_overlap

BLOCK = 1024


# Tiling: one program per BLOCK consecutive output elements (row-major over the collapsed,
# 4-D padded shape). The contiguous case is one flat loop; otherwise each element's offsets are
# decomposed from its linear index. Bound: bytes, (in + out itemsize) per element.
@triton.jit
def _copy_kernel(src, dst, n, src_off, dst_off, S1, S2, S3,
                 a0, a1, a2, a3, b0, b1, b2, b3,
                 FLAT: tl.constexpr, BLOCK: tl.constexpr):
    i = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    mask = i < n
    if FLAT:
        src_idx = i
        dst_idx = i
    else:
        i3 = i % S3
        r = i // S3
        i2 = r % S2
        r = r // S2
        i1 = r % S1
        i0 = r // S1
        src_idx = i0 * a0 + i1 * a1 + i2 * a2 + i3 * a3
        dst_idx = i0 * b0 + i1 * b1 + i2 * b2 + i3 * b3
    x = tl.load(src + src_off + src_idx, mask=mask)
    tl.store(dst + dst_off + dst_idx, cast(x, dst.dtype.element_ty), mask=mask)


def _launch_copy(src: ArrayView, out: ArrayView) -> None:
    for shape, (s_off, d_off), (a, b) in launches(out.shape, (src.offset, out.offset), (src.strides, out.strides)):
        n = shape[0] * shape[1] * shape[2] * shape[3]
        flat = shape[:3] == (1, 1, 1) and a[3] == 1 and b[3] == 1
        _copy_kernel[(triton.cdiv(n, BLOCK),)](
            src.buffer, out.buffer, n, s_off, d_off, shape[1], shape[2], shape[3],
            *a, *b, FLAT=flat, BLOCK=BLOCK)


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
