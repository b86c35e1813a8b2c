"""A benchmark case, run the same way for every family: build the inputs once from numpy in both
libraries, check tritorch's answer against torch's (the tolerance rule of `tritorch.testing`),
then time both. A wrong answer or an error is a `failed` result, never a time.

An op is written once, as `op(lib, *tensors)`, and called with `lib` = tritorch and `lib` = torch:
tritorch's API is PyTorch's, so the same code names the same op in both.
"""
from __future__ import annotations

import functools
import sys
import traceback
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import peaks as peaks_mod
from . import timing

STATUSES = ("measured", "smoke", "skipped", "failed")


@dataclass
class Context:
    """How a run measures: its device, size class, dtypes, roofline peaks and timer."""
    device: str                      # "cpu" or "cuda" (cuda is interpreted in a smoke run)
    quick: bool = False
    dtypes: tuple[str, ...] = ("float32",)
    smoke: bool = False              # interpreter: launch once at tiny sizes, no timing
    peaks: peaks_mod.Peaks | None = None
    timer: Callable | None = None    # (fn, quick) -> Stats for kernels; default by device

    @property
    def gpu(self) -> bool:
        return self.device == "cuda" and not self.smoke

    def time_kernel(self, fn):
        if self.timer is not None:
            return self.timer(fn, self.quick)
        return timing.gpu(fn, self.quick) if self.gpu else timing.wall(fn, self.budget)

    def time_wall(self, fn):
        """Host wall time of a call through the whole stack (synchronised on a GPU)."""
        import torch
        sync = torch.cuda.synchronize if self.gpu else (lambda: None)
        return timing.wall(fn, self.budget, sync)

    @property
    def budget(self) -> float:
        return 0.05 if self.quick else 0.25


@dataclass
class Case:
    """One measured operation. `arrays()` returns its numpy inputs (floating ones are cast to
    `dtype` in each library, integer ones kept); `op(lib, *tensors)` computes it; `nbytes` (read
    plus written) and `flops` give its throughput; `reduction_len` its tolerance."""
    family: str
    name: str
    shape: str
    dtype: str
    arrays: Callable[[], list]
    op: Callable
    nbytes: int = 0
    flops: int = 0
    reduction_len: int = 1
    check: str = "values"            # "values", or "moments" for random draws
    note: str = ""
    torch_dtype: str | None = None   # the torch dtype when `dtype` is not one (tf32)


def skipped(family: str, name: str, note: str) -> dict:
    """A result line for something not measured, with the reason."""
    return result(family, name, "", "", "", "skipped", note)


def result(family, name, shape, dtype, device, status, note="", **fields) -> dict:
    assert status in STATUSES, status
    row = {"family": family, "case": name, "shape": shape, "dtype": dtype, "device": device,
           "tritorch": None, "torch": None, "ratio": None, "throughput": None, "unit": None,
           "roofline_share": None, "status": status, "note": note}
    row.update(fields)
    return row


def tensors(lib, arrays, device: str, dtype: str):
    """The arrays as `lib` tensors on `device`, each with its own copy of the values (from_numpy
    shares memory, and a training step updates its parameters in place); floating ones cast to
    `dtype`."""
    out = []
    for a in arrays:
        t = lib.from_numpy(np.array(a, copy=True)).to(device)
        out.append(t.to(getattr(lib, dtype)) if a.dtype.kind == "f" else t)
    return out


def as_torch(t):
    """A result of either library as a torch tensor: torch's as is, tritorch's cuda tensors
    through DLPack (no copy, so a GPU run compares on the GPU), its cpu ones through numpy."""
    import torch
    if isinstance(t, torch.Tensor):
        return t.detach()
    if t.is_cuda:
        return torch.from_dlpack(t.detach())
    a = t.detach().numpy()
    return torch.from_numpy(a.astype(np.float64) if a.dtype.kind == "V" or a.dtype.name == "bfloat16" else a)


def compare(got, want, case: Case) -> None:
    """Raise AssertionError when tritorch's `got` is not torch's `want`: same shape and dtype, and
    values within `tritorch.testing.tolerance(dtype, case.reduction_len)` (exact for integers and
    bool, NaN where torch has NaN); for random draws (`case.check == "moments"`), mean and
    variance within 6 standard errors of torch's. Computed with torch, on the results' device."""
    import tritorch
    from tritorch import testing
    assert tuple(got.shape) == tuple(want.shape), f"shape {tuple(got.shape)} != torch's {tuple(want.shape)}"
    name = str(got.dtype).split(".")[-1]
    assert name == str(want.dtype).split(".")[-1], f"dtype {got.dtype} != torch's {want.dtype}"
    g = as_torch(got)
    w = as_torch(want).to(g.device)
    if case.check == "moments":
        g, w = g.double().flatten(), w.double().flatten()
        mean_err = 6 * (2 * w.var() / w.numel()).sqrt()
        assert (g.mean() - w.mean()).abs() <= mean_err, f"mean {g.mean():.4g} != torch's {w.mean():.4g} (6 sigma)"
        spread = 6 * ((((w - w.mean()) ** 4).mean() - w.var() ** 2).clamp(min=0) * 2 / w.numel()).sqrt()
        assert (g.var() - w.var()).abs() <= spread, f"variance {g.var():.4g} != torch's {w.var():.4g} (6 sigma)"
        return
    dtype = getattr(tritorch, name)
    if not dtype.is_floating_point:
        bad = g != w
    else:
        # tf32 keeps float16's 10-bit mantissa: its products are held to float16's rule
        rtol, atol = testing.tolerance(tritorch.float16 if case.dtype == "tf32" else dtype, case.reduction_len)
        g, w = g.double(), w.double()
        bad = ~(((g - w).abs() <= atol + rtol * w.abs()) | (g.isnan() & w.isnan()) | (g == w))
    count = int(bad.sum())
    if count:
        where = tuple(int(i) for i in bad.nonzero()[0]) if g.dim() else ()
        worst = float((g - w).abs()[bad].max()) if dtype.is_floating_point else None
        raise AssertionError(f"{count} of {g.numel()} values differ from torch's beyond the tolerance "
                             f"(first at {where}: {float(g[where]):.6g} vs {float(w[where]):.6g}"
                             + (f"; max abs diff {worst:.3g}" if worst is not None else "") + ")")


def run(case: Case, ctx: Context) -> dict:
    """Check, then time, one case on `ctx.device`; the result row."""
    import torch
    import tritorch
    row = dict(family=case.family, name=case.name, shape=case.shape, dtype=case.dtype, device=ctx.device)
    try:
        arrays = case.arrays()
        ours = tensors(tritorch, arrays, ctx.device, case.dtype if case.torch_dtype is None else "float32")
        theirs = tensors(torch, arrays, "cpu" if ctx.smoke else ctx.device, case.torch_dtype or case.dtype)
        with peaks_mod.allow_tf32(torch, case.dtype == "tf32") if ctx.gpu else nullcontext():
            compare(case.op(tritorch, *ours), case.op(torch, *theirs), case)
            if ctx.smoke:
                return result(**row, status="smoke", note=_join(case.note, "interpreter: not a speed figure"))
            mine = ctx.time_kernel(lambda: case.op(tritorch, *ours))
            base = ctx.time_kernel(lambda: case.op(torch, *theirs))
    except Exception as e:  # a wrong answer or a crash is a result, not the end of the run
        if not isinstance(e, AssertionError):
            traceback.print_exc(limit=-3, file=sys.stderr)
        return result(**row, status="failed", note=failure(e))
    return measured(row, case, ctx, mine, base)


def failure(e: Exception) -> str:
    """A result's note for an exception: its type and first line."""
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0] if text else ''}"[:300]


def measured(row: dict, case: Case, ctx: Context, mine, base) -> dict:
    """The result row of a checked case from its two `Stats`: ratio, throughput, roofline share."""
    seconds = mine.median_us * 1e-6
    unit, achieved = (("TFLOP/s", case.flops / seconds / 1e12) if case.flops else
                      ("GB/s", case.nbytes / seconds / 1e9) if case.nbytes else (None, None))
    bound = peaks_mod.roofline(ctx.peaks, case.dtype, case.nbytes, case.flops) if ctx.gpu else None
    return result(**row, status="measured", note=case.note, tritorch=mine.as_dict(), torch=base.as_dict(),
                  ratio=mine.median_us / base.median_us, throughput=achieved, unit=unit,
                  torch_throughput=None if achieved is None else achieved * mine.median_us / base.median_us,
                  roofline_share=peaks_mod.share(achieved, bound),
                  roofline=None if bound is None else bound[1])


def _join(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


ITEMSIZE = {"float32": 4, "tf32": 4, "float16": 2, "bfloat16": 2, "float64": 8, "int64": 8, "int32": 4}


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


@functools.lru_cache(maxsize=4)
def normal(seed: int, shape) -> np.ndarray:
    """Standard normal float32 values, cached (read-only): drawing 2^26 of them on the host takes
    longer than timing a kernel on them, and a family's cases share inputs."""
    a = rng(seed).standard_normal(shape, dtype="float32")
    a.flags.writeable = False
    return a
