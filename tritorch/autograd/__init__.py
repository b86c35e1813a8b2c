"""Autograd: graph nodes, the backward engine, grad mode, custom Functions, gradcheck."""
from .engine import backward, grad
from .function import Context, Function
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                        no_grad, set_grad_enabled)
from .graph import Node

FunctionCtx = Context

__all__ = ["Context", "Function", "FunctionCtx", "GradcheckError", "Node", "backward", "enable_grad",
           "grad", "gradcheck", "gradgradcheck", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled", "no_grad", "set_grad_enabled"]
