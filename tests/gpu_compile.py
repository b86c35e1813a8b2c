"""Compile recorded kernel specialisations for the H100 (sm_90) without a GPU.

Run by test_gpu_compile.py in a subprocess without TRITON_INTERPRET, so that the kernels are
real JITFunctions: reads a JSON list of {"kernel": "module:name", "signature": {...},
"constexprs": {...}} on stdin and prints one JSON result per spec (shared memory or the error).
"""
import importlib
import json
import sys

import triton
import triton.language as tl
from triton.backends.compiler import GPUTarget
from triton.compiler import ASTSource

H100 = GPUTarget("cuda", 90, 32)


def decode(value):
    if isinstance(value, str) and value.startswith("tl."):
        return tl.dtype(value[3:])
    return value


def compile_one(spec: dict) -> dict:
    module, name = spec["kernel"].split(":")
    kernel = getattr(importlib.import_module(module), name)
    constexprs = {k: decode(v) for k, v in spec["constexprs"].items()}
    signature = dict(spec["signature"], **{k: "constexpr" for k in constexprs})
    attrs = {(i,): [["tt.divisibility", 16]] for i in spec["aligned"]}
    try:
        compiled = triton.compile(ASTSource(fn=kernel, signature=signature, constexprs=constexprs, attrs=attrs),
                                  target=H100, options={"num_warps": spec.get("num_warps", 4)})
    except Exception as e:  # report every compile error, the test names the specialisation
        return {"kernel": spec["kernel"], "constexprs": spec["constexprs"], "error": f"{type(e).__name__}: {e}"}
    return {"kernel": spec["kernel"], "constexprs": spec["constexprs"], "shared": compiled.metadata.shared}


if __name__ == "__main__":
    print(json.dumps([compile_one(s) for s in json.load(sys.stdin)]))
