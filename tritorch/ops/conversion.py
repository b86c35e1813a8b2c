"""Copies between layouts, dtypes and devices: contiguous, clone, to, copy_."""
from __future__ import annotations

from .. import dtypes
from ..array_view import contiguous_strides
from ..autograd import Function
from ..backend import backend_for
from ..device import as_device
from ..device import device as Device
from ..tensor import Storage, Tensor
from .common import bump_version, broadcast_shapes, empty, expand_to
from .registry import function, method
from .views import sum_to_shape


def copy_into(src: Tensor, out: Tensor) -> None:
    """The copy primitive, across devices too (through host memory)."""
    if src.device == out.device:
        out.backend.copy.copy(src.array, out.array)
        return
    host = src.backend.memory.to_numpy(src.array)
    staged = Tensor(Storage(out.backend.memory.from_numpy(host, out.device.index), out.device, src.dtype, host.size),
                    host.shape, contiguous_strides(host.shape), 0)
    out.backend.copy.copy(staged.array, out.array)


class Convert(Function):
    """A copy into new storage, possibly to another dtype and device; backward converts back."""

    @staticmethod
    def forward(ctx, x: Tensor, *, dtype: dtypes.DType, device: Device):
        ctx.node_name = "CloneBackward0" if (dtype is x.dtype and device == x.device) else "ToCopyBackward0"
        ctx.source = (x.dtype, x.device)
        out = empty(x.shape, dtype, device)
        copy_into(x, out)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor):
        dtype, device = ctx.source
        return grad.to(dtype=dtype, device=device)


class CopyInto(Function):
    """`self.copy_(src)`: self's old values get no gradient; src's is the gradient summed back to
    its shape and converted to its dtype and device."""

    inplace = True

    @staticmethod
    def forward(ctx, self: Tensor, src: Tensor):
        ctx.node_name = "CopyBackwards"
        ctx.src_meta = (tuple(src.shape), src.dtype, src.device)
        copy_into(expand_to(src, self.shape), self)
        bump_version(self)
        return self

    @staticmethod
    def backward(ctx, grad: Tensor):
        shape, dtype, device = ctx.src_meta
        return grad.new_zeros(tuple(grad.shape)), sum_to_shape(grad, shape).to(dtype=dtype, device=device)


@method()
def contiguous(self: Tensor) -> Tensor:
    """This tensor if already contiguous, else a contiguous copy."""
    return self if self.is_contiguous() else clone(self)


@function
@method()
def clone(input: Tensor) -> Tensor:
    """A copy with its own contiguous storage."""
    return Convert.apply(input, dtype=input.dtype, device=input.device)


@method()
def copy_(self: Tensor, src: Tensor) -> Tensor:
    """Copy `src` (broadcast to this shape, converted to this dtype, from any device) in place."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' must be a Tensor, not {type(src).__name__}")
    broadcast_shapes(src.shape, self.shape)
    return CopyInto.apply(self, src)


def _parse_to(args, kwargs):
    dtype, device = kwargs.pop("dtype", None), kwargs.pop("device", None)
    for a in args:
        if isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, (str, Device)) or (isinstance(a, int) and not isinstance(a, bool)):
            device = a
        else:
            dtype = a
    return dtype, device


@method()
def to(self: Tensor, *args, copy: bool = False, non_blocking: bool = False, **kwargs) -> Tensor:
    """Convert dtype and/or move device: `x.to("cuda")`, `x.to(tritorch.float16)`,
    `x.to(other)`. Returns `self` when nothing changes and copy is False."""
    dtype, device = _parse_to(args, kwargs)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    dtype = self.dtype if dtype is None else dtypes.as_dtype(dtype)
    device = self.device if device is None else as_device(device)
    if dtype is self.dtype and device == self.device and not copy:
        return self
    backend_for(device)  # fails early, naming the device, when it has no backend
    return Convert.apply(self, dtype=dtype, device=device)


def _caster(dtype):
    def cast(self: Tensor) -> Tensor:
        """This tensor converted to the named dtype (`x.float()` is `x.to(tritorch.float32)`)."""
        return to(self, dtype)
    return cast


for _name, _dt in [("float", dtypes.float32), ("half", dtypes.float16), ("bfloat16", dtypes.bfloat16),
                   ("double", dtypes.float64), ("long", dtypes.int64), ("int", dtypes.int32),
                   ("short", dtypes.int16), ("char", dtypes.int8), ("byte", dtypes.uint8),
                   ("bool", dtypes.bool_)]:
    method(_name)(_caster(_dt))


@method()
def type(self: Tensor, dtype=None):
    """With no argument, the type name (`'tritorch.FloatTensor'`); otherwise `to(dtype)`."""
    if dtype is None:
        names = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
                 "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                 "bool": "Bool"}
        prefix = "tritorch.cuda." if self.is_cuda else "tritorch."
        return f"{prefix}{names[self.dtype.name]}Tensor"
    return to(self, dtype)


@method()
def cpu(self: Tensor) -> Tensor:
    """This tensor in host memory (itself if already there)."""
    return to(self, "cpu")


@method()
def cuda(self: Tensor, device=None) -> Tensor:
    """This tensor on the cuda device (`device` picks the index; itself if already there)."""
    return to(self, as_device("cuda" if device is None else device))


@method()
def requires_grad_(self: Tensor, requires_grad: bool = True) -> Tensor:
    """Set whether autograd records operations on this leaf tensor; returns the tensor."""
    if not requires_grad and self.grad_fn is not None:
        raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to "
                           "use a computed variable in a subgraph that doesn't require differentiation "
                           "use var_no_grad = var.detach().")
    if requires_grad and not self.dtype.is_floating_point:
        raise RuntimeError(f"only Tensors of floating point dtype can require gradients, got {self.dtype}")
    self.requires_grad = requires_grad
    return self

