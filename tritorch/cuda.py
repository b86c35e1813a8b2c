"""`tritorch.cuda`: the cuda device's state, as `torch.cuda`.

Without a GPU, Triton's interpreter runs the same kernels on the CPU: set `TRITON_INTERPRET=1`
before importing tritorch, or call `use_interpreter()` before the first cuda tensor. Then
`is_available()` is True and `is_interpreted()` tells the two apart.
"""
from __future__ import annotations

import os
import sys

from . import random as _random


def _memory():
    from .kernels import memory  # imports torch (for allocation only) on first use
    return memory


def use_interpreter() -> None:
    """Run cuda kernels through Triton's interpreter from now on (must precede the first cuda op)."""
    if "tritorch.kernels" in sys.modules and not is_interpreted():
        raise RuntimeError("use_interpreter() must be called before the first cuda operation: the "
                           "Triton kernels are already compiled for the GPU")
    os.environ["TRITON_INTERPRET"] = "1"


def is_interpreted() -> bool:
    return _memory().interpreted()


def is_available() -> bool:
    return _memory().available()


def device_count() -> int:
    return _memory().device_count()


def current_device() -> int:
    return _memory().current_device()


def get_device_name(device=None) -> str:
    return _memory().device_name()


def synchronize(device=None) -> None:
    _memory().synchronize()


def memory_allocated(device=None) -> int:
    return _memory().memory_allocated()


def max_memory_allocated(device=None) -> int:
    return _memory().max_memory_allocated()


def reset_peak_memory_stats(device=None) -> None:
    """Restart `max_memory_allocated()` from the bytes allocated now."""
    _memory().reset_peak_memory_stats()


def empty_cache() -> None:
    _memory().empty_cache()


# --- random number generation: cuda's default generator, `torch.cuda.default_generators[0]` ---
def manual_seed(seed: int) -> None:
    """Seed cuda's default generator (the cpu's is left alone; `tritorch.manual_seed` seeds both)."""
    _random.cuda_generator.manual_seed(seed)


def manual_seed_all(seed: int) -> None:
    """Seed the default generator of every cuda device (there is one)."""
    manual_seed(seed)


def seed() -> None:
    """Seed cuda's default generator non-deterministically."""
    _random.cuda_generator.seed()


def seed_all() -> None:
    seed()


def initial_seed() -> int:
    return _random.cuda_generator.initial_seed()


def get_rng_state(device="cuda"):
    """cuda's generator state: a cpu uint8 tensor of 16 bytes (seed, offset), as PyTorch's Philox."""
    from .ops.random import state_tensor  # ops sit above this module: import on use
    return state_tensor(_random.cuda_generator)


def get_rng_state_all() -> list:
    return [get_rng_state()]


def set_rng_state(new_state, device="cuda") -> None:
    """Restore cuda's generator from a state taken by `get_rng_state()`."""
    _random.cuda_generator.set_state(new_state)


def set_rng_state_all(new_states) -> None:
    for state in new_states:
        set_rng_state(state)
