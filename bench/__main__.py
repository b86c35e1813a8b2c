"""`python -m bench [--quick] [--only FAMILY,...] [--dtype float32,...] [--device cpu|cuda] [--out DIR]`

Measures every family (see `bench.families`) on one device against torch on the same device,
checking each answer first; writes JSON, a markdown table and plots under --out; one progress
line per case on stderr. Exit status 1 when any result is wrong or crashed.

On the cpu (the default without a GPU) torch and numpy's BLAS run on one thread each (see
`bench/threads.py`; OPENBLAS_NUM_THREADS=N for N), and the run ends with an
interpreter smoke run: each cuda family launched once at a tiny size under Triton's interpreter,
checked against torch, not a speed figure. On a GPU, peaks are measured first (`bench.peaks`).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from . import threads  # first: it sets numpy's BLAS threads, which numpy reads at its import
from . import cases, device_info, peaks, report
from .cases import ITEMSIZE, Context

DEFAULT_OUT = Path(__file__).resolve().parent / "results"
DEFAULT_DTYPES = {("cuda", False): ("float32", "float16", "bfloat16"), ("cuda", True): ("float32", "bfloat16"),
                  ("cpu", False): ("float32",), ("cpu", True): ("float32",)}


def parse(argv, names: tuple[str, ...]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[1])
    p.add_argument("--quick", action="store_true", help="smaller sizes and shorter timing (CI, first look)")
    p.add_argument("--only", help=f"comma-separated families, of: {','.join(names)}")
    p.add_argument("--dtype", help="comma-separated dtypes (default: float32,float16,bfloat16 on a GPU, "
                                   "float32,bfloat16 with --quick; float32 on the cpu)")
    p.add_argument("--device", choices=("cpu", "cuda"), help="default: cuda when a GPU is present, else cpu")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    args = p.parse_args(argv)
    args.only = tuple(names) if not args.only else tuple(s.strip() for s in args.only.split(","))
    unknown = [f for f in args.only if f not in names]
    if unknown:
        p.error(f"unknown family {', '.join(unknown)}; families: {', '.join(names)}")
    if args.dtype:
        args.dtype = tuple(s.strip() for s in args.dtype.split(","))
        bad = [d for d in args.dtype if d not in ITEMSIZE or d in ("tf32", "int32", "int64")]
        if bad:
            p.error(f"unknown dtype {', '.join(bad)}; dtypes: float32, float16, bfloat16, float64 "
                    "(tf32 is measured with float32 on a GPU)")
    return args


def setup(device: str | None) -> tuple[str, bool]:
    """(device, whether a GPU is present). On a cpu-only machine switch the cuda device to the
    interpreter before any kernel is defined (for the smoke run); torch gets as many threads as
    numpy's BLAS (`threads.count()`)."""
    os.environ.setdefault("TRITON_DEFAULT_FP_FUSION", "1")
    import torch
    gpu = torch.cuda.is_available()
    device = device or ("cuda" if gpu else "cpu")
    if device == "cuda" and not gpu:
        raise SystemExit("python -m bench: --device cuda needs a GPU (none found); --device cpu also "
                         "runs the cuda kernels once under Triton's interpreter")
    if not gpu:
        import tritorch
        tritorch.cuda.use_interpreter()
    if device == "cpu":
        torch.set_num_threads(threads.count())
    return device, gpu


def line(i: int, row: dict) -> str:
    """The progress line of one result."""
    ratio = f" ({row['ratio']:.2f}x torch)" if row.get("ratio") else ""
    return (f"[{i:3}] {row['family']:<11} {row['case']:<24} {row['shape']:<22} {row['dtype']:<9} "
            f"{row['status']:<8} {report.us(row['tritorch'])}{ratio} {row['note']}")


def rows_of(module, ctx: Context):
    """Result rows of one family module; a family that crashes while listing its cases becomes a
    failed row, and the run goes on."""
    try:
        if hasattr(module, "results"):
            yield from module.results(ctx)
            return
        for item in module.cases(ctx):
            yield item if isinstance(item, dict) else cases.run(item, ctx)
    except Exception as e:
        yield cases.result(module.NAME, "(family)", "", "", ctx.device, "failed", cases.failure(e))


def main(argv=None) -> int:
    from .families import MODULES, NAMES, SMOKE
    args = parse(argv, NAMES)
    device, gpu = setup(args.device)
    dtypes = args.dtype or DEFAULT_DTYPES[device, args.quick]
    started = time.perf_counter()
    meta = device_info.collect(device)
    if device == "cpu" and not gpu:
        meta["cuda_device"] = "Triton interpreter (smoke rows only)"
    meta.update(quick=args.quick, dtypes=",".join(dtypes), families=",".join(args.only))
    measured_peaks = None
    if device == "cuda":
        print("measuring roofline peaks (device copy, torch matmul)...", file=sys.stderr)
        try:
            measured_peaks = peaks.measure(args.quick)
        except Exception as e:  # no roofline column beats no run
            meta["peaks_error"] = cases.failure(e)
            print(f"peaks not measured, no roofline column: {meta['peaks_error']}", file=sys.stderr)
    ctx = Context(device, args.quick, dtypes, peaks=measured_peaks)
    rows = []

    def emit(row):
        rows.append(row)
        print(line(len(rows), row), file=sys.stderr, flush=True)

    for module in MODULES:
        if module.NAME in args.only:
            for row in rows_of(module, ctx):
                emit(row)
    smoke = [m for m in MODULES if m.NAME in SMOKE and m.NAME in args.only]
    if device == "cpu" and smoke:
        if gpu:
            emit(cases.skipped("smoke", "interpreter smoke", "a GPU is present: run --device cuda instead"))
        else:
            tiny = Context("cuda", quick=True, dtypes=("float32",), smoke=True)
            for module in smoke:
                for row in rows_of(module, tiny):
                    emit(row)
    meta["wall_s"] = round(time.perf_counter() - started, 1)
    paths = report.write(args.out, meta, None if measured_peaks is None else measured_peaks.as_dict(), rows)
    failed = [r for r in rows if r["status"] == "failed"]
    print(f"{len(rows)} results ({report.summary(rows)}) in {meta['wall_s']} s; wrote "
          + ", ".join(str(p) for p in paths), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
