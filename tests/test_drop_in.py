"""`import tritorch as torch`: one program of everyday PyTorch tensor code, written against a
module `lib`, gives PyTorch's results (on the cpu; on cuda once matmul, softmax and sort have
kernels)."""
import numpy as np
import torch

import tritorch
from helpers import assert_close


def program(lib, device="cpu"):
    out = {}
    x = lib.arange(24, dtype=lib.float32, device=device).reshape(2, 3, 4) / 7 - 1
    w = lib.linspace(-1, 1, 20, device=device).view(4, 5)
    out["views"] = x.permute(2, 0, 1)[1:, :, ::2].contiguous()
    out["broadcast"] = x * x.mean(dim=-1, keepdim=True) - x.amax(dim=(0, 2)).unsqueeze(-1)
    out["matmul"] = x @ w
    out["einsum"] = lib.einsum("bij,jk->bik", x, w)
    out["softmax"] = (x @ w).softmax(dim=-1)
    out["indexing"] = x[x > 0]
    out["fancy"] = x[:, [2, 0], 1:3]
    y = x.clone()
    y[:, 0] = 0.5
    y[y < -0.5] = -1.0
    out["setitem"] = y
    out["reduce"] = lib.stack([x.sum(), x.prod(), x.std(), x.norm(), x.logsumexp(dim=(0, 1, 2))])
    vals, idx = x.max(dim=1)
    out["max"], out["argmax"] = vals, idx
    out["sort"] = x.sort(dim=-1, descending=True).values
    out["topk"] = x.flatten().topk(5).indices
    out["cumsum"] = x.cumsum(dim=2)
    out["cat"] = lib.cat([x, x.flip(0)], dim=1).roll(1, 2)
    out["where"] = lib.where(x > 0, x.exp(), x.sin()).clamp(-0.5, 2.0)
    out["int"] = (lib.arange(10, device=device) * 7) // 3 % 5
    out["tril"] = lib.ones(4, 4, device=device).tril(-1) + lib.eye(4, device=device)
    out["repeat"] = x[0, :, :2].repeat(2, 3)
    return out


def test_program_gives_torch_results():
    ours, theirs = program(tritorch), program(torch)
    assert ours.keys() == theirs.keys()
    for key in ours:
        want = theirs[key].numpy()
        got = ours[key]
        assert got.shape == want.shape, key
        assert got.dtype.name == str(theirs[key].dtype).replace("torch.", ""), key
        assert_close(got.cpu(), want, reduction_len=24, check_dtype=False)


def test_gradients_of_the_program_match_torch():
    def loss(lib, x, w):
        h = (x @ w).tanh()
        h = h * h.softmax(dim=-1) + x[:, :1] ** 2
        return (h.sum(dim=0) * lib.arange(5, dtype=x.dtype)).sum() + x.norm()

    a = np.random.default_rng(0).standard_normal((3, 4))
    b = np.random.default_rng(1).standard_normal((4, 5))
    grads = []
    for lib in (tritorch, torch):
        x = lib.tensor(a, requires_grad=True)
        w = lib.tensor(b, requires_grad=True)
        loss(lib, x, w).backward()
        grads.append((x.grad, w.grad))
    for ours, theirs in zip(grads[0], grads[1]):
        assert_close(ours, theirs.numpy(), reduction_len=20)
