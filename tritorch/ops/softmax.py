"""softmax and log_softmax along one dim, on the backend's `softmax` family."""
from __future__ import annotations

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor
from .common import at_least_1d, empty, wrap_dim
from .registry import function, method


def _run(primitive: str, x: Tensor, dim: int, dtype: dtypes.DType) -> Tensor:
    out = empty(x.shape, dtype, x.device)
    getattr(x.backend.softmax, primitive)(at_least_1d(x.array), dim, at_least_1d(out.array))
    return out


class Softmax(Function):
    node_name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx, x: Tensor, *, dim, dtype):
        ctx.dim = dim
        out = _run("softmax", x, dim, dtype)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        # the Jacobian diag(y) - y y^T, applied to grad
        return y * (grad - (grad * y).sum(ctx.dim, keepdim=True))


class LogSoftmax(Function):
    node_name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx, x: Tensor, *, dim, dtype):
        ctx.dim = dim
        out = _run("log_softmax", x, dim, dtype)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        # the Jacobian I - softmax 1^T, applied to grad; softmax = exp(log_softmax)
        return grad - y.exp() * grad.sum(ctx.dim, keepdim=True)


def _args(op: str, input: Tensor, dim: int, dtype) -> tuple[int, dtypes.DType]:
    out_dtype = input.dtype if dtype is None else dtypes.as_dtype(dtype)
    if not out_dtype.is_floating_point:
        raise RuntimeError(f"{op}: needs a floating point result, got dtype {out_dtype.name} "
                           f"(input dtype {input.dtype.name}); pass a floating dtype=")
    return wrap_dim(dim, input.ndim), out_dtype


@function
@method()
def softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    """exp(input) / sum(exp(input)) along `dim`; `dtype=` casts the input first.

    A slice of all -inf (or one holding +inf) gives NaN, as in PyTorch."""
    d, out_dtype = _args("softmax", input, dim, dtype)
    return Softmax.apply(input, dim=d, dtype=out_dtype)


@function
@method()
def log_softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    """input - logsumexp(input) along `dim`, computed without overflow; `dtype=` casts the
    input first."""
    d, out_dtype = _args("log_softmax", input, dim, dtype)
    return LogSoftmax.apply(input, dim=d, dtype=out_dtype)
