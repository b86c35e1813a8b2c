"""Feature tests: whether tritorch has an op yet, by PyTorch's name, so a bench family lights up
when its ops land instead of being switched on by hand."""
from __future__ import annotations


def functional(lib, name: str):
    """`lib.nn.functional.<name>`, or None."""
    return getattr(getattr(getattr(lib, "nn", None), "functional", None), name, None)


def missing(tritorch, names: tuple[str, ...]) -> list[str]:
    """Which of `nn.functional.<name>` / `optim.<Name>` tritorch lacks."""
    def has(name):
        if name[0].isupper():
            return hasattr(getattr(tritorch, "optim", None), name)
        return functional(tritorch, name) is not None
    return [n for n in names if not has(n)]
