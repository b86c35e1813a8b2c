"""Gradients of elementwise ops: `gradcheck` (finite differences, float64, tiny shapes, inputs
away from the points where an op is not differentiable) for every op and every way of calling
it (method, function, operator, reflected operator, broadcasting on both sides, scalars on
either side, non-contiguous operands, in place on a non-leaf and on a view), `gradgradcheck`
for the smooth ones, and PyTorch's own gradients (the oracle) where finite differences say
nothing: abs/relu/sign at 0, clamp at its bounds, maximum/minimum ties, pow at 0, mixed
dtypes and half-precision tensors written in place."""
from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field

import numpy as np
import pytest
import torch

import tritorch
from helpers import assert_close, tolerance
from tritorch.autograd import gradcheck, gradgradcheck


def leaf(values, dtype=tritorch.float64) -> tritorch.Tensor:
    return tritorch.tensor(values, dtype=dtype, requires_grad=True)


def spread(shape, low: float = -1.1, high: float = 1.2, seed: int = 0) -> np.ndarray:
    """Distinct values in [low, high] in shuffled order. The default range keeps every value at
    least 0.16 away from 0 and from the integers, and 0.03 from the halves (for n <= 12)."""
    n = math.prod(shape)
    values = np.linspace(low, high, n) + (0.013 if n > 1 else 0.37)
    return np.random.default_rng(seed).permutation(values).reshape(shape)


def permuted(x: tritorch.Tensor) -> tritorch.Tensor:
    """A non-contiguous view of x (its dims reversed), made inside the checked function so that
    gradcheck still differentiates a contiguous leaf."""
    return x.permute(tuple(reversed(range(x.ndim))))


def written_in_place(x: tritorch.Tensor, op) -> tritorch.Tensor:
    """op applied in place to a non-leaf copy of x (`y = x * 1; op(y)`), returning y."""
    y = x * 1
    assert op(y) is y
    return y


def written_in_a_view(x: tritorch.Tensor, op) -> tritorch.Tensor:
    """op applied in place to row 0 of a non-leaf copy of x: the copy's history is rebased."""
    y = x * 1
    op(y[0])
    return y


# --- unary ops ----------------------------------------------------------------------------------

@dataclass
class Unary:
    name: str
    low: float = -1.1  # inputs are spread over [low, high]
    high: float = 1.2
    smooth: bool = True  # second derivatives checked
    call: object = None  # fn(x) and fn_(y) when not x.<name>() and y.<name>_()
    call_: object = None

    def __post_init__(self):
        self.call = self.call or (lambda x: getattr(x, self.name)())
        self.call_ = self.call_ or (lambda y: getattr(y, self.name + "_")())


POSITIVE = dict(low=0.3, high=2.1)
UNARY = [
    Unary("exp"), Unary("exp2"), Unary("expm1"), Unary("sin"), Unary("cos"), Unary("tan"),
    Unary("tanh"), Unary("sigmoid"), Unary("neg"), Unary("square"),
    Unary("log", **POSITIVE), Unary("log2", **POSITIVE), Unary("log10", **POSITIVE),
    Unary("log1p", low=-0.6, high=1.5), Unary("sqrt", **POSITIVE), Unary("rsqrt", **POSITIVE),
    Unary("reciprocal"), Unary("abs"), Unary("relu"),
    Unary("sign", smooth=False), Unary("floor", smooth=False), Unary("ceil", smooth=False),
    Unary("trunc", smooth=False), Unary("round", smooth=False),
    Unary("round_decimals", smooth=False, call=lambda x: x.round(decimals=1),
          call_=lambda y: y.round_(decimals=1)),
]
UNARY_IDS = [op.name for op in UNARY]
FUNCTION_FORMS = {"round_decimals": lambda x: tritorch.round(x, decimals=1)}


def unary_input(op: Unary, shape=(2, 3)) -> tritorch.Tensor:
    return leaf(spread(shape, op.low, op.high))


@pytest.mark.parametrize("op", UNARY, ids=UNARY_IDS)
@pytest.mark.parametrize("form", ["method", "function", "non_contiguous", "zero_dim", "in_place", "in_place_view"])
def test_unary_gradcheck(op, form):
    function = FUNCTION_FORMS.get(op.name) or getattr(tritorch, op.name)
    fn = {"method": op.call, "function": function, "zero_dim": op.call,
          "non_contiguous": lambda x: op.call(permuted(x)),
          "in_place": lambda x: written_in_place(x, op.call_),
          "in_place_view": lambda x: written_in_a_view(x, op.call_)}[form]
    x = unary_input(op, () if form == "zero_dim" else (2, 3))
    assert gradcheck(fn, (x,))


@pytest.mark.parametrize("op", [op for op in UNARY if op.smooth], ids=[op.name for op in UNARY if op.smooth])
@pytest.mark.parametrize("in_place", [False, True])
def test_unary_gradgradcheck(op, in_place):
    fn = (lambda x: written_in_a_view(x, op.call_)) if in_place else op.call
    assert gradgradcheck(fn, (unary_input(op, (2, 2)),))


def test_piecewise_constant_ops_give_zero_gradients():
    x = leaf(spread((5,)))
    for fn in (lambda t: t.floor(), lambda t: t.ceil(), lambda t: t.sign(), lambda t: t.round(decimals=2)):
        (g,) = tritorch.autograd.grad(fn(x), x, tritorch.ones(5, dtype=tritorch.float64))
        assert g is not None and g.tolist() == [0.0] * 5


# --- binary ops ------------------------------------------------------------------------------------

@dataclass
class Binary:
    name: str
    call: object  # fn(a, b), a function form: either operand may be a Python scalar
    call_: object = None  # fn(y, b) in place, if the op has one
    operator: object = None  # the Python operator (also tried reflected, as operator(scalar, tensor))
    augmented: object = None  # the augmented assignment operator (y op= b)
    ranges: tuple = ((-1.5, 1.5), (-1.5, 1.5))  # where a and b are drawn from
    ok: object = field(default=lambda a, b: True)  # whether drawn (a, b) are differentiable points
    smooth: bool = True


def _away_from_zero(a, b) -> bool:
    return bool(np.all(np.abs(b) > 0.3))


def _no_ties(a, b) -> bool:
    return bool(np.all(np.abs(np.asarray(a) - np.asarray(b)) > 0.05))


def _quotient_away_from_integers(a, b) -> bool:
    """Where remainders jump and rounded quotients step, finite differences say nothing."""
    if not _away_from_zero(a, b):
        return False
    q = np.divide(a, b)
    fraction = q - np.floor(q)
    return bool(np.all((fraction > 0.15) & (fraction < 0.85)))


BINARY = [
    Binary("add", tritorch.add, lambda y, b: y.add_(b), operator.add, operator.iadd),
    Binary("add_alpha", lambda a, b: tritorch.add(a, b, alpha=2.5), lambda y, b: y.add_(b, alpha=-1.5)),
    Binary("sub", tritorch.sub, lambda y, b: y.sub_(b), operator.sub, operator.isub),
    Binary("sub_alpha", lambda a, b: tritorch.subtract(a, b, alpha=0.5), lambda y, b: y.subtract_(b, alpha=3)),
    Binary("rsub", lambda a, b: tritorch.rsub(a, b, alpha=2)),
    Binary("mul", tritorch.mul, lambda y, b: y.mul_(b), operator.mul, operator.imul),
    Binary("div", tritorch.div, lambda y, b: y.div_(b), operator.truediv, operator.itruediv, ok=_away_from_zero),
    Binary("true_divide", tritorch.true_divide, lambda y, b: y.true_divide_(b), ok=_away_from_zero),
    Binary("pow", tritorch.pow, lambda y, b: y.pow_(b), operator.pow, operator.ipow, ranges=((0.3, 1.8), (-1.3, 1.4))),
    Binary("remainder", tritorch.remainder, lambda y, b: y.remainder_(b), operator.mod, operator.imod,
           ok=_quotient_away_from_integers, smooth=False),
    Binary("fmod", tritorch.fmod, lambda y, b: y.fmod_(b), ok=_quotient_away_from_integers, smooth=False),
    Binary("maximum", tritorch.maximum, ok=_no_ties),
    Binary("minimum", tritorch.minimum, ok=_no_ties),
    Binary("div_floor", lambda a, b: tritorch.div(a, b, rounding_mode="floor"),
           lambda y, b: y.div_(b, rounding_mode="floor"), operator.floordiv, operator.ifloordiv,
           ok=_quotient_away_from_integers, smooth=False),
    Binary("div_trunc", lambda a, b: tritorch.divide(a, b, rounding_mode="trunc"),
           lambda y, b: y.divide_(b, rounding_mode="trunc"), ok=_quotient_away_from_integers, smooth=False),
]
BINARY_IDS = [op.name for op in BINARY]
SMOOTH_BINARY = [op for op in BINARY if op.smooth]
WITH_OPERATOR = [op for op in BINARY if op.operator]
IN_PLACE_BINARY = [op for op in BINARY if op.call_]


def draw(op: Binary, shape_a, shape_b, seed: int = 0):
    """Operands for `op` of the given shapes (None: a Python scalar) at differentiable points."""
    rng = np.random.default_rng(seed)
    for _ in range(1000):
        a, b = (np.round(rng.uniform(*r, () if s is None else s), 3) for r, s in zip(op.ranges, (shape_a, shape_b)))
        if op.ok(*np.broadcast_arrays(a, b)):
            return (float(a) if shape_a is None else leaf(a)), (float(b) if shape_b is None else leaf(b))
    raise AssertionError(f"no differentiable operands found for {op.name}")


def tensors(*xs) -> tuple:
    return tuple(x for x in xs if isinstance(x, tritorch.Tensor))


def bind_scalars(fn, a, b):
    """fn(a, b) as a function of its tensor operands only."""
    if not isinstance(a, tritorch.Tensor):
        return lambda b: fn(a, b)
    if not isinstance(b, tritorch.Tensor):
        return lambda a: fn(a, b)
    return fn


# (shape of a, shape of b); None is a Python scalar
BINARY_SHAPES = {"same": ((2, 3), (2, 3)), "broadcast_both": ((2, 1), (3,)), "zero_dim_other": ((2, 3), ()),
                 "zero_dim_self": ((), (2, 2)), "scalar_other": ((2, 3), None), "scalar_self": (None, (2, 3))}


@pytest.mark.parametrize("op", BINARY, ids=BINARY_IDS)
@pytest.mark.parametrize("shapes", list(BINARY_SHAPES))
def test_binary_gradcheck(op, shapes):
    a, b = draw(op, *BINARY_SHAPES[shapes])
    assert gradcheck(bind_scalars(op.call, a, b), tensors(a, b))


@pytest.mark.parametrize("op", WITH_OPERATOR, ids=[op.name for op in WITH_OPERATOR])
@pytest.mark.parametrize("shapes", ["scalar_self", "scalar_other", "broadcast_both"])
def test_operator_gradcheck(op, shapes):
    """The dunders, reflected ones (2.5 - x) included."""
    a, b = draw(op, *BINARY_SHAPES[shapes])
    assert gradcheck(bind_scalars(op.operator, a, b), tensors(a, b))


@pytest.mark.parametrize("op", WITH_OPERATOR, ids=[op.name for op in WITH_OPERATOR])
def test_operator_on_non_contiguous_operands_gradcheck(op):
    a, b = draw(op, (3, 2), (3, 2))
    assert gradcheck(lambda a, b: op.operator(permuted(a), permuted(b)), (a, b))


IN_PLACE_FORMS = [(op, form) for op in IN_PLACE_BINARY
                  for form in ("in_place", "in_place_view", "in_place_scalar", "augmented")
                  if form != "augmented" or op.augmented]


@pytest.mark.parametrize("op, form", IN_PLACE_FORMS, ids=[f"{op.name}-{form}" for op, form in IN_PLACE_FORMS])
def test_binary_in_place_gradcheck(op, form):
    """self is a non-leaf (or a row of one); `other` broadcasts into it."""
    a, b = draw(op, (2, 3), None if form == "in_place_scalar" else (3,))
    write = written_in_a_view if form == "in_place_view" else written_in_place
    call_ = op.augmented if form == "augmented" else op.call_
    assert gradcheck(bind_scalars(lambda a, b: write(a, lambda y: call_(y, b)), a, b), tensors(a, b))


SECOND_ORDER_SHAPES = {"same": ((2, 2), (2, 2)), "broadcast_both": ((2, 1), (2,)), "scalar_other": ((2, 2), None)}


@pytest.mark.parametrize("op", SMOOTH_BINARY, ids=[op.name for op in SMOOTH_BINARY])
@pytest.mark.parametrize("shapes", list(SECOND_ORDER_SHAPES))
def test_binary_gradgradcheck(op, shapes):
    a, b = draw(op, *SECOND_ORDER_SHAPES[shapes])
    assert gradgradcheck(bind_scalars(op.call, a, b), tensors(a, b))


@pytest.mark.parametrize("op", [op for op in SMOOTH_BINARY if op.call_],
                         ids=[op.name for op in SMOOTH_BINARY if op.call_])
def test_binary_in_place_gradgradcheck(op):
    """The value of self that backward needs is a copy taken before the write; it must keep
    self's history for the second derivative."""
    a, b = draw(op, (2, 2), (2,))
    assert gradgradcheck(lambda a, b: written_in_a_view(a, lambda y: op.call_(y, b)), (a, b))
    assert gradgradcheck(lambda a, b: written_in_place(a, lambda y: op.call_(y, b)), (a, b))


@pytest.mark.parametrize("op", [op for op in WITH_OPERATOR if op.smooth],
                         ids=[op.name for op in WITH_OPERATOR if op.smooth])
def test_reflected_operator_gradgradcheck(op):
    a, b = draw(op, None, (3,))
    assert gradgradcheck(lambda b: op.operator(a, b), (b,))


def test_self_as_both_operands_in_place():
    x = leaf(spread((2, 3), 0.3, 1.5))
    assert gradcheck(lambda x: written_in_place(x, lambda y: y.mul_(y)), (x,))
    assert gradgradcheck(lambda x: written_in_place(x, lambda y: y.pow_(y)), (x,))
    assert gradcheck(lambda x: _divide_row_0_by_row_1(x * 1), (x,))


def _divide_row_0_by_row_1(y):
    """y[1] is read from the storage y[0] is written to: backward needs its values before."""
    y[0].div_(y[1])
    return y


# --- where, masked_fill, tril/triu, clamp, lerp -----------------------------------------------------

CONDITION = np.array([[True, False, True], [False, False, True]])


def condition() -> tritorch.Tensor:
    return tritorch.tensor(CONDITION)


SELECTIONS = {
    "where": lambda a, b: tritorch.where(condition(), a, b),
    "where_broadcast": lambda a, b: tritorch.where(condition(), a[:, :1], b[0]),
    "where_scalar_other": lambda a, b: tritorch.where(condition(), a, 0.5) * b,
    "where_scalar_input": lambda a, b: tritorch.where(condition(), -2, b) * a,
    "where_method": lambda a, b: a.where(condition(), b),
    "masked_fill": lambda a, b: a.masked_fill(condition(), 0.25) * b,
    "masked_fill_tensor_value": lambda a, b: tritorch.masked_fill(a, condition()[0], b[1, 2]),
    "masked_fill_": lambda a, b: written_in_place(a, lambda y: y.masked_fill_(condition(), b[0, 0])),
    "masked_fill_view": lambda a, b: written_in_a_view(a, lambda y: y.masked_fill_(condition()[1], 3.0)),
    "lerp": lambda a, b: tritorch.lerp(a, b, 0.3),
    "lerp_tensor_weight": lambda a, b: a.lerp(b, b.sigmoid()),
    "lerp_broadcast": lambda a, b: a[:1].lerp(b[:, 1:2], a[1]),
    "lerp_": lambda a, b: written_in_place(a, lambda y: y.lerp_(b, 0.7)),
    "lerp_view": lambda a, b: written_in_a_view(a, lambda y: y.lerp_(b[1], b[0])),
    "clamp": lambda a, b: a.clamp(-0.5, 0.6),
    "clamp_tensor_bounds": lambda a, b: tritorch.clamp(a, b - 0.6, b + 0.6),
    "clamp_min_tensor": lambda a, b: a.clamp(min=b[0]),
    "clamp_max_tensor": lambda a, b: a.clamp(max=b),
    "clamp_crossed_bounds": lambda a, b: a.clamp(b + 0.5, b - 0.5),
    "clamp_min": lambda a, b: a.clamp_min(-0.2) + tritorch.clamp_max(b, 0.3),
    "clip": lambda a, b: a.clip(max=0.4),
    "clamp_": lambda a, b: written_in_place(a, lambda y: y.clamp_(b - 0.6, b + 0.6)),
    "clamp_view": lambda a, b: written_in_a_view(a, lambda y: y.clamp_(min=-0.3)),
}
# where's condition and clamp's bounds are not differentiated: a, b avoid the bounds above
SELECTION_SECOND_ORDER = ["where", "where_broadcast", "where_scalar_other", "masked_fill_tensor_value",
                          "lerp", "lerp_tensor_weight", "lerp_view", "clamp", "clamp_tensor_bounds", "clamp_"]


def selection_operands():
    # a stays clear of the scalar bounds above (-0.5, -0.3, -0.2, 0.4, 0.6) and a - b of +-0.5
    # and +-0.6 (the tensor bounds b +- 0.5, b +- 0.6); b stays clear of 0.3
    a = leaf([[0.91, -0.73, 0.12], [-0.04, 0.47, -1.18]])
    b = leaf([[0.35, -0.21, 1.05], [-0.62, 0.78, 0.22]])
    return a, b


@pytest.mark.parametrize("name", list(SELECTIONS))
def test_selection_gradcheck(name):
    assert gradcheck(SELECTIONS[name], selection_operands())


@pytest.mark.parametrize("name", SELECTION_SECOND_ORDER)
def test_selection_gradgradcheck(name):
    assert gradgradcheck(SELECTIONS[name], selection_operands())


@pytest.mark.parametrize("name", ["tril", "triu"])
@pytest.mark.parametrize("diagonal", [-1, 0, 2])
def test_tril_triu_gradcheck(name, diagonal):
    x = leaf(spread((3, 4)))
    assert gradcheck(lambda x: getattr(x, name)(diagonal), (x,))
    assert gradcheck(lambda x: written_in_place(x, lambda y: getattr(y, name + "_")(diagonal)), (x,))
    x3 = leaf(spread((2, 2, 3)))
    assert gradcheck(lambda x: written_in_a_view(x, lambda y: getattr(y, name + "_")(diagonal)), (x3,))
    assert gradcheck(lambda x: getattr(tritorch, name)(permuted(x), diagonal), (x3,))


# --- PyTorch's gradients where finite differences say nothing ---------------------------------------

def torch_grads(fn, *arrays, dtypes=("float64",)):
    """Gradients of fn(lib, *leaves) in both libraries: (ours, PyTorch's), each a list of float64
    arrays or None, for a weighted sum of the outputs (weights 1, 2, 3, ...). `dtypes` names
    the leaves' dtypes (the last one repeats)."""
    names = list(dtypes) + [dtypes[-1]] * (len(arrays) - len(dtypes))
    results = []
    for lib in (tritorch, torch):
        xs = [lib.tensor(np.asarray(a), dtype=getattr(lib, d), requires_grad=True) for a, d in zip(arrays, names)]
        out = fn(lib, *xs)
        weights = lib.arange(1, out.numel() + 1, dtype=out.dtype).reshape(tuple(out.shape))
        grads = lib.autograd.grad(out, xs, weights, allow_unused=True)
        for g, x in zip(grads, xs):
            assert g is None or g.dtype == x.dtype, f"{lib.__name__}: gradient {g.dtype} for a {x.dtype} input"
        results.append([None if g is None else np.asarray(g.detach().double().numpy()) for g in grads])
    return results


def assert_torch_grads(fn, *arrays, dtypes=("float64",), rtol=1e-12):
    ours, theirs = torch_grads(fn, *arrays, dtypes=dtypes)
    for i, (o, t) in enumerate(zip(ours, theirs)):
        if t is None:  # PyTorch gives no gradient; tritorch may give zeros (an op with zero gradient)
            assert o is None or not o.any(), f"input {i}: expected no gradient, got {o}"
            continue
        assert o is not None, f"input {i}: no gradient, PyTorch gives {t}"
        np.testing.assert_allclose(o, t, rtol=rtol, atol=1e-300, equal_nan=True, err_msg=f"input {i}")


NAN = math.nan
AT_ZERO = [-1.5, 0.0, 2.0, -0.0]
TIES = ([1.0, 2.0, 3.0, NAN], [1.0, 0.0, 4.0, 1.0])
# name: (fn(lib, *leaves), values of the leaves)
CONVENTIONS = {
    "abs_at_0": (lambda lib, x: x.abs(), (AT_ZERO,)),
    "relu_at_0": (lambda lib, x: lib.relu(x), (AT_ZERO,)),
    "relu_nan": (lambda lib, x: lib.relu(x), ([NAN, -1.0, 1.0],)),
    "sign_at_0": (lambda lib, x: x.sign(), (AT_ZERO,)),
    "floor_ceil_round_trunc": (lambda lib, x: x.floor() + x.ceil() + x.round() + x.trunc(), ([1.0, 2.5, -0.5],)),
    "sqrt_at_0": (lambda lib, x: x.sqrt(), (AT_ZERO[1:],)),
    "rsqrt_reciprocal_log_at_0": (lambda lib, x: x.rsqrt() + x.reciprocal() + x.log(), ([0.0, 1.0],)),
    "clamp_at_scalar_bounds": (lambda lib, x: x.clamp(0.0, 1.0), ([-1.0, 0.0, 0.5, 1.0, 2.0],)),
    "clamp_min_at_bound": (lambda lib, x: x.clamp(min=0.5), ([0.5, 0.2, 0.9],)),
    "clamp_max_at_bound": (lambda lib, x: x.clamp(max=0.5), ([0.5, 0.2, 0.9],)),
    "clamp_crossed_scalar_bounds": (lambda lib, x: x.clamp(1.0, 0.0), ([-1.0, 0.0, 0.5, 1.0, 2.0],)),
    "clamp_at_tensor_bounds": (lambda lib, x, lo, hi: lib.clamp(x, lo, hi),
                               ([0.0, 1.0, 0.5, -2.0, 3.0, 0.7, 0.7, 0.2],
                                [0.0, 0.0, 0.6, 0.0, 0.0, 0.7, 0.9, 0.5],
                                [1.0, 1.0, 0.4, 1.0, 1.0, 0.7, 0.3, 0.5])),
    "clamp_min_tensor_at_bound": (lambda lib, x, lo: x.clamp(min=lo), ([0.5, 0.2, 0.9], [0.5, 0.5, 0.5])),
    "clamp_max_tensor_at_bound": (lambda lib, x, hi: x.clamp(max=hi), ([0.5, 0.2, 0.9], [0.5, 0.5, 0.5])),
    "maximum_ties": (lambda lib, a, b: lib.maximum(a, b), TIES),
    "minimum_ties": (lambda lib, a, b: lib.minimum(a, b), TIES),
    "maximum_ties_broadcast": (lambda lib, a, b: lib.maximum(a, b), ([[1.0], [2.0]], [1.0, 2.0, 0.0])),
    "pow_scalar_exponents_at_0": (lambda lib, x: x ** 2 + x ** 0 + x ** 1 + x ** 3.5, ([0.0, 1.5, -0.0],)),
    "pow_half_at_0": (lambda lib, x: x ** 0.5, ([0.0, 4.0],)),
    "pow_tensor_exponent_at_0": (lambda lib, x, e: x ** e,
                                 ([0.0, 0.0, 0.0, 0.0, 2.0, -2.0], [2.0, 0.0, -1.0, 0.5, 0.0, 1.5])),
    "pow_scalar_base_0": (lambda lib, e: 0.0 ** e, ([2.0, 0.0, -1.0],)),
    "pow_negative_scalar_base": (lambda lib, e: (-2.0) ** e, ([2.0, 0.5],)),
    "div_by_0": (lambda lib, a, b: a / b, ([1.0, 0.0, -1.0], [0.0, 0.0, 2.0])),
    "rounded_div": (lambda lib, a, b: lib.div(a, b, rounding_mode="floor") + lib.div(a, b, rounding_mode="trunc"),
                    ([3.5, -2.5], [1.5, 0.7])),
    "remainder_fmod": (lambda lib, a, b: a % b + lib.fmod(a, b), ([3.5, -2.5, 4.0], [1.5, 0.7, 2.0])),
    "where_nan_in_unchosen": (lambda lib, a, b: lib.where(a > 0, a.sqrt(), b), ([4.0, -1.0], [1.0, 2.0])),
    "masked_fill_value_gradient": (lambda lib, x, v: x.masked_fill(x > 0.5, v), ([[0.1, 0.9], [0.7, 0.2]], 3.0)),
    "lerp_at_ends": (lambda lib, a, b, w: lib.lerp(a, b, w), ([1.0, 2.0, 3.0], [4.0, -1.0, 0.0], [0.0, 1.0, 0.5])),
    "exp2_expm1_log1p": (lambda lib, x: x.exp2() * x.expm1() + x.log1p(), ([0.0, 0.7, -0.3],)),
}


@pytest.mark.parametrize("name", list(CONVENTIONS))
def test_gradients_match_torch_at_conventional_points(name):
    fn, arrays = CONVENTIONS[name]
    assert_torch_grads(fn, *arrays)


def test_second_derivatives_match_torch():
    def fn(lib, x, e):
        y = (x ** e) * x.sigmoid() + lib.maximum(x, e).tanh() / x.exp2()
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        return g * x.sin()
    assert_torch_grads(fn, np.array([0.4, 1.3, 0.9]), np.array([1.5, -0.5, 2.0]), rtol=1e-10)


# --- dtypes: the gradient arrives in each input's dtype ---------------------------------------------

MIXED = {
    "add": lambda lib, a, b: a + b, "sub_alpha": lambda lib, a, b: lib.sub(a, b, alpha=2),
    "mul": lambda lib, a, b: a * b, "div": lambda lib, a, b: a / b, "pow": lambda lib, a, b: a.abs() ** b,
    "maximum": lambda lib, a, b: lib.maximum(a, b), "where": lambda lib, a, b: lib.where(a > 0, a, b),
    "lerp_then_add": lambda lib, a, b: lib.lerp(a, a * 2, 0.25) + b,
}


@pytest.mark.parametrize("name", list(MIXED))
def test_mixed_dtypes_give_each_input_its_own_dtype(name):
    a32 = np.array([[0.5, -1.25, 2.0]], dtype=np.float32)
    b64 = np.array([[0.75], [-1.5]])
    for lib in (tritorch, torch):
        a = lib.tensor(a32, requires_grad=True)
        b = lib.tensor(b64, requires_grad=True)
        MIXED[name](lib, a, b).sum().backward()
        assert (str(a.grad.dtype), str(b.grad.dtype)) == (f"{lib.__name__}.float32", f"{lib.__name__}.float64")
        if lib is tritorch:
            ours = a.grad.numpy(), b.grad.numpy()
    assert_close(tritorch.tensor(ours[0]), a.grad.numpy(), reduction_len=2)
    assert_close(tritorch.tensor(ours[1]), b.grad.numpy(), reduction_len=3)


@pytest.mark.parametrize("dtypes", [("float32", "float64"), ("float16", "float32")], ids=["float32", "half"])
def test_in_place_with_a_cast_is_recorded_on_self(dtypes):
    """A float32 (half) y written in place with float64 (float32) operands: the op computes in
    the operands' dtype and writes into y, which autograd records on y itself, and on y's base
    through CopySlices when a view of y is written. PyTorch's gradients, in each input's dtype."""
    def program(lib, x, z, w, v):
        y = x * 1
        y.add_(z)
        y[0].mul_(w)
        y[1].sub_(v, alpha=2)
        y[:, 2].div_(w[2])
        y[:, 1].exp_()  # last: it saves its result, which a later write into y would invalidate
        return y * y
    arrays = (np.array([[0.1, 0.2, 0.3], [0.4, -0.5, 0.6]]), np.array([0.5, -1.5, 0.25]),
              np.array([3.0, 0.25, -2.0]), np.array([0.5, 0.125, -1.0]))
    rtol, _ = tolerance(getattr(tritorch, dtypes[0]), reduction_len=2)
    assert_torch_grads(program, *arrays, dtypes=dtypes, rtol=rtol)


def test_second_derivative_through_an_in_place_write_with_a_cast():
    """float32 y times float64 w in place: backward of w needs y's old values, read at float64;
    with create_graph that read must keep y's history."""
    def program(lib, x, w):
        y = x.sin()
        y[1:].mul_(w)
        gx, gw = lib.autograd.grad((y * y).sum(), (x, w), create_graph=True)
        return lib.cat([gx, gw])
    assert_torch_grads(program, np.array([0.3, -0.8, 1.1]), np.array([1.5, -0.4]),
                       dtypes=("float32", "float64"), rtol=tolerance(tritorch.float32, reduction_len=2)[0])


def test_half_self_gets_its_gradient_in_half():
    x = leaf([1.0, 2.0], dtype=tritorch.float16)
    z = leaf([0.5, 0.25], dtype=tritorch.float32)
    y = x * 1
    y.mul_(z)
    assert y.dtype == tritorch.float16 and y.grad_fn.name() == "MulBackward0"
    (y * 1).sum().backward()
    assert x.grad.dtype == tritorch.float16 and z.grad.dtype == tritorch.float32
    assert x.grad.tolist() == [0.5, 0.25] and z.grad.tolist() == [1.0, 2.0]


# --- recording: node names, in-place rules, what is not differentiable -------------------------------

def test_in_place_ops_record_their_node_on_self():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    y = x * 1
    before = y.grad_fn
    for op, name in [(lambda t: t.add_(1), "AddBackward0"), (lambda t: t.mul_(x), "MulBackward0"),
                     (lambda t: t.exp_(), "ExpBackward0"), (lambda t: t.clamp_(0, 5), "ClampBackward0"),
                     (lambda t: t.masked_fill_(x > 2, 0), "MaskedFillBackward0"),
                     (lambda t: t.pow_(2), "PowBackward0")]:
        assert op(y) is y
        assert y.grad_fn.name() == name
    assert y.grad_fn is not before and not y.is_leaf
    y[0].sin_()
    assert y.grad_fn.name() == "CopySlices"
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"):
        leaf([1.0], dtype=tritorch.float16).add_(leaf([1.0], dtype=tritorch.float32))
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0].exp_()


def test_refused_in_place_write_leaves_self_unchanged():
    x = leaf([1.0, 2.0])
    square = x * x  # saves x
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x.mul_(leaf([3.0, 3.0], dtype=tritorch.float32))
    square.sum().backward()  # x's version did not move
    assert x.tolist() == [1.0, 2.0] and x.grad.tolist() == [2.0, 4.0]


def test_in_place_op_invalidates_a_saved_self():
    x = leaf([1.0, 2.0])
    y = x * 1
    z = y * y  # saves y
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_comparisons_logical_and_bitwise_ops_are_not_differentiable():
    x, z = leaf([1.0, -2.0, 0.0]), leaf([1.0, 1.0, 1.0])
    for out in (x > 0, x == z, x.lt(z), tritorch.logical_and(x, z), x.isnan(), x.isfinite(), x.logical_not()):
        assert not out.requires_grad and out.grad_fn is None
    assert not (x.long() & 3).requires_grad


@pytest.mark.parametrize("op", [lambda y, z: y.eq_(z), lambda y, z: y.lt_(0.5), lambda y, z: y.logical_and_(z),
                                lambda y, z: y.logical_not_(), lambda y, z: y.ge_(z)])
def test_comparison_written_in_place_gives_zero_gradient(op):
    """As in PyTorch: a float tensor overwritten by a comparison passes on a zero gradient."""
    x, z = leaf([1.0, -2.0, 0.0]), leaf([1.0, 1.0, 0.0])
    y = x * 1
    op(y, z)
    assert y.requires_grad and y.grad_fn is not None
    (y * z).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    assert z.grad.tolist() == y.tolist()  # only through the product


def test_out_argument_refuses_autograd():
    x = leaf([1.0, 2.0])
    out = tritorch.empty(2, dtype=tritorch.float64)
    with pytest.raises(RuntimeError, match=r"add\(\): functions with out=... arguments don't support automatic"):
        tritorch.add(x, 1, out=out)
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        tritorch.exp(tritorch.ones(2, dtype=tritorch.float64), out=leaf([0.0, 0.0]))
    with tritorch.no_grad():
        tritorch.mul(x, 3, out=out)
    assert out.tolist() == [3.0, 6.0] and not out.requires_grad
