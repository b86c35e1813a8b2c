"""Timing: one `Stats` (median, p20, p80 in microseconds) per measured callable.

* `gpu`: `triton.testing.do_bench`, which flushes L2 before every repetition (it zeroes a 256 MB
  buffer) and times each call with CUDA events; quantiles (0.5, 0.2, 0.8).
* `wall`: host wall time with `time.perf_counter_ns`, after warm-up calls, in batches of calls so a
  1 us op is not lost in the clock's own cost; `sync` (cuda's synchronize) closes each batch, so
  on a GPU a batch's time is max(host time, device time), what a user of tiny ops waits.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np

QUANTILES = (0.5, 0.2, 0.8)


@dataclass(frozen=True)
class Stats:
    """Per-call time of one callable, in microseconds."""
    median_us: float
    p20_us: float
    p80_us: float
    samples: int

    def as_dict(self) -> dict:
        return asdict(self)


def gpu(fn: Callable[[], object], quick: bool) -> Stats:
    """`fn`'s device time by `triton.testing.do_bench` (L2 flushed, CUDA events), in microseconds."""
    import triton.testing
    warmup, rep = (5, 20) if quick else (25, 100)
    median, p20, p80 = triton.testing.do_bench(fn, warmup=warmup, rep=rep, quantiles=list(QUANTILES))
    return Stats(median * 1e3, p20 * 1e3, p80 * 1e3, samples=0)


def wall(fn: Callable[[], object], budget_s: float, sync: Callable[[], None] = lambda: None,
         min_samples: int = 5, max_samples: int = 200) -> Stats:
    """`fn`'s wall time per call: warm up, pick a batch size that makes a batch last >= 200 us,
    then time batches until `budget_s` is spent (at least `min_samples` of them)."""
    fn(), sync()
    start = time.perf_counter_ns()
    fn(), sync()
    once = max(time.perf_counter_ns() - start, 1)
    batch = max(1, int(200_000 // once))
    samples = int(min(max_samples, max(min_samples, budget_s * 1e9 // (once * batch))))
    per_call = []
    for _ in range(samples):
        start = time.perf_counter_ns()
        for _ in range(batch):
            fn()
        sync()
        per_call.append((time.perf_counter_ns() - start) / batch / 1e3)
    return summarize(per_call)


def summarize(per_call_us) -> Stats:
    """Median, p20 and p80 of per-call times (microseconds)."""
    a = np.asarray(per_call_us, dtype=np.float64)
    return Stats(float(np.median(a)), float(np.percentile(a, 20)), float(np.percentile(a, 80)), len(a))
