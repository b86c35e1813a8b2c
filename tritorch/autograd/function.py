"""`Function`: the unit every differentiable op of `tritorch/ops` is written as.

An op subclasses Function and writes `forward(ctx, *args)` on the backend primitives and,
with issue 3, `backward(ctx, *grads)` in Tensor operations. `apply` runs the forward; recording
the graph node when an input requires grad is the autograd engine's job (issue 3), which
slots in here without changing any op.
"""
from __future__ import annotations


class Context:
    """What forward leaves for backward: saved tensors and arbitrary attributes."""

    def __init__(self):
        self.saved_tensors: tuple = ()
        self.needs_input_grad: tuple[bool, ...] = ()

    def save_for_backward(self, *tensors) -> None:
        self.saved_tensors = tensors


class Function:
    @staticmethod
    def forward(ctx: Context, *args, **kwargs):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = Context()
        return cls.forward(ctx, *args, **kwargs)
