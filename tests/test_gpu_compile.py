"""The interpreter accepts code the GPU compiler rejects (libdevice calls, non-constexpr globals,
small dot shapes). Record the specialisations a representative workload launches, compile each
for the H100 offline, and fail on a compile error or on shared memory above the H100's limit."""
import importlib
import inspect
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import tritorch
from tritorch import backend, kernels
from harness import record_launches
from helpers import assert_close

H100_SHARED_LIMIT = 227 * 1024
_CODES = {torch.float32: "fp32", torch.float16: "fp16", torch.bfloat16: "bf16", torch.float64: "fp64",
          torch.int64: "i64", torch.int32: "i32", torch.int16: "i16", torch.int8: "i8", torch.uint8: "u8",
          torch.bool: "i1"}


def workload():
    """Ops that reach every kernel family with a kernel, in each dtype class and code path."""
    for dtype in (tritorch.float32, tritorch.float16, tritorch.bfloat16, tritorch.float64, tritorch.int32,
                  tritorch.int64, tritorch.int8, tritorch.uint8, tritorch.bool):
        x = tritorch.tensor(np.arange(24).reshape(2, 3, 4) % 5, device="cuda").to(dtype)
        x.permute(2, 0, 1).contiguous()
        x.flip(1)
        x.sum(dim=1)
        x.to(tritorch.float32)
        tritorch.where(x > 1, x, x.flip(0))
        tritorch.zeros(3, dtype=dtype, device="cuda")
        tritorch.arange(5, dtype=dtype, device="cuda") if dtype is not tritorch.bool else None
        x.cummax(0)
        at = tritorch.tensor([[[2, 0, 2, 1], [0, 0, 1, 1]]], device="cuda").expand(2, 2, 4)
        x.scatter(1, at, x), x.scatter_add(1, at, x), x.scatter_add(1, at[:, :1], x)  # add: sorted runs; one per row
        x.scatter_reduce(1, at, x, "amax", include_self=False)
        x.scatter_reduce(1, at, x, "mean") if dtype is not tritorch.bool else None
        if dtype in (tritorch.float32, tritorch.int32):
            x.scatter_reduce(1, at, x, "sum"), x.scatter_reduce(1, at, x, "prod"), x.scatter_reduce(1, at, x, "amin")
            tritorch.bincount(x.reshape(-1).to(tritorch.int64)), x.histc(bins=4) if dtype.is_floating_point else None
        x.sort(1), x.sort(dim=0, descending=True), x.argsort(-1)
        x[:, [2, 0, -1]], x[x > 1], x.nonzero()  # index_get by storage offset; compaction, unravel
        picks = tritorch.tensor([1, 0, 1], device="cuda")
        x.clone().index_put_((picks,), x[[0, 1, 1]], accumulate=True)[picks, :, [3, 0, 3]] = x[0, 0, 0]
        x.max(1), x.min(0, keepdim=True), x.mode(2)
        tritorch.empty_like(x).mT.random_(0, 2).bernoulli_(0.5)  # random: every dtype, strided out
        tritorch.randint(-9, 9, (2, 2, 2, 2, 2), device="cuda").permute(4, 3, 2, 1, 0).random_(3)
        if dtype.is_floating_point:
            r = tritorch.empty_like(x)
            r.uniform_(), r.normal_(), r.exponential_(), r.bernoulli_(x.clamp(0, 1))
            tritorch.normal(x, x.abs())
        if dtype is not tritorch.bool:
            x.argmax(1), x.median(0), x.topk(2), x.kthvalue(2, 1)
        if dtype in (tritorch.float32, tritorch.int64):  # rows past a register block: merge passes
            tritorch.tensor(np.arange(1100) % 7, device="cuda").to(dtype).sort(descending=True)
        if dtype is tritorch.int64:
            tritorch.repeat_interleave(tritorch.tensor([2, 0, 3], device="cuda"))  # cumsum, then searchsorted
        if dtype.is_floating_point:
            x.mean(dim=(0, 2))
            x.amax(dim=0)
            y = x * x + 1
            (y / (x + 2)).exp().sqrt().tanh()
            (x > 1).any(dim=0)
            x.clamp(0.5, 2.0).lerp(y, 0.3).round(decimals=1)
            tritorch.isclose(x, y)
            x.softmax(-1) + x.log_softmax(0) + x.softmax(1, dtype=tritorch.float64).to(dtype)
            x @ x.mT
            x.cumsum(-1) + x.cumprod(0)
            x.logcumsumexp(-1) + x.cummin(1).values
            tritorch.searchsorted(tritorch.arange(4, device="cuda").to(dtype), x, right=True)
            x.gather(2, tritorch.tensor([[[3, 0]]], device="cuda").expand(2, 3, 2))
            x.reshape(-1).gather(0, tritorch.tensor([5, 1], device="cuda"))
            y.log() + y.log1p() + x.sin() + x.sigmoid() + x.expm1() + y.log10() + x.exp2()
            tritorch.fmod(x, y) + x % y + x // y + y ** x + y ** 2.5
            y ** 2 + y ** 3 + y ** -2 + y ** 0.5 + y.div(x + 3, rounding_mode="trunc") + x.relu()  # PyTorch's shortcuts
            x.round() + x.floor() + x.abs().rsqrt() + x.sign()
            x.var(1), x.std(dim=(0, 2), keepdim=True), x.logsumexp(-1), x.norm(), x.norm(3, 0)
            if dtype is tritorch.float32:
                x.norm(math.inf, 1), x.norm(-math.inf, 1), x.norm(0, 1), x.norm(1, 1), x.sum(0)  # x.sum(0): columns
                long = tritorch.ones(2 ** 13, device="cuda")  # long enough for the two-stage path
                long.sum(), long.var(), long.logsumexp(0), long.norm(3)
        elif dtype is not tritorch.bool:
            x // 2
            x // (x + 1)
            x % 3
            x & 1
            x.clamp(1, 3)
            x ** 3 + x ** (x % 3)
            x.cumsum(1) + x.cumprod(2)
            tritorch.searchsorted(tritorch.arange(4, device="cuda").to(dtype), x, out_int32=True)
            x.gather(1, tritorch.tensor([[[1], [0]]], device="cuda").expand(2, 2, 4))
            x.amax(dim=1) + x.amin(dim=0).sum() + x.prod(dim=2).sum()
            -x + x.abs() + (~x if dtype is not tritorch.uint8 else x)


def all_kernels() -> set[str]:
    """Every launchable kernel of tritorch/kernels (by convention named `_<what>_kernel`; other
    @triton.jit functions are device functions that kernels call)."""
    found = set()
    modules = [getattr(kernels, fam, None) for fam in backend.FAMILIES]
    modules += [importlib.import_module(f"{kernels.__name__}.{part}") for part in kernels.PARTS]
    for module in modules:
        for name, obj in (vars(module).items() if module is not None else ()):
            if name.endswith("_kernel") and hasattr(obj, "fn"):
                found.add(f"{module.__name__}:{name}")
    return found


def spec(kernel, args, kwargs) -> dict:
    fn = kernel.fn
    params = list(inspect.signature(fn).parameters.values())
    signature, constexprs, aligned = {}, {}, []
    for i, (p, value) in enumerate(zip(params, list(args) + [kwargs.get(p.name) for p in params[len(args):]])):
        if "constexpr" in str(p.annotation):
            constexprs[p.name] = f"tl.{value.name}" if hasattr(value, "name") and hasattr(value, "is_floating") \
                else value
        elif isinstance(value, torch.Tensor):
            signature[p.name] = "*" + _CODES[value.dtype]
            if value.data_ptr() % 16 == 0:
                aligned.append(i)
        elif isinstance(value, bool):
            signature[p.name] = "i1"
        elif "int64" in str(p.annotation):
            signature[p.name] = "i64"
        elif isinstance(value, int):
            signature[p.name] = "i32" if -2**31 <= value < 2**31 else "i64"
        elif isinstance(value, float):
            signature[p.name] = "fp32"
        else:
            raise TypeError(f"{fn.__name__}: cannot type argument {p.name}={value!r}")
    return {"kernel": f"{fn.__module__}:{fn.__name__}", "signature": signature, "constexprs": constexprs,
            "aligned": aligned, "num_warps": kwargs.get("num_warps", 4)}


def test_every_launched_specialisation_compiles_for_the_h100():
    with record_launches() as log:
        workload()
    specs = {json.dumps(spec(k, a, kw), sort_keys=True) for k, a, kw in log.calls}
    kernels = {json.loads(s)["kernel"] for s in specs}
    assert all_kernels() <= kernels, f"kernels the workload never launched: {all_kernels() - kernels}"
    env = {k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"}
    root = os.path.dirname(os.path.dirname(os.path.abspath(tritorch.__file__)))
    env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in [env.get("PYTHONPATH")] if p])
    run = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "gpu_compile.py")],
                         input="[" + ",".join(sorted(specs)) + "]", capture_output=True, text=True, env=env,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(run.stdout)
    assert len(results) == len(specs) >= 20, f"compiled {len(results)} of {len(specs)} specialisations"
    errors = [r for r in results if "error" in r]
    assert not errors, "\n".join(f"{r['kernel']} {r['constexprs']}: {r['error'][:500]}" for r in errors)
    too_big = [r for r in results if r["shared"] > H100_SHARED_LIMIT]
    assert not too_big, f"shared memory above the H100's {H100_SHARED_LIMIT} bytes: {too_big}"


@pytest.mark.gpu
def test_kernels_run_natively_on_large_shapes():
    host = tritorch.randn(4096, 4097)
    x = host.to("cuda")
    np.testing.assert_array_equal(x.t().contiguous().cpu().numpy(), host.numpy().T)
    assert_close(x.sum(dim=1).cpu(), host.numpy().astype(np.float64).sum(axis=1), reduction_len=4097,
                 check_dtype=False)



_PTX_OF = """
import importlib, json, sys
import triton
from triton.compiler import ASTSource
from gpu_compile import H100, decode
ptx = []
for spec in json.load(sys.stdin):
    module, name = spec["kernel"].split(":")
    constexprs = {k: decode(v) for k, v in spec["constexprs"].items()}
    source = ASTSource(fn=getattr(importlib.import_module(module), name), constexprs=constexprs,
                       signature=dict(spec["signature"], **{k: "constexpr" for k in constexprs}),
                       attrs={(i,): [["tt.divisibility", 16]] for i in spec["aligned"]})
    ptx.append(triton.compile(source, target=H100, options={"num_warps": spec["num_warps"]}).asm["ptx"])
print(json.dumps(ptx))
"""
DIVISION_64 = ("div.s64", "div.u64", "rem.s64", "rem.u64", "__internal")


def test_reductions_over_collapsed_dims_compile_without_64_bit_division():
    """Reductions whose rows and reduced elements each collapse to one dim (contiguous rows,
    column sums, stage 2 of the two-stage path) index without dividing; a view whose reduced
    dims do not collapse pays a 32-bit decomposition, never a 64-bit one (the control: the
    scan below sees its divisions)."""
    x = tritorch.ones(8, 2 ** 12, device="cuda")
    with record_launches() as log:
        x.sum(-1), x[:, :64].sum(0), x.var(-1), x.logsumexp(-1), x.norm(3, -1), x.reshape(-1).sum()
        x.reshape(2, 4, 64, 64).sum((1, 3))
    specs = [spec(k, a, kw) for k, a, kw in log.calls]
    flat = [s["constexprs"]["K_PATH"] != "general" and s["constexprs"]["M_PATH"] != "general" for s in specs]
    assert sum(flat) >= 7 and not all(flat)
    env = {k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"}
    root = os.path.dirname(os.path.dirname(os.path.abspath(tritorch.__file__)))
    env["PYTHONPATH"] = os.pathsep.join([root, os.path.dirname(__file__)] + [p for p in [env.get("PYTHONPATH")] if p])
    run = subprocess.run([sys.executable, "-c", _PTX_OF], input=json.dumps(specs), capture_output=True, text=True,
                         env=env, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    for s, is_flat, ptx in zip(specs, flat, json.loads(run.stdout)):
        found = [d for d in DIVISION_64 if d in ptx]
        assert not found, f"{s['kernel']} {s['constexprs']}: 64-bit division {found} in its PTX"
        assert is_flat == ("div.s32" not in ptx and "rem.s32" not in ptx and "div.u32" not in ptx
                           and "rem.u32" not in ptx), f"{s['constexprs']}: division where none was expected"
