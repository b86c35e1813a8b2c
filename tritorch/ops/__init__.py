"""Every op of tritorch, written once over the backend primitives.

Importing this package registers each op's public names (`registry.py`); `tritorch/__init__`
then installs the methods on Tensor and exports the functions.
"""
from . import (autograd_methods, conversion, creation, elementwise, indexing, matmul, random, reduction,  # noqa: F401
               registry, scan, softmax, sorting, views)
