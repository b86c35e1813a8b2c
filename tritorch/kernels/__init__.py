"""The Triton backend of the cuda device: one module per kernel family
(`tritorch.families.FAMILIES`), twins of `tritorch/reference` (same function names and
signatures). Families whose kernels have not landed yet are absent; `tritorch.backend` marks
their primitives as pending.

The other modules are not families: `memory` (the only module of tritorch that imports torch),
the device helpers every family shares (`HELPERS`), and parts of a family split by topic and
re-exported by the family's own module (`PARTS`)."""
import importlib

from ..families import FAMILIES
from . import memory  # noqa: F401  (the backend reads kernels.memory)

HELPERS = ("layout", "rows", "cast", "strided", "math", "launch")
PARTS = {"scan": "reduction", "selection": "reduction", "search": "reduction"}

for _family in FAMILIES:
    try:
        globals()[_family] = importlib.import_module(f".{_family}", __name__)
    except ModuleNotFoundError as e:
        if e.name != f"{__name__}.{_family}":
            raise
