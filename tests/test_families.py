"""One list of kernel families (`tritorch.families.FAMILIES`): the backends, the pending list and
the package's modules all agree with it."""
import pathlib

import tritorch
from tritorch import backend, families, kernels, reference
from harness import PENDING

PACKAGE = pathlib.Path(tritorch.__file__).parent


def _modules(folder: str) -> set[str]:
    return {p.stem for p in (PACKAGE / folder).glob("*.py") if p.stem != "__init__"}


def test_backend_and_reference_serve_every_family():
    assert backend.FAMILIES is families.FAMILIES
    assert len(set(families.FAMILIES)) == len(families.FAMILIES)
    for family in families.FAMILIES:
        assert getattr(reference, family).__name__ == f"tritorch.reference.{family}"
        assert hasattr(backend.cuda_backend(), family)


def test_pending_list_has_one_entry_per_family():
    assert set(PENDING) == set(families.FAMILIES)


def test_every_reference_module_is_a_family():
    for name in _modules("reference") - {"memory"}:
        assert name in families.FAMILIES, f"tritorch/reference/{name}.py is not in tritorch.families.FAMILIES"


def test_every_kernel_module_is_a_family_a_helper_or_a_part_of_a_family():
    assert not set(kernels.HELPERS) & set(families.FAMILIES)
    assert set(kernels.PARTS.values()) <= set(families.FAMILIES)
    for name in _modules("kernels") - {"memory"}:
        assert name in families.FAMILIES or name in kernels.HELPERS or name in kernels.PARTS, (
            f"tritorch/kernels/{name}.py is neither a family (tritorch.families.FAMILIES) nor a helper or a "
            "part of a family (tritorch.kernels.HELPERS, PARTS)")


def test_every_family_module_that_exists_is_loaded():
    for name in _modules("kernels") & set(families.FAMILIES):
        assert getattr(kernels, name).__name__ == f"tritorch.kernels.{name}"
