"""A run's output in `--out`: `<date>-<device>.json` (metadata, peaks, every result row),
`<date>-<device>.md` (one table per family) and, with matplotlib, PNG plots: matmul TFLOP/s
against size and softmax GB/s against N (each with torch and the roofline), overhead per op."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

COLUMNS = ("case", "shape", "dtype", "tritorch median (p20-p80)", "torch median", "tritorch/torch",
           "throughput", "torch throughput", "roofline share", "status", "note")
SMOKE_COLUMNS = ("family", "case", "shape", "dtype", "status", "note")
WALL_COLUMNS = ("case", "shape", "tritorch median (p20-p80)", "torch median", "numpy median", "tritorch/torch",
                "target", "met", "status", "note")


def stem(meta: dict) -> str:
    return f"{meta['date'][:10]}-{meta['device']}"


def summary(rows: list[dict]) -> dict:
    return dict(Counter(r["status"] for r in rows))


def write(out: Path, meta: dict, peaks: dict | None, rows: list[dict]) -> list[Path]:
    """Write the JSON, the markdown table and (when matplotlib imports) the plots; their paths."""
    out.mkdir(parents=True, exist_ok=True)
    base = out / stem(meta)
    doc = {"meta": meta, "peaks": peaks, "summary": summary(rows), "results": rows}
    base.with_suffix(".json").write_text(json.dumps(doc, indent=1) + "\n")
    plots, plot_note = write_plots(base, meta, peaks, rows)
    base.with_suffix(".md").write_text(markdown(meta, peaks, rows, plots, plot_note))
    return [base.with_suffix(".json"), base.with_suffix(".md"), *plots]


# --- markdown ---------------------------------------------------------------------------------

def us(stats: dict | None) -> str:
    """A time in us or ms, three significant figures."""
    if not stats:
        return ""
    t = stats["median_us"]
    return f"{_sig(t / 1e3)} ms" if t >= 1e3 else f"{_sig(t)} us"


def spread(stats: dict | None) -> str:
    if not stats:
        return ""
    lo, hi = stats["p20_us"], stats["p80_us"]
    scale = 1e3 if stats["median_us"] >= 1e3 else 1
    return f"{us(stats)} ({_sig(lo / scale)}-{_sig(hi / scale)})"


def _sig(v: float) -> str:
    """Three significant figures, never in exponent form."""
    return f"{v:.0f}" if v >= 100 else f"{v:.3g}"


def number(x, fmt: str = ".3g", suffix: str = "") -> str:
    return "" if x is None else f"{x:{fmt}}{suffix}"


def _cells(r: dict, kind: str) -> tuple:
    if kind == "smoke":
        return r["family"], r["case"], r["shape"], r["dtype"], r["status"], r["note"]
    if kind == "wall":
        met = {True: "pass", False: "FAIL", None: ""}[r.get("target_met")]
        return (r["case"], r["shape"], spread(r["tritorch"]), us(r["torch"]), us(r.get("numpy")),
                number(r["ratio"], ".2f", "x"), r.get("target") or "", met, r["status"], r["note"])
    unit = f" {r['unit']}" if r.get("unit") else ""
    share = None if r["roofline_share"] is None else 100 * r["roofline_share"]
    return (r["case"], r["shape"], r["dtype"], spread(r["tritorch"]), us(r["torch"]), number(r["ratio"], ".2f", "x"),
            number(r["throughput"], ".3g", unit), number(r.get("torch_throughput"), ".3g", unit),
            number(share, ".0f", "%"), r["status"], r["note"])


def table(rows: list[dict], kind: str) -> list[str]:
    """A markdown table of rows of one kind: "kernel" (the families), "wall" (overhead, training)
    or "smoke" (interpreter launches, no times)."""
    columns = {"kernel": COLUMNS, "wall": WALL_COLUMNS, "smoke": SMOKE_COLUMNS}[kind]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in _cells(r, kind)) + " |")
    return lines


def markdown(meta: dict, peaks: dict | None, rows: list[dict], plots: list[Path], plot_note: str) -> str:
    counts = summary(rows)
    lines = [f"# tritorch bench: {meta['date']}, {meta['device']}", "",
             ", ".join(f"{k}: {v}" for k, v in meta.items() if k not in ("date",) and v is not None), "",
             "Results: " + ", ".join(f"{counts.get(s, 0)} {s}" for s in ("measured", "smoke", "skipped", "failed")), ""]
    if meta["device"] == "cpu":
        lines += [f"cpu device: tritorch's numpy backend against torch's cpu, torch.set_num_threads("
                  f"{meta.get('torch_threads')}) and numpy's BLAS on {meta.get('numpy_blas_threads')} thread(s); "
                  "host wall time, no roofline. "
                  "`smoke` rows ran the cuda kernels once under Triton's interpreter: not a speed figure.", ""]
    if peaks:
        lines += ["Roofline peaks measured at the start: " + number(peaks.get("bandwidth_gbps"), ".0f", " GB/s") +
                  "; matmul " + ", ".join(f"{k} {v:.0f} TFLOP/s" for k, v in peaks.get("tflops", {}).items()) +
                  f" ({peaks.get('note', '')})", ""]
    lines += ["Times are medians (p20-p80) per call; tritorch/torch < 1 means tritorch is faster. A wrong answer "
              "is a `failed` row, never a time.", ""]
    for section in dict.fromkeys(map(_section, rows)):
        mine = [r for r in rows if _section(r) == section]
        kind = "smoke" if section == SMOKE else "wall" if section in ("overhead", "training") else "kernel"
        lines += [f"## {section}", "", *table(mine, kind), ""]
    lines += ["## plots", ""] + ([f"![{p.stem}]({p.name})" for p in plots] or [plot_note]) + [""]
    return "\n".join(lines)


SMOKE = "interpreter smoke (cuda kernels under Triton's interpreter: not a speed figure)"


def _section(row: dict) -> str:
    """The markdown section of a row: its family; interpreter smoke rows together at the end."""
    return SMOKE if row["status"] == "smoke" else row["family"]


# --- plots ------------------------------------------------------------------------------------

def write_plots(base: Path, meta: dict, peaks: dict | None, rows: list[dict]) -> tuple[list[Path], str]:
    """The PNG plots, or ([], why they were skipped)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return [], "plots skipped: matplotlib not installed (pip install -e '.[bench]')"
    done = []
    for name, draw in (("matmul", _matmul_plot), ("softmax", _softmax_plot), ("overhead", _overhead_plot)):
        fig, ax = plt.subplots(figsize=(7, 4.5))
        if draw(ax, peaks, [r for r in rows if r["family"] == name and r["status"] == "measured"]):
            ax.set_title(f"{name}: {meta['device']} {meta.get('gpu', meta.get('cpu', ''))}", fontsize=9)
            ax.legend(fontsize=7)
            fig.tight_layout()
            path = base.parent / f"{base.name}-{name}.png"
            fig.savefig(path, dpi=110)
            done.append(path)
        plt.close(fig)
    return done, "plots skipped: nothing measured to plot"


def _lines(ax, rows, x_of, label):
    """tritorch (solid) and torch (dashed) throughput against x, one colour per dtype/op group."""
    groups = dict.fromkeys(label(r) for r in rows)
    for i, g in enumerate(groups):
        pts = sorted((x_of(r), r["throughput"], r["torch_throughput"]) for r in rows if label(r) == g)
        xs = [p[0] for p in pts]
        ax.plot(xs, [p[1] for p in pts], "o-", color=f"C{i}", label=f"tritorch {g}")
        ax.plot(xs, [p[2] for p in pts], "s--", color=f"C{i}", label=f"torch {g}")
    ax.set_xscale("log", base=2)
    return groups


def _matmul_plot(ax, peaks, rows) -> bool:
    rows = [r for r in rows if r["case"] == "square"]
    if not rows:
        return False
    groups = _lines(ax, rows, lambda r: int(r["shape"].split("x")[0]), lambda r: r["dtype"])
    for i, g in enumerate(groups):
        peak = (peaks or {}).get("tflops", {}).get(g)
        if peak:
            ax.axhline(peak, color=f"C{i}", linestyle=":", label=f"roofline {g} (torch peak)")
    ax.set_xlabel("square size n (n x n x n)")
    ax.set_ylabel("TFLOP/s")
    return True


def _softmax_plot(ax, peaks, rows) -> bool:
    if not rows:
        return False
    _lines(ax, rows, lambda r: int(r["shape"].split("x")[1]), lambda r: f"{r['case']} {r['dtype']}")
    if peaks and peaks.get("bandwidth_gbps"):
        ax.axhline(peaks["bandwidth_gbps"], color="k", linestyle=":", label="roofline (device copy)")
    ax.set_xlabel("N (row length)")
    ax.set_ylabel("GB/s")
    return True


def _overhead_plot(ax, peaks, rows) -> bool:
    if not rows:
        return False
    names = [r["case"] for r in rows]
    series = [("tritorch", [r["tritorch"]["median_us"] for r in rows]),
              ("torch", [r["torch"]["median_us"] for r in rows])]
    if all(r.get("numpy") for r in rows):
        series.append(("numpy", [r["numpy"]["median_us"] for r in rows]))
    width = 0.8 / len(series)
    for i, (label, values) in enumerate(series):
        ax.bar([j + i * width for j in range(len(rows))], values, width, label=label)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(rows))], names, rotation=60, ha="right", fontsize=7)
    if rows[0]["device"] == "cpu":
        for mode, target in (("autograd off", 8), ("recording", 15)):
            ax.axhline(target, color="k", linestyle=":" if target == 8 else "--", label=f"target {mode}: {target} us")
    ax.set_yscale("log")
    ax.set_ylabel("wall time per call (us)")
    return True
