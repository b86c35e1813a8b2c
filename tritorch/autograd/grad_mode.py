"""Grad mode: whether ops record the graph. Thread-local, as in PyTorch; every switch is both a
context manager and a decorator."""
from __future__ import annotations

import functools
import threading

_state = threading.local()


def is_grad_enabled() -> bool:
    return getattr(_state, "enabled", True)


def is_inference_mode_enabled() -> bool:
    return getattr(_state, "inference", False)


def _set_enabled(mode: bool) -> None:
    _state.enabled = mode


class _Switch:
    """Sets grad mode on enter and restores the previous mode on exit."""

    def _mode(self) -> bool:
        raise NotImplementedError

    def __enter__(self):
        self._prev = (is_grad_enabled(), is_inference_mode_enabled())
        _set_enabled(self._mode())
        return self

    def __exit__(self, *exc):
        _state.enabled, _state.inference = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            with type(self)(*self._args()):
                return fn(*args, **kwargs)
        return wrapped

    def _args(self) -> tuple:
        return ()


class no_grad(_Switch):
    """Ops inside do not record the graph: `with tritorch.no_grad(): ...`, `@tritorch.no_grad()`
    or `@tritorch.no_grad`."""

    def __new__(cls, fn=None):
        if fn is not None and callable(fn):  # used as a bare decorator
            return cls()(fn)
        return super().__new__(cls)

    def __init__(self, fn=None):
        pass

    def _mode(self) -> bool:
        return False


class enable_grad(_Switch):
    def _mode(self) -> bool:
        return True


class set_grad_enabled(_Switch):
    """Set grad mode to `mode`; like PyTorch it takes effect immediately, even outside `with`."""

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self._prev = (is_grad_enabled(), is_inference_mode_enabled())
        _set_enabled(self.mode)

    def _mode(self) -> bool:
        return self.mode

    def __enter__(self):
        return self

    def _args(self) -> tuple:
        return (self.mode,)

    def __call__(self, fn):
        _state.enabled, _state.inference = self._prev  # as decorator, undo the immediate effect
        return super().__call__(fn)


class inference_mode(_Switch):
    """Like `no_grad` (tritorch keeps no separate inference tensors); `inference_mode(False)`
    leaves grad mode as it is."""

    def __init__(self, mode: bool = True):
        self.mode = bool(mode)

    def _mode(self) -> bool:
        return is_grad_enabled() and not self.mode

    def __enter__(self):
        super().__enter__()
        _state.inference = self.mode
        return self

    def _args(self) -> tuple:
        return (self.mode,)
