"""The cuda device: its API, moving tensors, DLPack, and its errors."""
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import tritorch


def test_cuda_api():
    assert tritorch.cuda.is_available()
    assert tritorch.cuda.device_count() >= 1
    assert tritorch.cuda.current_device() == 0
    assert isinstance(tritorch.cuda.get_device_name(), str)
    assert tritorch.cuda.is_interpreted() == (not torch.cuda.is_available())
    tritorch.cuda.synchronize()
    tritorch.cuda.empty_cache()
    assert tritorch.cuda.memory_allocated() >= 0 and tritorch.cuda.max_memory_allocated() >= 0


@pytest.mark.parametrize("move", [lambda t: t.to("cuda"), lambda t: t.to("cuda:0"), lambda t: t.cuda(),
                                  lambda t: t.to(tritorch.device("cuda", 0)),
                                  lambda t: t.to(tritorch.zeros(1, device="cuda"))])
def test_round_trip_through_the_device(move):
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    x = move(tritorch.tensor(a).t())
    assert x.device == tritorch.device("cuda:0") and x.is_cuda and x.shape == (4, 3)
    back = x.cpu()
    assert back.device.type == "cpu"
    np.testing.assert_array_equal(back.numpy(), a.T)


@pytest.mark.parametrize("dtype", [tritorch.float32, tritorch.float16, tritorch.bfloat16, tritorch.float64,
                                   tritorch.int64, tritorch.int32, tritorch.int8, tritorch.uint8, tritorch.bool])
def test_every_dtype_lives_on_the_device(dtype):
    a = np.array([[0, 1, 2], [3, 4, 5]]).astype(dtype.np)
    x = tritorch.tensor(a, device="cuda")
    assert x.dtype is dtype
    np.testing.assert_array_equal(x.cpu().numpy(), a)
    assert x.tolist() == tritorch.tensor(a).tolist()


def test_creation_ops_take_device():
    for t in (tritorch.zeros(2, device="cuda"), tritorch.ones(2, device="cuda"), tritorch.full((2,), 3.0, device="cuda"),
              tritorch.arange(4, device="cuda"), tritorch.linspace(0, 1, 3, device="cuda"),
              tritorch.eye(2, device="cuda"), tritorch.empty(2, device="cuda"),
              tritorch.tensor([1.0], device="cuda")):
        assert t.is_cuda
    np.testing.assert_array_equal(tritorch.linspace(0, 1, 5, device="cuda").cpu().numpy(),
                                  tritorch.linspace(0, 1, 5).numpy())
    np.testing.assert_array_equal(tritorch.eye(3, 2, device="cuda").cpu().numpy(), np.eye(3, 2, dtype=np.float32))


def test_repr_names_the_device():
    assert repr(tritorch.tensor([1.0, 2.0], device="cuda")) == "tensor([1., 2.], device='cuda:0')"


def test_mixed_devices_raise_naming_both():
    with pytest.raises(RuntimeError, match="at least two devices, cuda:0 and cpu"):
        tritorch.ones(2, device="cuda") + tritorch.ones(2)


def test_bad_device_strings():
    with pytest.raises(RuntimeError, match="unknown device 'gpu'"):
        tritorch.zeros(1, device="gpu")
    with pytest.raises(RuntimeError, match="invalid device string 'cuda:x'"):
        tritorch.device("cuda:x")
    with pytest.raises(RuntimeError, match="cuda device 3 requested but only 1"):
        tritorch.zeros(1, device="cuda:3") if tritorch.cuda.device_count() == 1 else pytest.skip("several GPUs")


def test_cuda_without_gpu_or_interpreter_says_how_to_get_the_interpreter():
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    env = {k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"}
    code = "import tritorch; tritorch.zeros(1, device='cuda')"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode != 0
    assert "RuntimeError: tritorch: the cuda device needs an NVIDIA GPU" in run.stderr
    assert "set the environment variable TRITON_INTERPRET=1" in run.stderr


def test_dlpack_with_numpy_shares_memory():
    a = np.arange(6.0).reshape(2, 3)
    t = tritorch.from_dlpack(a)
    a[0, 0] = 42
    assert t[0, 0].item() == 42
    b = np.from_dlpack(tritorch.arange(6.0).view(2, 3).t())
    np.testing.assert_array_equal(b, np.arange(6.0).reshape(2, 3).T)


@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_dlpack_with_torch_both_ways(device):
    x = tritorch.arange(6.0, device=device).view(2, 3)
    t = torch.from_dlpack(x.t())
    assert tuple(t.shape) == (3, 2) and tuple(t.stride()) == (1, 3)
    np.testing.assert_array_equal(t.cpu().numpy(), np.arange(6.0).reshape(2, 3).T)
    src = torch.arange(4.0, device="cuda" if device == "cuda" and torch.cuda.is_available() else "cpu")
    y = tritorch.from_dlpack(src)
    src[1] = 7
    assert y.tolist() == [0.0, 7.0, 2.0, 3.0]
    assert x.__dlpack_device__()[0] in (1, 2)


def test_dlpack_errors():
    with pytest.raises(TypeError, match="dtype complex64 has no tritorch equivalent"):
        tritorch.from_dlpack(torch.zeros(2, dtype=torch.complex64))
    with pytest.raises(TypeError, match="expects an object with __dlpack__"):
        tritorch.from_dlpack([1, 2])
    with pytest.raises(RuntimeError, match="requires grad"):
        tritorch.ones(2, requires_grad=True).__dlpack__()


def test_unsupported_dtypes_on_cuda_raise_naming_them():
    with pytest.raises(TypeError, match="dtype uint16 has no tritorch equivalent"):
        tritorch.from_dlpack(torch.zeros(2, dtype=torch.uint16))
    with pytest.raises(TypeError, match="unknown dtype name 'complex64'"):
        tritorch.zeros(2, dtype="complex64", device="cuda")
    with pytest.raises(TypeError, match="float32"):
        tritorch.ones(2, device="cuda") & tritorch.ones(2, device="cuda")


def test_memory_figures_follow_allocations():
    """On a GPU torch's allocator counts; under the interpreter tritorch counts its own buffers."""
    tritorch.cuda.synchronize()
    before = tritorch.cuda.memory_allocated()
    x = tritorch.zeros(1 << 16, device="cuda")  # 256 KiB: a whole block of torch's allocator too
    assert tritorch.cuda.memory_allocated() >= before + 4 * (1 << 16)
    assert tritorch.cuda.max_memory_allocated() >= tritorch.cuda.memory_allocated()
    del x
    assert tritorch.cuda.memory_allocated() == before
    assert tritorch.cuda.max_memory_allocated() >= before + 4 * (1 << 16)
    tritorch.cuda.reset_peak_memory_stats()
    assert tritorch.cuda.max_memory_allocated() == tritorch.cuda.memory_allocated()


@pytest.mark.skipif(tritorch.cuda.is_interpreted(), reason="the interpreter keeps buffers on the host")
def test_buffers_go_to_the_named_device():
    from tritorch.kernels import memory
    assert memory.empty(4, tritorch.float32, 0).device == torch.device("cuda:0")
    assert memory.from_numpy(np.ones(4, np.float32), 0).device == torch.device("cuda:0")


@pytest.mark.parametrize("op", [lambda x: x.prod(), lambda x: x.prod(1), lambda x: x.cumprod(1).sum()])
def test_prod_and_cumprod_backward_do_not_read_the_device(op, monkeypatch):
    """With or without zeros, the backward chooses no formula by reading values back."""
    from tritorch.kernels import memory
    from tritorch.testing import assert_close
    values = [[1.0, 2.0, 0.0, 3.0], [0.5, -2.0, 4.0, 1.5]]
    x = tritorch.tensor(values, device="cuda", requires_grad=True)
    y = op(x)
    monkeypatch.setattr(memory, "to_numpy", lambda v: pytest.fail("backward read the device"))
    y.backward(tritorch.ones_like(y))
    monkeypatch.undo()
    host = tritorch.tensor(values, requires_grad=True)
    op(host).backward(tritorch.ones_like(op(host)))
    assert_close(x.grad.cpu(), host.grad.numpy(), reduction_len=4)
