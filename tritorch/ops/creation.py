"""Factories: tensors from data, constants, ranges, identity."""
from __future__ import annotations

import math

import numpy as np

from .. import dtypes
from ..array_view import contiguous_strides
from ..autograd import Function
from ..autograd.grad_mode import is_grad_enabled
from ..backend import backend_for
from ..device import CPU, as_device
from ..device import device as Device
from ..tensor import Storage, Tensor
from .common import bump_version, finish, like, shape_arg
from .registry import function, method


def _infer_dtype(a: np.ndarray, data) -> dtypes.DType:
    """Python floats become the default dtype (numpy would say float64); numpy data keeps its own."""
    if isinstance(data, (np.ndarray, np.generic)):
        return dtypes.from_numpy(a.dtype)
    inner = _tensors_in(data)
    if inner:  # a list of tensors keeps their (promoted) dtype, as in PyTorch
        return dtypes.result_type(*inner)
    if a.dtype.kind in "uf":  # numpy's types for Python ints past int64's range
        huge = _int_past_int64(data)
        if huge is not None:
            raise OverflowError(f"tritorch.tensor: Python int {huge} is too big for int64")
    kind = a.dtype.kind
    if kind == "f":
        return dtypes.get_default_dtype()
    if kind in "iu":
        return dtypes.int64
    if kind == "b":
        return dtypes.bool_
    raise TypeError(f"tritorch.tensor: could not infer a dtype from data of numpy kind {a.dtype} "
                    f"({type(data).__name__}); expected numbers, bools or nested lists of them")


def _tensors_in(data) -> list:
    """The Tensors inside nested sequences `data`."""
    found, stack = [], [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, Tensor):
            found.append(x)
    return found


def _int_past_int64(data):
    """The first Python int in nested sequences `data` outside int64's range, or None."""
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, int) and not isinstance(x, bool) and not -2 ** 63 <= x < 2 ** 63:
            return x
    return None


def from_host(a: np.ndarray, dtype: dtypes.DType, device: Device) -> Tensor:
    """A new tensor on `device` holding a copy of the numpy array `a`."""
    a = np.asarray(a).astype(dtype.np, copy=False)
    buf = backend_for(device).memory.from_numpy(a, device.index)
    return Tensor(Storage(buf, device, dtype, a.size), a.shape, contiguous_strides(a.shape), 0)


@function
def tensor(data, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of `data` (nested lists, numbers, numpy arrays, tensors).

    >>> tritorch.tensor([[1, 2], [3, 4]], dtype=tritorch.float32)
    """
    if isinstance(data, Tensor):
        dtype = data.dtype if dtype is None else dtype
        device = data.device if device is None else device
        return finish(data.detach().to(device=device, dtype=dtype, copy=True), requires_grad)
    try:
        a = np.asarray(data)
    except ValueError:
        a = None  # numpy refuses ragged nesting
    if a is None or a.dtype == object:
        raise TypeError(f"tritorch.tensor: data of ragged or unsupported element type "
                        f"({type(data).__name__}) can't be converted; nested lists must be rectangular")
    dt = _infer_dtype(a, data) if dtype is None else dtypes.as_dtype(dtype)
    return finish(from_host(a, dt, as_device(device)), requires_grad)


@function
def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like `tensor`, but returns `data` itself when it already is a Tensor of that dtype and
    device, and shares memory with a numpy array on the cpu when the dtype matches."""
    if isinstance(data, Tensor):
        return data.to(device=device if device is not None else data.device,
                       dtype=dtype if dtype is not None else data.dtype)
    if isinstance(data, np.ndarray) and as_device(device) == CPU and (
            dtype is None or dtypes.as_dtype(dtype).np == data.dtype):
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


@function
def from_numpy(a: np.ndarray) -> Tensor:
    """A cpu tensor sharing memory with the numpy array `a` (no copy)."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"from_numpy expects an np.ndarray, got {type(a).__name__}")
    dt = dtypes.from_numpy(a.dtype)
    item = a.itemsize
    if any(s < 0 for s in a.strides):
        raise ValueError(f"from_numpy: at least one stride of the array is negative (strides "
                         f"{a.strides}); copy it first, e.g. with np.ascontiguousarray")
    if any(s % item for s in a.strides):
        raise ValueError(f"from_numpy: strides {a.strides} are not multiples of the element "
                         f"size {item}")
    strides = tuple(s // item for s in a.strides)
    extent = 1 + sum((n - 1) * s for n, s in zip(a.shape, strides)) if a.size else 0
    flat = np.lib.stride_tricks.as_strided(a, shape=(extent,), strides=(item,))
    return Tensor(Storage(flat, CPU, dt, extent), a.shape, strides, 0)


_DLPACK_CPU, _DLPACK_CUDA = 1, 2


@function
def from_dlpack(ext) -> Tensor:
    """A tensor sharing memory with a DLPack producer (numpy arrays, torch tensors, ...): host
    memory becomes a cpu tensor, CUDA memory a cuda tensor."""
    if not hasattr(ext, "__dlpack_device__"):
        raise TypeError(f"from_dlpack expects an object with __dlpack__ and __dlpack_device__, "
                        f"got {type(ext).__name__}")
    kind, index = ext.__dlpack_device__()
    if kind == _DLPACK_CPU:
        try:
            a = np.from_dlpack(ext)
        except (BufferError, TypeError, RuntimeError) as e:
            raise TypeError(f"from_dlpack: the cpu capsule cannot be read ({e})") from None
        return from_numpy(a)
    if kind == _DLPACK_CUDA:
        dev = as_device(f"cuda:{index}")
        flat, extent, shape, strides, name = backend_for(dev).memory.from_dlpack(ext)
        return Tensor(Storage(flat, dev, dtypes.from_name(name), extent), shape, strides, 0)
    raise TypeError(f"from_dlpack: DLPack device type {kind} is not supported (tritorch reads "
                    f"kDLCPU={_DLPACK_CPU} and kDLCUDA={_DLPACK_CUDA})")


def _factory_dtype(dtype, fill=None) -> dtypes.DType:
    if dtype is not None:
        return dtypes.as_dtype(dtype)
    return dtypes.get_default_dtype() if fill is None else dtypes.scalar_dtype(fill)


@function
def empty(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor."""
    return finish(Tensor.empty(shape_arg(size), _factory_dtype(dtype), as_device(device)), requires_grad)


@function
def full(size, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of `size` filled with `fill_value`; its dtype follows the value as in PyTorch."""
    t = Tensor.empty(shape_arg((size,)), _factory_dtype(dtype, fill_value), as_device(device))
    check_fill_value("full", fill_value, t.dtype)
    t.backend.elementwise.fill(t.array, fill_value)
    return finish(t, requires_grad)


@function
def zeros(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of the given size filled with 0: `zeros(2, 3)` or `zeros((2, 3))`."""
    return full(shape_arg(size), 0, dtype=_factory_dtype(dtype), device=device, requires_grad=requires_grad)


@function
def ones(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of the given size filled with 1: `ones(2, 3)` or `ones((2, 3))`."""
    return full(shape_arg(size), 1, dtype=_factory_dtype(dtype), device=device, requires_grad=requires_grad)


@function
def empty_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor of input's shape (and dtype and device unless given)."""
    dt, dev = like(input, dtype, device)
    return empty(tuple(input.shape), dtype=dt, device=dev, requires_grad=requires_grad)


@function
def zeros_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Zeros of input's shape (and dtype and device unless given)."""
    dt, dev = like(input, dtype, device)
    return full(tuple(input.shape), 0, dtype=dt, device=dev, requires_grad=requires_grad)


@function
def ones_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Ones of input's shape (and dtype and device unless given)."""
    dt, dev = like(input, dtype, device)
    return full(tuple(input.shape), 1, dtype=dt, device=dev, requires_grad=requires_grad)


@function
def full_like(input: Tensor, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """`fill_value` in input's shape (and dtype and device unless given)."""
    dt, dev = like(input, dtype, device)
    return full(tuple(input.shape), fill_value, dtype=dt, device=dev, requires_grad=requires_grad)


@function
def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Values from `start` up to (not including) `end` by `step`.

    >>> tritorch.arange(5)          # tensor([0, 1, 2, 3, 4])
    >>> tritorch.arange(0, 1, 0.25) # tensor([0.0000, 0.2500, 0.5000, 0.7500])
    """
    if end is None:
        start, end = 0, start
    start, end, step = (float(v) if isinstance(v, Tensor) and v.is_floating_point() else
                        (int(v) if isinstance(v, Tensor) else v) for v in (start, end, step))
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange: upper bound and larger bound inconsistent with step sign "
                           f"(start={start}, end={end}, step={step})")
    if dtype is None:
        floating = any(isinstance(v, float) for v in (start, end, step))
        dtype = dtypes.get_default_dtype() if floating else dtypes.int64
    n = max(0, math.ceil((end - start) / step))
    t = Tensor.empty((n,), dtypes.as_dtype(dtype), as_device(device))
    t.backend.elementwise.arange(start, step, t.array)
    return finish(t, requires_grad)


@function
def linspace(start, end, steps: int, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """`steps` values evenly spaced from `start` to `end` inclusive. As PyTorch, the first half
    counts up from `start` and the second half down from `end`, so both ends are exact."""
    if steps < 0:
        raise RuntimeError(f"linspace: number of steps must be non-negative, got {steps}")
    dt = _factory_dtype(dtype)
    t = Tensor.empty((steps,), dt, as_device(device))
    # integer results are the float64 values truncated, as in PyTorch
    work = t if dt.is_floating_point else Tensor.empty((steps,), dtypes.float64, t.device)
    ew = t.backend.elementwise
    if steps == 1:
        ew.fill(work.array, start)
    elif steps > 1:
        step = (end - start) / (steps - 1)
        half = steps // 2
        ew.arange(start, step, work.narrow(0, 0, half).array)
        ew.arange(end - (steps - 1 - half) * step, step, work.narrow(0, half, steps - half).array)
    if work is not t:
        t.backend.copy.copy(work.array, t.array)
    return finish(t, requires_grad)


@function
def eye(n: int, m: int | None = None, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A 2-D tensor with ones on the diagonal."""
    m = n if m is None else m
    t = zeros(n, m, dtype=dtype, device=device)
    t.backend.elementwise.fill(t.diagonal().array, 1)
    return finish(t, requires_grad)


class Fill(Function):
    """`x.fill_(value)`: the old values get no gradient."""

    inplace = True

    @staticmethod
    def forward(ctx, x: Tensor, *, value):
        x.backend.elementwise.fill(x.array, value)
        bump_version(x)
        return x

    @staticmethod
    def backward(ctx, grad: Tensor):
        return grad.new_zeros(tuple(grad.shape))


@method()
def fill_(self: Tensor, value) -> Tensor:
    """Fill in place with a scalar (or a one-element tensor)."""
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.dim()} dimensions")
        # a value that requires grad gets the sum of the gradient; a device value stays there
        if (value.requires_grad and is_grad_enabled()) or value.device.type != "cpu":
            return self.copy_(value.reshape(()).expand(tuple(self.shape)))
        value = value.item()
    check_fill_value("fill_", value, self.dtype)
    return Fill.apply(self, value=value)


def check_fill_value(op: str, value, dtype: dtypes.DType) -> None:
    """A fill value must be a number that the dtype can hold (PyTorch raises on overflow)."""
    if not isinstance(value, (bool, int, float, np.bool_, np.integer, np.floating)):
        raise TypeError(f"{op}: the fill value must be a number, not {type(value).__name__}")
    if dtype.kind in "ui" and not isinstance(value, (bool, np.bool_)):
        info = np.iinfo(dtype.np)
        if value != value or not info.min <= value <= info.max:
            raise RuntimeError(f"{op}: value {value} cannot be converted to type {dtype.name} without overflow")


@method()
def zero_(self: Tensor) -> Tensor:
    """Fill this tensor with zeros in place."""
    return fill_(self, 0)


@method()
def new_empty(self: Tensor, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor of `size` with this tensor's dtype and device unless given."""
    dt, dev = like(self, dtype, device)
    return empty(shape_arg(size), dtype=dt, device=dev, requires_grad=requires_grad)


@method()
def new_zeros(self: Tensor, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Zeros of `size` with this tensor's dtype and device unless given."""
    dt, dev = like(self, dtype, device)
    return full(shape_arg(size), 0, dtype=dt, device=dev, requires_grad=requires_grad)


@method()
def new_ones(self: Tensor, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Ones of `size` with this tensor's dtype and device unless given."""
    dt, dev = like(self, dtype, device)
    return full(shape_arg(size), 1, dtype=dt, device=dev, requires_grad=requires_grad)


@method()
def new_full(self: Tensor, size, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """`fill_value` in `size` with this tensor's dtype and device unless given."""
    dt, dev = like(self, dtype, device)
    return full(size, fill_value, dtype=dt, device=dev, requires_grad=requires_grad)


@method()
def new_tensor(self: Tensor, data, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A copy of `data` as a tensor with this tensor's dtype and device unless given."""
    dt, dev = like(self, dtype, device)
    return tensor(data, dtype=dt, device=dev, requires_grad=requires_grad)

