"""Hypothesis strategies: a shape, values, and a random permutation, so that every property
also sees non-contiguous strides (the tensor is built permuted, then permuted back)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import tritorch

SETTINGS = dict(max_examples=50, deadline=None)


@st.composite
def shapes(draw, min_dims: int = 0, max_dims: int = 4, min_side: int = 0, max_side: int = 5):
    return tuple(draw(st.lists(st.integers(min_side, max_side), min_size=min_dims, max_size=max_dims)))


@st.composite
def arrays(draw, shape=None, dtype=tritorch.float32, low: float = -10, high: float = 10):
    """A numpy array of `dtype`'s numpy type with values in [low, high]."""
    shape = draw(shapes()) if shape is None else shape
    n = int(np.prod(shape))
    if dtype.is_floating_point:
        vals = draw(st.lists(st.floats(low, high, width=32, allow_subnormal=False), min_size=n, max_size=n))
    elif dtype is tritorch.bool:
        vals = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    else:
        info = tritorch.iinfo(dtype)
        vals = draw(st.lists(st.integers(max(int(low), info.min), min(int(high), info.max)), min_size=n, max_size=n))
    return np.array(vals, dtype=np.float64 if dtype.is_floating_point else None).reshape(shape).astype(dtype.np)


@st.composite
def tensors(draw, shape=None, dtype=tritorch.float32, low: float = -10, high: float = 10):
    """(tensor, array) with equal values; the tensor is a permuted view, usually non-contiguous."""
    a = draw(arrays(shape=shape, dtype=dtype, low=low, high=high))
    perm = draw(st.permutations(range(a.ndim)))
    inverse = np.argsort(perm)
    stored = tritorch.tensor(a.transpose(perm).copy(order="C"), dtype=dtype)
    return stored.permute(*[int(i) for i in inverse]), a
