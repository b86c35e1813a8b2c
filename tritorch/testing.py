"""The one oracle: how every kernel and every op of tritorch is checked (PyTorch's name).

* `tolerance(dtype, n)`: the single tolerance rule, a few epsilons of the result's dtype growing
  with the square root of the reduction length; exact dtypes get zero.
* `oracle(primitive, *args)`: the expected outputs of a primitive, from the numpy reference run on
  float64 copies of the floating inputs and rounded once into each output's dtype.
* `padded(...)`, `host(...)`, `assert_padding_untouched(...)`: device buffers with NaN/sentinel
  padding around each view, since Triton's interpreter does not catch out-of-bounds accesses.
* `assert_close(actual, expected)`: a tensor against expected values under that rule.

    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    want = oracle(reference.reduction.reduce, "sum", x, (1,), Out((2, 1), dtypes.float16))
    # want == [[3.], [12.]] as float16, summed in float64
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import backend, dtypes
from .array_view import ArrayView, contiguous_strides
from .dtypes import DType, finfo
from .tensor import Tensor


def tolerance(dtype: DType, reduction_len: int = 1) -> tuple[float, float]:
    """(rtol, atol) for results of `dtype` after combining `reduction_len` terms: four epsilons of
    the dtype the terms are combined in, growing with the square root of the reduction length
    (rounding errors add like a random walk), plus the final rounding into `dtype`. Half types
    combine in float32 (every kernel and the reference do), so their long reductions are held
    to float32's growth, not to bfloat16's. Exact dtypes (integers, bool) get zero."""
    if not dtype.is_floating_point:
        return 0.0, 0.0
    growth = max(1.0, float(np.sqrt(reduction_len)))
    if dtype.itemsize == 2:
        tol = 4.0 * (finfo(dtype).eps + finfo(dtypes.float32).eps * growth)
    else:
        tol = 4.0 * finfo(dtype).eps * growth
    return tol, tol


# --- the oracle ------------------------------------------------------------------------------

class Out(NamedTuple):
    """An output argument of a primitive called through `oracle`: its shape and dtype."""
    shape: tuple[int, ...]
    dtype: DType


class InOut(NamedTuple):
    """An argument that a primitive called through `oracle` reads and writes in place
    (scatter's x): its initial values, whose dtype is also the output's."""
    values: np.ndarray


def _widened(dtype: DType) -> DType:
    return dtypes.float64 if dtype.is_floating_point else dtype


def _reference_view(a: np.ndarray, dtype: DType) -> ArrayView:
    a = np.ascontiguousarray(a, dtype=dtype.np).reshape(a.shape)
    return ArrayView(a.reshape(-1), 0, tuple(a.shape), contiguous_strides(a.shape), dtype)


def oracle(primitive, *args):
    """The expected outputs of a reference `primitive` called with `args`: numpy arrays are its
    inputs, `Out(shape, dtype)` its outputs, `InOut(array)` both, anything else passes through
    unchanged (op names, dims, flags; None for an absent output).

    Floating inputs are copied exactly into float64 and floating outputs computed in float64,
    then each output is rounded once into its own dtype: the float64 result is the truth a kernel
    in any dtype is judged against. Returns the output array, or a tuple of them in order."""
    call, outs = [], []
    for a in args:
        if isinstance(a, Out):
            view = _reference_view(np.zeros(a.shape, dtype=_widened(a.dtype).np), _widened(a.dtype))
            outs.append((view, a.dtype))
            call.append(view)
        elif isinstance(a, (np.ndarray, InOut)):
            values = a.values if isinstance(a, InOut) else a
            dtype = dtypes.from_numpy(values.dtype)
            call.append(_reference_view(values.astype(_widened(dtype).np), _widened(dtype)))
            if isinstance(a, InOut):
                outs.append((call[-1], dtype))
        else:
            call.append(a)
    primitive(*call)
    with np.errstate(over="ignore", invalid="ignore"):
        results = tuple(v.buffer.reshape(v.shape).astype(d.np) for v, d in outs)
    return results[0] if len(results) == 1 else results


# --- padded device buffers -------------------------------------------------------------------

def sentinel(dtype: DType):
    """The fill of padding: NaN for floats, an unlikely value for integers, True for bool."""
    if dtype.is_floating_point:
        return float("nan")
    if dtype is dtypes.bool_:
        return True
    return -7 if dtype.is_signed else 251


def _memory():
    return backend.cuda_backend().memory


def padded(a: np.ndarray, dtype: DType, pad: int = 5, fill=None) -> ArrayView:
    """A cuda buffer holding `a` (C order) at offset `pad`, surrounded by `pad` elements of `fill`
    (default: the sentinel) on each side; returns the ArrayView of `a` inside it."""
    fill = sentinel(dtype) if fill is None else fill
    values = np.full(a.size + 2 * pad, fill, dtype=dtype.np)
    values[pad:pad + a.size] = np.asarray(a, dtype=dtype.np).reshape(-1)
    return ArrayView(_memory().from_numpy(values), pad, tuple(a.shape), contiguous_strides(a.shape), dtype)


def host(v: ArrayView) -> np.ndarray:
    """The view's values on the host."""
    return _memory().to_numpy(v)


def padding_of(v: ArrayView, pad: int = 5) -> np.ndarray:
    """The padding elements around a `padded` view (first and last `pad` of the buffer)."""
    whole = host(ArrayView(v.buffer, 0, (v.buffer.numel(),), (1,), v.dtype))
    return np.concatenate([whole[:pad], whole[pad + v.numel:]])


def assert_padding_untouched(v: ArrayView, dtype: DType, pad: int = 5) -> None:
    """The padding of a `padded` output holds its sentinel bit for bit."""
    got = padding_of(v, pad)
    want = np.full(got.shape, sentinel(dtype), dtype=dtype.np)
    np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8),
                                  err_msg="a kernel wrote outside its output view")


# --- comparisons -----------------------------------------------------------------------------

def to_numpy(t) -> np.ndarray:
    """A tensor's (or array's) values as numpy; bfloat16 as float64, which numpy compares."""
    a = np.asarray(t.detach().cpu().numpy() if isinstance(t, Tensor) else t)
    return a.astype(np.float64) if a.dtype == dtypes.bfloat16.np else a


def assert_allclose(actual: np.ndarray, expected: np.ndarray, dtype: DType, reduction_len: int = 1,
                    equal_nan: bool = True) -> None:
    """Arrays of results of `dtype`: exactly equal for exact dtypes, else within `tolerance`."""
    a, e = to_numpy(actual), to_numpy(expected)
    assert a.shape == e.shape, f"shape {a.shape} != {e.shape}"
    rtol, atol = tolerance(dtype, reduction_len)
    if not dtype.is_floating_point and a.dtype.kind in "biu" and e.dtype.kind in "biu":
        np.testing.assert_array_equal(a, e)
    else:
        np.testing.assert_allclose(a.astype(np.float64), e.astype(np.float64), rtol=rtol, atol=atol,
                                   equal_nan=equal_nan)


def assert_close(actual, expected, *, dtype: DType | None = None, reduction_len: int = 1,
                 check_dtype: bool = True) -> None:
    """A tensor against expected values (numpy, list or tensor): same shape, same dtype (when
    `expected` is a tensor or `dtype` is given), values within `tolerance` of actual's dtype."""
    assert isinstance(actual, Tensor), f"expected a Tensor, got {type(actual).__name__}"
    if isinstance(expected, Tensor) and check_dtype:
        assert actual.dtype == expected.dtype, f"dtype {actual.dtype} != {expected.dtype}"
    if dtype is not None and check_dtype:
        assert actual.dtype == dtype, f"dtype {actual.dtype} != {dtype}"
    assert_allclose(actual, expected, actual.dtype, reduction_len)
