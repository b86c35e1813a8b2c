"""What a result was measured on: device, driver, library versions, tritorch's commit, date, cpu."""
from __future__ import annotations

import datetime
import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*cmd: str) -> str | None:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10, cwd=ROOT)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def commit() -> str | None:
    """tritorch's git commit, with "-dirty" when the working tree has changes."""
    head = _run("git", "rev-parse", "--short=12", "HEAD")
    if head and _run("git", "status", "--porcelain", "--untracked-files=no"):
        head += "-dirty"
    return head


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def gpu(torch) -> dict:
    """The GPU's name, capability, memory and driver (nvidia-smi's), and torch's CUDA version."""
    props = torch.cuda.get_device_properties(0)
    return {"gpu": torch.cuda.get_device_name(0),
            "capability": ".".join(map(str, torch.cuda.get_device_capability(0))),
            "gpu_memory_gib": round(props.total_memory / 2 ** 30, 1),
            "driver": _run("nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"),
            "cuda": torch.version.cuda}


def collect(device: str) -> dict:
    """Run metadata: date (UTC), device, versions, commit, cpu model and cores, torch threads."""
    import numpy
    import torch
    import triton
    info = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "device": device, "tritorch_commit": commit(), "python": platform.python_version(),
            "torch": torch.__version__, "triton": triton.__version__, "numpy": numpy.__version__,
            "cpu": cpu_model(), "cpu_cores": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "numpy_blas_threads": os.environ.get("OPENBLAS_NUM_THREADS")}
    if device == "cuda":
        info.update(gpu(torch))
    return info
