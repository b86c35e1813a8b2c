"""Random numbers: the Philox stream against known answers and Triton's interpreter, generators,
the sampling ops' arguments and errors, and the samples' statistics.

Run as a script (`python tests/test_random.py OUT.npz`), this file launches Triton kernels under
TRITON_INTERPRET=1 that compute each documented stream with `tl.randint4x`/`tl.rand`/`tl.randn`,
and saves them; the tests run it in a subprocess, because the interpreter must be switched on
before triton is first imported and other test modules must keep the compiled mode.
"""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import tritorch
from tritorch import random as trng
from tritorch.reference import random as ref
from tritorch.testing import assert_close

# (seed, offset, randint low, randint high, uniform low, uniform high): seeds cover Triton's
# int32, uint32, int64 and uint64 argument types; offsets cross the 32-bit counter word.
INTERPRETER_CASES = [
    (0, 0, 0, 10, 0.0, 1.0),
    (42, 7, -5, 7, -2.0, 3.0),
    (2**31 + 3, 2**32 - 100, 0, 2**32, 1.0, 2.0),
    (2**33 + 5, 2**40 + 123, -2**63, 2**63 - 1, -1e-3, 1e-3),
    (2**64 - 1, 2**62, -3, 2**40, 100.0, 100.5),
    (0, 14883995 - 100, 5, 6, -1.0, -0.5),  # draw 100 has u1 < 1e-7: randn's clamp to 1e-7
]
N_DRAWS = 200


# --- Triton side (runs in the subprocess) ------------------------------------------------------
def _interpreter_streams(path: str) -> None:
    os.environ["TRITON_INTERPRET"] = "1"
    import torch
    import triton
    import triton.language as tl

    @triton.jit
    def streams(seed, offset, n, low, range_hi, range_lo, flo, fhi, words_ptr, rand_ptr, randn_ptr,
                u64_ptr, n64_ptr, randint_ptr, unif32_ptr, unif16_ptr, BLOCK: tl.constexpr):
        i = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
        mask = i < n
        counter = offset + i.to(tl.int64)  # int64 offsets: the counter's high word is used
        w0, w1, w2, w3 = tl.randint4x(seed, counter)
        tl.store(words_ptr + i, w0.to(tl.int64), mask=mask)
        tl.store(words_ptr + n + i, w1.to(tl.int64), mask=mask)
        tl.store(words_ptr + 2 * n + i, w2.to(tl.int64), mask=mask)
        tl.store(words_ptr + 3 * n + i, w3.to(tl.int64), mask=mask)
        tl.store(rand_ptr + i, tl.rand(seed, counter), mask=mask)
        tl.store(randn_ptr + i, tl.randn(seed, counter), mask=mask)
        # float64: 53-bit uniforms from w0:w1 and w2:w3, Box-Muller in float64
        u1 = (((w0.to(tl.uint64) << 32) | w1.to(tl.uint64)) >> 11).to(tl.float64) * 1.1102230246251565e-16
        u2 = (((w2.to(tl.uint64) << 32) | w3.to(tl.uint64)) >> 11).to(tl.float64) * 1.1102230246251565e-16
        tl.store(u64_ptr + i, u1, mask=mask)
        two_pi = tl.full([BLOCK], 6.283185307179586, tl.float64)
        tl.store(n64_ptr + i, tl.sqrt(-2.0 * tl.log(1.0 - u1)) * tl.cos(two_pi * u2), mask=mask)
        # randint: low + floor((w0:w1) * range / 2**64) from 32-bit limbs in uint64
        r_hi, r_lo = w0.to(tl.uint64), w1.to(tl.uint64)
        f_hi, f_lo = range_hi.to(tl.uint64), range_lo.to(tl.uint64)
        lo_lo, lo_hi, hi_lo, hi_hi = r_lo * f_lo, r_lo * f_hi, r_hi * f_lo, r_hi * f_hi
        middle = (lo_lo >> 32) + (lo_hi & 0xFFFFFFFF) + (hi_lo & 0xFFFFFFFF)
        above = hi_hi + (lo_hi >> 32) + (hi_lo >> 32) + (middle >> 32)
        tl.store(randint_ptr + i, (low.to(tl.uint64) + above).to(tl.int64, bitcast=True), mask=mask)
        # uniform in [flo, fhi): a value that rounds up to fhi becomes flo
        v32 = flo + (fhi - flo) * tl.rand(seed, counter)
        tl.store(unif32_ptr + i, tl.where(v32 >= fhi, flo, v32), mask=mask)
        v16 = v32.to(tl.float16)
        tl.store(unif16_ptr + i, tl.where(v16.to(tl.float32) >= fhi, tl.full([BLOCK], flo, tl.float16), v16), mask=mask)

    results = {}
    for k, (seed, offset, low, high, flo, fhi) in enumerate(INTERPRETER_CASES):
        n = N_DRAWS
        bufs = dict(words=torch.empty(4 * n, dtype=torch.int64), rand=torch.empty(n),
                    randn=torch.empty(n), u64=torch.empty(n, dtype=torch.float64),
                    n64=torch.empty(n, dtype=torch.float64), randint=torch.empty(n, dtype=torch.int64),
                    unif32=torch.empty(n), unif16=torch.empty(n, dtype=torch.float16))
        streams[(triton.cdiv(n, 128),)](seed, offset, n, low, (high - low) >> 32, (high - low) & 0xFFFFFFFF,
                                        flo, fhi, *bufs.values(), BLOCK=128)
        results.update({f"{k}/{name}": b.numpy() for name, b in bufs.items()})
    np.savez(path, **results)


@pytest.fixture(scope="module")
def interpreter(tmp_path_factory):
    pytest.importorskip("triton")
    pytest.importorskip("torch")
    path = str(tmp_path_factory.mktemp("triton") / "streams.npz")
    env = {k: v for k, v in os.environ.items() if k != "CUDA_VISIBLE_DEVICES"}
    env["CUDA_VISIBLE_DEVICES"] = ""  # the interpreter runs on the cpu; keep the GPU out of it
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join([root, env.get("PYTHONPATH", "")])
    subprocess.run([sys.executable, __file__, path], check=True, env=env, timeout=120)
    return dict(np.load(path))


def _reference(primitive: str, dtype, case, *args) -> np.ndarray:
    seed, offset = case[0], case[1]
    t = tritorch.empty(N_DRAWS, dtype=dtype)
    getattr(ref, primitive)(seed, offset, *args, t.array)
    return t.numpy()


# --- Philox ---------------------------------------------------------------------------------------
def test_philox_known_answer_vectors():
    words = ref.philox(0, np.array([0]))
    assert [int(w[0]) for w in words] == [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]
    ones = 0xFFFFFFFF
    words = ref.philox_rounds(ones, ones, ones, ones, ones, ones)
    assert [int(w) for w in words] == [0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD]


def test_philox_counter_and_key_words():
    """The high counter word is the offset's top 32 bits; the key's high word the seed's."""
    base = ref.philox(5, np.array([3]))
    assert [int(w[0]) for w in ref.philox(5, np.array([3 + 2**32]))] != [int(w[0]) for w in base]
    assert [int(w[0]) for w in ref.philox(5 + 2**32, np.array([3]))] != [int(w[0]) for w in base]
    via_rounds = ref.philox_rounds(3, 0, 0, 0, 5, 0)
    assert [int(w) for w in via_rounds] == [int(w[0]) for w in base]


@pytest.mark.parametrize("k", range(len(INTERPRETER_CASES)))
def test_streams_match_triton_interpreter(interpreter, k):
    case = INTERPRETER_CASES[k]
    seed, offset, low, high, flo, fhi = case
    got = {name: interpreter[f"{k}/{name}"] for name in
           ("words", "rand", "randn", "u64", "n64", "randint", "unif32", "unif16")}
    words = ref.philox(seed, offset + np.arange(N_DRAWS, dtype=np.uint64))
    np.testing.assert_array_equal(np.concatenate(words).astype(np.int64), got["words"])
    np.testing.assert_array_equal(_reference("uniform", tritorch.float32, case, 0.0, 1.0), got["rand"])
    np.testing.assert_array_max_ulp(_reference("normal", tritorch.float32, case, 0.0, 1.0), got["randn"], 1)
    np.testing.assert_array_equal(_reference("uniform", tritorch.float64, case, 0.0, 1.0), got["u64"])
    np.testing.assert_allclose(_reference("normal", tritorch.float64, case, 0.0, 1.0), got["n64"],
                               rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(_reference("randint", tritorch.int64, case, low, high), got["randint"])
    np.testing.assert_array_equal(_reference("uniform", tritorch.float32, case, flo, fhi), got["unif32"])
    np.testing.assert_array_equal(_reference("uniform", tritorch.float16, case, flo, fhi), got["unif16"])


def test_elements_use_counters_in_row_major_order_whatever_the_strides():
    g = tritorch.Generator().manual_seed(3)
    fresh = tritorch.rand(3, 4, generator=g)
    g.manual_seed(3)
    transposed = tritorch.empty(4, 3).t().uniform_(generator=g)
    np.testing.assert_array_equal(transposed.numpy(), fresh.numpy())


# --- generators --------------------------------------------------------------------------------------
def test_same_seed_same_stream_and_successive_draws_differ():
    tritorch.manual_seed(123)
    a, b = tritorch.rand(100), tritorch.rand(100)
    tritorch.manual_seed(123)
    np.testing.assert_array_equal(tritorch.rand(100).numpy(), a.numpy())
    assert np.mean(a.numpy() == b.numpy()) < 0.05  # the second call uses fresh counters


def test_offset_advances_by_numel_so_split_draws_equal_one_draw():
    g = tritorch.Generator().manual_seed(9)
    whole = tritorch.randn(10, generator=g)
    g.manual_seed(9)
    parts = [tritorch.randn(4, generator=g), tritorch.randn(6, generator=g)]
    np.testing.assert_array_equal(np.concatenate([p.numpy() for p in parts]), whole.numpy())
    assert g.state_bytes() == trng.Generator().manual_seed(9).state_bytes()[:8] + (10).to_bytes(8, "little")


def test_generator_is_independent_of_the_default_one():
    tritorch.manual_seed(1)
    expected = tritorch.rand(5)
    tritorch.manual_seed(1)
    g = tritorch.Generator().manual_seed(1)
    from_g = tritorch.rand(5, generator=g)
    np.testing.assert_array_equal(tritorch.rand(5).numpy(), expected.numpy())
    np.testing.assert_array_equal(from_g.numpy(), expected.numpy())


def test_manual_seed_returns_the_generator_and_initial_seed_reports_it():
    g = tritorch.Generator()
    assert g.initial_seed() == 67280421310721  # PyTorch's default for a new Generator
    assert g.manual_seed(-1) is g and g.initial_seed() == 2**64 - 1  # negative seeds wrap
    assert tritorch.manual_seed(77) is trng.default_generator
    assert tritorch.initial_seed() == 77


def test_seed_is_nondeterministic_and_reproducible():
    s1, s2 = tritorch.seed(), tritorch.seed()
    assert s1 != s2 and tritorch.initial_seed() == s2
    a = tritorch.rand(3)
    tritorch.manual_seed(s2)
    np.testing.assert_array_equal(tritorch.rand(3).numpy(), a.numpy())


def test_state_round_trip():
    g = tritorch.Generator().manual_seed(2**40 + 1)
    tritorch.rand(17, generator=g)
    state = g.state_bytes()
    assert isinstance(state, bytes) and len(state) == 16
    a = tritorch.rand(4, generator=g)
    g.set_state(state)  # the raw bytes work too
    np.testing.assert_array_equal(tritorch.rand(4, generator=g).numpy(), a.numpy())
    g.set_state(tritorch.tensor(list(state), dtype=tritorch.uint8))
    np.testing.assert_array_equal(tritorch.rand(4, generator=g).numpy(), a.numpy())
    tritorch.set_rng_state(state)
    assert bytes(tritorch.get_rng_state().numpy()) == state  # a uint8 tensor, as PyTorch's


def test_stream_is_the_same_for_every_dtype_up_to_rounding():
    g = tritorch.Generator().manual_seed(5)
    f32 = tritorch.rand(1000, generator=g).numpy()
    g.manual_seed(5)
    f16 = tritorch.rand(1000, generator=g, dtype=tritorch.float16).numpy()
    expected = f32.astype(np.float16)
    expected[expected == 1] = 0  # rounding up to `high` maps to `low`
    np.testing.assert_array_equal(f16, expected)
    assert f16.max() < 1


@pytest.mark.parametrize("bad, match", [
    (1.5, "expected an int seed, got float"), (2**64, "seed 18446744073709551616 is outside"),
    (-2**63 - 1, "Overflow")])
def test_bad_seed(bad, match):
    with pytest.raises((TypeError, RuntimeError), match=match):
        tritorch.Generator().manual_seed(bad)


def test_bad_state_and_exhausted_stream():
    g = tritorch.Generator()
    with pytest.raises(RuntimeError, match="must be 16 bytes .* got 3 bytes"):
        g.set_state(b"abc")
    with pytest.raises(RuntimeError, match="offset 9223372036854775808 is not below 2"):
        g.set_state((0).to_bytes(8, "little") + (2**63).to_bytes(8, "little"))
    g.set_state((0).to_bytes(8, "little") + (2**63 - 2).to_bytes(8, "little"))
    with pytest.raises(OverflowError, match="exhausted: offset 9223372036854775806 \\+ 3 draws"):
        tritorch.rand(3, generator=g)
    with pytest.raises(TypeError, match="generator must be a tritorch.Generator, got int"):
        tritorch.rand(3, generator=3)


# --- factories: arguments ----------------------------------------------------------------------------
@pytest.mark.parametrize("factory", [tritorch.rand, tritorch.randn])
def test_float_factory_arguments(factory):
    assert factory(2, 3).shape == (2, 3) and factory((2, 3)).shape == (2, 3)
    assert factory([4]).shape == (4,) and factory().shape == () and factory(0, 5).numel() == 0
    assert factory(2).dtype is tritorch.float32
    for dt in (tritorch.float16, tritorch.bfloat16, tritorch.float64):
        assert factory(3, dtype=dt).dtype is dt
    t = factory(2, requires_grad=True, device="cpu")
    assert t.requires_grad and t.is_leaf and t.device == tritorch.device("cpu")
    out = tritorch.empty(2, 2)
    assert factory(2, 2, out=out) is out
    out = tritorch.empty(3, dtype=tritorch.float64)  # out= alone decides the dtype
    assert factory(3, out=out) is out


def test_default_dtype_is_followed():
    tritorch.set_default_dtype(tritorch.float64)
    try:
        assert tritorch.rand(2).dtype is tritorch.float64
    finally:
        tritorch.set_default_dtype(tritorch.float32)


@pytest.mark.parametrize("call, error, match", [
    (lambda: tritorch.rand(2, -1), RuntimeError, "negative dimension: size \\[2, -1\\]"),
    (lambda: tritorch.rand(2, dtype=tritorch.int64), TypeError, "rand: dtype tritorch.int64 is not supported"),
    (lambda: tritorch.randn(2, dtype=tritorch.bool), TypeError, "randn: dtype tritorch.bool is not supported"),
    (lambda: tritorch.rand(2, out=tritorch.empty(3)), RuntimeError, "out= has shape \\[3\\]"),
    (lambda: tritorch.rand(2, dtype=tritorch.float32, out=tritorch.empty(2, dtype=tritorch.float64)),
     RuntimeError, "dtype tritorch.float64 but the result has shape \\[2\\] and dtype tritorch.float32"),
    (lambda: tritorch.rand_like(tritorch.zeros(2, dtype=tritorch.int32)), TypeError, "dtype tritorch.int32"),
])
def test_float_factory_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_like_factories():
    x = tritorch.zeros(2, 3, dtype=tritorch.float16)
    for t in (tritorch.rand_like(x), tritorch.randn_like(x)):
        assert t.shape == (2, 3) and t.dtype is tritorch.float16
    assert tritorch.rand_like(x, dtype=tritorch.float64).dtype is tritorch.float64
    i = tritorch.randint_like(tritorch.zeros(4, dtype=tritorch.int32), 3, 5)
    assert i.dtype is tritorch.int32 and set(i.tolist()) <= {3, 4}
    assert set(tritorch.randint_like(x, 2).tolist()[0]) <= {0.0, 1.0}


def test_randint_overloads_and_dtypes():
    assert tritorch.randint(5, (3,)).dtype is tritorch.int64
    assert set(tritorch.randint(5, (200,)).tolist()) == set(range(5))
    assert set(tritorch.randint(-3, 2, (200,)).tolist()) == set(range(-3, 2))
    assert set(tritorch.randint(high=4, size=(100,)).tolist()) == set(range(4))
    assert tritorch.randint(1, 3, size=[2, 2]).shape == (2, 2)
    assert tritorch.randint(0, 2, (10,), dtype=tritorch.bool).dtype is tritorch.bool
    f = tritorch.randint(0, 1000, (50,), dtype=tritorch.float16)
    assert f.dtype is tritorch.float16 and np.all(f.numpy() == np.round(f.numpy()))
    u8 = tritorch.randint(250, 256, (100,), dtype=tritorch.uint8)
    assert set(u8.tolist()) == set(range(250, 256))
    out = tritorch.empty(100, dtype=tritorch.int8)
    assert tritorch.randint(-3, 3, (100,), out=out) is out and set(out.tolist()) == set(range(-3, 3))
    perm_out = tritorch.empty(10, dtype=tritorch.int32)
    assert tritorch.randperm(10, out=perm_out) is perm_out and sorted(perm_out.tolist()) == list(range(10))
    big = tritorch.randint(-2**63, 2**63 - 1, (1000,)).numpy()
    assert big.min() < -2**62 and big.max() > 2**62  # the whole int64 range is reachable


@pytest.mark.parametrize("call, error, match", [
    (lambda: tritorch.randint(3, 3, (2,)), RuntimeError, "from=3 >= to=3"),
    (lambda: tritorch.randint(0, (2,)), RuntimeError, "from=0 >= to=0"),
    (lambda: tritorch.randint(0, 300, (2,), dtype=tritorch.uint8), RuntimeError,
     "range \\[0, 300\\) does not fit in tritorch.uint8"),
    (lambda: tritorch.randint(-1, 2, (2,), dtype=tritorch.bool), RuntimeError, "does not fit in tritorch.bool"),
    (lambda: tritorch.randint(3, 10), TypeError, "size must be a tuple of ints, got int 10"),
    (lambda: tritorch.randint(2.5, (2,)), TypeError, "high must be an integer, got float 2.5"),
    (lambda: tritorch.randint((2,)), TypeError, "missing required argument 'high'"),
    (lambda: tritorch.randint(1, 2, 3, (2,)), TypeError, "at most low, high and size"),
    (lambda: tritorch.randint(5, (-1,)), RuntimeError, "negative dimension"),
])
def test_randint_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_normal_overloads():
    assert tritorch.normal(2.0, 3.0, (4, 5)).shape == (4, 5)
    mean = tritorch.zeros(3, 1, dtype=tritorch.float16)
    std = tritorch.ones(4)
    t = tritorch.normal(mean, std)
    assert t.shape == (3, 4) and t.dtype is tritorch.float32
    assert tritorch.normal(mean, 2.0).dtype is tritorch.float16
    assert tritorch.normal(1.0, std).shape == (4,)
    exact = tritorch.normal(tritorch.tensor([5.0, -5.0]), tritorch.tensor([0.0, 0.0]))
    assert exact.tolist() == [5.0, -5.0]  # std 0 gives the mean


@pytest.mark.parametrize("call, error, match", [
    (lambda: tritorch.normal(0.0, -1.0, (2,)), RuntimeError, "normal expects std >= 0.0, but found std -1.0"),
    (lambda: tritorch.normal(tritorch.zeros(2), tritorch.tensor([1.0, -1.0])), RuntimeError,
     "all elements of std >= 0.0"),
    (lambda: tritorch.normal(0.0, 1.0), TypeError, "size is required"),
    (lambda: tritorch.normal(tritorch.zeros(2), 1.0, (2,)), TypeError, "size can only be given with a float"),
    (lambda: tritorch.normal(tritorch.zeros(2, dtype=tritorch.int64), 1.0), TypeError,
     "floating point tensor for mean, got dtype tritorch.int64"),
    (lambda: tritorch.normal(tritorch.zeros(2), tritorch.ones(3)), RuntimeError, "cannot be broadcast"),
])
def test_normal_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- in-place fills ------------------------------------------------------------------------------
def test_inplace_fills_return_self_and_bump_the_version():
    for fill in (lambda x: x.uniform_(), lambda x: x.normal_(), lambda x: x.random_(0, 5),
                 lambda x: x.exponential_(), lambda x: x.bernoulli_(0.3)):
        x = tritorch.zeros(4)
        version = x._storage.version
        assert fill(x) is x and x._storage.version > version


def test_uniform_bounds_and_rounding_in_half_precision():
    x = tritorch.empty(10000, dtype=tritorch.float16).uniform_(-2, 0)
    a = x.numpy()
    assert a.min() >= -2 and a.max() < 0
    constant = tritorch.empty(3).uniform_(1.5, 1.5)
    assert constant.tolist() == [1.5, 1.5, 1.5]


def test_random_defaults_per_dtype():
    assert tritorch.empty(500, dtype=tritorch.uint8).random_().numpy().max() > 200
    assert set(tritorch.empty(100, dtype=tritorch.bool).random_().tolist()) == {False, True}
    h = tritorch.empty(2000, dtype=tritorch.float16).random_().numpy()
    assert h.min() >= 0 and h.max() <= 2048 and h.max() > 1500
    assert set(tritorch.empty(100).random_(3).tolist()) == {0.0, 1.0, 2.0}


@pytest.mark.parametrize("call, error, match", [
    (lambda: tritorch.zeros(2).uniform_(1, 0), RuntimeError, "from=1 > to=0"),
    (lambda: tritorch.zeros(2, dtype=tritorch.float16).uniform_(-6e4, 6e4), RuntimeError,
     "to-from <= 65504.0"),
    (lambda: tritorch.zeros(2, dtype=tritorch.int64).uniform_(), TypeError, "uniform_: dtype tritorch.int64"),
    (lambda: tritorch.zeros(2).normal_(0, -2), RuntimeError, "found std -2"),
    (lambda: tritorch.zeros(2).exponential_(0), RuntimeError, "lambda > 0.0, but found lambda=0"),
    (lambda: tritorch.zeros(2, dtype=tritorch.int8).random_(0, 200), RuntimeError, "does not fit in tritorch.int8"),
    (lambda: tritorch.zeros(2).bernoulli_(1.5), RuntimeError, "p to be in \\[0, 1\\], but got p=1.5"),
    (lambda: tritorch.bernoulli(tritorch.tensor([0.5, 2.0])), RuntimeError, "from 0.5 to 2.0"),
    (lambda: tritorch.zeros(1).expand(3).uniform_(), RuntimeError, "more than one element of the written-to"),
    (lambda: tritorch.zeros(2, requires_grad=True).normal_(), RuntimeError, "leaf Variable that requires grad"),
])
def test_inplace_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_bernoulli_forms():
    p = tritorch.tensor([0.0, 1.0, 0.0, 1.0], dtype=tritorch.float64)
    drawn = tritorch.bernoulli(p)
    assert drawn.dtype is tritorch.float64 and drawn.tolist() == [0.0, 1.0, 0.0, 1.0]
    assert p.bernoulli(1.0).tolist() == [1.0] * 4
    x = tritorch.zeros(2, 4).bernoulli_(tritorch.tensor([0.0, 1.0, 1.0, 0.0]))
    assert x.tolist() == [[0.0, 1.0, 1.0, 0.0]] * 2


def test_randperm():
    g = tritorch.Generator().manual_seed(0)
    p = tritorch.randperm(1000, generator=g)
    assert p.dtype is tritorch.int64 and sorted(p.tolist()) == list(range(1000))
    assert p.tolist() != list(range(1000))
    g.manual_seed(0)
    assert tritorch.randperm(1000, generator=g).tolist() == p.tolist()
    assert tritorch.randperm(0).shape == (0,)
    assert tritorch.randperm(5, dtype=tritorch.float32).dtype is tritorch.float32
    with pytest.raises(RuntimeError, match="n must be non-negative, got -1"):
        tritorch.randperm(-1)
    with pytest.raises(RuntimeError, match="range \\[0, 300\\) does not fit in tritorch.int8"):
        tritorch.randperm(300, dtype=tritorch.int8)


# --- statistics (fixed seeds: deterministic, each bound several standard errors wide) -----------
N_STAT = 100_000


def _mean_std(t) -> tuple[float, float]:
    a = np.asarray(t.numpy(), dtype=np.float64)
    return float(a.mean()), float(a.std())


@pytest.mark.parametrize("dtype", [tritorch.float32, tritorch.float64, tritorch.bfloat16])
def test_uniform_and_normal_moments(dtype):
    g = tritorch.Generator().manual_seed(2024)
    se = 1 / np.sqrt(N_STAT)
    mean, std = _mean_std(tritorch.rand(N_STAT, generator=g, dtype=dtype))
    assert abs(mean - 0.5) < 5 * se * 0.29 and abs(std - 1 / np.sqrt(12)) < 0.005
    mean, std = _mean_std(tritorch.randn(N_STAT, generator=g, dtype=dtype))
    assert abs(mean) < 5 * se and abs(std - 1) < 0.01
    mean, std = _mean_std(tritorch.normal(3.0, 2.0, (N_STAT,), generator=g, dtype=dtype))
    assert abs(mean - 3) < 5 * 2 * se and abs(std - 2) < 0.03
    mean, std = _mean_std(tritorch.empty(N_STAT, dtype=dtype).uniform_(-4, 6, generator=g))
    assert abs(mean - 1) < 5 * 10 * se * 0.29 and abs(std - 10 / np.sqrt(12)) < 0.05


def test_normal_tails_and_histogram():
    a = tritorch.randn(N_STAT, generator=tritorch.Generator().manual_seed(11)).numpy()
    for k, expected in ((1, 0.6827), (2, 0.9545), (3, 0.9973)):
        assert abs(np.mean(np.abs(a) < k) - expected) < 0.005


def test_randint_is_uniform_over_its_range():
    counts = np.bincount(tritorch.randint(-3, 7, (N_STAT,), generator=tritorch.Generator().manual_seed(4))
                         .numpy() + 3, minlength=10)
    assert counts.size == 10
    chi2 = float(((counts - N_STAT / 10) ** 2 / (N_STAT / 10)).sum())
    assert chi2 < 30  # 9 degrees of freedom: p < 0.0005 beyond 30


def test_bernoulli_and_exponential_means():
    g = tritorch.Generator().manual_seed(8)
    se = 1 / np.sqrt(N_STAT)
    assert abs(_mean_std(tritorch.zeros(N_STAT).bernoulli_(0.3, generator=g))[0] - 0.3) < 5 * 0.46 * se
    mean, std = _mean_std(tritorch.zeros(N_STAT).exponential_(2.0, generator=g))
    assert abs(mean - 0.5) < 5 * 0.5 * se and abs(std - 0.5) < 0.01


# --- cuda: the cpu's numbers for the same seed ---------------------------------------------------
def _same_numbers(cuda_t, cpu_t, exact: bool = True) -> None:
    """A cuda result against the cpu's: bit for bit, or (normal and exponential draws on a GPU,
    whose log/cos are approximate) within the tolerance of the dtype."""
    assert cuda_t.device.type == "cuda" and cuda_t.dtype is cpu_t.dtype and cuda_t.shape == cpu_t.shape
    if exact or tritorch.cuda.is_interpreted():
        np.testing.assert_array_equal(cuda_t.cpu().numpy(), cpu_t.numpy())
    else:
        assert_close(cuda_t.cpu(), cpu_t)


CUDA_DRAWS = [  # (name, draw(device), exact on a GPU)
    ("rand", lambda d: tritorch.rand(3, 5, device=d), True),
    ("rand float64", lambda d: tritorch.rand(7, dtype=tritorch.float64, device=d), True),
    ("rand bfloat16", lambda d: tritorch.rand(2, 3, dtype=tritorch.bfloat16, device=d), True),
    ("randn", lambda d: tritorch.randn(4, 3, device=d), False),
    ("randn float16", lambda d: tritorch.randn(6, dtype=tritorch.float16, device=d), False),
    ("normal tensors", lambda d: tritorch.normal(tritorch.arange(4.0, device=d), tritorch.ones(3, 1, device=d)), False),
    ("randint", lambda d: tritorch.randint(-4, 9, (3, 4), device=d), True),
    ("randint int8", lambda d: tritorch.randint(-128, 128, (9,), dtype=tritorch.int8, device=d), True),
    ("randint full int64", lambda d: tritorch.randint(-2**63, 2**63 - 1, (5,), device=d), True),
    ("bernoulli", lambda d: tritorch.bernoulli(tritorch.full((3, 4), 0.4, device=d)), True),
    ("bernoulli_", lambda d: tritorch.zeros(2, 5, dtype=tritorch.int32, device=d).bernoulli_(0.5), True),
    ("uniform_", lambda d: tritorch.empty(4, 3, device=d).t().uniform_(-1, 2), True),
    ("normal_", lambda d: tritorch.empty(5, dtype=tritorch.float64, device=d).normal_(2.0, 0.5), False),
    ("exponential_", lambda d: tritorch.empty(2, 3, device=d).exponential_(3.0), False),
    ("random_", lambda d: tritorch.empty(8, dtype=tritorch.uint8, device=d).random_(), True),
    ("randperm", lambda d: tritorch.randperm(9, device=d), True),
    ("multinomial", lambda d: tritorch.multinomial(tritorch.tensor([[1.0, 0.0, 3.0, 2.0], [0.0, 0.0, 1.0, 0.5]],
                                                                   device=d), 5, replacement=True), True),
    ("multinomial without replacement",
     lambda d: tritorch.tensor([[1.0, 0.0, 3.0, 2.0], [0.1, 5.0, 1.0, 0.5]], device=d).multinomial(4), False),
]


@pytest.mark.parametrize("name, draw, exact", CUDA_DRAWS, ids=[c[0] for c in CUDA_DRAWS])
def test_cuda_gives_the_cpus_numbers_for_the_same_seed(name, draw, exact):
    tritorch.manual_seed(1234)  # seeds the cpu's and cuda's default generators
    cpu = draw("cpu")
    tritorch.manual_seed(1234)
    _same_numbers(draw("cuda"), cpu, exact)


def test_cuda_generator_and_default_generators():
    g_cpu, g_cuda = tritorch.Generator().manual_seed(5), tritorch.Generator(device="cuda").manual_seed(5)
    a = tritorch.rand(4, generator=g_cpu)
    _same_numbers(tritorch.rand(4, generator=g_cuda, device="cuda"), a)
    assert g_cuda.device.type == "cuda" and g_cuda.state_bytes() == g_cpu.state_bytes()
    with pytest.raises(RuntimeError, match="Expected a 'cuda' device type for generator but found 'cpu'"):
        tritorch.rand(2, generator=g_cpu, device="cuda")
    with pytest.raises(RuntimeError, match="Expected a 'cpu' device type for generator but found 'cuda'"):
        tritorch.zeros(2).normal_(generator=g_cuda)
    tritorch.manual_seed(8)
    cpu_first = tritorch.rand(3)
    tritorch.cuda.manual_seed(8)  # cuda's own stream: drawing on the cpu did not advance it
    _same_numbers(tritorch.rand(3, device="cuda"), cpu_first)
    tritorch.cuda.manual_seed_all(8)
    assert tritorch.cuda.initial_seed() == 8
    _same_numbers(tritorch.rand(3, device="cuda"), cpu_first)


def test_cuda_rng_state_is_a_uint8_tensor():
    tritorch.cuda.manual_seed(2**40 + 3)
    tritorch.rand(5, device="cuda")
    state = tritorch.cuda.get_rng_state()
    assert state.dtype is tritorch.uint8 and state.shape == (16,) and state.device.type == "cpu"
    assert bytes(state.numpy()) == (2**40 + 3).to_bytes(8, "little") + (5).to_bytes(8, "little")
    a = tritorch.randn(4, device="cuda")
    tritorch.manual_seed(0)  # the cpu's state is separate: setting cuda's restores cuda's alone
    tritorch.cuda.set_rng_state(state)
    np.testing.assert_array_equal(tritorch.randn(4, device="cuda").cpu().numpy(), a.cpu().numpy())
    assert len(tritorch.cuda.get_rng_state_all()) == 1
    cpu_state = tritorch.get_rng_state()
    assert cpu_state.dtype is tritorch.uint8 and bytes(cpu_state.numpy())[:8] == (0).to_bytes(8, "little")
    with pytest.raises(RuntimeError, match="must be 16 bytes"):
        tritorch.cuda.set_rng_state(tritorch.zeros(3, dtype=tritorch.uint8))


@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_multinomial_forms_and_statistics(device):
    g = tritorch.Generator(device=device).manual_seed(6)
    w = tritorch.tensor([1.0, 0.0, 3.0, 6.0], device=device)
    drawn = tritorch.multinomial(w, 2000, replacement=True, generator=g)
    assert drawn.dtype is tritorch.int64 and drawn.shape == (2000,)
    counts = np.bincount(drawn.cpu().numpy(), minlength=4)
    assert counts[1] == 0 and np.all(np.abs(counts / 2000 - [0.1, 0.0, 0.3, 0.6]) < 0.04)
    perm = tritorch.multinomial(w, 4, generator=g).tolist()
    assert sorted(perm) == [0, 1, 2, 3] and perm[-1] == 1  # without replacement: zero weight last
    rows = tritorch.multinomial(tritorch.tensor([[0.0, 1.0], [1.0, 0.0]], device=device), 3, True, generator=g)
    assert rows.tolist() == [[1, 1, 1], [0, 0, 0]]
    out = tritorch.empty(3, dtype=tritorch.int64, device=device)
    assert tritorch.multinomial(w, 3, generator=g, out=out) is out and len(set(out.tolist())) == 3
    first = tritorch.multinomial(w.expand(400, 4), 2, generator=g)[:, 0].cpu().numpy()
    assert abs(np.mean(first == 3) - 0.6) < 0.08  # the first draw follows the weights


@pytest.mark.parametrize("call, match", [
    (lambda d: tritorch.multinomial(tritorch.ones(2, 2, 2, device=d), 1), "prob_dist must be 1 or 2 dim"),
    (lambda d: tritorch.multinomial(tritorch.ones(3, dtype=tritorch.int64, device=d), 1),
     "only supports floating-point dtypes for input, got: tritorch.int64"),
    (lambda d: tritorch.multinomial(tritorch.ones(3, device=d), 0), "cannot sample n_sample <= 0 samples"),
    (lambda d: tritorch.multinomial(tritorch.ones(3, device=d), 4), r"n_sample > prob_dist.size\(-1\) samples"),
    (lambda d: tritorch.multinomial(tritorch.tensor([1.0, -1.0], device=d), 1), "`inf`, `nan` or element < 0"),
    (lambda d: tritorch.multinomial(tritorch.tensor([1.0, float("nan")], device=d), 1), "`inf`, `nan`"),
    (lambda d: tritorch.multinomial(tritorch.zeros(2, device=d), 1, True), "sum of probabilities <= 0"),
])
@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_multinomial_errors(call, match, device):
    with pytest.raises(RuntimeError, match=match):
        call(device)


@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_get_state_is_a_uint8_tensor_that_set_state_takes(device):
    """PyTorch's Generator.get_state() is a cpu uint8 tensor, and set_state takes one back."""
    g = tritorch.Generator(device).manual_seed(123)
    tritorch.rand(3, generator=g, device=device)
    state = g.get_state()
    assert isinstance(state, tritorch.Tensor) and state.dtype is tritorch.uint8
    assert state.device.type == "cpu" and tuple(state.shape) == (16,)
    assert bytes(state.numpy()) == g.state_bytes() == (123).to_bytes(8, "little") + (3).to_bytes(8, "little")
    a = tritorch.rand(4, generator=g, device=device).cpu().numpy()
    assert g.set_state(state) is g
    np.testing.assert_array_equal(tritorch.rand(4, generator=g, device=device).cpu().numpy(), a)
    with pytest.raises(TypeError, match="RNG state must be a uint8 tensor .* dtype float32"):
        g.set_state(tritorch.zeros(16))


if __name__ == "__main__":
    _interpreter_streams(sys.argv[1])


@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_normal_of_tensors_that_require_grad_has_pytorchs_zero_gradient(device):
    import torch
    for tensor_mean, tensor_std in ((True, False), (False, True), (True, True)):
        mean = tritorch.zeros(3, device=device, requires_grad=True) if tensor_mean else 0.5
        std = tritorch.ones(1, device=device, requires_grad=True) if tensor_std else 2.0
        tmean = torch.zeros(3, requires_grad=True) if tensor_mean else 0.5
        tstd = torch.ones(1, requires_grad=True) if tensor_std else 2.0
        x, want = tritorch.normal(mean, std), torch.normal(tmean, tstd)
        assert x.grad_fn.name() == want.grad_fn.name() and x.shape == want.shape
        x.sum().backward()
        want.sum().backward()
        for got, ref in ((mean, tmean), (std, tstd)):
            if isinstance(got, tritorch.Tensor):
                np.testing.assert_array_equal(got.grad.cpu().numpy(), ref.grad.numpy())
