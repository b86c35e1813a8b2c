"""Data types and PyTorch's type-promotion rules.

A `DType` names an element type and knows its numpy twin (bfloat16 comes from `ml_dtypes`).
Promotion follows PyTorch: bool < integer < floating categories; dimensioned tensors outrank
0-dim tensors, which outrank Python scalars, and a lower tier only matters when it brings a
higher category (so `int8_tensor + 1000` stays int8 and `int_tensor * 2.5` is float32).
"""
from __future__ import annotations

import builtins
from dataclasses import dataclass

import ml_dtypes
import numpy as np


@dataclass(frozen=True, eq=False)
class DType:
    name: str
    np: np.dtype
    kind: str  # 'b' bool, 'u' unsigned, 'i' signed, 'f' floating

    @property
    def itemsize(self) -> int:
        return self.np.itemsize

    @property
    def is_floating_point(self) -> bool:
        return self.kind == "f"

    @property
    def is_signed(self) -> bool:
        return self.kind in "if"

    @property
    def is_complex(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"tritorch.{self.name}"

    def __reduce__(self):
        return (from_name, (self.name,))


bool_ = DType("bool", np.dtype(np.bool_), "b")
uint8 = DType("uint8", np.dtype(np.uint8), "u")
int8 = DType("int8", np.dtype(np.int8), "i")
int16 = DType("int16", np.dtype(np.int16), "i")
int32 = DType("int32", np.dtype(np.int32), "i")
int64 = DType("int64", np.dtype(np.int64), "i")
float16 = DType("float16", np.dtype(np.float16), "f")
bfloat16 = DType("bfloat16", np.dtype(ml_dtypes.bfloat16), "f")
float32 = DType("float32", np.dtype(np.float32), "f")
float64 = DType("float64", np.dtype(np.float64), "f")

ALL = (bool_, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64)
FLOATING = (float16, bfloat16, float32, float64)
_BY_NAME = {d.name: d for d in ALL}
_BY_NP = {d.np: d for d in ALL}
_ALIASES = {"half": float16, "float": float32, "double": float64, "short": int16,
            "int": int32, "long": int64}

_default_float = float32


def from_name(name: str) -> DType:
    return _BY_NAME[name] if name in _BY_NAME else _ALIASES[name]


def from_numpy(dt) -> DType:
    dt = np.dtype(dt)
    if dt not in _BY_NP:
        raise TypeError(f"numpy dtype {dt} has no tritorch equivalent; "
                        f"supported: {', '.join(d.name for d in ALL)}")
    return _BY_NP[dt]


def as_dtype(d) -> DType:
    """Accept a DType, a numpy dtype or type, a dtype name, or Python's bool/int/float."""
    if isinstance(d, DType):
        return d
    if d is builtins.bool:
        return bool_
    if d is builtins.int:
        return int64
    if d is builtins.float:
        return _default_float
    if isinstance(d, str):
        try:
            return from_name(d)
        except KeyError:
            raise TypeError(f"unknown dtype name {d!r}") from None
    try:
        return from_numpy(d)
    except TypeError:
        raise TypeError(f"cannot interpret {d!r} as a tritorch dtype") from None


def set_default_dtype(d) -> None:
    """Set the floating dtype that Python floats and float factories default to."""
    global _default_float
    d = as_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"set_default_dtype only supports floating point dtypes, got {d}")
    _default_float = d


def get_default_dtype() -> DType:
    return _default_float


_RANK = {"b": 0, "u": 1, "i": 1, "f": 2}


def promote_types(a: DType, b: DType) -> DType:
    """The smallest dtype both `a` and `b` convert to safely, as `torch.promote_types`."""
    if a is b:
        return a
    if _RANK[a.kind] != _RANK[b.kind]:
        return a if _RANK[a.kind] > _RANK[b.kind] else b
    if a.kind == "f":
        if {a, b} == {float16, bfloat16}:
            return float32
        return a if a.itemsize >= b.itemsize else b
    if a.kind == b.kind:  # both signed (uint8 is the only unsigned type)
        return a if a.itemsize >= b.itemsize else b
    signed = a if a.kind == "i" else b
    return signed if signed.itemsize > 1 else int16


def scalar_dtype(x) -> DType:
    """The dtype PyTorch gives a Python scalar standing alone."""
    if isinstance(x, (builtins.bool, np.bool_)):
        return bool_
    if isinstance(x, (builtins.int, np.integer)):
        return int64
    if isinstance(x, (builtins.float, np.floating)):
        return _default_float
    raise TypeError(f"unsupported scalar type {type(x).__name__}")


def result_type(*operands) -> DType:
    """PyTorch's result dtype for operands that are tensors (anything with .dtype and .ndim)
    or Python scalars: dimensioned tensors, then 0-dim tensors, then scalars, each tier counting
    only when it raises the category."""
    tiers: list[DType | None] = [None, None, None]
    for x in operands:
        if hasattr(x, "dtype") and hasattr(x, "ndim") and not isinstance(x, np.generic):
            tier, d = (0 if x.ndim > 0 else 1), x.dtype
        else:
            tier, d = 2, scalar_dtype(x)
        tiers[tier] = d if tiers[tier] is None else promote_types(tiers[tier], d)
    result = None
    for d in tiers:
        if d is None:
            continue
        if result is None:
            result = d
        elif _RANK[d.kind] > _RANK[result.kind]:
            result = d
    if result is None:
        raise TypeError("result_type needs at least one operand")
    return result


def can_cast(src: DType, dst: DType) -> bool:
    """Whether an in-place op may write a `src` result into `dst` (PyTorch: no lowering of
    category, e.g. a float result into an integer tensor)."""
    return _RANK[src.kind] <= _RANK[dst.kind]


class finfo:
    """Machine limits of a floating dtype, as `torch.finfo`."""

    def __init__(self, d=None):
        d = _default_float if d is None else as_dtype(d)
        if not d.is_floating_point:
            raise TypeError(f"finfo needs a floating point dtype, got {d}")
        info = ml_dtypes.finfo(d.np) if d is bfloat16 else np.finfo(d.np)
        self.dtype = d
        self.bits = d.itemsize * 8
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = float(info.tiny)
        self.smallest_normal = self.tiny
        self.resolution = 10.0 ** -int(info.precision)  # exact, as PyTorch reports it

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution}, min={self.min}, max={self.max}, "
                f"eps={self.eps}, smallest_normal={self.tiny}, bits={self.bits}, dtype={self.dtype.name})")


class iinfo:
    """Limits of an integer dtype, as `torch.iinfo`."""

    def __init__(self, d):
        d = as_dtype(d)
        if d.kind not in "ui":
            raise TypeError(f"iinfo needs an integer dtype, got {d}")
        info = np.iinfo(d.np)
        self.dtype = d
        self.bits = d.itemsize * 8
        self.max = int(info.max)
        self.min = int(info.min)

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, bits={self.bits}, dtype={self.dtype.name})"
