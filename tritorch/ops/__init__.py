"""Every op of tritorch, written once over the backend primitives.

Importing this package registers each op's public names (`registry.py`); `tritorch/__init__`
then installs the methods on Tensor and exports the functions.
"""
from . import (autograd_methods, conversion, creation, elementwise, histogram, indexing, joining, matmul,  # noqa: F401
               pointwise, random, reduction, registry, scan, search, softmax, sorting, statistics, ternary,
               views)
