"""Tensor: a strided view of a Storage, plus the autograd slots.

Everything that computes (math, views, indexing) lives in `tritorch/ops` and is installed on
`Tensor` when the package is imported (`ops/registry.py`), so this file holds only the data
structure and the methods that read it.
"""
from __future__ import annotations

import numpy as np

from . import dtypes
from .array_view import ArrayView, Shape, Strides, contiguous_strides, is_row_major
from .backend import backend_for
from .device import device as Device
from .printing import tensor_repr


class Size(tuple):
    """A tensor's shape: a tuple of ints, as `torch.Size`."""

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self) -> str:
        return f"tritorch.Size({list(self)})"

    def __getitem__(self, i):
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))


class Storage:
    """A flat buffer on one device. `version` counts in-place writes (autograd checks it)."""

    __slots__ = ("buffer", "device", "dtype", "size", "version", "__weakref__")

    def __init__(self, buffer, device: Device, dtype: dtypes.DType, size: int):
        self.buffer, self.device, self.dtype, self.size = buffer, device, dtype, size
        self.version = 0


class Tensor:
    """An n-dimensional array on a device. Create one with `tritorch.tensor`, `zeros`, ...

    >>> x = tritorch.arange(6.).view(2, 3)
    >>> x.t().stride()
    (1, 3)
    """

    __array_ufunc__ = None  # numpy defers `ndarray + Tensor` to Tensor.__radd__

    def __init__(self, storage: Storage, shape: Shape, strides: Strides, offset: int = 0):
        self._storage = storage
        self._shape = Size(shape)
        self._strides = tuple(strides)
        self._offset = offset
        self._array: ArrayView | None = None  # built on first use: ops ask for it on every call
        self._base: Tensor | None = None  # the tensor this one is a view of, if any
        self.requires_grad = False
        self.grad: Tensor | None = None
        self._grad_fn = None  # see the grad_fn property
        self._grad_fn_version = storage.version
        self._output_nr = 0  # which output of grad_fn this tensor is

    # Set by autograd: rebuilds the history of a view whose storage was written in place after
    # the view got its grad_fn (another view of the base, or the base itself, changed it).
    refresh_view_history = None

    @property
    def grad_fn(self):
        if (self._base is not None and self._grad_fn_version != self._storage.version
                and self._base.requires_grad and Tensor.refresh_view_history is not None):
            Tensor.refresh_view_history(self)
        return self._grad_fn

    @grad_fn.setter
    def grad_fn(self, fn) -> None:
        self._grad_fn = fn
        self._grad_fn_version = self._storage.version

    # --- construction helpers used by ops -------------------------------------------------
    @staticmethod
    def empty(shape: Shape, dtype: dtypes.DType, device: Device) -> "Tensor":
        shape = tuple(shape)
        n = 1
        for s in shape:
            n *= s
        buffer = backend_for(device).memory.empty(n, dtype, device.index)
        return Tensor(Storage(buffer, device, dtype, n), shape, contiguous_strides(shape), 0)

    def as_strided_view(self, shape: Shape, strides: Strides, offset: int) -> "Tensor":
        """A tensor sharing this one's storage (no checks: ops validate first)."""
        v = Tensor(self._storage, shape, strides, offset)
        v._base = self if self._base is None else self._base
        return v

    @property
    def array(self) -> ArrayView:
        """The view handed to backend primitives."""
        view = self._array
        if view is None:
            s = self._storage
            view = self._array = ArrayView(s.buffer, self._offset, tuple(self._shape), self._strides, s.dtype)
        return view

    @property
    def backend(self):
        return backend_for(self._storage.device)

    # --- metadata ---------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return self._shape

    @property
    def dtype(self) -> dtypes.DType:
        return self._storage.dtype

    @property
    def device(self) -> Device:
        return self._storage.device

    @property
    def ndim(self) -> int:
        return len(self._shape)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self.numel() * self.itemsize

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    def is_complex(self) -> bool:
        return False

    def element_size(self) -> int:
        return self.itemsize

    def dim(self) -> int:
        return len(self._shape)

    ndimension = dim

    def numel(self) -> int:
        return self._shape.numel()

    nelement = numel

    def size(self, dim: int | None = None):
        if dim is None:
            return self._shape
        return self._shape[wrap_dim_of_tensor("size", dim, self.ndim)]

    def stride(self, dim: int | None = None):
        if dim is None:
            return self._strides
        return self._strides[wrap_dim_of_tensor("stride", dim, self.ndim)]

    def storage_offset(self) -> int:
        return self._offset

    def data_ptr(self) -> int:
        return self.backend.memory.data_ptr(self._storage.buffer) + self._offset * self.itemsize

    def untyped_storage(self) -> Storage:
        return self._storage

    def is_contiguous(self) -> bool:
        return is_row_major(self._shape, self._strides)

    def get_device(self) -> int:
        return -1 if self.device.type == "cpu" else self.device.index

    # --- reading values ---------------------------------------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The values as a numpy array; on the cpu it shares memory with the tensor."""
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        if self.device.type != "cpu" and not force:
            raise TypeError(f"can't convert {self.device} tensor to numpy. "
                            "Use Tensor.cpu() to copy the tensor to host memory first.")
        return self.backend.memory.to_numpy(self.array)

    def __array__(self, dtype=None, copy=None):
        a = self.numpy(force=True)
        return a if dtype is None else a.astype(dtype)

    def item(self):
        if self.numel() != 1:
            raise RuntimeError(f"a Tensor with {self.numel()} elements cannot be converted to "
                               f"Scalar (item() needs exactly one element, shape is {tuple(self.shape)})")
        return _to_python(self.numpy(force=True).reshape(()))

    def tolist(self):
        a = self.numpy(force=True)
        if a.ndim == 0:
            return _to_python(a)
        if self.dtype is dtypes.bfloat16:
            a = a.astype(np.float32)
        return a.tolist()

    def __dlpack__(self, stream=None):
        """Zero-copy export (DLPack), e.g. to `numpy.from_dlpack` or `torch.from_dlpack`."""
        if self.requires_grad:
            raise RuntimeError("Can't export a tensor that requires grad through DLPack; use tensor.detach()")
        return self.backend.memory.dlpack(self.array, stream)

    def __dlpack_device__(self) -> tuple[int, int]:
        return self.backend.memory.dlpack_device(self.array)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self.numel()} elements is ambiguous")
        return bool(self.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.kind not in "uib" or self.numel() != 1:
            raise TypeError(f"only integer tensors of a single element can be converted to an "
                            f"index, got dtype {self.dtype} and shape {tuple(self.shape)}")
        return int(self.item())

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return tensor_repr(self)

    def __reduce_ex__(self, protocol):
        raise TypeError("tritorch tensors cannot be pickled yet (tritorch has no save/load so far); "
                        "convert with .tolist() or .cpu().numpy()")

    def __deepcopy__(self, memo):
        """A copy with its own storage, as PyTorch's deepcopy of a graph leaf."""
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the "
                               "deepcopy protocol at the moment")
        if id(self) not in memo:
            copy = self.detach().clone()
            copy.requires_grad = self.requires_grad
            if self.grad is not None:
                copy.grad = self.grad.__deepcopy__(memo)
            memo[id(self)] = copy
        return memo[id(self)]


def _wrap_dim(dim: int, ndim: int) -> int:
    """Normalise a possibly negative dim, with PyTorch's error when it is out of range."""
    lo, hi = -max(ndim, 1), max(ndim, 1) - 1
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    if not lo <= dim <= hi:
        raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
    return dim % max(ndim, 1)


def wrap_dim_of_tensor(op: str, dim: int, ndim: int) -> int:
    """`dim` of a tensor that must have dimensions (a 0-d tensor has none to select)."""
    if ndim == 0:
        raise IndexError(f"{op}: dimension specified as {dim} but tensor has no dimensions")
    return _wrap_dim(dim, ndim)


def _to_python(a: np.ndarray):
    return float(a) if a.dtype == dtypes.bfloat16.np else a.item()
