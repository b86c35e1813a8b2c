"""`python -m tritorch.validate`: every primitive of every kernel family, on both backends, against
the float64 oracle, over a grid of shapes, layouts and dtypes; one printed row per case.

    python -m tritorch.validate [--quick] [--family F[,F]] [--op NAME[,NAME]] [--dtype D[,D]]
                                [--device cpu|cuda|all] [--json PATH]

A case is a primitive's argument list: input arrays (`Arr`), outputs (`Res`) and plain values.
Each device stores every array in its own padded buffer (NaN/sentinel around the view, and in
the gaps of a sliced view), calls its primitive (cpu: the numpy reference in the tensor's dtype;
cuda: the Triton kernel), then checks that nothing outside the outputs changed and compares the
outputs with `tritorch.testing.oracle` under `tritorch.testing.tolerance`. A few cases are
defined by the rounding of their own dtype and compare with the reference run in that dtype
(`expect="dtype"`; the builder says why). Without a GPU, cuda runs Triton's interpreter.

`CASES` maps each (family, primitive) to a builder: `builder(grid)` yields its `Case`s, asking
`grid` for dtypes, shapes and layouts so that `--quick` and `--dtype` prune every family alike.
A primitive without a builder is a failing "no cases" row; one whose cuda kernel is pending is a
`pending` row.
"""
from __future__ import annotations

import argparse
import ctypes
import dataclasses
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np

from . import backend, cuda, dtypes, reference
from .array_view import ArrayView, contiguous_strides
from .dtypes import DType
from .testing import Out, oracle, sentinel, tolerance

PAD = 5
f16, bf16, f32, f64 = dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64
i8, i16, i32, i64, u8, b1 = dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64, dtypes.uint8, dtypes.bool_
FLOATS = (f32, f64, f16, bf16)
INTS = (i32, i64, i16, i8, u8)
ALL = FLOATS + INTS + (b1,)
LAYOUTS = ("contiguous", "transposed", "sliced", "broadcast", "inplace")


# --- what a case is made of ------------------------------------------------------------------

class Arr(NamedTuple):
    """An input array: its logical values and storage layout; `mutated` when the primitive
    writes into it (index_put, scatter), which makes it an output too."""
    values: np.ndarray
    dtype: DType
    layout: str = "contiguous"
    mutated: bool = False


class Res(NamedTuple):
    """An output: its shape, dtype and layout; `alias` is the position of the input whose very
    view it reuses (in place)."""
    shape: tuple[int, ...]
    dtype: DType
    layout: str = "contiguous"
    alias: int | None = None


@dataclasses.dataclass
class Case:
    what: str  # the op and variant, e.g. "add scalar"
    dtype: DType
    shape: tuple[int, ...]
    layout: str
    args: list
    reduction_len: int = 1
    expect: str = "oracle"  # or "dtype": the reference in the tensor's own dtype
    family: str = ""
    primitive: str = ""


class Grid:
    """The dtypes, shapes and layouts builders draw from, pruned by --dtype and --quick; `large`
    adds GPU-sized shapes (never under the interpreter)."""

    def __init__(self, dtype_names: set[str] | None = None, quick: bool = False, large: bool = False):
        self.dtype_names, self.quick, self.large = dtype_names, quick, large

    def dtypes(self, *candidates: DType) -> list[DType]:
        kept = [d for d in candidates if self.dtype_names is None or d.name in self.dtype_names]
        return kept[:1] if self.quick else kept

    def shapes(self, *shapes: tuple[int, ...], large: tuple[int, ...] | None = None) -> list[tuple[int, ...]]:
        """The shapes given, quick: the first non-trivial one (all with more than 1 element)."""
        if self.quick:
            return [next((s for s in shapes if int(np.prod(s)) > 1), shapes[0])]
        return list(shapes) + ([large] if self.large and large else [])

    def layouts(self, shape: tuple[int, ...], *layouts: str) -> list[str]:
        """The layouts that mean something for `shape`. Quick, and for a shape past one block
        (its multi-block path; small shapes check the other layouts), contiguous and transposed."""
        def fits(layout: str) -> bool:
            if layout == "contiguous":
                return True
            if int(np.prod(shape)) <= 1:
                return False
            return {"transposed": len(shape) > 1, "broadcast": shape[0] > 1}.get(layout, True)
        fit = [lay for lay in layouts if fits(lay)]
        few = self.quick or int(np.prod(shape)) > 2048
        return [lay for lay in fit if lay in ("contiguous", "transposed")] if few else fit


# --- values ----------------------------------------------------------------------------------

def sample(shape, dtype: DType, seed: int = 0, low: float | None = None, high: float | None = None) -> np.ndarray:
    """Random values of `dtype`: normal * 3 for floats (or uniform in [low, high)), small
    integers, fair coins."""
    rng = np.random.default_rng(seed)
    if dtype is b1:
        return rng.random(shape) < 0.5
    if dtype.is_floating_point:
        a = rng.standard_normal(shape) * 3 if low is None else rng.uniform(low, high, shape)
        return a.astype(dtype.np)
    lo, hi = (0, 100) if dtype is u8 else (-50, 50)
    lo, hi = int(lo if low is None else low), int(hi if high is None else high)
    return rng.integers(lo, hi, shape).astype(dtype.np)


def without_zeros(a: np.ndarray) -> np.ndarray:
    """`a` with its zeros replaced (an integer divisor)."""
    return np.where(a == 0, np.asarray(3, a.dtype), a)


# --- elementwise -----------------------------------------------------------------------------

EW_SHAPES = ((0, 3), (1,), (5, 7), (2, 2, 2, 2, 3), (3, 1100))  # empty, one, odd, >4 dims, > one block
EW_LARGE = (2049, 4099)
POSITIVE = ("log", "log2", "log10", "sqrt", "rsqrt")  # NaN otherwise: compare values, not NaNs
INT_UNARY = ("neg", "abs", "sign", "relu", "isnan", "isinf", "isfinite", "logical_not", "bitwise_not")
BOOL_UNARY = ("abs", "isnan", "isinf", "isfinite", "logical_not", "bitwise_not")
PREDICATES = ("isnan", "isinf", "isfinite", "logical_not", "eq", "ne", "lt", "le", "gt", "ge",
              "logical_and", "logical_or", "logical_xor")
BITWISE = ("bitwise_and", "bitwise_or", "bitwise_xor")
BOOL_BINARY = PREDICATES[4:] + BITWISE + ("maximum", "minimum")
# floor_divide, trunc_divide and remainder of floats are defined by the rounding of the quotient
# in the tensor's dtype: a float64 quotient lands on the other side of an integer near one
DTYPE_DEFINED = ("floor_divide", "trunc_divide", "remainder")


def _unary_ops(dtype: DType) -> tuple[str, ...]:
    ops = reference.elementwise.UNARY_OPS
    allowed = BOOL_UNARY if dtype is b1 else INT_UNARY if not dtype.is_floating_point else ops
    return tuple(op for op in ops if op in allowed and not (dtype.is_floating_point and op == "bitwise_not"))


def _binary_ops(dtype: DType) -> tuple[str, ...]:
    ops = reference.elementwise.BINARY_OPS
    if dtype is b1:
        return tuple(op for op in ops if op in BOOL_BINARY)
    if dtype.is_floating_point:
        return tuple(op for op in ops if op not in BITWISE)
    return tuple(op for op in ops if op != "div")  # the op layer promotes integer true division


def _out_dtype(op: str, dtype: DType) -> DType:
    return b1 if op in PREDICATES else dtype


def _unary_input(op: str, shape, dtype: DType, layout: str) -> Arr:
    values = sample(shape, dtype, 1)
    if op in POSITIVE:
        values = (np.abs(values.astype(np.float64)) + 0.25).astype(dtype.np)
    return Arr(values, dtype, layout)


def _binary_inputs(op: str, shape, dtype: DType, layout: str) -> tuple[Arr, Arr]:
    a, b = sample(shape, dtype, 1), sample(shape, dtype, 2)
    if op == "pow":
        a = np.abs(a) + 1 if dtype.is_floating_point else sample(shape, dtype, 1, 0, 4)
        b = sample(shape, dtype, 2, 0, 4) if dtype.kind in "iu" else (b if dtype is b1 else b / 2).astype(dtype.np)
    elif op in reference.elementwise.INTEGER_DIVISIONS and not dtype.is_floating_point:
        b = without_zeros(b) if dtype is not b1 else np.ones(shape, bool)
    return Arr(a.astype(dtype.np), dtype, layout), Arr(b, dtype, layout)


def _expect_of(op: str, dtype: DType) -> str:
    return "dtype" if dtype.is_floating_point and op in DTYPE_DEFINED else "oracle"


def _out(shape, dtype: DType, layout: str, alias: int | None = None) -> Res:
    """An output in the case's layout; `inplace` reuses the view of input `alias`, `broadcast`
    writes a contiguous out (an output cannot broadcast)."""
    if layout == "inplace":
        return Res(shape, dtype, "contiguous", alias)
    return Res(shape, dtype, layout if layout != "broadcast" else "contiguous")


def _in_layout(layout: str) -> str:
    return "contiguous" if layout == "inplace" else layout


def unary_cases(g: Grid) -> Iterator[Case]:
    for dtype in g.dtypes(*ALL):
        for op in _unary_ops(dtype):
            odt = _out_dtype(op, dtype)
            yield Case(op, dtype, (5, 7), "contiguous", [op, _unary_input(op, (5, 7), dtype, "contiguous"),
                                                           Res((5, 7), odt)])
    for dtype in g.dtypes(f32, bf16, i32, b1, f16, f64):
        op = "logical_not" if dtype is b1 else "neg" if not dtype.is_floating_point else "exp"
        for shape in g.shapes(*EW_SHAPES, large=EW_LARGE):
            for layout in g.layouts(shape, *LAYOUTS):
                if layout == "inplace" and _out_dtype(op, dtype) is not dtype:
                    continue
                x = _unary_input(op, shape, dtype, _in_layout(layout))
                yield Case(op, dtype, shape, layout, [op, x, _out(shape, _out_dtype(op, dtype), layout, 1)])


def binary_cases(g: Grid) -> Iterator[Case]:
    shape = (5, 7)
    for dtype in g.dtypes(*ALL):
        scalar = {"f": 0.75, "i": 3, "u": 3, "b": True}[dtype.kind]
        for op in _binary_ops(dtype):
            a, b = _binary_inputs(op, shape, dtype, "contiguous")
            out = Res(shape, _out_dtype(op, dtype))
            yield Case(op, dtype, shape, "contiguous", [op, a, b, out], expect=_expect_of(op, dtype))
            if op in ("add", "mul", "lt", "maximum", "pow", "remainder", "bitwise_and", "logical_or"):
                rhs = 2 if op == "pow" else scalar
                yield Case(f"{op} scalar", dtype, shape, "contiguous", [op, a, rhs, out], expect=_expect_of(op, dtype))
        if dtype is not b1:
            a, b = _binary_inputs("sub", shape, dtype, "contiguous")
            alpha = 0.5 if dtype.is_floating_point else 3
            yield Case("sub alpha", dtype, shape, "contiguous", ["sub", a, b, Res(shape, dtype), alpha])
    for dtype in g.dtypes(f32, f16, i64, bf16, f64, b1):
        op = "add" if dtype is not b1 else "logical_xor"
        for shape in g.shapes(*EW_SHAPES, large=EW_LARGE):
            for layout in g.layouts(shape, *LAYOUTS):
                a, b = _binary_inputs(op, shape, dtype, _in_layout(layout))
                yield Case(op, dtype, shape, layout, [op, a, b, _out(shape, _out_dtype(op, dtype), layout, 1)])


def where_cases(g: Grid) -> Iterator[Case]:
    for dtype in g.dtypes(*ALL):
        for shape in g.shapes((5, 7), (3, 1100)):
            for layout in g.layouts(shape, *LAYOUTS):
                cond = Arr(sample(shape, b1, 3), b1, _in_layout(layout))
                a, b = Arr(sample(shape, dtype, 1), dtype, _in_layout(layout)), Arr(sample(shape, dtype, 2), dtype)
                yield Case("tensors", dtype, shape, layout, [cond, a, b, _out(shape, dtype, layout, 1)])
        scalar = {"f": -1.5, "i": 7, "u": 7, "b": False}[dtype.kind]
        cond, a = Arr(sample((5, 7), b1, 3), b1), Arr(sample((5, 7), dtype, 1), dtype)
        yield Case("scalar", dtype, (5, 7), "contiguous", [cond, a, scalar, Res((5, 7), dtype)])


def clamp_cases(g: Grid) -> Iterator[Case]:
    for dtype in g.dtypes(*FLOATS, *INTS):
        for shape in g.shapes((5, 7), (3, 1100)):
            for layout in g.layouts(shape, *LAYOUTS):
                x = Arr(sample(shape, dtype, 1), dtype, _in_layout(layout))
                lo, hi = Arr(sample(shape, dtype, 2), dtype), Arr(sample(shape, dtype, 3), dtype)
                yield Case("tensor bounds", dtype, shape, layout, [x, lo, hi, _out(shape, dtype, layout, 0)])
        x = Arr(sample((5, 7), dtype, 1), dtype)
        lo, hi = (-2.5, 1.5) if dtype.is_floating_point else (20, 60) if dtype is u8 else (-20, 30)
        yield Case("scalar bounds", dtype, (5, 7), "contiguous", [x, lo, hi, Res((5, 7), dtype)])
        yield Case("upper only", dtype, (5, 7), "contiguous", [x, None, hi, Res((5, 7), dtype)])


def lerp_cases(g: Grid) -> Iterator[Case]:
    for dtype in g.dtypes(*FLOATS):
        for shape in g.shapes((5, 7), (3, 1100)):
            for layout in g.layouts(shape, *LAYOUTS):
                a, b = Arr(sample(shape, dtype, 1), dtype, _in_layout(layout)), Arr(sample(shape, dtype, 2), dtype)
                w = Arr(sample(shape, dtype, 3, -1.0, 2.0), dtype)
                yield Case("tensor weight", dtype, shape, layout, [a, b, w, _out(shape, dtype, layout, 0)])
        a, b = Arr(sample((5, 7), dtype, 1), dtype), Arr(sample((5, 7), dtype, 2), dtype)
        yield Case("scalar weight", dtype, (5, 7), "contiguous", [a, b, 0.25, Res((5, 7), dtype)])


def isclose_cases(g: Grid) -> Iterator[Case]:
    for dtype in g.dtypes(*ALL):
        for shape in g.shapes((5, 7), (3, 1100)):
            for layout in g.layouts(shape, "contiguous", "transposed", "sliced", "broadcast"):
                a = sample(shape, dtype, 1)
                b = a.copy()
                if dtype.is_floating_point:  # equal, 1e-3 apart, or far apart: never near the threshold
                    b.reshape(-1)[1::3] += np.asarray(1e-3, dtype.np)
                    b.reshape(-1)[2::3] = sample(b.reshape(-1)[2::3].shape, dtype, 4)
                else:
                    b = sample(shape, dtype, 4)
                args = [Arr(a, dtype, layout), Arr(b, dtype), 1e-5, 1e-8, True, _out(shape, b1, layout)]
                yield Case("equal_nan", dtype, shape, layout, args)


def round_decimals_cases(g: Grid) -> Iterator[Case]:
    # rint(x * 10**d) / 10**d rounds twice in the tensor's dtype: a float64 product lands on the
    # other side of a half near one, so these compare with the reference in the same dtype
    for dtype in g.dtypes(*FLOATS):
        for decimals in (1, -1):
            for layout in g.layouts((5, 7), "contiguous", "transposed"):
                x = Arr(sample((5, 7), dtype, 1, -2000, 2000), dtype, layout)
                yield Case(f"decimals={decimals}", dtype, (5, 7), layout, [x, decimals, Res((5, 7), dtype, layout)],
                           expect="dtype")


def fill_cases(g: Grid) -> Iterator[Case]:
    for dtype in g.dtypes(*ALL):
        value = {"f": -0.1, "i": 7, "u": 200, "b": True}[dtype.kind]
        for shape in g.shapes(*EW_SHAPES, large=EW_LARGE):
            for layout in g.layouts(shape, "contiguous", "transposed", "sliced"):
                yield Case(f"value={value}", dtype, shape, layout, [Res(shape, dtype, layout), value])


def arange_cases(g: Grid) -> Iterator[Case]:
    for dtype in g.dtypes(*FLOATS, *INTS):
        start, step = (0.5, 0.25) if dtype.is_floating_point else (-3, 2)
        for shape in g.shapes((0,), (1,), (37,), (2500,), large=(1 << 24,)):
            for layout in g.layouts(shape, "contiguous", "sliced"):
                yield Case(f"start={start} step={step}", dtype, shape, layout, [start, step, Res(shape, dtype, layout)])


# --- copy ------------------------------------------------------------------------------------

CONVERSIONS = ((f32, f16), (f32, bf16), (f64, f32), (f16, f64), (bf16, f32), (f32, i32), (i64, f32),
               (i32, i8), (b1, f32), (f32, b1), (u8, i64))


def copy_cases(g: Grid) -> Iterator[Case]:
    for dtype in g.dtypes(*ALL):
        for shape in g.shapes(*EW_SHAPES, large=EW_LARGE):
            for layout in g.layouts(shape, *LAYOUTS):
                yield Case("same dtype", dtype, shape, layout,
                           [Arr(sample(shape, dtype, 1), dtype, _in_layout(layout)), _out(shape, dtype, layout, 0)])
    for src, dst in CONVERSIONS:
        if g.dtypes(dst):
            for layout in g.layouts((5, 7), "contiguous", "transposed", "broadcast"):
                yield Case(f"from {src.name}", dst, (5, 7), layout,
                           [Arr(sample((5, 7), src, 1), src, layout), _out((5, 7), dst, layout)])


def flip_cases(g: Grid) -> Iterator[Case]:
    for dtype in g.dtypes(f32, i64, bf16, b1, f64, f16, i8):
        for shape in g.shapes((5, 7), (2, 3, 4), (3, 1100)):
            for dims in ((0,), (len(shape) - 1,), tuple(range(len(shape)))):
                for layout in g.layouts(shape, *LAYOUTS):
                    x = Arr(sample(shape, dtype, 1), dtype, _in_layout(layout))
                    yield Case(f"dims={dims}", dtype, shape, layout, [x, dims, _out(shape, dtype, layout, 0)])


# --- reduction -------------------------------------------------------------------------------

ROW_SHAPES = ((1, 1), (5, 7), (2, 3, 4), (3, 2100))  # one, odd, 3-D, rows past a block (1024)
SCAN_SHAPES = ((1, 1), (5, 7), (2, 3, 4), (2, 1500))  # scans and sorts: slow to interpret
# Reductions write contiguous outputs (the op layer allocates them and the kernels require it):
# the layouts apply to their inputs.
ROW_LARGE = (64, 1 << 17)
REDUCE_LAYOUTS = ("contiguous", "transposed", "sliced", "broadcast")


def _dims_of(shape) -> list[tuple[int, ...]]:
    """The last dim, the first, and all of them (each once)."""
    last = (len(shape) - 1,)
    return list(dict.fromkeys([last, (0,), tuple(range(len(shape)))]))


def _kept(shape, dims) -> tuple[int, ...]:
    return tuple(1 if d in dims else n for d, n in enumerate(shape))


def _count(shape, dims) -> int:
    return int(np.prod([shape[d] for d in dims]))


def _reduce_out_dtype(op: str, dtype: DType) -> DType:
    if op in ("any", "all"):
        return b1
    if op == "count_nonzero":
        return i64
    if op in ("sum", "prod") and not dtype.is_floating_point:
        return i64
    return dtype


def _reduce_input(op: str, shape, dtype: DType, layout: str) -> Arr:
    """Values that keep the tolerance rule meaningful: it bounds an error relative to the result,
    so a scan (whose running sums cross zero with mixed signs, leaving an error relative to the
    terms instead) takes positive terms, and long products stay near 1 (finite)."""
    values = sample(shape, dtype, 1)
    if op == "cumsum" and dtype.is_floating_point:
        values = sample(shape, dtype, 1, 0.5, 1.5)
    elif op == "prod" and dtype.is_floating_point:
        values = sample(shape, dtype, 1, 0.9, 1.1)
    elif op == "prod" and dtype is not b1:
        values = sample(shape, dtype, 1, -1, 3)
    return Arr(values, dtype, layout)


def _sweep_and_grid(g: Grid, ops, dtypes_of, grid_ops, grid_dtypes, dims_of=None, layouts=REDUCE_LAYOUTS,
                    shapes=ROW_SHAPES):
    """(op, dtype, shape, dims, layout): every op in every dtype at (5, 7) over the last dim, then
    `grid_ops` in `grid_dtypes` over every row shape, dims and layout."""
    dims_of = dims_of or _dims_of
    for op in ops:
        for dtype in g.dtypes(*dtypes_of(op)):
            yield op, dtype, (5, 7), (1,), "contiguous"
    for op in grid_ops:
        for dtype in g.dtypes(*[d for d in grid_dtypes if d in dtypes_of(op)]):
            for shape in g.shapes(*shapes, large=ROW_LARGE):
                for dims in dims_of(shape):
                    for layout in g.layouts(shape, *layouts):
                        if (shape, dims, layout) != ((5, 7), (1,), "contiguous"):
                            yield op, dtype, shape, dims, layout


def reduce_cases(g: Grid) -> Iterator[Case]:
    def dtypes_of(op):
        return FLOATS if op == "mean" else (f32, f64, f16, bf16, i32, i64, u8, b1)
    for op, dtype, shape, dims, layout in _sweep_and_grid(g, reference.reduction.REDUCE_OPS, dtypes_of,
                                                          ("sum", "max"), (f32, bf16, i32, f64, f16)):
        x = _reduce_input(op, shape, dtype, layout)
        n = _count(shape, dims) if op in ("sum", "mean", "prod") else 1
        yield Case(f"{op} dims={dims}", dtype, shape, layout,
                   [op, x, dims, Res(_kept(shape, dims), _reduce_out_dtype(op, dtype))], n)
    for op in ("sum", "prod", "mean", "any", "count_nonzero"):  # max/min of nothing raise in the op layer
        for dtype in g.dtypes(*(FLOATS if op == "mean" else (f32, i32))):
            yield Case(f"{op} empty", dtype, (3, 0), "contiguous",
                       [op, Arr(np.zeros((3, 0), dtype.np), dtype), (1,), Res((3, 1), _reduce_out_dtype(op, dtype))])


def _dim_pairs(shape) -> list[tuple[int, ...]]:
    return [(d,) for d in dict.fromkeys((len(shape) - 1, 0))]


def arg_reduce_cases(g: Grid) -> Iterator[Case]:
    for op, dtype, shape, (dim,), layout in _sweep_and_grid(
            g, reference.reduction.ARG_REDUCE_OPS, lambda op: (f32, i32, f16, bf16, f64, i64, u8),
            ("max", "median", "mode"), (f32, i32, bf16), _dim_pairs, shapes=SCAN_SHAPES):
        x = Arr(sample(shape, dtype, 1), dtype, layout)
        kept = _kept(shape, (dim,))
        yield Case(f"{op} dim={dim}", dtype, shape, layout, [op, x, dim, Res(kept, dtype), Res(kept, i64)])
    for dtype in g.dtypes(f32, i32):
        yield Case("max without values", dtype, (5, 7), "contiguous",
                   ["max", Arr(sample((5, 7), dtype, 2), dtype), 1, None, Res((5, 1), i64)])


def var_cases(g: Grid) -> Iterator[Case]:
    for op, dtype, shape, dims, layout in _sweep_and_grid(g, ("var", "std"), lambda op: FLOATS,
                                                          ("var",), (f32, bf16, f64)):
        correction = 1 if op == "var" else 0
        x = Arr(sample(shape, dtype, 1), dtype, layout)
        yield Case(f"{op} dims={dims} correction={correction}", dtype, shape, layout,
                   [x, dims, correction, Res(_kept(shape, dims), dtype), op == "std"],
                   _count(shape, dims))


def logsumexp_cases(g: Grid) -> Iterator[Case]:
    for _, dtype, shape, dims, layout in _sweep_and_grid(g, ("logsumexp",), lambda op: FLOATS,
                                                         ("logsumexp",), (f32, bf16, f64)):
        x = Arr(sample(shape, dtype, 1), dtype, layout)
        yield Case(f"dims={dims}", dtype, shape, layout,
                   [x, dims, Res(_kept(shape, dims), dtype)], _count(shape, dims))


def norm_cases(g: Grid) -> Iterator[Case]:
    for p, dtype, shape, dims, layout in _sweep_and_grid(g, (2.0, 1.0, float("inf"), float("-inf"), 0.0, 3.0),
                                                         lambda p: FLOATS, (2.0,), (f32, bf16, f64)):
        x = Arr(sample(shape, dtype, 1), dtype, layout)
        yield Case(f"p={p} dims={dims}", dtype, shape, layout,
                   [x, dims, p, Res(_kept(shape, dims), dtype)], _count(shape, dims))


def cumulative_cases(g: Grid) -> Iterator[Case]:
    def dtypes_of(op):
        return FLOATS if op == "logcumsumexp" else (f32, i64, f16, bf16, f64, i32)
    scans = reference.reduction.CUMULATIVE_OPS
    for op, dtype, shape, (dim,), layout in _sweep_and_grid(g, scans, dtypes_of, scans,
                                                            (f32, bf16, i64), _dim_pairs, LAYOUTS, SCAN_SHAPES):
        x = _reduce_input("prod" if op == "cumprod" else op, shape, dtype, _in_layout(layout))
        yield Case(f"{op} dim={dim}", dtype, shape, layout, [op, x, dim, _out(shape, dtype, layout, 1)], shape[dim])


def cumulative_extremum_cases(g: Grid) -> Iterator[Case]:
    """cummax/cummin; integers in [-4, 4) tie often, and a tie takes the later index."""
    for op, dtype, shape, (dim,), layout in _sweep_and_grid(
            g, reference.reduction.EXTREMUM_OPS, lambda op: (f32, i32, f16, bf16, f64, i64, u8), ("max",),
            (f32, i64, bf16), _dim_pairs, LAYOUTS[:-1], SCAN_SHAPES):
        x = Arr(sample(shape, dtype, 1) if dtype.is_floating_point else sample(shape, dtype, 1, -4, 4), dtype, layout)
        yield Case(f"cum{op} dim={dim}", dtype, shape, layout,
                   [op, x, dim, _out(shape, dtype, layout), _out(shape, i64, layout)])


def searchsorted_cases(g: Grid) -> Iterator[Case]:
    """Rows of a sorted sequence (broadcast: one row for all, stride 0) and values between,
    on and beyond its entries."""
    for dtype in g.dtypes(f32, i64, f16, bf16, f64, i32, u8):
        for n, length in g.shapes((1, 3), (9, 7), (1500, 40)):
            seq = np.sort(sample((3, n), dtype, 1), axis=-1)
            values = sample((3, length), dtype, 2)
            values[:, ::3] = seq[:, np.arange(0, length, 3)[: values[:, ::3].shape[1]] % n]  # ties
            for layout in g.layouts((3, n), "contiguous", "transposed", "broadcast"):
                for right, out_dtype in ((False, i64), (True, i32)):
                    yield Case(f"right={right} out {out_dtype.name}", dtype, (3, n, length), layout,
                               [Arr(seq, dtype, layout), Arr(values, dtype), right, Res((3, length), out_dtype)])


def sort_cases(g: Grid) -> Iterator[Case]:
    """Stable sorts (integers repeat: ties keep their order), ascending and descending."""
    for descending, dtype, shape, (dim,), layout in _sweep_and_grid(
            g, (False, True), lambda d: (f32, i32, f16, bf16, f64, i64, u8), (False, True), (f32, i32, bf16),
            _dim_pairs, ("contiguous", "transposed", "sliced"), SCAN_SHAPES):
        x = Arr(sample(shape, dtype, 1), dtype, layout)
        yield Case(f"dim={dim} descending={descending}", dtype, shape, layout,
                   [x, dim, descending, True, Res(shape, dtype, layout), Res(shape, i64, layout)])
    for dtype in g.dtypes(f32, i32):
        yield Case("argsort", dtype, (5, 7), "contiguous",
                   [Arr(sample((5, 7), dtype, 2), dtype), 1, False, True, None, Res((5, 7), i64)])


# --- softmax ---------------------------------------------------------------------------------

def softmax_cases(g: Grid) -> Iterator[Case]:
    for dtype in g.dtypes(*FLOATS):
        for shape in g.shapes((1, 1), (5, 7), (2, 3, 4), (3, 4500), large=(256, 1 << 15)):
            for dim in dict.fromkeys((len(shape) - 1, 0)):
                for layout in g.layouts(shape, *LAYOUTS):
                    x = Arr(sample(shape, dtype, 1), dtype, _in_layout(layout))
                    yield Case(f"dim={dim}", dtype, shape, layout, [x, dim, _out(shape, dtype, layout, 0)], shape[dim])
    for src, dst in ((f64, f32), (bf16, f32), (f32, f16)):
        if g.dtypes(dst):  # PyTorch's dtype= converts the input first: an input conversion
            x = sample((5, 7), src, 1).astype(dst.np)
            yield Case(f"dim=1 from {src.name}", dst, (5, 7), "contiguous", [Arr(x, dst), 1, Res((5, 7), dst)], 7)


# --- matmul ----------------------------------------------------------------------------------

MATMUL_SHAPES = ((1, 1, 1), (5, 7, 3), (3, 0, 4), (70, 40, 66), (2, 64, 130))  # (M, K, N)


def matmul_cases(g: Grid) -> Iterator[Case]:
    """Integer-valued operands in [-4, 4]: every product and partial sum is exact in float32
    accumulation, so signs and indexing are checked whatever the summation order (with mixed
    signs the error is relative to sum |a||b|, not to the result, which the tolerance rule
    bounds); a positive-valued case per shape checks the rounding of long accumulations."""
    def operand(shape, dtype, seed, layout="contiguous", exact=True):
        values = sample(shape, i32, seed, -4, 5) if exact else sample(shape, f64, seed, 0.5, 1.5)
        return Arr(values.astype(dtype.np), dtype, layout)
    for dtype in g.dtypes(*FLOATS):
        for m, k, n in g.shapes(*MATMUL_SHAPES, large=(2048, 2048, 2048)):
            for layout in g.layouts((m, k), "contiguous", "transposed", "sliced"):
                a, b = operand((m, k), dtype, 1, layout), operand((k, n), dtype, 2, layout)
                yield Case("2-D", dtype, (m, k, n), layout, [a, b, Res((m, n), dtype, layout)], max(k, 1))
            a, b = operand((m, k), dtype, 1, exact=False), operand((k, n), dtype, 2, exact=False)
            yield Case("2-D positive", dtype, (m, k, n), "contiguous", [a, b, Res((m, n), dtype)], max(k, 1))
        a, b = operand((3, 5, 6), dtype, 1), operand((3, 6, 4), dtype, 2, "broadcast")
        yield Case("batched, b broadcast", dtype, (3, 5, 6, 4), "broadcast", [a, b, Res((3, 5, 4), dtype)], 6)
        a, b = operand((6, 6), dtype, 3), operand((6, 6), dtype, 4)
        yield Case("out is a", dtype, (6, 6, 6), "inplace", [a, b, Res((6, 6), dtype, alias=0)], 6)


# --- index -----------------------------------------------------------------------------------

def _index(values, size: int) -> Arr:
    return Arr(np.asarray(values, np.int64) % size - np.asarray(values, np.int64) % 2 * size, i64)


def index_cases(g: Grid, primitive: str) -> Iterator[Case]:
    """Index views hold some negative positions (counting from the end) and repeats."""
    for dtype in g.dtypes(f32, i64, bf16, b1, f64, f16, i32):
        for layout in g.layouts((4, 6), "contiguous", "transposed", "sliced"):
            x = Arr(sample((4, 6), dtype, 1), dtype, layout)
            rows, cols = _index([3, 0, 1, 3, 2], 4), _index([5, 0, 4, 1, 5], 6)
            if primitive == "index_get":
                yield Case("rows", dtype, (4, 6), layout, [x, (rows, None), Res((5, 6), dtype)])
                yield Case("points", dtype, (4, 6), layout, [x, (rows, cols), Res((5,), dtype)])
            elif primitive == "index_put":
                for accumulate in (False, True):
                    target = x._replace(mutated=True)
                    unique = _index([3, 0, 1, 2], 4)
                    idx, vals = (rows, Arr(sample((5, 6), dtype, 2), dtype)) if accumulate else \
                        (unique, Arr(sample((4, 6), dtype, 2), dtype))
                    yield Case(f"accumulate={accumulate}", dtype, (4, 6), layout,
                               [target, (idx, None), vals, accumulate], 2 if accumulate else 1)
            elif primitive == "gather":
                index = Arr(np.random.default_rng(3).integers(0, 6, (4, 5)), i64)
                yield Case("dim=1", dtype, (4, 6), layout, [x, 1, index, Res((4, 5), dtype)])
            elif primitive == "scatter":
                for accumulate in (False, True):
                    rng = np.random.default_rng(4)
                    index = rng.integers(0, 6, (4, 5)) if accumulate else np.argsort(rng.random((4, 6)))[:, :5]
                    yield Case(f"dim=1 accumulate={accumulate}", dtype, (4, 6), layout,
                               [x._replace(mutated=True), 1, Arr(index.astype(np.int64), i64),
                                Arr(sample((4, 5), dtype, 5), dtype), accumulate], 5 if accumulate else 1)
            elif primitive == "scatter_reduce":  # repeats, and elements of x no index names
                index = Arr(np.random.default_rng(4).integers(0, 5, (4, 5)), i64)
                for reduce in ("sum", "prod", "mean", "amax", "amin") if dtype is not b1 else ("sum", "amax"):
                    for include_self in (True, False):
                        yield Case(f"dim=1 {reduce} include_self={include_self}", dtype, (4, 6), layout,
                                   [x._replace(mutated=True), 1, index, Arr(sample((4, 5), dtype, 5), dtype), reduce,
                                    include_self], 6)
            elif primitive in ("count_nonzero", "nonzero"):
                values = sample((4, 6), dtype, 1) * (np.arange(24).reshape(4, 6) % 3 != 0)
                x = Arr(values.astype(dtype.np), dtype, layout)
                count = int(np.count_nonzero(values))
                out = Res((), i64) if primitive == "count_nonzero" else Res((count, 2), i64)
                yield Case("every third zero", dtype, (4, 6), layout, [x, out])
    if primitive == "index_range":
        for dtype in g.dtypes(i64, i32, u8):
            yield Case("min max", dtype, (7,), "contiguous", [Arr(sample((7,), dtype, 1), dtype), Res((2,), i64)])
    if primitive == "repeat_index":
        for dtype in g.dtypes(i64, i32):
            repeats = np.array([2, 0, 3, 1, 0, 4], dtype.np)
            yield Case("with zeros", dtype, (6,), "contiguous", [Arr(repeats, dtype), Res((int(repeats.sum()),), i64)])


# --- random ----------------------------------------------------------------------------------

RANDOM_ARGS = {"uniform": (-2.0, 3.0), "normal": (0.5, 2.0), "randint": (-5, 17), "bernoulli": (0.3,),
               "exponential": (1.5,)}


def random_cases(g: Grid, primitive: str) -> Iterator[Case]:
    """The Philox streams are tritorch's own and the compute dtype defines them: compared with
    the reference in the output's dtype (see reference/random.py)."""
    candidates = (i64, i32, f32, u8) if primitive == "randint" else (f32, f64, f16, bf16) \
        if primitive != "bernoulli" else (f32, b1, f64, f16, bf16)
    for dtype in g.dtypes(*candidates):
        for shape in g.shapes((0,), (1,), (5, 7), (3, 1100), large=(4096, 4096)):
            for layout in g.layouts(shape, "contiguous", "transposed", "sliced"):
                args = [2 ** 40 + 17, 3, *RANDOM_ARGS[primitive], Res(shape, dtype, layout)]
                yield Case("seed=2**40+17 offset=3", dtype, shape, layout, args, expect="dtype")
    if primitive in ("normal", "bernoulli") and g.dtypes(f32):
        p = Arr(sample((5, 7), f32, 1, 0.0, 1.0), f32)
        extra = [p, Res((5, 7), f32)] if primitive == "bernoulli" else [p, Arr(sample((5, 7), f32, 2, 0.1, 2), f32),
                                                                          Res((5, 7), f32)]
        yield Case("tensor parameters", f32, (5, 7), "contiguous", [7, 0, *extra], expect="dtype")


CASES: dict[tuple[str, str], Callable[[Grid], Iterator[Case]]] = {
    ("elementwise", "fill"): fill_cases, ("elementwise", "arange"): arange_cases,
    ("elementwise", "unary"): unary_cases, ("elementwise", "round_decimals"): round_decimals_cases,
    ("elementwise", "binary"): binary_cases, ("elementwise", "where"): where_cases,
    ("elementwise", "clamp"): clamp_cases, ("elementwise", "lerp"): lerp_cases,
    ("elementwise", "isclose"): isclose_cases,
    ("copy", "copy"): copy_cases, ("copy", "flip"): flip_cases,
    ("reduction", "reduce"): reduce_cases, ("reduction", "arg_reduce"): arg_reduce_cases,
    ("reduction", "var"): var_cases, ("reduction", "logsumexp"): logsumexp_cases,
    ("reduction", "norm"): norm_cases, ("reduction", "cumulative"): cumulative_cases,
    ("reduction", "sort"): sort_cases, ("reduction", "cumulative_extremum"): cumulative_extremum_cases,
    ("reduction", "searchsorted"): searchsorted_cases,
    ("softmax", "softmax"): softmax_cases, ("softmax", "log_softmax"): softmax_cases,
    ("matmul", "matmul"): matmul_cases,
    **{("index", p): (lambda g, p=p: index_cases(g, p)) for p in
       ("index_get", "index_put", "gather", "scatter", "scatter_reduce", "index_range", "count_nonzero", "nonzero",
        "repeat_index")},
    **{("random", p): (lambda g, p=p: random_cases(g, p)) for p in RANDOM_ARGS},
}


# --- storing arrays in padded buffers --------------------------------------------------------

class Stored(NamedTuple):
    """An array's storage: the flat values between the padding, and its view's offset (within
    them), strides and effective values (a broadcast repeats its first slice)."""
    flat: np.ndarray
    offset: int
    strides: tuple[int, ...]
    values: np.ndarray


def store(values: np.ndarray, dtype: DType, layout: str) -> Stored:
    """`values` laid out as `layout` says; gaps of a sliced layout hold the sentinel."""
    shape = values.shape
    if layout == "transposed" and values.ndim > 1:
        perm = tuple(reversed(range(values.ndim)))
        st = contiguous_strides(tuple(shape[p] for p in perm))
        return Stored(np.ascontiguousarray(values.transpose(perm)).reshape(-1), 0,
                      tuple(st[perm.index(d)] for d in range(values.ndim)), values)
    if layout == "sliced" and values.size:  # every other element of the last dim, from 1 on
        wide = np.full(shape[:-1] + (2 * shape[-1] + 1,), sentinel(dtype), dtype.np)
        wide[..., 1::2] = values
        st = contiguous_strides(wide.shape)
        return Stored(wide.reshape(-1), 1, st[:-1] + (2,), values)
    if layout == "broadcast" and values.ndim and values.shape[0] > 1:
        first = np.ascontiguousarray(values[:1])
        return Stored(first.reshape(-1), 0, (0,) + contiguous_strides(shape)[1:], np.broadcast_to(first, shape))
    return Stored(np.ascontiguousarray(values).reshape(-1), 0, contiguous_strides(shape), values)


class Device(NamedTuple):
    """A device as validate uses it: its memory module and its family modules by name."""
    name: str
    memory: Any
    family: Callable[[str], Any]


def _devices() -> dict[str, Device]:
    kernels = backend.cuda_backend()
    return {"cpu": Device("cpu", reference.memory, lambda f: getattr(reference, f)),
            "cuda": Device("cuda", kernels.memory, lambda f: getattr(kernels, f))}


class Placed(NamedTuple):
    view: ArrayView
    size: int  # elements in the whole buffer, padding included


def place(s: Stored, dtype: DType, memory) -> Placed:
    """The stored array in a new buffer of `memory` (a device's), inside PAD sentinels each side."""
    flat = np.full(s.flat.size + 2 * PAD, sentinel(dtype), dtype.np)
    flat[PAD:PAD + s.flat.size] = s.flat
    view = ArrayView(memory.from_numpy(flat), PAD + s.offset, tuple(s.values.shape), s.strides, dtype)
    return Placed(view, flat.size)


def whole(p: Placed, memory) -> np.ndarray:
    return np.array(memory.to_numpy(ArrayView(p.view.buffer, 0, (p.size,), (1,), p.view.dtype)))


def covered(v: ArrayView) -> np.ndarray:
    """The buffer positions a view covers."""
    index = np.asarray(v.offset)
    for n, st in zip(v.shape, v.strides):
        index = index[..., None] + np.arange(n) * st
    return index.reshape(-1)


# --- expected values -------------------------------------------------------------------------

def _flatten(args: list) -> tuple[list, list]:
    """Tuples of arrays (index tuples) spread into the argument list, and how to rebuild them."""
    flat, spec = [], []
    for a in args:
        nested = isinstance(a, tuple) and any(isinstance(e, Arr) for e in a)
        spec.append(len(a) if nested else None)
        flat.extend(a if nested else [a])
    return flat, spec


def _nest(flat: list, spec: list) -> list:
    it = iter(flat)
    return [tuple(next(it) for _ in range(n)) if n is not None else next(it) for n in spec]


def _effective(args: list) -> list:
    """Each Arr as the values its stored layout shows; outputs as they are."""
    return [store(a.values, a.dtype, a.layout).values if isinstance(a, Arr) else a for a in args]


def expected(case: Case, primitive) -> list[np.ndarray]:
    """The outputs (then the mutated inputs) a correct primitive produces: the float64 oracle, or
    the reference in the case's own dtypes when `case.expect == "dtype"`."""
    flat, spec = _flatten(case.args)
    mutated = [i for i, a in enumerate(flat) if isinstance(a, Arr) and a.mutated]

    def run(*call):  # the primitive, then each mutated input copied into an extra output
        primitive(*_nest(call[:len(flat)], spec))
        for i, out in zip(mutated, call[len(flat):]):
            reference.copy.copy(call[i], out)

    call = [Out(a.shape, a.dtype) if isinstance(a, Res) else a for a in _effective(flat)]
    call += [Out(flat[i].values.shape, flat[i].dtype) for i in mutated]
    result = (oracle if case.expect == "oracle" else _in_own_dtype)(run, *call)
    return list(result) if isinstance(result, tuple) else [result]


def _in_own_dtype(primitive, *args):
    """Like `oracle`, but every array keeps its own dtype: the reference as the cpu device runs."""
    call, outs = [], []
    for a in args:
        if isinstance(a, (Out, np.ndarray)):
            shape, dtype = (a.shape, a.dtype) if isinstance(a, Out) else (a.shape, dtypes.from_numpy(a.dtype))
            buf = np.zeros(shape, dtype.np) if isinstance(a, Out) else np.array(a, dtype.np)
            view = ArrayView(buf.reshape(-1), 0, tuple(shape), contiguous_strides(shape), dtype)
            call.append(view)
            if isinstance(a, Out):
                outs.append((buf, shape))
        else:
            call.append(a)
    with np.errstate(all="ignore"):
        primitive(*call)
    results = tuple(buf.reshape(shape) for buf, shape in outs)
    return results[0] if len(results) == 1 else results


# --- comparing -------------------------------------------------------------------------------

class Error(NamedTuple):
    abs: float
    rel: float
    ok: bool


def compare(got: np.ndarray, want: np.ndarray, dtype: DType, n: int) -> Error:
    """Max abs and rel error of `got` against `want`, and whether every element is within
    `tolerance(dtype, n)` (exact dtypes: equal; NaN only where `want` is NaN)."""
    if got.size == 0:
        return Error(0.0, 0.0, got.shape == want.shape)
    g, w = got.astype(np.float64), want.astype(np.float64)
    rtol, atol = tolerance(dtype, n)
    nan_ok = np.array_equal(np.isnan(g), np.isnan(w))
    same = (g == w) | (np.isnan(g) & np.isnan(w))  # equal infinities too
    with np.errstate(all="ignore"):
        diff = np.where(same, 0.0, np.abs(g - w))
        rel = np.where(same, 0.0, diff / np.abs(w))
        within = same | (diff <= atol + rtol * np.abs(w))
    exact_ok = np.array_equal(got, want) if not dtype.is_floating_point else True
    return Error(float(np.nanmax(np.where(np.isnan(diff), np.inf, diff))),
                 float(np.nanmax(np.where(np.isnan(rel), np.inf, rel))), bool(nan_ok and within.all() and exact_ok))


# --- running ---------------------------------------------------------------------------------

def _row(case: Case, device: str, verdict: str, err: Error | None = None, note: str = "") -> dict:
    dtype = case.dtype
    rtol = tolerance(dtype, case.reduction_len)[0] if dtype else None
    what = case.what + (" [own dtype]" if case.expect == "dtype" else "")
    return {"device": device, "family": case.family, "primitive": case.primitive, "case": what,
            "dtype": dtype.name if dtype else "-", "shape": "x".join(map(str, case.shape)) or "-",
            "layout": case.layout, "max_abs": err.abs if err else None, "max_rel": err.rel if err else None,
            "tol": rtol, "expect": case.expect, "verdict": verdict, "note": note}


def run_case(case: Case, dev: Device, want: list[np.ndarray]) -> dict:
    """One row: the case on one device, compared with `want`, padding and inputs checked."""
    flat, spec = _flatten(case.args)
    placed: list[Placed | None] = []
    for a in flat:
        if isinstance(a, Arr):
            placed.append(place(store(a.values, a.dtype, a.layout), a.dtype, dev.memory))
        elif isinstance(a, Res) and a.alias is not None:
            placed.append(placed[a.alias])
        elif isinstance(a, Res):  # sentinel inside too: an element the kernel skips shows
            filled = np.full(a.shape, sentinel(a.dtype), a.dtype.np)
            placed.append(place(store(filled, a.dtype, a.layout), a.dtype, dev.memory))
        else:
            placed.append(None)
    before = [whole(p, dev.memory) if p is not None else None for p in placed]
    call = [p.view if p is not None else a for p, a in zip(placed, flat)]
    start = time.perf_counter()
    try:
        with np.errstate(all="ignore"):
            getattr(dev.family(case.family), case.primitive)(*_nest(call, spec))
    except Exception as e:  # noqa: BLE001  (every failure becomes a row)
        return _row(case, dev.name, "fail", note=f"{type(e).__name__}: {e}"[:200])
    ms = (time.perf_counter() - start) * 1e3
    outputs = [i for i, a in enumerate(flat) if isinstance(a, Res)] + \
              [i for i, a in enumerate(flat) if isinstance(a, Arr) and a.mutated]
    worst, note = Error(0.0, 0.0, True), ""
    for i, w in zip(outputs, want):
        v = placed[i].view
        got = np.array(dev.memory.to_numpy(v)).reshape(v.shape)
        e = compare(got, w, v.dtype, case.reduction_len)
        worst = Error(max(worst.abs, e.abs), max(worst.rel, e.rel), worst.ok and e.ok)
    written = {id(placed[i]): covered(placed[i].view) for i in outputs}
    for p, old in zip(placed, before):
        if p is None:
            continue
        new, keep = whole(p, dev.memory), np.ones(p.size, bool)
        keep[written.get(id(p), [])] = False
        if not np.array_equal(new[keep].view(np.uint8), old[keep].view(np.uint8)):
            worst, note = worst._replace(ok=False), "wrote outside its outputs"
    return dict(_row(case, dev.name, "pass" if worst.ok else "fail", worst, note), ms=round(ms, 2))


def build(grid: Grid, families: list[str], ops: set[str] | None) -> Iterator[tuple[str, str, list[Case] | None]]:
    """(family, primitive, its cases) for every primitive of the chosen families that --op (a
    primitive name or the first word of a case) and --dtype leave cases to; None for cases when
    the primitive has no builder, or an unfiltered builder yields none."""
    for family in families:
        for primitive in backend.primitives(getattr(reference, family)):
            builder = CASES.get((family, primitive))
            if builder is None:
                if ops is None or primitive in ops:
                    yield family, primitive, None
                continue
            cases = [dataclasses.replace(c, family=family, primitive=primitive) for c in builder(grid)
                     if ops is None or primitive in ops or c.what.split()[0] in ops]
            if cases or (ops is None and grid.dtype_names is None):
                yield family, primitive, cases or None


def validate(grid: Grid, families: list[str], ops: set[str] | None, devices: list[str],
             emit: Callable[[dict], None] = lambda row: None) -> list[dict]:
    """Every row of the run, each handed to `emit` as soon as it is known."""
    devs, rows = _devices(), []

    def add(row):
        rows.append(row)
        emit(row)
    for family, primitive, cases in build(grid, families, ops):
        if cases is None:
            blank = Case("no cases", None, (), "-", [], family=family, primitive=primitive)
            for d in devices:
                add(_row(blank, d, "fail", note="no case builder: add one to tritorch.validate.CASES"))
            continue
        pending = {d for d in devices if getattr(getattr(devs[d].family(family), primitive), "pending", False)}
        for d in sorted(pending):
            add(_row(Case(f"({len(cases)} cases)", None, (), "-", [], family=family, primitive=primitive), d, "pending",
                     note="no Triton kernel yet"))
        for case in cases:
            try:
                want = expected(case, getattr(getattr(reference, family), primitive))
            except Exception as e:  # noqa: BLE001  (a broken builder is a failure, not a crash)
                for d in devices:
                    if d not in pending:
                        add(_row(case, d, "fail", note=f"expected values: {type(e).__name__}: {e}"[:200]))
                continue
            for d in devices:
                if d not in pending:
                    add(run_case(case, devs[d], want))
    return rows


# --- the command -----------------------------------------------------------------------------

COLUMNS = (("device", 6), ("family", 11), ("primitive", 19), ("case", 34), ("dtype", 8), ("shape", 12),
           ("layout", 10), ("max_abs", 9), ("max_rel", 9), ("tol", 8), ("verdict", 7))


def format_row(row: dict) -> str:
    """One printed line: the columns of `row`, or their names for an empty row."""
    cells = []
    for name, width in COLUMNS:
        value = row.get(name) if name in row else name
        if isinstance(value, float):
            value = f"{value:.2e}"
        elif value is None:
            value = "-"
        cells.append(str(value).upper() if name == "verdict" and row else str(value))
        cells[-1] = cells[-1][:width].ljust(width)
    line = " ".join(cells).rstrip()
    return line + (f"  {row['note']}" if row.get("note") else "")


def _interpreter_switch() -> bool:
    """Turn Triton's interpreter on when no GPU is present, before any kernel is defined; returns
    whether kernels run interpreted."""
    os.environ.setdefault("TRITON_DEFAULT_FP_FUSION", "1")
    if "TRITON_INTERPRET" not in os.environ and not _gpu_present():
        cuda.use_interpreter()
    return cuda.is_interpreted()


def _gpu_present() -> bool:
    """Whether the CUDA driver sees a GPU, asked without importing triton: triton's own jit
    helpers (tl.sum's combine, ...) read TRITON_INTERPRET when triton is imported."""
    try:
        driver = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return False
    count = ctypes.c_int(0)
    return driver.cuInit(0) == 0 and driver.cuDeviceGetCount(ctypes.byref(count)) == 0 and count.value > 0


def _names(text: str | None, allowed, what: str) -> list[str] | None:
    """The comma-separated names of a flag, each checked against `allowed` (None: any)."""
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if allowed is not None and n not in allowed]
    if unknown:
        raise SystemExit(f"tritorch.validate: unknown {what} {', '.join(unknown)}; "
                         f"expected one of {', '.join(allowed)}")
    return names


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m tritorch.validate", description=__doc__.split("\n\n")[0])
    p.add_argument("--family", help="comma-separated kernel families (default: all)")
    p.add_argument("--op", help="comma-separated primitive or op names, e.g. softmax,add")
    p.add_argument("--dtype", help="comma-separated dtypes, e.g. float32,bfloat16")
    p.add_argument("--quick", action="store_true", help="a small subset: every primitive still gets a row per device")
    p.add_argument("--json", metavar="PATH", help="write all rows and a summary as JSON")
    p.add_argument("--device", choices=("cpu", "cuda", "all"), default="all")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the validation; 0 when every row passes or is pending, else 1."""
    args = parse(argv)
    interpreted = _interpreter_switch()
    families = _names(args.family, backend.FAMILIES, "family") or list(backend.FAMILIES)
    dtype_names = _names(args.dtype, [d.name for d in dtypes.ALL], "dtype")
    ops = _names(args.op, None, "op")
    devices = ["cpu", "cuda"] if args.device == "all" else [args.device]
    grid = Grid(set(dtype_names) if dtype_names else None, args.quick, large=not interpreted)
    print(format_row({}))
    start = time.perf_counter()
    rows = validate(grid, families, set(ops) if ops else None, devices, lambda r: print(format_row(r), flush=True))
    wall = time.perf_counter() - start
    counts = {v: sum(r["verdict"] == v for r in rows) for v in ("pass", "fail", "pending")}
    failed = sorted({f"{r['device']}:{r['family']}.{r['primitive']}" for r in rows if r["verdict"] == "fail"})
    summary = {"rows": len(rows), **counts, "wall_s": round(wall, 1), "interpreted": interpreted,
               "device_name": cuda.get_device_name(),
               "devices": devices, "quick": args.quick, "families": families,
               "failed": failed}
    print(f"\n{len(rows)} rows: {counts['pass']} pass, {counts['fail']} fail, {counts['pending']} pending "
          f"in {wall:.1f}s ({'Triton interpreter' if interpreted else 'GPU'})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "summary": summary}, f, indent=1)
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
