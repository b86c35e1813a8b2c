"""The numpy backend: the cpu device and the oracle every Triton kernel is checked against.

One module per kernel family, with the same function names and signatures as
`tritorch/kernels`. Half-precision inputs are computed in float32 (as the kernels do) and
float64 views in float64, so a float64 call is the reference for any other dtype.
"""
from . import copy, elementwise, index, matmul, memory, random, reduction, softmax

__all__ = ["copy", "elementwise", "index", "matmul", "memory", "random", "reduction", "softmax"]
