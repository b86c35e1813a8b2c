"""PyTorch-style `repr` of tensors. Reads values through numpy; computes nothing of the library."""
from __future__ import annotations

import numpy as np

from . import dtypes

_DEFAULT_DTYPES = ("float32", "int64", "bool")


def tensor_repr(t) -> str:
    a = np.asarray(t.numpy(force=True))
    if t.dtype is dtypes.bfloat16 or t.dtype is dtypes.float16:
        a = a.astype(np.float32)
    body = np.array2string(a, separator=", ", prefix="tensor(")
    extras = []
    if t.device.type != "cpu":
        extras.append(f"device='{t.device}'")
    if t.dtype.name not in _DEFAULT_DTYPES or (t.numel() == 0 and t.dtype.name != "float32"):
        extras.append(f"dtype={t.dtype!r}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + ", ".join([body] + extras) + ")"
