"""`python -m tritorch.validate`: the quick grid passes with a row for every primitive on each
device; the flags select rows; a wrong kernel, a stray write, a missing case builder and a
pending kernel each show in the verdicts and the exit status."""
import json
import subprocess
import sys

import numpy as np
import pytest

from tritorch import backend, dtypes, reference, validate
from harness import PENDING


def rows_of(tmp_path, *argv):
    path = tmp_path / "rows.json"
    status = validate.main([*argv, "--json", str(path)])
    return status, json.loads(path.read_text())


def test_quick_run_has_a_passing_row_for_every_primitive_on_each_device(tmp_path):
    path = tmp_path / "quick.json"
    done = subprocess.run([sys.executable, "-m", "tritorch.validate", "--quick", "--json", str(path)],
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    report = json.loads(path.read_text())
    verdicts = {}
    for r in report["rows"]:
        verdicts.setdefault((r["device"], r["family"], r["primitive"]), set()).add(r["verdict"])
    for family in backend.FAMILIES:
        for primitive in backend.primitives(getattr(reference, family)):
            for device in ("cpu", "cuda"):
                want = "pending" if device == "cuda" and primitive in PENDING.get(family, ()) else "pass"
                got = verdicts.get((device, family, primitive), set())
                assert want in got, f"{device} {family}.{primitive}: verdicts {got or 'none'}, want a {want} row"
    assert report["summary"]["fail"] == 0 and report["summary"]["rows"] == len(report["rows"])
    assert "verdict" in done.stdout.splitlines()[0]


def test_flags_select_family_dtype_and_device(tmp_path):
    status, report = rows_of(tmp_path, "--family", "softmax,copy", "--dtype", "float16,int8", "--device", "cpu")
    assert status == 0
    rows = report["rows"]
    assert {r["family"] for r in rows} == {"softmax", "copy"}
    assert {r["dtype"] for r in rows} == {"float16", "int8"}
    assert {r["device"] for r in rows} == {"cpu"}
    assert {"transposed", "sliced", "broadcast", "inplace"} <= {r["layout"] for r in rows}


def test_op_flag_takes_primitive_or_op_names_and_quick_prunes(tmp_path):
    status, report = rows_of(tmp_path, "--op", "log_softmax,maximum", "--quick")
    assert status == 0
    picked = {(r["family"], r["primitive"]) for r in report["rows"]}
    assert picked == {("softmax", "log_softmax"), ("elementwise", "binary")}
    assert all(r["case"].startswith("maximum") for r in report["rows"] if r["primitive"] == "binary")
    assert {r["layout"] for r in report["rows"]} <= {"contiguous", "transposed"}
    assert {r["device"] for r in report["rows"]} == {"cpu", "cuda"}


def test_unknown_names_are_refused():
    with pytest.raises(SystemExit, match="unknown family nope"):
        validate.main(["--family", "nope"])
    with pytest.raises(SystemExit, match="unknown dtype float8"):
        validate.main(["--dtype", "float8"])


def test_a_wrong_kernel_fails_its_rows_and_the_exit_status(tmp_path, monkeypatch):
    kernels = backend.cuda_backend().softmax
    monkeypatch.setattr(kernels, "softmax", kernels.log_softmax)
    status, report = rows_of(tmp_path, "--op", "softmax", "--dtype", "float32", "--quick")
    assert status == 1
    verdicts = {(r["device"], r["verdict"]) for r in report["rows"]}
    assert verdicts == {("cpu", "pass"), ("cuda", "fail")}
    assert report["summary"]["failed"] == ["cuda:softmax.softmax"]


def test_a_write_outside_the_output_fails(tmp_path, monkeypatch):
    kernels = backend.cuda_backend().copy
    right = kernels.copy

    def sloppy(src, out):
        right(src, out)
        out.buffer[out.offset - 1] = 0  # the padding just before the view
    monkeypatch.setattr(kernels, "copy", sloppy)
    status, report = rows_of(tmp_path, "--op", "copy", "--dtype", "int32", "--quick", "--device", "cuda")
    assert status == 1
    bad = [r for r in report["rows"] if r["verdict"] == "fail"]
    assert bad and all(r["note"] == "wrote outside its outputs" for r in bad)


def test_a_primitive_without_cases_fails_and_a_pending_one_is_listed(tmp_path, monkeypatch):
    monkeypatch.delitem(validate.CASES, ("softmax", "log_softmax"))
    monkeypatch.setattr(backend.cuda_backend().softmax, "softmax", backend._pending("softmax", "softmax"))
    status, report = rows_of(tmp_path, "--family", "softmax", "--quick")
    assert status == 1
    by = {(r["device"], r["primitive"]): r for r in report["rows"]}
    assert by["cpu", "log_softmax"]["verdict"] == by["cuda", "log_softmax"]["verdict"] == "fail"
    assert "no case builder" in by["cuda", "log_softmax"]["note"]
    assert by["cuda", "softmax"]["verdict"] == "pending"
    assert by["cpu", "softmax"]["verdict"] == "pass"


def test_compare_follows_the_tolerance_rule():
    f32 = dtypes.float32
    rtol = validate.tolerance(f32, 4)[0]
    want = np.array([1.0, np.nan, -np.inf, 0.0], np.float32)
    assert validate.compare(want.copy(), want, f32, 4).ok
    near = want.copy()
    near[0] = 1 + 0.9 * 2 * rtol  # within atol + rtol * |want|
    assert validate.compare(near, want, f32, 4).ok
    near[0] = 1 + 1.1 * 2 * rtol
    err = validate.compare(near, want, f32, 4)
    assert not err.ok and err.abs == pytest.approx(float(near[0]) - 1)
    swapped = want.copy()
    swapped[1], swapped[3] = 0.0, np.nan  # a NaN where a number belongs
    assert not validate.compare(swapped, want, f32, 4).ok
    ints = np.array([3, -2], np.int64)
    assert not validate.compare(ints + np.array([0, 1]), ints, dtypes.int64, 1).ok


def test_every_layout_stores_the_values_it_claims():
    values = np.arange(12, dtype=np.float32).reshape(3, 4)
    for layout in ("contiguous", "transposed", "sliced", "broadcast"):
        s = validate.store(values, dtypes.float32, layout)
        seen = np.lib.stride_tricks.as_strided(s.flat[s.offset:], values.shape,
                                               tuple(st * 4 for st in s.strides))
        np.testing.assert_array_equal(seen, s.values)
    assert validate.store(values, dtypes.float32, "broadcast").strides[0] == 0
    assert validate.store(values, dtypes.float32, "sliced").strides == (9, 2)
