"""The launch cache of tritorch/kernels/launch.py, on the cpu: its key against Triton's own
specialiser (the binder `JITFunction.run` generates, built here for the CUDA backend), and its
GPU path with the GPU faked (JITFunction.run compiles a fake CompiledKernel that records the
launches it receives, the device and stream are stubs)."""
import itertools
import random

import numpy as np
import pytest
import torch
import triton.language as tl
from triton._C.libtriton import native_specialize_impl
from triton.backends.nvidia.compiler import CUDABackend
from triton.runtime.jit import JITFunction, create_function_from_signature

from harness import record_launches
from tritorch.kernels import launch as L


def _probe(x, y, n, m, seed: tl.int64, k: tl.int64, scale, flag, off, BLOCK: tl.constexpr, ACC: tl.constexpr,
           MODE: tl.constexpr = 2):
    pass  # a signature with every kind of parameter; never compiled


PROBE = JITFunction(_probe, do_not_specialize=["seed", "scale"], do_not_specialize_on_alignment=["off"])
BINDER = create_function_from_signature(PROBE.signature, PROBE.params, CUDABackend)


def triton_key(*args, **kwargs):
    """Triton's own specialisation of a launch (JITFunction.run's cache key, less the knobs)."""
    _, specialization, options = BINDER(*args, **kwargs)
    return tuple(specialization), tuple(sorted(options.items()))


def our_key(*args, **kwargs):
    """The cache's key (less the device), launch options sorted: passed in another order they
    only cost an extra entry."""
    options, knobs, classes = L.CachedKernel(PROBE).bind(args, kwargs)[1]
    return tuple(sorted(options)), knobs, classes


def buffers():
    """Tensors of several dtypes with 16-byte aligned and unaligned data pointers."""
    out = []
    for dtype in (torch.float32, torch.float16, torch.int8, torch.int64, torch.bool):
        base = torch.zeros(64, dtype=dtype)
        assert base.data_ptr() % 16 == 0
        out += [base, base[16:], base[1:], base[3:]]
    return out


INTS = [1, 0, 16, 32, 17, -1, -16, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 5, -2 ** 31, -2 ** 31 - 1, 2 ** 32, 2 ** 63,
        2 ** 63 + 16, -2 ** 63]
SCALARS = INTS + [0.0, 1.0, 2.5, -3.0, True, False, None]


@pytest.mark.parametrize("specialize,align", [(True, True), (True, False), (False, True)])
def test_classes_match_triton_specialiser(specialize, align):
    """Scalars get exactly Triton's class; two values of any kind share a class iff Triton
    specialises them the same."""
    native = lambda v: native_specialize_impl(CUDABackend, v, False, specialize, align)  # noqa: E731
    for v in SCALARS:
        assert L.specialization(v, specialize, align) == native(v), v
    values = SCALARS + buffers()
    for a, b in itertools.product(values, values):
        same_ours = L.specialization(a, specialize, align) == L.specialization(b, specialize, align)
        assert same_ours == (native(a) == native(b)), (a, b)


def test_unknown_argument_types_are_not_cached():
    for v in (2 ** 64, torch.float32, [1, 2]):
        with pytest.raises(L.Uncacheable):
            L.specialization(v)


def _arguments(rng):
    """A random launch of PROBE: values drawn so that the classes collide often."""
    bufs = buffers()
    pick = lambda pool: pool[rng.randrange(len(pool))]  # noqa: E731
    args = [pick(bufs), pick(bufs)] + [pick(INTS[:8]) for _ in range(4)] + [pick([2.0, 3, 16]), pick([True, False]),
                                                                             pick([16, 17, 1])]
    kwargs = {"BLOCK": pick([16, 32]), "ACC": pick([tl.float32, tl.float64])}
    if rng.random() < 0.5:
        kwargs["MODE"] = pick([2, 3])
    if rng.random() < 0.5:
        kwargs["num_warps"] = pick([4, 8])
    if rng.random() < 0.3:  # a runtime argument passed by name
        kwargs["off"] = args.pop()
    return args, kwargs


def test_key_partitions_launches_as_triton_does():
    """Over random launches of a kernel with pointer, int, annotated, do_not_specialize,
    do_not_specialize_on_alignment, float, bool, constexpr and defaulted parameters: same key
    iff same Triton specialisation."""
    rng = random.Random(0)
    launches = [_arguments(rng) for _ in range(100)]
    for args, kwargs in launches[:4]:  # and one argument at a time through every kind of value
        for i in range(len(args)):
            launches += [(args[:i] + [v] + args[i + 1:], kwargs) for v in SCALARS[:-1] + buffers()[:8]]
    ours = [our_key(*a, **kw) for a, kw in launches]
    theirs = [triton_key(*a, **kw) for a, kw in launches]
    assert len(set(theirs)) > 20
    for i, j in itertools.combinations(range(len(launches)), 2):
        assert (ours[i] == ours[j]) == (theirs[i] == theirs[j]), (launches[i], launches[j])


def canonical(args) -> tuple:
    """Arguments comparable by value: a tensor by dtype, data pointer and shape."""
    return tuple((v.dtype, v.data_ptr(), tuple(v.shape)) if isinstance(v, torch.Tensor) else (type(v), v)
                 for v in args)


class FakeCompiled:
    """Stands for a CompiledKernel: logs each direct launch (its specialisation, grid, args,
    stream)."""

    def __init__(self, specialization, log, fail):
        self.specialization, self.log, self.fail = specialization, log, fail

    def __getitem__(self, grid):
        def runner(*args, stream=None):
            if self.fail:
                raise RuntimeError("launcher surprise")
            self.log.append(("direct", self.specialization, grid, canonical(args), stream))
        return runner


class FakeGpu:
    """JITFunction.run faked: the binder (counted) picks Triton's specialisation, a miss
    compiles (counted) a FakeCompiled; every launch, normal or direct, is logged in order."""

    def __init__(self):
        self.binds, self.compiles, self.fail, self.kernels, self.log = 0, 0, False, {}, []

    def run(self, kernel, *args, grid, warmup, **kwargs):
        self.binds += 1
        key = triton_key(*args, **kwargs)
        if key not in self.kernels:
            self.compiles += 1
            self.kernels[key] = FakeCompiled(key, self.log, self.fail)
        bound, _, _ = BINDER(*args, **kwargs)
        self.log.append(("normal", key, grid, canonical(bound.values()), None))
        return self.kernels[key]

    def direct(self):
        return [entry for entry in self.log if entry[0] == "direct"]


@pytest.fixture
def gpu(monkeypatch):
    fake = FakeGpu()
    monkeypatch.setattr(JITFunction, "run", lambda self, *a, grid, warmup, **kw: fake.run(self, *a, grid=grid,
                                                                                            warmup=warmup, **kw))
    monkeypatch.setattr(L, "_device", lambda: 0)
    monkeypatch.setattr(L, "_stream", lambda device: "stream0")
    monkeypatch.setattr(L, "_CACHES", {})
    return fake


def test_hit_skips_the_binder_and_passes_every_argument(gpu):
    x = torch.zeros(64)
    L.launch(PROBE, (3,), x, x[16:], 5, 16, 7, 3, 2.0, True, 32, BLOCK=16, ACC=tl.float32)
    assert (gpu.binds, gpu.compiles) == (1, 1)
    L.launch(PROBE, (4, 2), x, x[32:], 21, 48, 9, 5, 3.5, False, 17, BLOCK=16, ACC=tl.float32)
    assert (gpu.binds, gpu.compiles) == (1, 1)
    bound, _, _ = BINDER(x, x[32:], 21, 48, 9, 5, 3.5, False, 17, BLOCK=16, ACC=tl.float32)
    assert gpu.direct() == [("direct", gpu.log[0][1], (4, 2, 1), canonical(bound.values()), "stream0")]
    assert list(bound)[-3:] == ["BLOCK", "ACC", "MODE"]  # constexprs and defaults are sent too


@pytest.mark.parametrize("change", ["alignment", "int class", "one", "constexpr", "default", "option", "dtype"])
def test_a_changed_class_misses(gpu, change):
    x = torch.zeros(64)
    args, kwargs = [x, x, 5, 16, 7, 3, 2.0, True, 32], {"BLOCK": 16, "ACC": tl.float32}
    L.launch(PROBE, (1,), *args, **kwargs)
    if change == "alignment":
        args[1] = x[1:]
    elif change == "int class":
        args[3] = 17
    elif change == "one":
        args[2] = 1
    elif change == "constexpr":
        kwargs["ACC"] = tl.float64
    elif change == "default":
        kwargs["MODE"] = 3
    elif change == "option":
        kwargs["num_warps"] = 8
    else:
        args[0] = x.to(torch.float16)
    L.launch(PROBE, (1,), *args, **kwargs)
    assert (gpu.binds, gpu.compiles) == (2, 2) and not gpu.direct()


def test_every_launch_uses_the_binary_of_its_specialisation(gpu):
    """A random run of launches: each, direct or not, reaches the compiled kernel Triton picks
    for its arguments, with every argument in signature order."""
    rng = random.Random(1)
    pool, expected = [_arguments(rng) for _ in range(12)], []
    for _ in range(200):
        args, kwargs = pool[rng.randrange(len(pool))]
        shift = rng.choice([0, 32])  # other values of the same class
        args = [v + shift if type(v) is int and 2 <= v < 1000 else v for v in args]
        L.launch(PROBE, (2,), *args, **kwargs)
        bound, _, _ = BINDER(*args, **kwargs)
        expected.append((triton_key(*args, **kwargs), canonical(bound.values())))
    assert len(gpu.direct()) > 100 and gpu.binds + len(gpu.direct()) == 200
    assert [(entry[1], entry[3]) for entry in gpu.log] == expected
    assert {entry[2] for entry in gpu.direct()} == {(2, 1, 1)}


def test_a_failing_direct_launch_falls_back_for_good(gpu):
    gpu.fail = True
    x = torch.zeros(64)
    for n in (5, 7, 9):
        L.launch(PROBE, (1,), x, x, n, 16, 7, 3, 2.0, True, 32, BLOCK=16, ACC=tl.float32)
    assert gpu.binds == 3 and [entry[3][2] for entry in gpu.log] == [(int, 5), (int, 7), (int, 9)]
    assert not L._CACHES[id(PROBE)][1].direct


def test_uncacheable_arguments_and_callable_grids_take_the_normal_path(gpu):
    x = torch.zeros(64)
    for _ in range(2):
        L.launch(PROBE, lambda meta: (1,), x, x, 5, 16, 7, 3, 2.0, True, 32, BLOCK=16, ACC=tl.float32)
        L.launch(PROBE, (1,), x, x, 5, 16, 7, 3, np.float64(2.0), True, 32, BLOCK=16, ACC=tl.float32)
    assert gpu.binds == 4 and not gpu.direct()


def test_the_recorder_sees_both_paths(gpu):
    x = torch.zeros(64)
    with record_launches() as log:
        for n in (5, 7):
            L.launch(PROBE, (n,), x, x, n, 16, 7, 3, 2.0, True, 32, BLOCK=16, ACC=tl.float32)
    assert gpu.binds == 1 and len(gpu.direct()) == 1
    assert len(log) == 2 and log.grids == [(5,), (7,)]
    assert [c[1][2] for c in log.calls] == [5, 7] and all(c[0] is PROBE for c in log.calls)
    assert not L.OBSERVERS


def test_interpreted_kernels_launch_as_they_are(monkeypatch):
    from triton.runtime.interpreter import InterpretedFunction
    monkeypatch.setattr(L, "_CACHES", {})
    kernel = InterpretedFunction(_probe)
    calls = []
    kernel.run = lambda *a, grid, warmup, **kw: calls.append((a, grid))
    L.launch(kernel, (2,), 1, 2)
    assert calls == [((1, 2), (2,))] and L._CACHES[id(kernel)][1] is None
