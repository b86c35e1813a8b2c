"""Roofline peaks, measured at the start of a GPU run (the datasheet's are never reached):

* memory: a large device-to-device copy (`dst.copy_(src)`), GB/s counting the bytes read plus
  the bytes written;
* compute: torch's largest square matmul per dtype (float32 with TF32 off, tf32, float16,
  bfloat16), in TFLOP/s.

A case's roofline is min(peak FLOP/s, arithmetic intensity x peak bandwidth) and its share is
its achieved throughput over that bound (`share`).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable

from . import timing

MATMUL_DTYPES = ("float32", "tf32", "float16", "bfloat16")


@dataclass
class Peaks:
    """Measured peaks: GB/s of a device copy, TFLOP/s of torch's matmul per dtype name."""
    bandwidth_gbps: float | None = None
    tflops: dict[str, float] = field(default_factory=dict)
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def measure(quick: bool, timer: Callable | None = None, device: str = "cuda",
            copy_mib: int | None = None, n: int | None = None) -> Peaks:
    """The run's peaks on `device` (torch allocates; `timer(fn, quick)` gives `Stats`, by default
    `timing.gpu`): a copy of `copy_mib` MiB, square matmuls of size `n`."""
    import torch
    timer = timer or timing.gpu
    nbytes = (copy_mib or (256 if quick else 1024)) << 20
    n = n or (4096 if quick else 8192)
    peaks = Peaks(bandwidth_gbps=_copy_gbps(torch, timer, quick, device, nbytes),
                  note=f"copy of {nbytes >> 20} MiB; torch matmul {n}^3")
    for name in MATMUL_DTYPES:
        dtype = torch.float32 if name == "tf32" else getattr(torch, name)
        a = torch.randn(n, n, device=device).to(dtype)
        b = torch.randn(n, n, device=device).to(dtype)
        with allow_tf32(torch, name == "tf32"):
            t = timer(lambda: a @ b, quick)
        peaks.tflops[name] = 2 * n ** 3 / (t.median_us * 1e-6) / 1e12
    return peaks


def _copy_gbps(torch, timer, quick: bool, device: str, nbytes: int) -> float:
    src = torch.ones(nbytes // 4, dtype=torch.float32, device=device)
    dst = torch.empty_like(src)
    t = timer(lambda: dst.copy_(src), quick)
    return 2 * nbytes / (t.median_us * 1e-6) / 1e9


class allow_tf32:
    """Context: torch's float32 matmuls use TF32 tensor cores (`on`) or IEEE float32 (`off`)."""

    def __init__(self, torch, on: bool):
        self.torch, self.on = torch, on

    def __enter__(self):
        self.saved = self.torch.backends.cuda.matmul.allow_tf32
        self.torch.backends.cuda.matmul.allow_tf32 = self.on

    def __exit__(self, *exc):
        self.torch.backends.cuda.matmul.allow_tf32 = self.saved


def roofline(peaks: Peaks | None, dtype: str, nbytes: int, flops: int) -> tuple[str, float] | None:
    """(unit, attainable throughput) of a case: GB/s when it has no FLOPs counted, else TFLOP/s
    bounded by the dtype's peak and by bandwidth x arithmetic intensity. None without peaks."""
    if peaks is None or peaks.bandwidth_gbps is None:
        return None
    if not flops:
        return "GB/s", peaks.bandwidth_gbps
    compute = peaks.tflops.get(dtype)
    memory = flops / max(nbytes, 1) * peaks.bandwidth_gbps / 1e3
    return "TFLOP/s", memory if compute is None else min(compute, memory)


def share(achieved: float | None, bound: tuple[str, float] | None) -> float | None:
    """Fraction of the roofline reached (None when either is unknown)."""
    if achieved is None or bound is None or not bound[1]:
        return None
    return achieved / bound[1]
