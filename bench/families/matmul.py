"""matmul: square sizes, LLM projection shapes, small M (decode), batched; float32, tf32,
float16, bfloat16. Compute-bound at large sizes: 2*M*N*K FLOPs; bytes count each operand once.
A is scaled by 1/sqrt(K), as a model's initialisation does, so results are O(1): the tolerance
rule's absolute term is in units of 1, and rounding errors grow with the terms' size."""
from __future__ import annotations

from ..cases import ITEMSIZE, Case, normal, skipped

NAME = "matmul"


def shapes(ctx) -> list[tuple[str, int, int, int, int]]:
    """(kind, batch, M, N, K)."""
    if ctx.smoke:
        return [("square", 1, 16, 16, 16), ("batched", 2, 16, 32, 16)]
    if ctx.gpu:
        square = (1024, 4096) if ctx.quick else (256, 512, 1024, 2048, 4096, 8192)
        other = [("LLM", 1, 4096, 11008, 4096), ("small M", 1, 16, 4096, 4096), ("batched", 32, 1024, 1024, 128)]
        if not ctx.quick:
            other += [("LLM", 1, 4096, 4096, 11008), ("small M", 1, 1, 4096, 4096)]
    else:
        square = (256,) if ctx.quick else (128, 256, 512)
        other = [("small M", 1, 16, 1024, 1024), ("batched", 8, 128, 128, 64)]
    return [("square", 1, n, n, n) for n in square] + other


def tf32_switch(tritorch):
    """tritorch's TF32 switch, when it has one (PyTorch's name: backends.cuda.matmul.allow_tf32)."""
    matmul = getattr(getattr(getattr(tritorch, "backends", None), "cuda", None), "matmul", None)
    return matmul if matmul is not None and hasattr(matmul, "allow_tf32") else None


def cases(ctx):
    import tritorch
    dtypes = list(ctx.dtypes)
    if "float32" in dtypes and not ctx.smoke:
        if tf32_switch(tritorch) is None or not ctx.gpu:
            yield skipped(NAME, "tf32", "tritorch has no tf32 switch (backends.cuda.matmul.allow_tf32)"
                          if tf32_switch(tritorch) is None else "tf32 is a GPU mode")
        else:
            dtypes.insert(dtypes.index("float32") + 1, "tf32")
    for kind, b, m, n, k in shapes(ctx):  # shapes outer: the cached inputs of a shape serve every dtype
        for dtype in dtypes:
            lead = (b,) if b > 1 else ()
            arrays = lambda lead=lead, m=m, n=n, k=k: [normal(7, lead + (m, k)) / k ** 0.5,
                                                       normal(8, lead + (k, n))]
            size = ITEMSIZE[dtype]
            yield Case(NAME, kind, f"{b}x{m}x{n}x{k}" if b > 1 else f"{m}x{n}x{k}", dtype, arrays,
                       _tf32_op(tritorch) if dtype == "tf32" else (lambda lib, a, b: a @ b),
                       nbytes=b * (m * k + k * n + m * n) * size, flops=2 * b * m * n * k, reduction_len=k,
                       torch_dtype="float32" if dtype == "tf32" else None)


def _tf32_op(tritorch):
    def op(lib, a, b):
        if lib is not tritorch:
            return a @ b  # torch's switch is set around the whole case by cases.run
        switch = tf32_switch(tritorch)
        saved, switch.allow_tf32 = switch.allow_tf32, True
        try:
            return a @ b
        finally:
            switch.allow_tf32 = saved
    return op
