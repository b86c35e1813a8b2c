"""Device helpers for strided views: the one index decomposition and the one row prologue that
every kernel family uses (inlined into the kernels that call them).

A view reaches a kernel collapsed and padded to 4 dims (`layout.py`): sizes (S0,) S1, S2, S3
and strides s0..s3; dim 0's size is implied by the element or row count.
"""
import triton
import triton.language as tl


@triton.jit
def coords(i, S1, S2, S3):
    """The 4-D coordinates of linear (row-major) indices `i` over a shape (S0, S1, S2, S3)."""
    i3 = i % S3
    r = i // S3
    i2 = r % S2
    r = r // S2
    return r // S1, r % S1, i2, i3


@triton.jit
def offsets(i, S1, S2, S3, s0, s1, s2, s3):
    """Storage offsets of linear indices `i` over a 4-D shape with strides s0..s3."""
    i0, i1, i2, i3 = coords(i, S1, S2, S3)
    return i0 * s0 + i1 * s1 + i2 * s2 + i3 * s3


@triton.jit
def row_block(M, x, x_off, o, o_off, R1, R2, R3, xr0, xr1, xr2, xr3, or0, or1, or2, or3,
              BLOCK_M: tl.constexpr):
    """The prologue of a row kernel (see `rows.py`): this program's BLOCK_M row indices, their
    mask, and pointers to the first element of each row of x and of out."""
    rows = tl.program_id(0).to(tl.int64) * BLOCK_M + tl.arange(0, BLOCK_M)
    x_row = x + x_off + offsets(rows, R1, R2, R3, xr0, xr1, xr2, xr3)
    o_row = o + o_off + offsets(rows, R1, R2, R3, or0, or1, or2, or3)
    return rows, rows < M, x_row, o_row
