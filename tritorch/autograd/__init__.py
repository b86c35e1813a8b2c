"""Autograd: graph nodes, the backward engine, grad mode (issue 3 fills the engine)."""
from .function import Context, Function

__all__ = ["Context", "Function"]
