"""The numpy backend: the cpu device and the oracle every Triton kernel is checked against.

One module per kernel family (`tritorch.families.FAMILIES`), with the same function names and
signatures as `tritorch/kernels`, plus `memory`. Half-precision inputs are computed in float32
(as the kernels do) and float64 views in float64, so a float64 call is the reference for any
other dtype.
"""
import importlib

from ..families import FAMILIES
from . import memory

for _family in FAMILIES:
    globals()[_family] = importlib.import_module(f".{_family}", __name__)

__all__ = ["memory", *FAMILIES]
