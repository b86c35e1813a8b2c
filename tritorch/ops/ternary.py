"""Three-operand selection ops: where, masked_fill, clamp, lerp, and tril/triu (a where over
the positions). Each is a `Function` on operands prepared by the pointwise machinery
(`pointwise.py`), computed by one primitive of the backend's `elementwise` family
(`where`, `clamp`, `lerp`); its backward is written in Tensor ops.
"""
from __future__ import annotations

import operator
from collections.abc import Callable

from .. import dtypes
from ..autograd import Context, Function
from ..tensor import Tensor
from .common import operand_device
from .creation import arange
from .pointwise import (apply, array, check_fits, check_kind, expand, prepare, save, saved_operands,
                        target, zeros_like)
from .registry import function, method


class Where(Function):
    """a where condition, else b: each branch gets the gradient where it was chosen."""

    @staticmethod
    def forward(ctx: Context, condition: Tensor, a, b, *, out: Tensor) -> Tensor:
        save(ctx, out, (condition,), keep=(True,))
        out.backend.elementwise.where(condition.array, array(a), array(b), out.array)
        return out

    @staticmethod
    def backward(ctx, grad):
        condition, = ctx.saved_tensors
        needs = ctx.needs_input_grad
        return (None, where(condition, grad, 0) if needs[1] else None,
                where(condition, 0, grad) if needs[2] else None)


class MaskedFill(Function):
    """x with `value` where mask: x gets the gradient elsewhere, value where mask."""

    @staticmethod
    def forward(ctx: Context, x: Tensor, mask: Tensor, value, *, out: Tensor) -> Tensor:
        save(ctx, out, (mask,), keep=(True,))
        out.backend.elementwise.where(mask.array, array(value), x.array, out.array)
        return out

    @staticmethod
    def backward(ctx, grad):
        mask, = ctx.saved_tensors
        needs = ctx.needs_input_grad
        return (grad.masked_fill(mask, 0) if needs[0] else None, None,
                where(mask, grad, 0) if needs[2] else None)


class Clamp(Function):
    """min(max(x, lo), hi), each bound a tensor, a scalar or None. PyTorch's gradients: x gets
    it where lo <= x <= hi (bounds included); lo where x < lo < hi; hi where x > hi or hi < lo
    (hi wins when the bounds cross)."""

    @staticmethod
    def forward(ctx: Context, x: Tensor, lo, hi, *, out: Tensor) -> Tensor:
        save(ctx, out, (x, lo, hi))
        out.backend.elementwise.clamp(x.array, array(lo), array(hi), out.array)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, lo, hi = saved_operands(ctx)
        needs = ctx.needs_input_grad
        x_inside = _both(_compare(operator.ge, x, lo), _compare(operator.le, x, hi))
        lo_wins = _both(_compare(operator.lt, x, lo), _compare(operator.lt, lo, hi))
        hi_wins = _either(_compare(operator.gt, x, hi), _compare(operator.lt, hi, lo))
        return (_passed(grad, x_inside) if needs[0] else None, _passed(grad, lo_wins) if needs[1] else None,
                _passed(grad, hi_wins) if needs[2] else None)


def _compare(op: Callable, a, b):
    """op(a, b): a bool tensor, or a Python bool for two scalar bounds; None when a bound is
    missing (the comparison does not constrain then)."""
    return None if a is None or b is None else op(a, b)


def _both(p, q):
    """p and q, where a missing comparison (None) does not constrain."""
    if p is None or q is None:
        return q if p is None else p
    return p & q


def _either(p, q):
    """p or q, where a missing comparison (None) counts as False."""
    if p is None or q is None:
        return q if p is None else p
    return p | q


def _passed(grad: Tensor, condition) -> Tensor:
    """grad where condition (a bool tensor, a Python bool, or None: always), else 0."""
    if condition is None or condition is True:
        return grad
    if condition is False:
        return zeros_like(grad)
    return where(condition, grad, 0)


class Lerp(Function):
    """a + weight * (end - a)."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, b: Tensor, weight, *, out: Tensor) -> Tensor:
        needs = ctx.needs_input_grad
        save(ctx, out, (a, b, weight), keep=(needs[2], needs[2], needs[0] or needs[1]))
        out.backend.elementwise.lerp(a.array, b.array, array(weight), out.array)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, weight = saved_operands(ctx)
        needs = ctx.needs_input_grad
        return (grad * (1 - weight) if needs[0] else None, grad * weight if needs[1] else None,
                grad * (b - a) if needs[2] else None)


def _check_mask(name: str, mask) -> None:
    if not isinstance(mask, Tensor) or mask.dtype is not dtypes.bool_:
        got = f"dtype {mask.dtype.name}" if isinstance(mask, Tensor) else type(mask).__name__
        raise TypeError(f"{name}: expected the condition (mask) to be a bool tensor, but got {got}")


def _select(name: str, condition: Tensor, input, other, out) -> Tensor:
    _check_mask(name, condition)
    if condition.ndim == 0 and condition.device.type == "cpu":  # joins, as a scalar would (PyTorch)
        condition = condition.to(operand_device([x for x in (condition, input, other) if isinstance(x, Tensor)]))
    p = prepare(name, {"input": input, "other": other}, also=(condition,))
    for value in p.operands:
        check_fits(name, value, p.dtype)
    dest = target(name, out, p.shape, p.dtype, p.device, inputs=p.operands)
    return Where.apply(expand(condition, p.shape), *p.operands, out=dest)


@function
def where(condition: Tensor, input, other, *, out: Tensor | None = None) -> Tensor:
    """input where condition is True, else other; input/other may be scalars and promote
    together as in PyTorch."""
    return _select("where", condition, input, other, out)


@method("where")
def where_method(self: Tensor, condition: Tensor, other) -> Tensor:
    """self where condition is True, else other."""
    return _select("where", condition, self, other, None)


def _masked_fill(name: str, input: Tensor, mask: Tensor, value, out, inplace: bool = False) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be a Tensor, not {type(input).__name__}")
    if isinstance(value, Tensor) and value.ndim != 0:
        raise RuntimeError(f"{name} only supports a 0-dimensional value tensor, but got tensor "
                           f"with {value.ndim} dimension(s) (shape {list(value.shape)})")
    return _fill_where(name, input, mask, value, out, inplace)


def _fill_where(name: str, input: Tensor, mask: Tensor, value, out, inplace: bool = False) -> Tensor:
    """input with `value` (converted to input's dtype) where the bool `mask` is True."""
    _check_mask(name, mask)
    if mask.device != input.device:  # PyTorch's cuda kernel refuses even a 0-dim cpu mask
        raise RuntimeError(f"{name}: expected self and mask to be on the same device, but got mask on "
                           f"{mask.device} and self on {input.device}")
    p = prepare(name, {"input": input, "value": value}, compute=input.dtype, also=(mask,), inplace=inplace)
    check_fits(name, p.operands[1], p.dtype)
    dest = target(name, out, p.shape, p.dtype, p.device, inplace, p.operands)
    x, value = p.operands
    return apply(MaskedFill, (x, expand(mask, p.shape), value), dest, p.dtype, inplace)


@function
@method()
def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """input with `value` (a scalar or 0-dim tensor, converted to input's dtype) where the bool
    `mask` is True; mask broadcasts."""
    return _masked_fill("masked_fill", input, mask, value, None)


@method()
def masked_fill_(self: Tensor, mask: Tensor, value) -> Tensor:
    return _masked_fill("masked_fill_", self, mask, value, self, inplace=True)


def _clamp(name: str, input: Tensor, min, max, out, inplace: bool = False) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be a Tensor, not {type(input).__name__}")
    if min is None and max is None:
        raise RuntimeError(f"{name}: At least one of 'min' or 'max' must not be None")
    p = prepare(name, {"input": input, "min": min, "max": max}, inplace=inplace)
    for bound in p.operands[1:]:
        check_fits(name, bound, p.dtype)
    dest = target(name, out, p.shape, p.dtype, p.device, inplace, p.operands)
    return apply(Clamp, p.operands, dest, p.dtype, inplace)


@function(aliases=("clip",))
@method("clamp", "clip")
def clamp(input: Tensor, min=None, max=None, *, out: Tensor | None = None) -> Tensor:
    """input limited to [min, max]; each bound a scalar, a tensor or None. The result dtype
    promotes with the bounds (`int_tensor.clamp(0.5)` is float). min > max gives max."""
    return _clamp("clamp", input, min, max, out)


@method("clamp_", "clip_")
def clamp_(self: Tensor, min=None, max=None) -> Tensor:
    return _clamp("clamp_", self, min, max, self, inplace=True)


@function
@method()
def clamp_min(input: Tensor, min) -> Tensor:
    """clamp(input, min=min)."""
    return _clamp("clamp_min", input, min, None, None)


@function
@method()
def clamp_max(input: Tensor, max) -> Tensor:
    """clamp(input, max=max)."""
    return _clamp("clamp_max", input, None, max, None)


def _lerp(name: str, input: Tensor, end: Tensor, weight, out, inplace: bool = False) -> Tensor:
    for arg, x in (("input", input), ("end", end)):
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' must be a Tensor, not {type(x).__name__}")
    check_kind(name, input.dtype, "f")
    if end.dtype is not input.dtype:
        raise TypeError(f"{name}: expected dtype {input.dtype.name} for `end` but got dtype {end.dtype.name}")
    if isinstance(weight, Tensor) and weight.dtype is not input.dtype:
        raise TypeError(f"{name}: expected dtype {input.dtype.name} for `weight` but got dtype {weight.dtype.name}")
    p = prepare(name, {"input": input, "end": end, "weight": weight}, compute=input.dtype, inplace=inplace)
    dest = target(name, out, p.shape, p.dtype, p.device, inplace, p.operands)
    return apply(Lerp, p.operands, dest, p.dtype, inplace)


@function
@method()
def lerp(input: Tensor, end: Tensor, weight, *, out: Tensor | None = None) -> Tensor:
    """input + weight * (end - input) for floating tensors of one dtype; weight a scalar or a
    tensor of that dtype. All three broadcast."""
    return _lerp("lerp", input, end, weight, out)


@method()
def lerp_(self: Tensor, end: Tensor, weight) -> Tensor:
    return _lerp("lerp_", self, end, weight, self, inplace=True)


def _triangle(name: str, input: Tensor, diagonal: int, lower: bool, out, inplace: bool = False) -> Tensor:
    """Keep the elements on and below (lower) or above the `diagonal`-th diagonal of the last
    two dims; zero the others. The mask is (column - row) compared with diagonal."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be a Tensor, not {type(input).__name__}")
    if input.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions, got shape {list(input.shape)}")
    rows, cols = input.shape[-2:]
    offset = arange(cols, device=input.device) - arange(rows, device=input.device).unsqueeze(-1)
    zeroed = offset > diagonal if lower else offset < diagonal
    return _fill_where(name, input, zeroed, 0, out, inplace)


@function
@method()
def tril(input: Tensor, diagonal: int = 0, *, out: Tensor | None = None) -> Tensor:
    """The lower triangle (on and below the `diagonal`-th diagonal) of the last two dims."""
    return _triangle("tril", input, diagonal, True, out)


@method()
def tril_(self: Tensor, diagonal: int = 0) -> Tensor:
    return _triangle("tril_", self, diagonal, True, self, inplace=True)


@function
@method()
def triu(input: Tensor, diagonal: int = 0, *, out: Tensor | None = None) -> Tensor:
    """The upper triangle (on and above the `diagonal`-th diagonal) of the last two dims."""
    return _triangle("triu", input, diagonal, False, out)


@method()
def triu_(self: Tensor, diagonal: int = 0) -> Tensor:
    return _triangle("triu_", self, diagonal, False, self, inplace=True)
