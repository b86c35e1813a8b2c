"""The Triton backend of the cuda device: one module per kernel family, twins of
`tritorch/reference` (same function names and signatures). Families whose kernels have not
landed yet are absent; `tritorch.backend` marks their primitives as pending."""
import importlib

from . import memory

for _family in ("elementwise", "copy", "reduction", "softmax", "matmul", "index", "random"):
    try:
        globals()[_family] = importlib.import_module(f".{_family}", __name__)
    except ModuleNotFoundError as e:
        if e.name != f"{__name__}.{_family}":
            raise
