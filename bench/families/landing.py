"""Families whose tritorch ops have not all landed: conv, norms, losses, optimiser steps. Each is
found by a feature test on tritorch (PyTorch's names), skipped with a line saying what is missing
until then, and measured against torch as soon as it is there."""
from __future__ import annotations

import types

from ..cases import ITEMSIZE, Case, normal, rng, skipped
from ..features import functional, missing


def family(name: str, needs: tuple[str, ...], build) -> types.ModuleType:
    """A family module: `NAME`, and `cases(ctx)` yielding `build(ctx)`'s cases once `needs` landed."""
    def cases(ctx):
        import tritorch
        lacking = missing(tritorch, needs)
        if lacking:
            yield skipped(name, "(family)", "not landed yet: tritorch has no " +
                          ", ".join(f"optim.{n}" if n[0].isupper() else f"nn.functional.{n}" for n in lacking))
            return
        yield from build(ctx)
    module = types.ModuleType(f"bench.families.{name}")
    module.NAME, module.cases = name, cases
    return module


def _conv(ctx):
    n, c, hw, k = (2, 3, 8, 4) if ctx.smoke else (32, 64, 56, 64) if ctx.gpu else (4, 16, 28, 16)
    for dtype in ctx.dtypes:
        arrays = lambda: [normal(20, (n, c, hw, hw)),
                          normal(21, (k, c, 3, 3)) / 3]
        yield Case("conv", "conv2d 3x3 pad=1", f"{n}x{c}x{hw}x{hw} * {k}x{c}x3x3", dtype, arrays,
                   lambda lib, x, w: functional(lib, "conv2d")(x, w, padding=1),
                   nbytes=(n * c * hw * hw + k * c * 9 + n * k * hw * hw) * ITEMSIZE[dtype],
                   flops=2 * n * k * c * 9 * hw * hw, reduction_len=9 * c)


def _norms(ctx):
    m, n = (4, 40) if ctx.smoke else (4096, 4096) if ctx.gpu else (256, 1024)
    for dtype in ctx.dtypes:
        arrays = lambda: [normal(22, (m, n))]
        yield Case("norms", "layer_norm", f"{m}x{n}", dtype, arrays,
                   lambda lib, x: functional(lib, "layer_norm")(x, (x.shape[-1],)),
                   nbytes=2 * m * n * ITEMSIZE[dtype], reduction_len=n)


def _losses(ctx):
    m, n = (4, 10) if ctx.smoke else (4096, 32768) if ctx.gpu else (256, 1000)
    for dtype in ctx.dtypes:
        arrays = lambda: [normal(23, (m, n)), rng(24).integers(0, n, m)]
        yield Case("losses", "cross_entropy", f"{m}x{n}", dtype, arrays,
                   lambda lib, x, y: functional(lib, "cross_entropy")(x, y),
                   nbytes=m * n * ITEMSIZE[dtype] + 8 * m, reduction_len=m * n)


def _optim(ctx):
    n = 4096 if ctx.smoke else (1 << 24) if ctx.gpu else (1 << 18)
    arrays = lambda: [normal(25, n), normal(26, n)]

    def adam_step(lib, p, g):
        p = p.clone().requires_grad_()
        p.grad = g
        lib.optim.Adam([p], lr=1e-3).step()
        return p.detach()
    yield Case("optim", "Adam step", f"{n}", "float32", arrays, adam_step, nbytes=7 * n * 4,
               note="includes building the optimiser and its state")


MODULES = (family("conv", ("conv2d",), _conv), family("norms", ("layer_norm",), _norms),
           family("losses", ("cross_entropy",), _losses), family("optim", ("Adam",), _optim))
