"""The numpy backend: the cpu device and the oracle every Triton kernel is checked against.

One module per kernel family (`tritorch.families.FAMILIES`), with the same function names and
signatures as `tritorch/kernels`, plus `memory`. It has two roles:

* the cpu device: every primitive computes in the tensor's own dtype, as PyTorch's cpu does
  (float32 in float32, half types in float32 rounded once on store, float64 in float64), and in
  float64 only where PyTorch's cpu itself keeps more precision (the scans and the variance of
  float32: see `reduction`);
* the oracle: the same code run on float64 copies of the inputs, each output rounded once into
  its dtype (`tritorch.testing.oracle`), the truth every kernel in any dtype is judged against.
"""
import importlib

from ..families import FAMILIES
from . import memory

for _family in FAMILIES:
    globals()[_family] = importlib.import_module(f".{_family}", __name__)

__all__ = ["memory", *FAMILIES]
