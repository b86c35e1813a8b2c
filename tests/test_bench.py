"""`python -m bench`: the cpu run end to end (as CI runs it), and its GPU-only code on the cpu with
the GPU parts faked (do_bench, torch.cuda, nvidia-smi), so none of it first runs on a lent GPU."""
import importlib.util
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest
import torch
import triton.testing

import tritorch
from bench import __main__ as cli
from bench import cases, device_info, families, overhead, peaks, report, timing
from bench.cases import Case, Context

ROOT = Path(__file__).resolve().parent.parent
ROW_KEYS = {"family", "case", "shape", "dtype", "device", "tritorch", "torch", "ratio", "throughput", "unit",
            "roofline_share", "status", "note"}


def fake_timer(us):
    """A `timer(fn, quick)` that calls fn once (so the op really runs) and reports `us`."""
    def timer(fn, quick):
        fn()
        return timing.Stats(us, 0.9 * us, 1.1 * us, 3)
    return timer


def test_quick_elementwise_run_writes_json_and_markdown(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "bench", "--quick", "--only", "elementwise", "--device", "cpu",
                          "--out", str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    [js], [md] = list(tmp_path.glob("*-cpu.json")), list(tmp_path.glob("*-cpu.md"))
    doc = json.loads(js.read_text())
    for key in ("date", "device", "tritorch_commit", "torch", "triton", "numpy", "cpu", "cpu_cores", "torch_threads"):
        assert key in doc["meta"], key
    assert doc["meta"]["device"] == "cpu"
    assert str(doc["meta"]["torch_threads"]) == doc["meta"]["numpy_blas_threads"]  # the same cores on both sides
    rows = doc["results"]
    assert all(ROW_KEYS <= set(r) for r in rows)
    measured = [r for r in rows if r["status"] == "measured"]
    assert {r["case"] for r in measured} >= {"add", "mul", "gelu"}
    for r in measured:
        assert r["family"] == "elementwise" and r["device"] == "cpu" and r["unit"] == "GB/s"
        assert 0 < r["tritorch"]["p20_us"] <= r["tritorch"]["median_us"] <= r["tritorch"]["p80_us"]
        assert r["ratio"] == pytest.approx(r["tritorch"]["median_us"] / r["torch"]["median_us"])
    text = md.read_text()
    if not torch.cuda.is_available():  # the cuda kernels ran once, interpreted
        smoke = [r for r in rows if r["status"] == "smoke"]
        assert {r["case"] for r in smoke} == {r["case"] for r in measured}
        assert {(r["family"], r["device"]) for r in smoke} == {("elementwise", "cuda")}
        assert "## interpreter smoke" in text and "| elementwise | add | 1000 | float32 | smoke |" in text
    assert "## elementwise" in text and "| add | 262144 | float32 |" in text
    assert "plots skipped" in text or "![" in text
    assert out.stderr.count("[  ") >= len(rows)  # a progress line per case


def test_wrong_answer_is_a_failure_not_a_time():
    wrong = Case("elementwise", "0.1% off", "8", "float32", lambda: [np.ones(8, "float32")],
                 lambda m, x: x * 1.001 if m is tritorch else x)
    row = cases.run(wrong, Context("cpu", quick=True, timer=fake_timer(1.0)))
    assert row["status"] == "failed" and row["tritorch"] is None and "differ from torch's" in row["note"]
    bad_dtype = Case("elementwise", "dtype", "8", "float32", lambda: [np.ones(8, "float32")],
                     lambda m, x: x.double() if m is tritorch else x)
    assert "dtype" in cases.run(bad_dtype, Context("cpu", quick=True))["note"]


def test_failure_makes_the_exit_status_nonzero(tmp_path, monkeypatch):
    fake = types.SimpleNamespace(NAME="fake", cases=lambda ctx: [
        Case("fake", "wrong", "4", "float32", lambda: [np.arange(4, dtype="float32")],
             lambda m, x: x + (1 if m is tritorch else 0))])
    monkeypatch.setattr(families, "MODULES", (fake,))
    monkeypatch.setattr(families, "NAMES", ("fake",))
    assert cli.main(["--only", "fake", "--device", "cpu", "--out", str(tmp_path)]) == 1
    doc = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert [r["status"] for r in doc["results"]] == ["failed"]

    def broken(ctx):
        raise RuntimeError("case table bug")
        yield
    rows = list(cli.rows_of(types.SimpleNamespace(NAME="broken", cases=broken), Context("cpu")))
    assert [(r["family"], r["status"], r["note"]) for r in rows] == [
        ("broken", "failed", "RuntimeError: case table bug")]


def test_random_draws_checked_by_moments():
    ctx = Context("cpu", quick=True, timer=fake_timer(1.0))
    draw = Case("random", "rand", "4096", "float32", lambda: [np.zeros(4096, "float32")],
                lambda m, x: m.rand_like(x), check="moments")
    assert cases.run(draw, ctx)["status"] == "measured"
    shifted = Case("random", "rand+0.1", "4096", "float32", lambda: [np.zeros(4096, "float32")],
                   lambda m, x: m.rand_like(x) + (0.1 if m is tritorch else 0), check="moments")
    assert "mean" in cases.run(shifted, ctx)["note"]


def test_do_bench_wrapper(monkeypatch):
    calls = []

    def do_bench(fn, warmup, rep, quantiles):
        calls.append((warmup, rep, tuple(quantiles)))
        fn()
        return [0.5, 0.4, 0.7]  # ms
    monkeypatch.setattr(triton.testing, "do_bench", do_bench)
    ran = []
    stats = timing.gpu(lambda: ran.append(1), quick=False)
    assert (stats.median_us, stats.p20_us, stats.p80_us) == pytest.approx((500, 400, 700))
    assert calls == [(25, 100, (0.5, 0.2, 0.8))] and ran == [1]
    timing.gpu(lambda: None, quick=True)
    assert calls[-1][:2] == (5, 20)


def test_wall_timing_synchronises_each_batch():
    syncs = []
    stats = timing.wall(lambda: sum(range(50)), budget_s=0.01, sync=lambda: syncs.append(1), min_samples=3)
    assert stats.samples >= 3 and len(syncs) >= stats.samples + 2
    assert 0 < stats.p20_us <= stats.median_us <= stats.p80_us


def test_peaks_and_roofline(monkeypatch):
    seen = []

    def timer(fn, quick):
        seen.append(torch.backends.cuda.matmul.allow_tf32)
        fn()
        return timing.Stats(1000.0, 900.0, 1100.0, 3)  # 1 ms per call
    before = torch.backends.cuda.matmul.allow_tf32
    got = peaks.measure(True, timer=timer, device="cpu", copy_mib=1, n=64)
    assert got.bandwidth_gbps == pytest.approx(2 * 2 ** 20 / 1e-3 / 1e9)
    assert set(got.tflops) == set(peaks.MATMUL_DTYPES)
    assert got.tflops["float16"] == pytest.approx(2 * 64 ** 3 / 1e-3 / 1e12)
    assert seen == [before, False, True, False, False] and torch.backends.cuda.matmul.allow_tf32 == before
    p = peaks.Peaks(bandwidth_gbps=3000.0, tflops={"float16": 800.0})
    assert peaks.roofline(p, "float16", nbytes=10 ** 9, flops=0) == ("GB/s", 3000.0)
    unit, bound = peaks.roofline(p, "float16", nbytes=10 ** 6, flops=10 ** 12)  # compute-bound
    assert (unit, bound) == ("TFLOP/s", 800.0)
    assert peaks.roofline(p, "float16", nbytes=10 ** 9, flops=10 ** 9)[1] == pytest.approx(3.0)  # 1 FLOP/B
    assert peaks.share(400.0, ("TFLOP/s", 800.0)) == 0.5
    assert peaks.roofline(None, "float16", 1, 1) is None and peaks.share(1.0, None) is None


def test_gpu_case_path_with_faked_gpu(monkeypatch):
    """cases.run as on a GPU: kernel timer, tf32 switch around the case, throughput, roofline."""
    monkeypatch.setattr(Context, "gpu", property(lambda self: True))
    ctx = Context("cpu", quick=True, peaks=peaks.Peaks(bandwidth_gbps=100.0, tflops={"float32": 1.0}),
                  timer=fake_timer(10.0))
    a = np.ones((8, 8), "float32")
    row = cases.run(Case("matmul", "square", "8x8x8", "float32", lambda: [a, a], lambda m, x, y: x @ y,
                         nbytes=768, flops=1024, reduction_len=8), ctx)
    assert row["status"] == "measured" and row["unit"] == "TFLOP/s"
    assert row["throughput"] == pytest.approx(1024 / 10e-6 / 1e12)
    bound = min(1.0, 1024 / 768 * 100.0 / 1e3)
    assert row["roofline"] == pytest.approx(bound) and row["roofline_share"] == pytest.approx(row["throughput"] / bound)
    assert row["ratio"] == pytest.approx(1.0)


def test_device_info_with_faked_gpu(monkeypatch):
    fake = types.SimpleNamespace(
        get_device_properties=lambda i: types.SimpleNamespace(total_memory=141 * 2 ** 30),
        get_device_name=lambda i=None: "NVIDIA H200", get_device_capability=lambda i=None: (9, 0))
    monkeypatch.setattr(torch, "cuda", fake)
    monkeypatch.setattr(torch.version, "cuda", "12.8")
    monkeypatch.setattr(device_info, "_run", lambda *cmd: "570.1" if cmd[0] == "nvidia-smi" else "abc123")
    info = device_info.collect("cuda")
    assert (info["gpu"], info["capability"], info["driver"], info["cuda"]) == ("NVIDIA H200", "9.0", "570.1", "12.8")
    assert info["gpu_memory_gib"] == 141.0 and info["tritorch_commit"].startswith("abc123")
    assert "gpu" not in device_info.collect("cpu")


def test_overhead_targets():
    cpu, gpu = Context("cpu"), Context("cuda")
    assert overhead.target(cpu, "off", 7.9, 1.0) == ("<= 8 us", True)
    assert overhead.target(cpu, "recording", 15.1, 1.0)[1] is False
    assert overhead.target(gpu, "off", 9.0, 5.0) == ("<= 2x torch", True)
    assert overhead.target(gpu, "off", 11.0, 5.0)[1] is False


def test_unlanded_family_is_a_skip_line_until_it_lands(monkeypatch):
    norms = next(m for m in families.MODULES if m.NAME == "norms")
    [row] = list(norms.cases(Context("cpu", quick=True)))
    if row["status"] == "skipped":
        assert "layer_norm" in row["note"]
    monkeypatch.setattr(tritorch, "nn", types.SimpleNamespace(functional=types.SimpleNamespace(layer_norm=print)),
                        raising=False)
    assert all(isinstance(c, Case) for c in norms.cases(Context("cpu", quick=True)))


def test_report_without_and_with_matplotlib(tmp_path, monkeypatch):
    meta = {"date": "2026-01-02T03:04:05+00:00", "device": "cuda", "gpu": "H200"}
    stats = timing.Stats(10.0, 9.0, 11.0, 3).as_dict()
    rows = [cases.result("matmul", "square", f"{n}x{n}x{n}", "float16", "cuda", "measured", tritorch=stats,
                         torch=stats, ratio=1.0, throughput=n / 10, torch_throughput=n / 9, unit="TFLOP/s",
                         roofline_share=0.5) for n in (256, 512)]
    rows.append(cases.skipped("conv", "(family)", "not landed yet"))
    if importlib.util.find_spec("matplotlib") is not None:
        paths = report.write(tmp_path, meta, None, rows)
        assert [p.name for p in paths[2:]] == ["2026-01-02-cuda-matmul.png"]
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed (restored after)
    paths = report.write(tmp_path, meta, {"bandwidth_gbps": 4000.0, "tflops": {"float16": 700.0}}, rows)
    text = (tmp_path / "2026-01-02-cuda.md").read_text()
    assert "plots skipped: matplotlib not installed" in text and "4000 GB/s" in text and "| 50% |" in text
    assert len(paths) == 2 and json.loads(paths[0].read_text())["summary"] == {"measured": 2, "skipped": 1}
