"""Every reference primitive has a Triton twin with the same signature, or is listed as pending;
the cuda device raises a NotImplementedError naming a pending primitive; torch stays memory."""
import ast
import inspect
import pathlib

import pytest

import tritorch
from tritorch import backend, kernels, reference
from harness import PENDING

PACKAGE = pathlib.Path(tritorch.__file__).parent


@pytest.mark.parametrize("family", backend.FAMILIES)
def test_every_reference_primitive_has_a_kernel_or_is_pending(family):
    ref = getattr(reference, family)
    mod = getattr(kernels, family, None)
    for name in backend.primitives(ref):
        has_kernel = mod is not None and callable(getattr(mod, name, None))
        if name in PENDING[family]:
            assert not has_kernel, f"{family}.{name} has a kernel now: remove it from harness.PENDING"
        else:
            assert has_kernel, f"reference primitive {family}.{name} has no Triton kernel and is not pending"
            assert inspect.signature(getattr(mod, name)).parameters.keys() == \
                inspect.signature(getattr(ref, name)).parameters.keys(), f"{family}.{name}: signatures differ"


def test_pending_list_names_only_reference_primitives():
    for family, names in PENDING.items():
        assert names <= set(backend.primitives(getattr(reference, family))), family


def test_pending_primitive_raises_naming_it(monkeypatch):
    """A primitive whose kernel has not landed raises, naming it, when called directly and when
    a Tensor op reaches it (sort's primitive made pending here: any real one may land)."""
    stub = backend._pending("reduction", "sort")
    assert stub.pending
    with pytest.raises(NotImplementedError, match=r"no Triton kernel for primitive reduction\.sort yet"):
        stub(None, 0, False, True, None, None)
    x = tritorch.ones(2, 2, device="cuda")
    monkeypatch.setattr(backend.cuda_backend().reduction, "sort", stub)
    with pytest.raises(NotImplementedError, match=r"primitive reduction\.sort .*run this op on the cpu"):
        x.sort()


def _torch_uses(path: pathlib.Path) -> tuple[bool, set[str]]:
    """Whether a module imports torch, and which `torch.<attr>` names it uses."""
    tree = ast.parse(path.read_text())
    imports = any(isinstance(n, (ast.Import, ast.ImportFrom)) and
                  any((a.name if isinstance(n, ast.Import) else (n.module or "")).split(".")[0] == "torch"
                      for a in (n.names if isinstance(n, ast.Import) else [n]))
                  for n in ast.walk(tree))
    attrs = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            chain = []
            while isinstance(node, ast.Attribute):
                chain.append(node.attr)
                node = node.value
            if isinstance(node, ast.Name) and node.id == "torch":
                attrs.update(chain)
    return imports, attrs


def test_torch_is_memory_not_math():
    memory_module = PACKAGE / "kernels" / "memory.py"
    for path in PACKAGE.rglob("*.py"):
        imports, attrs = _torch_uses(path)
        if path == memory_module:
            assert attrs <= kernels.memory.TORCH_ALLOWED, f"torch attributes outside the allow-list: {attrs - kernels.memory.TORCH_ALLOWED}"
        else:
            assert not imports, f"{path.relative_to(PACKAGE)} imports torch; only kernels/memory.py may"
