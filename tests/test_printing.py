"""`repr(tensor)` against PyTorch's, character for character ("torch." read as "tritorch.")."""
from __future__ import annotations

import numpy as np
import pytest

import tritorch
from tritorch import printing

torch = pytest.importorskip("torch")

_rng = np.random.default_rng(0)
NAN, INF = float("nan"), float("inf")

# (data, dtype name or None): each is built by tritorch.tensor and torch.tensor alike.
CASES = [
    ([1.0, 2.0, 3.0], None),                                  # integer-valued floats: "1."
    ([1.5, 2.25, -3.125], None),                              # 4 decimals
    ([0.1, 1e-5], None),                                      # scientific: min < 1e-4
    ([1e10, 1.0], None),                                      # scientific: max > 1e8
    ([1e-4, 1.0], None),                                      # float32 1e-4 is just below 1e-4
    ([[1.5e9, 2.0], [3.0, -4.0]], None),                      # scientific integers
    ([1e20, -1e-20], None),
    ([[1, 2], [3, 4]], None),                                 # int64: no dtype suffix
    ([123456789, -1], None),                                  # right-aligned widths
    ([True, False], None),
    ([[True, False, True]] * 2, None),
    (3.5, None),                                              # 0-d
    (7, None),
    (True, None),
    (-0.5, "float16"),                                        # 0-d with dtype suffix
    (np.zeros((0, 3), np.float32), None),                     # empty: size suffix
    (np.zeros((0,), np.int64), None),                         # empty int64 prints its dtype
    (np.zeros((2, 0, 3), np.float16), None),
    ([0.1, 0.2], "float16"),
    ([0.1, 2.5], "bfloat16"),
    ([1 / 3, 2.0], "float64"),
    ([1e-3, 5e-4], "float64"),
    ([1, -2], "int32"),
    ([1, 255], "uint8"),
    (np.zeros((3, 4), np.int8), None),
    ([NAN, INF, -INF, 1.0], None),                            # non-finite values keep no "."
    ([NAN, 1.5], None),
    ([-0.0, 1.0], None),
    ([0.0, 0.0], None),
    (np.arange(2000), None),                                  # summarised 1-D
    (np.arange(1001, dtype=np.float32) / 7, None),
    (_rng.standard_normal((40, 40)).astype(np.float32), None),   # summarised 2-D
    (_rng.standard_normal((10, 10, 10, 2)).astype(np.float32), None),  # summarised 4-D
    (np.arange(24.0).reshape(2, 3, 4).astype(np.float32), None),  # nested indentation
    ((np.arange(30) * 1.5).astype(np.float32), None),         # rows wrap at 80 characters
]


def _pair(data, dtype):
    return (tritorch.tensor(data, dtype=getattr(tritorch, dtype) if dtype else None),
            torch.tensor(data, dtype=getattr(torch, dtype) if dtype else None))


def _torch_repr(t) -> str:
    return repr(t).replace("torch.", "tritorch.")


@pytest.fixture
def restore_options():
    yield
    printing.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


@pytest.mark.parametrize("data, dtype", CASES)
def test_repr_matches_pytorch(data, dtype):
    ours, theirs = _pair(data, dtype)
    assert repr(ours) == _torch_repr(theirs)


@pytest.mark.parametrize("data", [[1.5, 2.0], (np.arange(25) * 1.25).astype(np.float32),
                                  np.arange(16) * 1.25])
def test_requires_grad_suffix_and_its_wrapping(data):
    assert repr(tritorch.tensor(data, requires_grad=True)) == _torch_repr(torch.tensor(data, requires_grad=True))


def test_grad_fn_suffix():
    def apply_identity(lib):
        class Identity(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x.clone()

            @staticmethod
            def backward(ctx, grad):
                return grad
        return Identity.apply(lib.tensor([1.5, 2.0], requires_grad=True))
    ours = repr(apply_identity(tritorch))
    assert "grad_fn=<IdentityBackward>" in ours
    assert ours == _torch_repr(apply_identity(torch))


def test_device_suffix():
    class CudaTensorStub:  # a cuda tensor as the printer sees it, without a cuda backend
        dtype, device, shape, ndim = tritorch.float32, tritorch.device("cuda:0"), (2,), 1
        grad_fn, requires_grad = None, False

        def numel(self):
            return 2

        def numpy(self, force=False):
            return np.array([1.0, 2.0], np.float32)
    assert printing.tensor_repr(CudaTensorStub()) == "tensor([1., 2.], device='cuda:0')"


def test_default_dtype_decides_the_dtype_suffix():
    tritorch.set_default_dtype(tritorch.float64)
    try:
        assert repr(tritorch.tensor([1.5], dtype=tritorch.float64)) == "tensor([1.5000])"
        assert repr(tritorch.tensor([1.5], dtype=tritorch.float32)) == "tensor([1.5000], dtype=tritorch.float32)"
    finally:
        tritorch.set_default_dtype(tritorch.float32)


OPTIONS = [dict(precision=2), dict(threshold=5), dict(edgeitems=1, threshold=5), dict(linewidth=30),
           dict(sci_mode=True), dict(sci_mode=False), dict(profile="short"), dict(profile="full"),
           dict(edgeitems=0, threshold=3)]


@pytest.mark.parametrize("options", OPTIONS)
def test_set_printoptions_matches_pytorch(options, restore_options):
    printing.set_printoptions(**options)
    torch.set_printoptions(**options)
    for data in (_rng.standard_normal((5, 7)).astype(np.float32) * 100, np.arange(10),
                 np.arange(10.0).astype(np.float32), np.array([1e-6, 1.0], np.float32)):
        ours, theirs = _pair(data, None)
        assert repr(ours) == _torch_repr(theirs)


def test_printoptions_context_restores(restore_options):
    with printing.printoptions(precision=1):
        assert repr(tritorch.tensor([1.25])) == "tensor([1.2])"
        assert printing.get_printoptions()["precision"] == 1
    assert repr(tritorch.tensor([1.25])) == "tensor([1.2500])"


def test_unknown_profile():
    with pytest.raises(ValueError, match="unknown profile 'long'; expected one of default, short, full"):
        printing.set_printoptions(profile="long")
