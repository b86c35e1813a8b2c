"""Elementwise: add, mul, gelu (tanh form), cast. Memory-bound: bytes read + written."""
from __future__ import annotations

from ..cases import ITEMSIZE, Case, normal
from ..features import functional

NAME = "elementwise"


def sizes(ctx) -> tuple[int, ...]:
    if ctx.smoke:
        return (1000,)
    if ctx.gpu:
        return (1 << 24,) if ctx.quick else (1 << 20, 1 << 24, 1 << 26)
    return (1 << 18,) if ctx.quick else (1 << 16, 1 << 20)


def gelu(m, x):
    """GELU, tanh approximation: the library's own when it has one, else composed from tanh."""
    fused = functional(m, "gelu")
    if fused is not None:
        return fused(x, approximate="tanh")
    return 0.5 * x * (1 + m.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))


def _gelu_note(tritorch) -> str:
    if functional(tritorch, "gelu") is not None:
        return ""
    return "tritorch has no gelu: composed from tanh (several kernels) in both libraries"


def cases(ctx):
    import tritorch
    for n in sizes(ctx):  # sizes outer: the cached inputs of a size serve every dtype
        for dtype in ctx.dtypes:
            size = ITEMSIZE[dtype]
            two = lambda n=n: [normal(1, n), normal(2, n)]
            one = lambda n=n: [normal(3, n)]
            yield Case(NAME, "add", f"{n}", dtype, two, lambda m, a, b: a + b, nbytes=3 * n * size)
            yield Case(NAME, "mul", f"{n}", dtype, two, lambda m, a, b: a * b, nbytes=3 * n * size)
            yield Case(NAME, "gelu", f"{n}", dtype, one, gelu, nbytes=2 * n * size, note=_gelu_note(tritorch))
            other = "float32" if dtype != "float32" else "float16"
            yield Case(NAME, f"cast to {other}", f"{n}", dtype, one, lambda m, x, o=other: x.to(getattr(m, o)),
                       nbytes=n * (size + ITEMSIZE[other]))
