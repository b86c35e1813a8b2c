"""tritorch.linalg: PyTorch's torch.linalg, as far as tritorch has it (the vector norm)."""
from .ops.reduction import vector_norm

__all__ = ["vector_norm"]
