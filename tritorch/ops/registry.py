"""Where ops declare their public names.

`@function` makes an op `tritorch.<name>`; `@method("name", ...)` installs it on `Tensor`.
`tritorch/__init__.py` calls `install()` once all op modules are imported, which keeps
`tensor.py` free of imports from the layers above it.
"""
from __future__ import annotations

from typing import Callable

FUNCTIONS: dict[str, Callable] = {}
METHODS: dict[str, Callable] = {}


def function(fn: Callable | None = None, *, name: str | None = None, aliases: tuple[str, ...] = ()):
    """Expose `fn` as `tritorch.<name>` (and each alias)."""
    def register(f):
        for n in (name or f.__name__, *aliases):
            if n in FUNCTIONS:
                raise RuntimeError(f"tritorch.{n} registered twice")
            FUNCTIONS[n] = f
        return f
    return register(fn) if fn is not None else register


def method(*names: str):
    """Install the decorated function as `Tensor.<name>` for each name (default: its own). An
    undocumented in-place method `name_` gets PyTorch's docstring: the in-place version of `name`."""
    def register(f):
        first = (names or (f.__name__,))[0]
        if getattr(f, "__doc__", None) is None and first.endswith("_") and not first.startswith("_"):
            f.__doc__ = f"In-place version of `Tensor.{first[:-1]}`: writes the result into this tensor."
        for n in names or (f.__name__,):
            if n in METHODS:
                raise RuntimeError(f"Tensor.{n} registered twice")
            METHODS[n] = f
        return f
    return register


def install(tensor_cls) -> None:
    for n, f in METHODS.items():
        if n in vars(tensor_cls):
            raise RuntimeError(f"Tensor.{n} is defined in tensor.py and registered by an op")
        setattr(tensor_cls, n, property(f) if getattr(f, "is_property", False) else f)  # properties pass through


def as_property(f: Callable) -> Callable:
    """Mark a registered method to be installed as a read-only property (e.g. `Tensor.T`)."""
    f.is_property = True
    return f
