"""Every public op on cuda (issue 10): a walk of the op registry.

Each registered name (`tritorch.<name>` and `Tensor.<name>`, in-place and dunders included) has a
sample call below on tiny tensors. On cuda it runs with the numpy reference forbidden
(`harness.reference_forbidden`), must launch at least one Triton kernel, and must give the cpu
device's result (values, shape, dtype). Where the result is differentiable, a second run with
float inputs that require grad does one `sum().backward()` on each device and compares the
gradients. `test_every_registered_name_has_a_sample` fails when an op is added without a sample.

Host round trips. Every device-to-host copy (`memory.to_numpy`: `.item()`, `.tolist()`,
`.cpu()`, printing all go through it) and every host-to-device upload (`memory.from_numpy`)
made during a cuda op is counted. The rule:
* an op never reads its inputs or its result back to compute on the host: no reads, no uploads;
* it may read back ONE scalar or a tiny size vector (at most `HOST_READS[name]` elements in all)
  to SIZE an output whose shape depends on values (nonzero, masked_select, unique,
  repeat_interleave with a tensor of repeats, bincount), or to VALIDATE its arguments (an index
  out of range, a negative count, a probability outside [0, 1]), as PyTorch itself synchronises
  for these; the scalar is computed on the device (a reduction) first;
* a result that is host data by definition (`tensor`, `as_tensor`, `get_rng_state`, `.cpu()`,
  `.tolist()`-like bools of `equal`/`allclose`) is named in `HOST_READS`/`UPLOADS` with its reason.

A backward may read back what its forward may (`BACKWARD_READS` names the known excess, to fix).

Names that launch nothing by design (views, metadata, autograd bookkeeping, random state, host
data) are listed in `NO_LAUNCH` with a reason; they still run under `reference_forbidden()`, must
launch nothing, and their result is checked against the cpu's. `.cpu()` alone runs with the
reference allowed (`CPU_SIDE`): its destination is the cpu device, whose copy is the reference's.

Speed: the inputs are made on first use, and the backward runs once per distinct registered
function (aliases share it), so the file stays within ~40 s of one core under the interpreter.
"""
from __future__ import annotations

import contextlib
import types

import numpy as np
import pytest
from harness import memory, record_launches, reference_forbidden

import tritorch as tt
from tritorch.ops import registry
from tritorch.tensor import Tensor
from tritorch.testing import assert_allclose

# Every sample reduces at most this many terms (the inputs hold 12 to 40 elements).
REDUCTION_LEN = 40


_rng = np.random.default_rng(0)
_f = lambda *shape: _rng.standard_normal(shape).astype(np.float32)
# The values every sample draws from (the same on every device), by attribute name of `Inputs`.
DATA = {
    "x": _f(3, 4), "y": _f(3, 4), "p": np.abs(_f(3, 4)) + 0.5, "v": _f(4), "w": _f(4), "m": _f(4, 5),
    "bx": _f(2, 3, 4), "bm": _f(2, 4, 5), "s": np.sort(_f(5)), "prob": np.abs(_f(3, 4)) + 0.1,
    "k": _rng.integers(0, 3, (3, 4)).astype(np.float32),  # repeated values: mode, unique
    "i": _rng.integers(-5, 5, (3, 4)), "j": _rng.integers(1, 4, (3, 4)), "idx": np.array([2, 0]),
    "g": _rng.integers(0, 3, (3, 4)), "n": np.array([0, 2, 2, 5, 1]), "r": np.array([1, 0, 2]),
    "b": _rng.random((3, 4)) < 0.5, "c": _rng.random((3, 4)) < 0.5,
}
_QUIET = [0]  # > 0 while Inputs makes a tensor: its upload is not the op's host traffic


class Inputs:
    """The tensors of `DATA` on one device, made on first use (a sample pays only for what it
    reads). With `grad`, each float input is a clone of a leaf that requires grad (so in-place
    ops apply to it), and `leaves` holds those leaves to compare their gradients."""

    def __init__(self, device: str, grad: bool = False):
        tt.manual_seed(0)  # random ops draw the same numbers on both devices
        self.device, self.grad, self.leaves = device, grad, {}

    def __getattr__(self, name: str):
        if name not in DATA:
            raise AttributeError(name)
        _QUIET[0] += 1
        try:
            t = tt.tensor(DATA[name], device=self.device)
            if self.grad and t.is_floating_point():
                self.leaves[name] = t.requires_grad_()
                t = t.clone()
        finally:
            _QUIET[0] -= 1
        setattr(self, name, t)
        return t


def a(*args, **kwargs):
    """A sample's arguments: the first is the tensor a method is called on."""
    return args, kwargs


def _setitem(t, key, value):
    t[key] = value
    return t


def _backward(t):
    leaf = t.detach().requires_grad_()
    (leaf * leaf).sum().backward()
    return leaf.grad


def _hook(t):
    leaf = t.detach().requires_grad_()
    seen = []
    leaf.register_hook(seen.append)
    (leaf * 2).sum().backward()
    return seen[0]


def _retain(t):
    leaf = t.detach().requires_grad_()
    mid = leaf * 3
    mid.retain_grad()
    mid.sum().backward()
    return mid.grad, mid.retains_grad


# Arguments shared by `tritorch.<name>`, `Tensor.<name>` and the in-place `Tensor.<name>_`.
UNARY = ["abs", "absolute", "neg", "negative", "exp", "exp2", "expm1", "sin", "cos", "tan", "tanh", "sigmoid",
         "relu", "sign", "floor", "ceil", "round", "trunc", "square", "isfinite", "isinf", "isnan", "logical_not"]
POSITIVE = ["reciprocal", "log", "log2", "log10", "log1p", "sqrt", "rsqrt"]
BINARY = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "maximum", "minimum", "fmod",
          "remainder", "floor_divide", "eq", "ne", "not_equal", "lt", "less", "le", "less_equal", "gt", "greater",
          "ge", "greater_equal", "isclose", "allclose", "equal", "rsub"]
ARGS = {
    **{n: lambda d: a(d.x) for n in UNARY}, **{n: lambda d: a(d.p) for n in POSITIVE},
    **{n: lambda d: a(d.x, d.y) for n in BINARY},
    **{n: lambda d: a(d.b, d.c) for n in ("logical_and", "logical_or", "logical_xor")},
    **{n: lambda d: a(d.i, d.j) for n in ("bitwise_and", "bitwise_or", "bitwise_xor")},
    "bitwise_not": lambda d: a(d.i), "pow": lambda d: a(d.p, d.y), "lerp": lambda d: a(d.x, d.y, 0.3),
    "clamp": lambda d: a(d.x, -0.5, 0.5), "clip": lambda d: a(d.x, max=0.2), "clamp_min": lambda d: a(d.x, 0.1),
    "clamp_max": lambda d: a(d.x, -0.1), "masked_fill": lambda d: a(d.x, d.b, 2.5), "tril": lambda d: a(d.x),
    "triu": lambda d: a(d.x, 1),
    # reductions and statistics
    "sum": lambda d: a(d.x, 1), "mean": lambda d: a(d.x, 0, True), "prod": lambda d: a(d.x, 1),
    "amax": lambda d: a(d.x, 1), "amin": lambda d: a(d.x, (0, 1)), "max": lambda d: a(d.x, 1),
    "min": lambda d: a(d.x), "argmax": lambda d: a(d.x, 1), "argmin": lambda d: a(d.x),
    "all": lambda d: a(d.b, 1), "any": lambda d: a(d.b), "count_nonzero": lambda d: a(d.i, 0),
    "logsumexp": lambda d: a(d.x, 1), "norm": lambda d: a(d.x), "std": lambda d: a(d.x, 1),
    "var": lambda d: a(d.x, 0), "std_mean": lambda d: a(d.x, 1), "var_mean": lambda d: a(d.x),
    "median": lambda d: a(d.x, 1), "mode": lambda d: a(d.k, 1), "nansum": lambda d: a(d.x, 1),
    "nanmean": lambda d: a(d.x), "quantile": lambda d: a(d.x, 0.3, 1), "nanquantile": lambda d: a(d.x, 0.7, 0),
    # scans, sorting, searching, softmax
    "cumsum": lambda d: a(d.x, 1), "cumprod": lambda d: a(d.x, 0), "cummax": lambda d: a(d.x, 1),
    "cummin": lambda d: a(d.x, 0), "logcumsumexp": lambda d: a(d.x, 1), "sort": lambda d: a(d.x, 1),
    "argsort": lambda d: a(d.x, 0, descending=True), "topk": lambda d: a(d.x, 2, 1),
    "kthvalue": lambda d: a(d.x, 2, 1), "msort": lambda d: a(d.x), "searchsorted": lambda d: a(d.s, d.x),
    "bucketize": lambda d: a(d.x, d.s), "unique": lambda d: a(d.k, return_inverse=True, return_counts=True),
    "unique_consecutive": lambda d: a(d.k, return_counts=True), "softmax": lambda d: a(d.x, 1),
    "log_softmax": lambda d: a(d.x, 0),
    # matmul
    "matmul": lambda d: a(d.x, d.m), "mm": lambda d: a(d.x, d.m), "bmm": lambda d: a(d.bx, d.bm),
    "dot": lambda d: a(d.v, d.w), "inner": lambda d: a(d.x, d.y), "outer": lambda d: a(d.v, d.w),
    "ger": lambda d: a(d.v, d.w), "mv": lambda d: a(d.x, d.v),
    # indexing and histograms
    "gather": lambda d: a(d.x, 0, d.g), "scatter": lambda d: a(d.x, 0, d.g, d.y),
    "scatter_add": lambda d: a(d.x, 0, d.g, d.y), "scatter_reduce": lambda d: a(d.x, 0, d.g, d.y, "amax"),
    "index_add": lambda d: a(d.x, 0, d.idx, d.y[:2]), "index_copy": lambda d: a(d.x, 0, d.idx, d.y[:2]),
    "index_fill": lambda d: a(d.x, 1, d.idx, -1.0), "index_put": lambda d: a(d.x, (d.idx,), d.y[:2]),
    "index_select": lambda d: a(d.x, 0, d.idx), "take": lambda d: a(d.x, d.g), "masked_select": lambda d: a(d.x, d.b),
    "nonzero": lambda d: a(d.i), "argwhere": lambda d: a(d.i), "bincount": lambda d: a(d.n),
    "histc": lambda d: a(d.x, 4, -2, 2),
    # joining and copies
    "flip": lambda d: a(d.x, 0), "fliplr": lambda d: a(d.x), "flipud": lambda d: a(d.x), "roll": lambda d: a(d.x, 1, 1),
    "tile": lambda d: a(d.x, (1, 2)), "repeat_interleave": lambda d: a(d.x, d.r, 0), "clone": lambda d: a(d.x.t()),
    # views (see NO_LAUNCH)
    "as_strided": lambda d: a(d.x, (2, 2), (4, 1), 1), "broadcast_to": lambda d: a(d.v, (3, 4)),
    "chunk": lambda d: a(d.x, 2, 1), "diagonal": lambda d: a(d.x, 1), "flatten": lambda d: a(d.bx, 1),
    "movedim": lambda d: a(d.bx, 0, 2), "moveaxis": lambda d: a(d.bx, 0, 2), "narrow": lambda d: a(d.x, 1, 1, 2),
    "permute": lambda d: a(d.bx, 2, 0, 1), "reshape": lambda d: a(d.x, 4, 3), "select": lambda d: a(d.x, 1, 2),
    "split": lambda d: a(d.x, [1, 3], 1), "squeeze": lambda d: a(d.x[:1]), "swapaxes": lambda d: a(d.x, 0, 1),
    "swapdims": lambda d: a(d.x, 1, 0), "t": lambda d: a(d.x), "transpose": lambda d: a(d.bx, 0, 2),
    "unbind": lambda d: a(d.x, 1), "unflatten": lambda d: a(d.x, 1, (2, 2)), "unsqueeze": lambda d: a(d.x, 1),
    # random (seeded alike on both devices)
    "bernoulli": lambda d: a(d.prob.clamp(max=1.0)), "multinomial": lambda d: a(d.prob, 2),
}

# `tritorch.<name>` whose call is not ARGS' (factories, sequences of tensors, host data, random state).
FUNCTION_CALLS = {
    "cat": lambda d: tt.cat([d.x, d.y], 1), "concat": lambda d: tt.concat([d.x, d.y]),
    "concatenate": lambda d: tt.concatenate([d.x, d.y], -1), "stack": lambda d: tt.stack([d.x, d.y], 1),
    "hstack": lambda d: tt.hstack([d.x, d.y]), "vstack": lambda d: tt.vstack([d.x, d.v]),
    "row_stack": lambda d: tt.row_stack([d.x, d.y]), "dstack": lambda d: tt.dstack([d.x, d.y]),
    "meshgrid": lambda d: [g.contiguous() for g in tt.meshgrid(d.v, d.s, indexing="ij")],
    "einsum": lambda d: tt.einsum("ij,jk->ik", d.x, d.m), "where": lambda d: tt.where(d.b, d.x, d.y),
    "broadcast_tensors": lambda d: tt.broadcast_tensors(d.x, d.v),
    "broadcast_shapes": lambda d: tt.broadcast_shapes((3, 1), (4,)),
    "arange": lambda d: tt.arange(1, 7, 2, device=d.device),
    "linspace": lambda d: tt.linspace(0, 1, 5, device=d.device),
    "eye": lambda d: tt.eye(3, 4, device=d.device), "zeros": lambda d: tt.zeros(3, 4, device=d.device),
    "ones": lambda d: tt.ones(2, dtype=tt.int32, device=d.device),
    "full": lambda d: tt.full((2, 3), 1.5, device=d.device),
    "empty": lambda d: tt.empty(2, 3, device=d.device), "zeros_like": lambda d: tt.zeros_like(d.x),
    "ones_like": lambda d: tt.ones_like(d.i), "full_like": lambda d: tt.full_like(d.x, -2.0),
    "empty_like": lambda d: tt.empty_like(d.x), "tensor": lambda d: tt.tensor([[1.0, 2.0]], device=d.device),
    "as_tensor": lambda d: tt.as_tensor([1, 2, 3], device=d.device),
    "from_numpy": lambda d: tt.from_numpy(np.arange(3.0)), "from_dlpack": lambda d: tt.from_dlpack(d.x),
    "rand": lambda d: tt.rand(3, 4, device=d.device), "randn": lambda d: tt.randn(3, 4, device=d.device),
    "randint": lambda d: tt.randint(0, 5, (3, 4), device=d.device),
    "randperm": lambda d: tt.randperm(6, device=d.device),
    "normal": lambda d: tt.normal(d.x, 2.0), "rand_like": lambda d: tt.rand_like(d.x),
    "randn_like": lambda d: tt.randn_like(d.x), "randint_like": lambda d: tt.randint_like(d.x, 5),
    "manual_seed": lambda d: tt.manual_seed(3).initial_seed(), "seed": lambda d: type(tt.seed()),
    "initial_seed": lambda d: tt.initial_seed(), "get_rng_state": lambda d: tt.get_rng_state(),
    "set_rng_state": lambda d: tt.set_rng_state(tt.get_rng_state()),
    "Generator": lambda d: tt.Generator(d.device).manual_seed(5).initial_seed(),
    "relu_": lambda d: tt.relu_(d.x),
}

# the arithmetic ones first: they also have in-place (__i*__) and reflected (__r*__) forms
_DUNDER_BINARY = ("add", "sub", "mul", "truediv", "floordiv", "mod", "eq", "ne", "lt", "le", "gt", "ge")

# `Tensor.<name>` whose call is not ARGS' (properties, casts, dunders, in-place samplers, autograd).
METHOD_CALLS = {
    **{f"__{n}__": lambda d, n=n: getattr(d.x, f"__{n}__")(d.y) for n in _DUNDER_BINARY},
    **{f"__i{n}__": lambda d, n=n: getattr(d.x, f"__i{n}__")(d.y) for n in _DUNDER_BINARY[:6]},
    **{f"__r{n}__": lambda d, n=n: getattr(d.p, f"__r{n}__")(2.5) for n in (*_DUNDER_BINARY[:6], "pow")},
    **{f"__{n}__": lambda d, n=n: getattr(d.i, f"__{n}__")(d.j) for n in ("and", "or", "xor", "iand", "ior", "ixor")},
    **{f"__r{n}__": lambda d, n=n: getattr(d.i, f"__r{n}__")(6) for n in ("and", "or", "xor")},
    **{n: lambda d, n=n: getattr(d.x, n)() for n in ("double", "half", "bfloat16", "int", "long", "short", "char",
                                                   "byte", "bool")},
    "float": lambda d: d.i.float(),  # x is float32 already: x.float() is x itself, as in PyTorch
    "__pow__": lambda d: d.p ** d.y, "__ipow__": lambda d: d.p.__ipow__(2.0), "__abs__": lambda d: abs(d.x),
    "__neg__": lambda d: -d.x, "__invert__": lambda d: ~d.b, "__matmul__": lambda d: d.x @ d.m,
    "__rmatmul__": lambda d: d.m.__rmatmul__(d.x), "__getitem__": lambda d: d.x[d.idx, 1:],
    "__setitem__": lambda d: _setitem(d.x, (d.idx,), d.y[:2]), "T": lambda d: d.x.T, "mT": lambda d: d.bx.mT,
    "data": lambda d: d.x.data, "detach": lambda d: d.x.detach(), "detach_": lambda d: d.x.detach().detach_(),
    "requires_grad_": lambda d: d.x.detach().requires_grad_().requires_grad, "backward": lambda d: _backward(d.x),
    "register_hook": lambda d: _hook(d.x), "retain_grad": lambda d: _retain(d.x),
    "retains_grad": lambda d: _retain(d.x), "contiguous": lambda d: d.x.t().contiguous(),
    "to": lambda d: d.x.to(tt.float64), "type": lambda d: d.x.type(tt.int32),
    "cpu": lambda d: d.x.cpu(), "cuda": lambda d: d.x.cuda() if d.device == "cuda" else d.x,
    "copy_": lambda d: d.x.copy_(d.y.t().t()), "fill_": lambda d: d.x.fill_(0.5), "zero_": lambda d: d.x.zero_(),
    "expand": lambda d: d.v.expand(3, 4), "expand_as": lambda d: d.v.expand_as(d.x), "view": lambda d: d.x.view(2, 6),
    "view_as": lambda d: d.v.view_as(d.s[:4]), "reshape_as": lambda d: d.x.reshape_as(d.m[:3, :4]),
    "unfold": lambda d: d.x.unfold(1, 2, 1), "repeat": lambda d: d.x.repeat(2, 1),
    "where": lambda d: d.x.where(d.b, d.y), "new_tensor": lambda d: d.x.new_tensor([1.0, 2.0]),
    "new_empty": lambda d: d.x.new_empty(2, 2), "new_zeros": lambda d: d.x.new_zeros(2, 2),
    "new_ones": lambda d: d.i.new_ones(3), "new_full": lambda d: d.x.new_full((2, 2), 3.5),
    "uniform_": lambda d: d.x.uniform_(-1, 1), "normal_": lambda d: d.x.normal_(1.0, 2.0),
    "exponential_": lambda d: d.x.exponential_(2.0), "random_": lambda d: d.x.random_(0, 10),
    "bernoulli_": lambda d: d.x.bernoulli_(0.3), "pow_": lambda d: d.p.pow_(d.y),
}

# Names that compute nothing by design: no launch expected (the result is still compared).
_VIEW = "a view: new shape/strides over the same storage"
NO_LAUNCH = {
    **{n: _VIEW for n in ("T", "mT", "as_strided", "broadcast_to", "broadcast_tensors", "chunk", "diagonal", "expand",
                          "expand_as", "flatten", "movedim", "moveaxis", "narrow", "permute", "reshape", "reshape_as",
                          "select", "split", "squeeze", "swapaxes", "swapdims", "t", "transpose", "unbind",
                          "unflatten", "unfold", "unsqueeze", "view", "view_as")},
    **{n: "autograd metadata: shares storage, no values computed"
       for n in ("data", "detach", "detach_", "requires_grad_")},
    **{n: "random-generator state: host integers, no device work"
       for n in ("manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state", "Generator")},
    "broadcast_shapes": "shapes only, no tensor", "cpu": "a device-to-host copy (allowed round trip)",
    "cuda": "already on cuda: returns self", "from_numpy": "wraps host memory: a cpu tensor by definition",
    "from_dlpack": "zero-copy import of an existing buffer", "empty": "allocation only (values undefined)",
    "empty_like": "allocation only (values undefined)", "new_empty": "allocation only (values undefined)",
    "tensor": "host data uploaded (one copy, no computation)", "as_tensor": "host data uploaded (one copy)",
    "new_tensor": "host data uploaded (one copy)",
}
UNDEFINED_VALUES = {"empty", "empty_like", "new_empty"}
# A result that lives on the host even for a cuda sample. Under the interpreter cuda memory is
# host memory, so DLPack reports a cpu producer and from_dlpack makes a cpu tensor.
HOST_RESULT = {"Tensor.cpu", "tritorch.from_numpy", "tritorch.get_rng_state", "tritorch.set_rng_state",
               *(["tritorch.from_dlpack"] if tt.cuda.is_interpreted() else [])}
# The cpu side of a device-to-host copy is the cpu device's own copy primitive (the numpy
# reference): these run with the reference allowed, their host traffic still checked.
CPU_SIDE = {"cpu": "copies into a new cpu tensor with the cpu device's copy primitive"}

_BOUNDS = "validation: the index's (min, max), reduced on the device, read once"
# Elements an op may read back to the host (see the module docstring), with the reason.
HOST_READS = {
    "cpu": (12, "the op IS the device-to-host copy"), "equal": (1, "returns a Python bool: one scalar"),
    "allclose": (1, "returns a Python bool: one scalar"),
    **{n: (2, _BOUNDS) for n in ("gather", "scatter", "scatter_", "scatter_add", "scatter_add_", "scatter_reduce",
                                 "scatter_reduce_", "index_add", "index_add_", "index_copy", "index_copy_",
                                 "index_fill", "index_fill_", "index_put", "index_put_", "index_select", "take",
                                 "__getitem__", "__setitem__")},
    **{n: (1, "output size: the nonzero count") for n in ("nonzero", "argwhere", "masked_select")},
    **{n: (1, "output size: the number of distinct values") for n in ("unique", "unique_consecutive")},
    "repeat_interleave": (2, "output size and validation: (min, sum) of the repeats in one read"),
    "bincount": (2, "output size and validation: (min, max) of the input in one read"),
    "bernoulli": (1, "validation: all probabilities in [0, 1], one bool"),
    "multinomial": (1, "validation: finite, non-negative, positive row sums, one bool"),
}
# Backward reads beyond the forward's, by name (none today: the backward of an op that scatters
# to indices its forward computed uses `indexing.scatter_in_range`, which checks nothing).
BACKWARD_READS: dict[str, tuple[int, str]] = {}
# Host-to-device uploads of host data an op may make, with the reason.
UPLOADS = {"tensor": "host data", "as_tensor": "host data", "new_tensor": "host data",
           "cpu": "its backward copies the gradient back to the device"}

# No backward run: the sample is itself about autograd, or its result is not differentiable
# through a device computation worth checking.
NO_GRAD = {"backward", "register_hook", "retain_grad", "retains_grad", "requires_grad_", "detach", "detach_", "data",
           "from_dlpack"}  # DLPack refuses a tensor that requires grad, as PyTorch's


def _call_method(name: str, args_of: str):
    """`args[0].<name>(*args[1:])` with the arguments ARGS gives `args_of`."""
    def call(d):
        args, kwargs = ARGS[args_of](d)
        return getattr(args[0], name)(*args[1:], **kwargs)
    return call


def _call_function(name: str):
    def call(d):
        args, kwargs = ARGS[name](d)
        return getattr(tt, name)(*args, **kwargs)
    return call


def sample(key: str):
    """The sample call of a registered name `tritorch.<name>` or `Tensor.<name>` (an in-place
    `Tensor.<name>_` takes `<name>`'s arguments), or None."""
    kind, name = key.split(".", 1)
    table = FUNCTION_CALLS if kind == "tritorch" else METHOD_CALLS
    if name in table:
        return table[name]
    if name in ARGS:
        return _call_function(name) if kind == "tritorch" else _call_method(name, name)
    if kind == "Tensor" and name.endswith("_") and name[:-1] in ARGS:
        return _call_method(name, name[:-1])
    return None


KEYS = sorted([f"tritorch.{n}" for n in registry.FUNCTIONS] + [f"Tensor.{n}" for n in registry.METHODS])


def test_every_registered_name_has_a_sample():
    missing = [k for k in KEYS if sample(k) is None]
    assert not missing, f"registered ops without a sample in test_every_op_cuda.py: {missing}"
    listed = set(NO_LAUNCH) | set(HOST_READS) | set(UPLOADS) | set(CPU_SIDE) | NO_GRAD | UNDEFINED_VALUES
    stale = sorted(n for n in listed if n not in registry.FUNCTIONS and n not in registry.METHODS)
    assert not stale, f"names listed but not registered: {stale}"


@contextlib.contextmanager
def host_traffic():
    """Count the elements copied device-to-host (`reads`) and host-to-device (`uploads`)."""
    mem, log = memory(), types.SimpleNamespace(reads=[], uploads=[])
    to_numpy, from_numpy = mem.to_numpy, mem.from_numpy

    def read(v):
        if not _QUIET[0]:
            log.reads.append(v.numel)
        return to_numpy(v)

    def upload(arr, *args, **kwargs):
        if not _QUIET[0]:
            log.uploads.append(np.size(arr))
        return from_numpy(arr, *args, **kwargs)
    mem.to_numpy, mem.from_numpy = read, upload
    try:
        yield log
    finally:
        mem.to_numpy, mem.from_numpy = to_numpy, from_numpy


def flat(out) -> list:
    return [y for x in out for y in flat(x)] if isinstance(out, (tuple, list)) else [out]


def assert_same(got, want, key: str) -> None:
    """A cuda result against the cpu one: same structure, shapes, dtypes and values."""
    if isinstance(want, (tuple, list)):
        assert type(got) is type(want) and len(got) == len(want), f"{key}: {got!r} vs {want!r}"
        for g, w in zip(got, want):
            assert_same(g, w, key)
    elif isinstance(want, Tensor):
        assert isinstance(got, Tensor), f"{key}: got {type(got).__name__}"
        assert got.device.type == ("cpu" if key in HOST_RESULT else "cuda"), f"{key}: result on {got.device}"
        assert (tuple(got.shape), got.dtype) == (tuple(want.shape), want.dtype), \
            f"{key}: {tuple(got.shape)} {got.dtype} != {tuple(want.shape)} {want.dtype}"
        if key.split(".", 1)[1] not in UNDEFINED_VALUES:
            assert_allclose(got.detach().cpu(), want.detach(), want.dtype, REDUCTION_LEN)
    elif isinstance(want, float):
        assert isinstance(got, float) and np.isclose(got, want, rtol=1e-6), f"{key}: {got} != {want}"
    else:
        assert type(got) is type(want) and got == want, f"{key}: {got!r} != {want!r}"


def run_cuda(fn, d: Inputs, name: str):
    """`fn(d)` on cuda with the reference forbidden; returns (result, launches, host traffic)."""
    guard = contextlib.nullcontext() if name in CPU_SIDE else reference_forbidden()
    with guard, record_launches() as launches, host_traffic() as io:
        out = fn(d)
    return out, launches, io


def check_host_traffic(io, name: str, allowed: dict = HOST_READS) -> None:
    limit, why = allowed.get(name, (0, "no host read allowed"))
    assert sum(io.reads) <= limit, f"{name}: read {io.reads} elements back to the host ({why})"
    assert name in UPLOADS or not io.uploads, f"{name}: uploaded host-computed data {io.uploads} to the device"


@pytest.mark.parametrize("key", KEYS)
def test_op_runs_on_cuda(key):
    name, fn = key.split(".", 1)[1], sample(key)
    want = fn(Inputs("cpu"))
    got, launches, io = run_cuda(fn, Inputs("cuda"), name)
    if name in NO_LAUNCH:
        assert len(launches) == 0, f"{key} is listed in NO_LAUNCH ({NO_LAUNCH[name]}) but launched {len(launches)}"
    else:
        assert len(launches) >= 1, f"{key} launched no Triton kernel on cuda"
    check_host_traffic(io, name)
    assert_same(got, want, key)


def _differentiable(out):
    return next((t for t in flat(out) if isinstance(t, Tensor) and t.requires_grad), None)


def _grads(fn, d: Inputs):
    out = _differentiable(fn(d))
    if out is None:
        return None
    out.sum().backward()
    return {n: leaf.grad for n, leaf in d.leaves.items()}


def _registered(key: str):
    kind, name = key.split(".", 1)
    return (registry.FUNCTIONS if kind == "tritorch" else registry.METHODS)[name]


# One backward per distinct registered function: aliases (abs, absolute, __abs__; tritorch.sum
# and Tensor.sum) share it, and with it their backward.
GRAD_KEYS = sorted({id(_registered(k)): k for k in reversed(KEYS) if k.split(".", 1)[1] not in NO_GRAD}.values())


@pytest.mark.parametrize("key", GRAD_KEYS)
def test_op_backward_on_cuda(key):
    name, fn = key.split(".", 1)[1], sample(key)
    want = _grads(fn, Inputs("cpu", grad=True))
    if want is None:
        pytest.skip("result not differentiable")
    got, _, io = run_cuda(lambda d: _grads(fn, d), Inputs("cuda", grad=True), name)
    check_host_traffic(io, name, {**HOST_READS, **BACKWARD_READS})
    assert got.keys() == want.keys()
    for n in want:
        assert (got[n] is None) == (want[n] is None), f"{key}: grad of {n} is {got[n]} on cuda, {want[n]} on cpu"
        if want[n] is not None:
            assert_same(got[n], want[n], f"{key} (grad of {n})")


def test_host_round_trips_are_plain_copies():
    """`.item()`, `.tolist()`, `repr` and `.cpu()` of a cuda tensor: one device-to-host copy each,
    no kernel, no reference primitive (the cpu tensor's own formatting aside)."""
    x, c = Inputs("cuda").x, Inputs("cpu").x
    with reference_forbidden(), record_launches() as launches, host_traffic() as io:
        item, values, text = x[1, 2].item(), x.tolist(), repr(x)
    assert len(launches) == 0 and len(io.reads) == 3 and not io.uploads, (len(launches), io)
    assert (item, values) == (c[1, 2].item(), c.tolist())
    assert text == repr(c)[:-1] + ", device='cuda:0')"


def test_fill_with_a_cuda_value_stays_on_the_device():
    x, value = tt.zeros(2, 3, device="cuda"), tt.tensor(2.5, device="cuda")
    with reference_forbidden(), record_launches() as launches, host_traffic() as io:
        x.fill_(value)
    assert len(launches) >= 1 and io.reads == []
    np.testing.assert_array_equal(x.cpu().numpy(), np.full((2, 3), 2.5, np.float32))
