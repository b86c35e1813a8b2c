"""Threads on the cpu: the comparison gives both sides the same cores. torch runs on `count()`
threads and so does numpy's BLAS (tritorch's cpu device), which reads these variables once, at
numpy's import: `bench/__main__.py` imports this module before anything imports numpy. Left
alone, OpenBLAS's two threads spin against each other on a busy 2-core machine: a 256^3 float32
matmul took 36 ms instead of 1.8 ms. Set OPENBLAS_NUM_THREADS=N to compare on N threads."""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def count() -> int:
    """The number of threads each library computes with on the cpu."""
    return int(os.environ["OPENBLAS_NUM_THREADS"])
