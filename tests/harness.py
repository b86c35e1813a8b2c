"""The machinery every kernel family's tests go through: the list of pending primitives, a
launch recorder, a guard against silent fallback to the numpy reference, and padded buffers
that catch out-of-bounds reads and writes."""
from __future__ import annotations

import contextlib

import numpy as np
import torch

import tritorch
from tritorch import backend, reference
from tritorch.array_view import ArrayView, contiguous_strides

# Primitives of tritorch/reference that have no Triton kernel yet. Later issues shrink this to
# empty; test_parity fails when a kernel lands and its name is still listed, or when a reference
# primitive lacks a kernel and is not listed.
PENDING = {
    "elementwise": set(),
    "copy": set(),
    "reduction": {"arg_reduce", "var", "logsumexp", "norm", "sort"},
    "softmax": set(),
    "matmul": set(),
    "index": {"index_get", "index_put", "gather", "scatter", "index_range", "count_nonzero", "nonzero",
              "repeat_index"},
    "random": {"uniform", "normal", "randint", "bernoulli", "exponential"},
}



def memory():
    """The cuda backend's memory module (torch buffers on the GPU, or on the cpu when interpreted)."""
    return backend.cuda_backend().memory


class Launches:
    """Records every Triton kernel launch (kernel, positional args, constexpr kwargs)."""

    def __init__(self):
        self.calls: list[tuple] = []

    def __len__(self) -> int:
        return len(self.calls)


@contextlib.contextmanager
def record_launches():
    """Count and record launches of any @triton.jit kernel, interpreted or compiled."""
    import triton.runtime.interpreter as interpreter
    import triton.runtime.jit as jit
    log = Launches()
    classes = [interpreter.InterpretedFunction, jit.JITFunction]
    originals = [c.run for c in classes]

    def wrap(run):
        def recorded(self, *args, grid, warmup, **kwargs):
            if not warmup:
                log.calls.append((self, args, kwargs))
            return run(self, *args, grid=grid, warmup=warmup, **kwargs)
        return recorded
    try:
        for c, run in zip(classes, originals):
            c.run = wrap(run)
        yield log
    finally:
        for c, run in zip(classes, originals):
            c.run = run


@contextlib.contextmanager
def reference_forbidden():
    """Make every numpy reference primitive raise, so a cuda op that silently computes on the
    cpu path fails (memory helpers stay: they are not computation)."""
    saved = []
    for fam in backend.FAMILIES:
        module = getattr(reference, fam)
        for name in backend.primitives(module):
            saved.append((module, name, getattr(module, name)))

            def forbidden(*args, _name=f"{fam}.{name}", **kwargs):
                raise AssertionError(f"reference primitive {_name} ran during a cuda op")
            setattr(module, name, forbidden)
    try:
        yield
    finally:
        for module, name, fn in saved:
            setattr(module, name, fn)


def sentinel(dtype: tritorch.dtypes.DType):
    """The fill of padding: NaN for floats, an unlikely value for integers, True for bool."""
    if dtype.is_floating_point:
        return float("nan")
    if dtype is tritorch.bool:
        return True
    return -7 if dtype.is_signed else 251


def padded(a: np.ndarray, dtype: tritorch.dtypes.DType, pad: int = 5, fill=None) -> ArrayView:
    """A device buffer holding `a` (C order) at offset `pad`, surrounded by `pad` elements of
    `fill` (default: the sentinel) on each side; returns the ArrayView of `a` inside it."""
    fill = sentinel(dtype) if fill is None else fill
    host = np.full(a.size + 2 * pad, fill, dtype=dtype.np)
    host[pad:pad + a.size] = np.asarray(a, dtype=dtype.np).reshape(-1)
    buf = memory().from_numpy(host)
    return ArrayView(buf, pad, tuple(a.shape), contiguous_strides(a.shape), dtype)


def host(v: ArrayView) -> np.ndarray:
    """The view's values on the host."""
    return memory().to_numpy(v)


def padding_of(v: ArrayView, pad: int = 5) -> np.ndarray:
    """The padding elements around a `padded` view (first and last `pad` of the buffer)."""
    whole = memory().to_numpy(ArrayView(v.buffer, 0, (v.buffer.numel(),), (1,), v.dtype))
    return np.concatenate([whole[:pad], whole[pad + v.numel:]])


def assert_padding_untouched(v: ArrayView, dtype, pad: int = 5) -> None:
    got = padding_of(v, pad)
    want = np.full(got.shape, sentinel(dtype), dtype=dtype.np)
    # bit for bit: NaN padding must stay the very NaN written there
    np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8),
                                  err_msg="a kernel wrote outside its output view")


def torch_dtype(dtype: tritorch.dtypes.DType):
    return getattr(torch, dtype.name)
