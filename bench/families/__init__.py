"""The families `python -m bench` knows, in report order. Each module has a `NAME` and either
`cases(ctx)` (yielding `cases.Case`s, or result rows for what it skips) or `results(ctx)`
(families that time whole-stack calls themselves). A family whose tritorch ops have not landed
says so with a skipped row, found by a feature test, so it lights up when they land."""
from __future__ import annotations

from . import elementwise, index, landing, matmul, random, reduction, scan, softmax
from .. import overhead, training

MODULES = (elementwise, reduction, scan, softmax, matmul, index, random, *landing.MODULES, overhead, training)
NAMES = tuple(m.NAME for m in MODULES)
SMOKE = ("elementwise", "reduction", "scan", "softmax", "matmul", "index", "random")
