"""The one list of kernel families. A family F is `reference/F.py` (numpy) and `kernels/F.py`
(Triton), flat modules of primitives with the same names and signatures; `reference`,
`kernels`, `backend` and the tests read this list, so a new family is one entry here plus
its modules (see docs/ARCHITECTURE.md). A leaf: it imports nothing."""

FAMILIES: tuple[str, ...] = ("elementwise", "copy", "reduction", "softmax", "matmul", "index", "random")
