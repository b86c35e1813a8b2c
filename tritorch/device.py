"""Devices: `cpu` (the numpy reference path) and `cuda` (Triton kernels)."""
from __future__ import annotations

KNOWN_TYPES = ("cpu", "cuda")


class device:
    """A device, written like PyTorch's: `device("cuda:0")`, `device("cuda", 0)`, `device("cpu")`."""

    __slots__ = ("type", "index")

    def __init__(self, spec: "str | device", index: int | None = None):
        if isinstance(spec, device):
            self.type, self.index = spec.type, spec.index
            return
        if not isinstance(spec, str):
            raise TypeError(f"device must be a string or tritorch.device, got {type(spec).__name__}")
        kind, _, idx = spec.partition(":")
        if kind not in KNOWN_TYPES:
            raise RuntimeError(f"unknown device {spec!r}: expected one of {', '.join(KNOWN_TYPES)}, "
                               f"optionally with an index such as 'cuda:0'")
        if idx:
            if not idx.isdigit() or index is not None:
                raise RuntimeError(f"invalid device string {spec!r}")
            index = int(idx)
        if kind == "cpu" and index not in (None, 0):
            raise RuntimeError(f"cpu device index must be 0, got {index}")
        if kind == "cuda" and index is None:
            index = 0
        self.type, self.index = kind, index

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        return f"device(type='{self.type}'" + ("" if self.index is None else f", index={self.index}") + ")"


CPU = device("cpu")


def as_device(d: "str | device | int | None") -> device:
    if type(d) is device:  # devices are never changed in place: share it
        return d
    if d is None:
        return CPU
    if isinstance(d, int):
        return device("cuda", d)
    return device(d)
