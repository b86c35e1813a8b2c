"""The launch path of every kernel: `launch(kernel, grid, *args, **kwargs)` is
`kernel[grid](*args, **kwargs)`, with the host work of a launch cached on a GPU.

`JITFunction.run` does on every call what depends only on the arguments' specialisation
(bind the arguments, run Triton's specialiser once per argument, build and look up its cache
key, check the used globals; TRITON_NOTES section 3: ~10 us on an H100 for ~20 arguments, 2-4x
a torch eager op). Here a cheap key replaces it: per runtime argument the class Triton
specialises on (an int: ==1, divisible by 16 or not, i32/i64/u64; a float: fp32; a bool; None;
a tensor: its dtype and whether data_ptr % 16 == 0; honouring each parameter's annotation,
`do_not_specialize` and `do_not_specialize_on_alignment`), every constexpr's value, the launch
options (num_warps, ...), the knobs that enter Triton's options, and the device. A miss launches
through the normal path, which returns the CompiledKernel; a hit launches that CompiledKernel
directly, `ck[grid](*every_argument_in_signature_order, stream=...)` (the same calling convention
in Triton 3.6 and 3.9: `CompiledKernel.__getitem__` -> `runner(*args, stream=None)`, and what
`JITFunction.run` itself passes). Same key => same Triton specialisation, so a hit launches the
binary the normal path would have (tests/test_launch.py checks the key against Triton's own
specialiser).

Not cached, always the normal path: interpreted kernels (the interpreter returns no
CompiledKernel), callable grids, kernels with pre-run hooks, arguments of a type the key does
not know. An exception from a direct launch switches that kernel to the normal path for good
and relaunches it there (an error in a launch hook after the kernel ran would then launch it
twice: Triton's hooks are profilers that do not raise). Not re-checked on a hit: that the
kernel's used globals kept their values (ours are constexpr constants).
"""
from __future__ import annotations

from typing import Any, Callable

from triton import knobs
from triton.runtime.driver import driver
from triton.runtime.jit import JITFunction

# Called as observer(kernel, args, kwargs, grid) after each direct launch, which bypasses
# `JITFunction.run` (tests/harness.py::record_launches patches run and installs an observer).
OBSERVERS: list[Callable] = []

_I32_MIN, _I32_MAX, _I64_MIN, _I64_MAX, _U64_MAX = -2 ** 31, 2 ** 31 - 1, -2 ** 63, 2 ** 63 - 1, 2 ** 64 - 1


class Uncacheable(Exception):
    """An argument the key does not classify: the launch takes the normal path."""


def _int_type(v: int) -> str:
    if _I32_MIN <= v <= _I32_MAX:
        return "i32"
    if _I64_MIN <= v <= _I64_MAX:
        return "i64"
    if 0 <= v <= _U64_MAX:
        return "u64"
    raise Uncacheable(v)


def specialization(v: Any, specialize: bool = True, align: bool = True) -> tuple:
    """The class Triton specialises a runtime argument `v` on, as Triton's binder spells it for
    scalars (`native_specialize_impl`: ('constexpr', 1), ('i32', 'D'), ('fp32', None), ...);
    a tensor gives (its dtype, 'D' or '' or None) instead of ('*fp32', 'D')."""
    t = type(v)
    if t is int:
        if specialize and v == 1:
            return ("constexpr", 1)
        kind = _int_type(v)
        if not specialize:
            return (kind, None)
        return (kind, "D" if align and v % 16 == 0 else "")
    if t is bool:
        return ("u1", None)
    if t is float:
        return ("fp32", None)
    if v is None:
        return ("constexpr", None)
    if hasattr(v, "data_ptr") and hasattr(v, "dtype"):
        if not specialize:
            return (v.dtype, None)
        return (v.dtype, "D" if align and v.data_ptr() % 16 == 0 else "")
    raise Uncacheable(f"argument of type {t.__name__}")


_INT32 = "type({0}) is int and -2147483648 <= {0} <= 2147483647"


def _class_expr(param) -> str | None:
    """The key expression of one parameter (None: it does not enter the key), mirroring
    `triton.runtime.jit.create_function_from_signature`. An i32 argument's class is inlined
    ('1', 'D', ''); anything else calls `specialization`."""
    name = param.name
    if param.is_constexpr:
        return name
    specialize, align = not param.do_not_specialize, not param.do_not_specialize_on_alignment
    annotated = param.annotation_type
    if annotated:  # Triton takes the type from the annotation, the class from the value
        if annotated == "u1" or annotated[:2] in ("fp", "bf") or not specialize:
            return None
        return f"_tt_spec({name}, True, {align})[1]"
    if specialize and align:
        return f'(("1" if {name} == 1 else "D" if {name} % 16 == 0 else "") if {_INT32.format(name)} ' \
               f"else _tt_spec({name}))"
    return f"_tt_spec({name}, {specialize}, {align})"


def _binder(kernel) -> Callable:
    """binder(*args, **kwargs) -> (every argument in signature order, the launch options, the
    key's argument classes): Python binds the arguments, as in Triton's own binder (a missing
    or doubled argument raises TypeError)."""
    namespace = {"_tt_spec": specialization}
    signature = []
    for p in kernel.params:
        if p.has_default:
            namespace[f"_tt_default_{p.name}"] = p.default
            signature.append(f"{p.name}=_tt_default_{p.name}")
        else:
            signature.append(p.name)
    classes = [e for e in (_class_expr(p) for p in kernel.params) if e is not None]
    source = f"def binder({', '.join(signature + ['**_tt_options'])}):\n" \
             f"    return ({''.join(p.name + ', ' for p in kernel.params)}), _tt_options, " \
             f"({''.join(c + ', ' for c in classes)})\n"
    exec(source, namespace)
    return namespace["binder"]


_FPSAN = hasattr(knobs.compilation, "fpsan_homomorphic_casts")  # 3.9 only


def _knobs() -> tuple:
    """The knobs `JITFunction.run` folds into a launch's options."""
    compilation = knobs.compilation
    return knobs.runtime.debug, compilation.instrumentation_mode, \
        compilation.fpsan_homomorphic_casts if _FPSAN else None


def _device() -> int:
    return driver.active.get_current_device()


def _stream(device: int):
    return driver.active.get_current_stream(device)


def _is_compiled(ck) -> bool:
    """A CompiledKernel (launchable by ck[grid]), not None (interpreter, warmup hook) nor a
    future of one (async compile)."""
    return ck is not None and hasattr(type(ck), "__getitem__") and not hasattr(type(ck), "result")


class CachedKernel:
    """The launch cache of one JITFunction: key -> CompiledKernel."""

    def __init__(self, kernel: JITFunction):
        self.kernel = kernel
        self.binder = _binder(kernel)
        self.compiled: dict = {}
        self.direct = True  # False for good after a direct launch raised

    def bind(self, args: tuple, kwargs: dict) -> tuple[tuple, tuple]:
        """Every argument in signature order (defaults filled in), and the key less the device."""
        values, options, classes = self.binder(*args, **kwargs)
        return values, (tuple(options.items()), _knobs(), classes)

    def __call__(self, grid, args: tuple, kwargs: dict):
        kernel = self.kernel
        if not self.direct or callable(grid) or kernel.pre_run_hooks:
            return kernel[grid](*args, **kwargs)
        try:
            values, key = self.bind(args, kwargs)
            device = _device()
            key = (device, key)
            ck = self.compiled.get(key)
        except (Uncacheable, TypeError):  # TypeError: a missing argument, an unhashable constexpr
            return kernel[grid](*args, **kwargs)
        if ck is None:
            ck = kernel[grid](*args, **kwargs)
            if _is_compiled(ck):
                self.compiled[key] = ck
            return ck
        grid3 = tuple(grid) + (1,) * (3 - len(grid))
        try:
            ck[grid3](*values, stream=_stream(device))
        except Exception:
            self.direct, self.compiled = False, {}
            return kernel[grid](*args, **kwargs)
        for observe in OBSERVERS:
            observe(kernel, args, kwargs, grid)
        return ck


_CACHES: dict[int, tuple[Any, CachedKernel | None]] = {}


def launch(kernel, grid, *args, **kwargs):
    """kernel[grid](*args, **kwargs), through the launch cache when `kernel` is compiled for a
    GPU (a JITFunction); an interpreted kernel launches directly. Returns what the launch
    returns (the CompiledKernel on a GPU)."""
    entry = _CACHES.get(id(kernel))
    if entry is None:  # keep the kernel alive with its cache, so its id is never reused
        entry = _CACHES[id(kernel)] = (kernel, CachedKernel(kernel) if isinstance(kernel, JITFunction) else None)
    cached = entry[1]
    if cached is None:
        return kernel[grid](*args, **kwargs)
    return cached(grid, args, kwargs)
