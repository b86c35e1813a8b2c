"""Per-op overhead: the wall time of a tiny op through the whole stack (Tensor, dispatch, autograd,
launch) against torch eager on the same device and numpy on the cpu, with autograd off (no input
requires grad), under `no_grad` (an input requires grad), and recording (it does, grad mode on).

Targets (issue 8): on the cpu device <= 8 us with autograd off or under no_grad and <= 15 us
while recording; on a GPU at most 2x torch eager.
"""
from __future__ import annotations

from contextlib import nullcontext

import numpy as np

from .cases import Case, compare, failure, normal, result, tensors

NAME = "overhead"
MODES = ("off", "no_grad", "recording")
CPU_TARGET_US = {"off": 8.0, "no_grad": 8.0, "recording": 15.0}
GPU_TARGET_RATIO = 2.0

# (name, shape, inputs, op, reduction length)
OPS = (("a + b", "1x4096", lambda: [normal(30, (1, 4096)), normal(31, (1, 4096))], lambda m, a, b: a + b, 1),
       ("A @ B", "64x64", lambda: [normal(32, (64, 64)), normal(33, (64, 64))], lambda m, a, b: a @ b, 64),
       ("a.sum()", "1x4096", lambda: [normal(34, (1, 4096))], lambda m, a: a.sum(), 4096),
       ("A[3:50:2, 1]", "64x64", lambda: [normal(35, (64, 64))], lambda m, a: a[3:50:2, 1], 1))


def target(ctx, mode: str, mine: float, base: float) -> tuple[str, bool]:
    """(the target in words, whether it is met) for a median time `mine` against torch's `base`."""
    if ctx.device == "cpu":
        return f"<= {CPU_TARGET_US[mode]:g} us", mine <= CPU_TARGET_US[mode]
    return f"<= {GPU_TARGET_RATIO:g}x torch", mine <= GPU_TARGET_RATIO * base


def _inputs(lib, arrays, device, mode):
    ts = tensors(lib, arrays, device, "float32")
    if mode != "off":
        ts[0].requires_grad_(True)
    return ts


def results(ctx):
    """One row per (op, mode): tritorch, torch and (cpu) numpy wall times, and the target."""
    import torch
    import tritorch
    for name, shape, arrays, op, length in OPS:
        values = arrays()
        numpy_stats = None
        if ctx.device == "cpu":
            numpy_stats = ctx.time_wall(lambda: op(np, *values)).as_dict()
        for mode in MODES:
            row = dict(family=NAME, name=f"{name} [{mode}]", shape=shape, dtype="float32", device=ctx.device)
            try:
                ours, theirs = _inputs(tritorch, values, ctx.device, mode), _inputs(torch, values, ctx.device, mode)
                with tritorch.no_grad() if mode == "no_grad" else nullcontext(), \
                        torch.no_grad() if mode == "no_grad" else nullcontext():
                    compare(op(tritorch, *ours), op(torch, *theirs), Case(NAME, name, shape, "float32", arrays, op,
                                                                         reduction_len=length))
                    mine = ctx.time_wall(lambda: op(tritorch, *ours))
                    base = ctx.time_wall(lambda: op(torch, *theirs))
            except Exception as e:
                row = result(**row, status="failed", note=failure(e))
            else:
                goal, met = target(ctx, mode, mine.median_us, base.median_us)
                row = result(**row, status="measured", tritorch=mine.as_dict(), torch=base.as_dict(),
                             numpy=numpy_stats, ratio=mine.median_us / base.median_us, target=goal, target_met=met,
                             note="wall time per call, whole stack")
            yield row
