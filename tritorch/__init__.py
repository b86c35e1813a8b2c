"""tritorch: a small PyTorch-like deep-learning library whose GPU core is Triton kernels.

>>> import tritorch as torch
>>> x = torch.arange(6.).view(2, 3)
>>> (x @ x.T).sum()
tensor(69.)
"""
from . import autograd, cuda, dtypes, linalg
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .device import device
from .dtypes import (bfloat16, finfo, float16, float32, float64, get_default_dtype, iinfo,
                     int8, int16, int32, int64, promote_types, set_default_dtype, uint8)
from .dtypes import bool_ as bool  # noqa: A001  (PyTorch's name)
from .ops import registry as _registry
from .printing import get_printoptions, printoptions, set_printoptions
from .random import default_generator
from .tensor import Size, Tensor

half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001
DType = dtypes.DType
dtype = dtypes.DType

_registry.install(Tensor)
globals().update(_registry.FUNCTIONS)


def is_tensor(obj) -> "builtins.bool":
    return isinstance(obj, Tensor)


def result_type(*operands) -> dtypes.DType:
    return dtypes.result_type(*operands)


def can_cast(from_: dtypes.DType, to: dtypes.DType) -> "builtins.bool":
    return dtypes.can_cast(from_, to)
