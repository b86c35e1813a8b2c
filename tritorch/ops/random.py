"""Random sampling: rand, randn, randint, normal, randperm, multinomial, bernoulli and the in-place fills.

Each op reserves one Philox counter per output element from a `Generator` (the default one
unless `generator=` is given) and hands (seed, offset) to the backend's `random` primitives,
so the values depend only on the seed and on how many numbers were drawn before, never on the
device (see `tritorch/random.py` and `tritorch/reference/random.py`).
"""
from __future__ import annotations

import operator

import numpy as np

from .. import dtypes
from .. import random as rng
from ..autograd.function import Function, check_inplace_allowed
from ..autograd.grad_mode import is_grad_enabled
from ..device import as_device
from ..tensor import Tensor
from .common import (broadcast_shapes, bump_version, check_writable, empty, expand_to, finish, like, same_device,
                     shape_arg)
from .creation import from_numpy
from .registry import function, method
from .search import searchsorted

# Mantissa digits: `random_()` on a float tensor draws integers in [0, 2**digits].
_DIGITS = {"float16": 11, "bfloat16": 8, "float32": 24, "float64": 53}
_INT64_MIN, _INT64_END = -(1 << 63), 1 << 63

for _name in ("manual_seed", "seed", "initial_seed", "set_rng_state"):
    function(getattr(rng, _name))
function(rng.Generator, name="Generator")


def state_tensor(generator: rng.Generator) -> Tensor:
    """A generator's 16-byte state (seed, offset) as a cpu uint8 tensor, as PyTorch returns it."""
    return from_numpy(np.frombuffer(generator.state_bytes(), dtype=np.uint8).copy())


@function
def get_rng_state() -> Tensor:
    """The cpu default generator's state: a uint8 tensor of 16 bytes (seed, offset)."""
    return state_tensor(rng.default_generator)


# --- helpers ---------------------------------------------------------------------------------
def _float_dtype(op: str, dtype) -> dtypes.DType:
    d = dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype)
    if not d.is_floating_point:
        raise TypeError(f"{op}: dtype {d} is not supported; {op} draws floating point values "
                        "(float16, bfloat16, float32 or float64)")
    return d


def _require_floating(op: str, t: Tensor) -> None:
    if not t.dtype.is_floating_point:
        raise TypeError(f"{op}: dtype {t.dtype} is not supported (expected a floating point tensor)")


def _out_dtype(dtype, out: Tensor | None):
    """A factory's dtype argument; when only out= is given, the dtype of out."""
    return out.dtype if dtype is None and isinstance(out, Tensor) else dtype


def _new(op: str, shape, dtype: dtypes.DType, device, out: Tensor | None) -> Tensor:
    """The tensor a factory fills: a new one, or `out=` after checking shape, dtype and device."""
    if out is None:
        return empty(shape, dtype, as_device(device))
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}: out= must be a Tensor, got {type(out).__name__}")
    if tuple(out.shape) != tuple(shape) or out.dtype is not dtype:
        raise RuntimeError(f"{op}: out= has shape {list(out.shape)} and dtype {out.dtype} but the "
                           f"result has shape {list(shape)} and dtype {dtype}")
    if device is not None and out.device != as_device(device):
        raise RuntimeError(f"{op}: out= is on {out.device} but device={as_device(device)} was asked for")
    check_writable(op, out)
    bump_version(out)
    return out


def _start_inplace(op: str, t: Tensor) -> None:
    check_writable(op, t)
    if is_grad_enabled():
        check_inplace_allowed(t)


def _draw(t: Tensor, generator, primitive: str, *args) -> Tensor:
    """Fill `t` with `primitive`, reserving one counter per element of `generator`'s stream."""
    seed, offset = rng.resolve(generator, t.device).reserve(t.numel())
    getattr(t.backend.random, primitive)(seed, offset, *args, t.array)
    return t


def _as_int(op: str, name: str, value) -> int:
    if isinstance(value, Tensor):
        value = value.item()
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{op}: {name} must be an integer, got {type(value).__name__} {value!r}") from None


def _check_int_range(op: str, low: int, high: int, dtype: dtypes.DType) -> None:
    """[low, high) must be non-empty and representable in `dtype` (and in int64)."""
    if low >= high:
        raise RuntimeError(f"{op}: random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    if dtype is dtypes.bool_:
        lo, hi = 0, 1
    elif dtype.is_floating_point:
        lo, hi = _INT64_MIN, _INT64_END - 1
    else:
        info = dtypes.iinfo(dtype)
        lo, hi = info.min, info.max
    if low < lo or high - 1 > hi or high - low >= 1 << 64:
        raise RuntimeError(f"{op}: the range [{low}, {high}) does not fit in {dtype}: 'from' must be "
                           f">= {lo} and 'to' - 1 <= {hi}, spanning fewer than 2**64 values")


def _check_std(op: str, std) -> None:
    if isinstance(std, Tensor):
        if std.numel() and std.detach().amin().item() < 0:
            raise RuntimeError(f"{op}: normal expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"{op}: normal expects std >= 0.0, but found std {std}")


def _check_uniform_bounds(op: str, low: float, high: float, dtype: dtypes.DType) -> None:
    if not low <= high:
        raise RuntimeError(f"{op}: uniform_ expects to return a [from, to) range, but found "
                           f"from={low} > to={high}")
    limit = dtypes.finfo(dtype).max
    if high - low > limit:
        raise RuntimeError(f"{op}: uniform_ expects to-from <= {limit} (the largest {dtype}), but found "
                           f"to={high} and from={low}")


# --- uniform and normal factories -------------------------------------------------------------
@function
def rand(*size, generator=None, out=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1).

    >>> tritorch.manual_seed(0); tritorch.rand(2, 3).shape
    tritorch.Size([2, 3])
    """
    t = _new("rand", shape_arg(size), _float_dtype("rand", _out_dtype(dtype, out)), device, out)
    return finish(_draw(t, generator, "uniform", 0.0, 1.0), requires_grad)


@function
def randn(*size, generator=None, out=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    t = _new("randn", shape_arg(size), _float_dtype("randn", _out_dtype(dtype, out)), device, out)
    return finish(_draw(t, generator, "normal", 0.0, 1.0), requires_grad)


@function
def rand_like(input: Tensor, *, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Uniform [0, 1) samples in input's shape (and dtype and device unless given)."""
    dt, dev = like(input, dtype, device)
    return rand(tuple(input.shape), generator=generator, dtype=dt, device=dev, requires_grad=requires_grad)


@function
def randn_like(input: Tensor, *, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples in input's shape (and dtype and device unless given)."""
    dt, dev = like(input, dtype, device)
    return randn(tuple(input.shape), generator=generator, dtype=dt, device=dev, requires_grad=requires_grad)


@function
def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, device=None,
           requires_grad: bool = False) -> Tensor:
    """Normal samples. PyTorch's overloads: `normal(mean, std)` with either or both a tensor
    (the result has their broadcast shape and dtype), or `normal(mean: float, std: float, size)`.

    >>> tritorch.normal(tritorch.zeros(3), 2.0).shape
    tritorch.Size([3])
    """
    tensors = [x for x in (mean, std) if isinstance(x, Tensor)]
    _check_std("normal", std)
    if not tensors:
        if size is None:
            raise TypeError("normal(): with a float mean and std, size is required, e.g. "
                            "normal(0.0, 1.0, (2, 3))")
        t = _new("normal", shape_arg((size,)), _float_dtype("normal", _out_dtype(dtype, out)), device, out)
        return finish(_draw(t, generator, "normal", float(mean), float(std)), requires_grad)
    if size is not None:
        raise TypeError("normal(): size can only be given with a float mean and std; with tensor "
                        "arguments the result takes their broadcast shape")
    for name, x in (("mean", mean), ("std", std)):
        if isinstance(x, Tensor) and not x.dtype.is_floating_point:
            raise TypeError(f"normal: expected a floating point tensor for {name}, got dtype {x.dtype}")
    shape = broadcast_shapes(*(x.shape for x in tensors))
    dtype = _out_dtype(dtype, out)
    dt = dtypes.result_type(*tensors) if dtype is None else _float_dtype("normal", dtype)
    t = _new("normal", shape, dt, same_device(*tensors) if device is None else device, out)
    args = (expand_to(x, shape).array if isinstance(x, Tensor) else float(x) for x in (mean, std))
    t = _draw(t, generator, "normal", *args)
    if out is None and any(x.requires_grad for x in tensors):
        t = NormalSample.apply(mean, std, sample=t)
    return finish(t, requires_grad)


class NormalSample(Function):
    """`normal(mean, std)` with a tensor that requires grad: PyTorch gives the sample a graph
    node (NormalBackward1: tensor mean, 2: tensor std, 3: both) whose gradients are zero: the
    draw is not reparameterised (write mean + std * randn_like(std) for that)."""

    @staticmethod
    def forward(ctx, mean, std, *, sample: Tensor) -> Tensor:
        ctx.node_name = f"NormalBackward{1 * isinstance(mean, Tensor) + 2 * isinstance(std, Tensor)}"
        ctx.shapes = tuple(tuple(x.shape) if isinstance(x, Tensor) else None for x in (mean, std))
        return sample

    @staticmethod
    def backward(ctx, grad: Tensor):
        return tuple(None if shape is None else grad.new_zeros(shape) for shape in ctx.shapes)


# --- integers ---------------------------------------------------------------------------------
def _parse_bounds(op: str, args: tuple, low, high) -> tuple[int, int]:
    """PyTorch's `(high)` and `(low, high)` argument forms (low defaults to 0)."""
    if len(args) > 2:
        raise TypeError(f"{op}() takes at most low, high and size positionally, got {len(args)} bounds")
    if len(args) == 2:
        if low is not None or high is not None:
            raise TypeError(f"{op}() got low/high both positionally and as keywords")
        low, high = args
    elif len(args) == 1:
        if high is not None:
            raise TypeError(f"{op}() got high both positionally and as a keyword")
        high = args[0]
    if high is None:
        raise TypeError(f"{op}() missing required argument 'high'")
    return _as_int(op, "low", 0 if low is None else low), _as_int(op, "high", high)


@function
def randint(*args, low=None, high=None, size=None, generator=None, out=None, dtype=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """Integers uniform in [low, high): `randint(high, size)` or `randint(low, high, size)`;
    int64 unless `dtype` says otherwise.

    >>> tritorch.randint(3, 10, (2, 2)).dtype
    tritorch.int64
    """
    args = list(args)
    if size is None:
        if not args:
            raise TypeError("randint() missing required argument 'size'")
        size = args.pop()
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): size must be a tuple of ints, got {type(size).__name__} {size!r}")
    low, high = _parse_bounds("randint", tuple(args), low, high)
    dtype = _out_dtype(dtype, out)
    dt = dtypes.int64 if dtype is None else dtypes.as_dtype(dtype)
    _check_int_range("randint", low, high, dt)
    t = _new("randint", shape_arg((size,)), dt, device, out)
    return finish(_draw(t, generator, "randint", low, high), requires_grad)


@function
def randint_like(input: Tensor, *args, low=None, high=None, generator=None, dtype=None, device=None,
                 requires_grad: bool = False) -> Tensor:
    """`randint_like(input, high)` or `randint_like(input, low, high)`: input's shape, its dtype
    unless `dtype` is given."""
    dt, dev = like(input, dtype, device)
    low, high = _parse_bounds("randint_like", args, low, high)
    return randint(low, high, tuple(input.shape), generator=generator, dtype=dt, device=dev,
                   requires_grad=requires_grad)


@function
def randperm(n: int, *, generator=None, out=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0..n-1: the stable argsort of n random 64-bit keys (ties are
    practically impossible, and stability makes them deterministic anyway)."""
    n = _as_int("randperm", "n", n)
    if n < 0:
        raise RuntimeError(f"randperm: n must be non-negative, got {n}")
    dtype = _out_dtype(dtype, out)
    dt = dtypes.int64 if dtype is None else dtypes.as_dtype(dtype)
    if n > 0:
        _check_int_range("randperm", 0, n, dt)
    dev = out.device if (out is not None and device is None) else device
    keys = _draw(empty((n,), dtypes.int64, as_device(dev)), generator, "randint", _INT64_MIN, _INT64_END - 1)
    perm = keys.argsort(stable=True).to(dt)
    if out is None:
        return finish(perm, requires_grad)
    return finish(_new("randperm", (n,), dt, dev, out).copy_(perm), requires_grad)


# --- in-place fills ---------------------------------------------------------------------------
@method()
def uniform_(self: Tensor, from_: float = 0.0, to: float = 1.0, *, generator=None) -> Tensor:
    """Fill in place with samples uniform in [from_, to)."""
    _require_floating("uniform_", self)
    _check_uniform_bounds("uniform_", from_, to, self.dtype)
    _start_inplace("uniform_", self)
    _draw(self, generator, "uniform", float(from_), float(to))
    bump_version(self)
    return self


@method()
def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    """Fill in place with normal samples."""
    _require_floating("normal_", self)
    _check_std("normal_", std)
    _start_inplace("normal_", self)
    _draw(self, generator, "normal", float(mean), float(std))
    bump_version(self)
    return self


@method()
def random_(self: Tensor, *args, generator=None) -> Tensor:
    """Fill in place with integers: `random_()` over [0, max] of the dtype (floats: [0, 2**mantissa
    digits]), `random_(to)` over [0, to), `random_(from, to)` over [from, to)."""
    if not args:
        if self.dtype is dtypes.bool_:
            low, high = 0, 2
        elif self.dtype.is_floating_point:
            low, high = 0, 2 ** _DIGITS[self.dtype.name] + 1
        else:
            low, high = 0, dtypes.iinfo(self.dtype).max + 1
    else:
        low, high = _parse_bounds("random_", args, None, None)
    _check_int_range("random_", low, high, self.dtype)
    _start_inplace("random_", self)
    _draw(self, generator, "randint", low, high)
    bump_version(self)
    return self


@method()
def exponential_(self: Tensor, lambd: float = 1.0, *, generator=None) -> Tensor:
    """Fill in place with samples of the exponential distribution of rate `lambd`."""
    _require_floating("exponential_", self)
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    _start_inplace("exponential_", self)
    _draw(self, generator, "exponential", float(lambd))
    bump_version(self)
    return self


def _probability(op: str, p, shape):
    """A float in [0, 1], or a floating tensor of such values broadcast to `shape` (as a view)."""
    if isinstance(p, Tensor):
        _require_floating(op, p)
        p = p.detach()
        # one scalar read back on the device's verdict (NaN fails it); the values only on error
        if p.numel() and not p.ge(0).logical_and(p.le(1)).all().item():
            lo, hi = p.amin().item(), p.amax().item()
            raise RuntimeError(f"{op}: expected all probabilities p to be in [0, 1], got values from "
                               f"{lo} to {hi}")
        return expand_to(p, shape).array
    if not 0 <= p <= 1:
        raise RuntimeError(f"{op}: bernoulli expects p to be in [0, 1], but got p={p}")
    return float(p)


@method()
def bernoulli_(self: Tensor, p=0.5, *, generator=None) -> Tensor:
    """Fill in place with 1 with probability `p` (a float or a tensor broadcast to self), else 0."""
    if isinstance(p, Tensor):
        broadcast_shapes(p.shape, self.shape)
    prob = _probability("bernoulli_", p, self.shape)
    _start_inplace("bernoulli_", self)
    _draw(self, generator, "bernoulli", prob)
    bump_version(self)
    return self


@function
@method()
def bernoulli(input: Tensor, p=None, *, generator=None, out=None) -> Tensor:
    """0/1 samples of input's shape and dtype: 1 with probability `input[i]`, or with
    probability `p` for every element when `p` (a float) is given."""
    _require_floating("bernoulli", input)
    prob = _probability("bernoulli", input if p is None else p, input.shape)
    t = _new("bernoulli", tuple(input.shape), input.dtype, input.device, out)
    return _draw(t, generator, "bernoulli", prob)


@function
@method()
def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *, generator=None,
                out=None) -> Tensor:
    """`num_samples` category indices per row of the weights `input` (1-D or 2-D), int64.
    With replacement: the inverse CDF (searchsorted of float64 uniforms into the normalised
    cumulative weights). Without: PyTorch's exponential race, the `num_samples` largest
    `weight / Exp(1)` of each row (a zero weight is drawn only when the others are used up)."""
    if input.dim() not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {list(input.shape)}")
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {input.dtype}")
    k = _as_int("multinomial", "num_samples", num_samples)
    if k <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples (num_samples={k})")
    n = input.shape[-1]
    if not replacement and k > n:
        raise RuntimeError(f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples without "
                           f"replacement (num_samples={k}, size {n})")
    rows = input.detach().to(dtypes.float64).reshape(-1, n)
    # one scalar read back on the device's verdict; the failing rule is found only on error
    if rows.numel() and not (rows.isfinite().all() & rows.ge(0).all() & rows.sum(-1).gt(0).all()).item():
        if not (rows.isfinite().all().item() and rows.amin().item() >= 0):
            raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or element < 0")
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)")
    if replacement:
        cdf = rows.cumsum(-1)
        cdf = cdf / cdf[:, -1:]  # the last entry is exactly 1, so every uniform in [0, 1) lands
        u = _draw(empty((rows.shape[0], k), dtypes.float64, input.device), generator, "uniform", 0.0, 1.0)
        picked = searchsorted(cdf, u, right=True)
    else:
        race = _draw(empty(tuple(rows.shape), dtypes.float64, input.device), generator, "exponential", 1.0)
        picked = (rows / race).argsort(-1, descending=True, stable=True)[:, :k]
    picked = picked.reshape(*input.shape[:-1], k)
    if out is None:
        return picked
    return _new("multinomial", tuple(picked.shape), dtypes.int64, None, out).copy_(picked)
