"""Shared test machinery: the oracle and the tolerance rule live in `tritorch.testing`."""
from tritorch.testing import assert_close, tolerance, to_numpy  # noqa: F401


def assert_same_storage(a, b) -> None:
    assert a.untyped_storage() is b.untyped_storage(), "expected a view sharing storage"
