"""The machinery every kernel family's tests go through: the list of pending primitives, a
launch recorder and a guard against silent fallback to the numpy reference (the padded buffers
and the oracle are `tritorch.testing`'s)."""
from __future__ import annotations

import contextlib

import numpy as np
import torch

import tritorch
from tritorch import backend, reference
from tritorch.array_view import ArrayView
from tritorch.testing import assert_padding_untouched, host, padded, padding_of, sentinel  # noqa: F401

# Primitives of tritorch/reference that have no Triton kernel yet. Later issues shrink this to
# empty; test_parity fails when a kernel lands and its name is still listed, or when a reference
# primitive lacks a kernel and is not listed.
PENDING = {
    "elementwise": set(),
    "copy": set(),
    "reduction": set(),
    "softmax": set(),
    "matmul": set(),
    "index": set(),
    "random": set(),
}



def memory():
    """The cuda backend's memory module (torch buffers on the GPU, or on the cpu when interpreted)."""
    return backend.cuda_backend().memory


class Launches:
    """Records every Triton kernel launch (kernel, positional args, constexpr kwargs)."""

    def __init__(self):
        self.calls: list[tuple] = []
        self.grids: list = []  # the grid of each call, in the same order

    def __len__(self) -> int:
        return len(self.calls)


@contextlib.contextmanager
def record_launches():
    """Count and record launches of any @triton.jit kernel, interpreted or compiled, including
    the direct launches of tritorch's launch cache (which bypass `run`)."""
    import triton.runtime.interpreter as interpreter
    import triton.runtime.jit as jit
    from tritorch.kernels import launch
    log = Launches()
    classes = [interpreter.InterpretedFunction, jit.JITFunction]
    originals = [c.run for c in classes]

    def wrap(run):
        def recorded(self, *args, grid, warmup, **kwargs):
            if not warmup:
                log.calls.append((self, args, kwargs))
                log.grids.append(grid)
            return run(self, *args, grid=grid, warmup=warmup, **kwargs)
        return recorded

    def observe(kernel, args, kwargs, grid):
        log.calls.append((kernel, args, kwargs))
        log.grids.append(grid)
    try:
        for c, run in zip(classes, originals):
            c.run = wrap(run)
        launch.OBSERVERS.append(observe)
        yield log
    finally:
        launch.OBSERVERS.remove(observe)
        for c, run in zip(classes, originals):
            c.run = run


@contextlib.contextmanager
def reference_forbidden():
    """Make every numpy reference primitive raise, so a cuda op that silently computes on the
    cpu path fails (memory helpers stay: they are not computation)."""
    backend.cuda_backend()  # bind the kernels first: binding reads the reference's primitive list
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


def torch_dtype(dtype: tritorch.dtypes.DType):
    return getattr(torch, dtype.name)


def sample(shape, dtype, seed=0) -> np.ndarray:
    """Random values of `dtype`: normal * 3 for floats, small integers, fair coins for bool."""
    rng = np.random.default_rng(seed)
    if dtype is tritorch.bool:
        return rng.random(shape) < 0.5
    if dtype.is_floating_point:
        return (rng.standard_normal(shape) * 3).astype(dtype.np)
    lo, hi = (0, 100) if dtype is tritorch.uint8 else (-50, 50)
    return rng.integers(lo, hi, shape).astype(dtype.np)


def permuted(v: ArrayView, perm) -> ArrayView:
    """The view with its dims reordered by `perm` (same storage: non-contiguous strides)."""
    return ArrayView(v.buffer, v.offset, tuple(v.shape[p] for p in perm), tuple(v.strides[p] for p in perm), v.dtype)
