"""Random-number generators: a Philox 4x32-10 stream addressed by (seed, offset).

A `Generator` holds a 64-bit `seed` (the Philox key) and an `offset` (the next unused Philox
counter). An op that draws `n` elements reserves `n` counters: element `i` of its output uses
counter `offset + i`, and the generator's offset moves past them, so two successive draws never
share a counter. Every device computes the same stream from (seed, offset), so a seed gives the
same numbers on the cpu and on cuda.

As in PyTorch, each device type has a default generator (`default_generator` for the cpu,
`cuda_generator` for cuda, `torch.cuda.default_generators[0]`), each starting from a
non-deterministic seed (read from the operating system at import); `tritorch.manual_seed(s)`
seeds both, so every later draw is reproducible and cuda gives the cpu's numbers, while
`tritorch.cuda.manual_seed(s)` seeds cuda's alone. A new `Generator()` starts from PyTorch's
fixed default seed, 67280421310721; an op refuses a generator of another device type.

The state (`get_state`, `tritorch.get_rng_state()` and `tritorch.cuda.get_rng_state()` give it
as a cpu uint8 tensor, as PyTorch does) is 16 bytes: the seed, then the offset, each a
little-endian unsigned 64-bit integer (`state_bytes`). `set_state` takes that uint8 tensor, or
the 16 bytes themselves, or any 16 uint8 values numpy can read (a uint8 array).
"""
from __future__ import annotations

import os
import struct

import numpy as np

from .device import as_device

DEFAULT_SEED = 67280421310721
SEED_MIN, SEED_MAX = -(1 << 63), (1 << 64) - 1
# Kernels receive the offset as an int64, so counters stay below 2**63.
OFFSET_LIMIT = 1 << 63
_STATE = struct.Struct("<QQ")


def _as_seed(seed) -> int:
    """PyTorch's rule: any integer in [-2**63, 2**64); negative seeds wrap to uint64."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"manual_seed expected an int seed, got {type(seed).__name__} {seed!r}")
    seed = int(seed)
    if not SEED_MIN <= seed <= SEED_MAX:
        raise RuntimeError(f"Overflow when unpacking long: seed {seed} is outside "
                           f"[{SEED_MIN}, {SEED_MAX}]")
    return seed & SEED_MAX


def _nondeterministic_seed() -> int:
    return int.from_bytes(os.urandom(8), "little") >> 1  # 63 bits, as torch.seed() returns


class Generator:
    """A Philox stream: `(seed, offset)`. Pass it as `generator=` to any random op.

    >>> g = tritorch.Generator().manual_seed(42)
    >>> tritorch.rand(2, generator=g)   # the same two numbers every time
    """

    def __init__(self, device="cpu"):
        self.device = as_device(device)
        self._seed = DEFAULT_SEED
        self._offset = 0

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from `seed` (offset 0); returns the generator."""
        self._seed = _as_seed(seed)
        self._offset = 0
        return self

    def seed(self) -> int:
        """Restart from a non-deterministic seed, and return that seed."""
        self.manual_seed(_nondeterministic_seed())
        return self._seed

    def initial_seed(self) -> int:
        """The seed the stream started from."""
        return self._seed

    def get_state(self):
        """The state as PyTorch gives it: a cpu uint8 tensor of the 16 `state_bytes`."""
        # ops sit above this leaf: imported on use, as cuda.py does
        from .ops.random import state_tensor
        return state_tensor(self)

    def state_bytes(self) -> bytes:
        """16 bytes: seed and offset as little-endian uint64 (see the module docstring)."""
        return _STATE.pack(self._seed, self._offset)

    def set_state(self, state) -> Generator:
        """Restore a state from `get_state` (or `state_bytes`)."""
        if isinstance(state, (bytes, bytearray, memoryview)):
            raw = bytes(state)
        else:
            values = np.asarray(state)
            if values.dtype != np.uint8:
                raise TypeError(f"RNG state must be a uint8 tensor (a ByteTensor), got one of dtype {values.dtype}")
            raw = values.tobytes()
        if len(raw) != _STATE.size:
            raise RuntimeError(f"RNG state must be {_STATE.size} bytes (seed and offset as uint64), "
                               f"got {len(raw)} bytes")
        seed, offset = _STATE.unpack(raw)
        if offset >= OFFSET_LIMIT:
            raise RuntimeError(f"RNG state offset {offset} is not below 2**63")
        self._seed, self._offset = seed, offset
        return self

    def reserve(self, n: int) -> tuple[int, int]:
        """Claim `n` Philox counters: returns `(seed, offset)` for the caller, whose element i
        uses counter `offset + i`, and advances the offset by `n`. Each element owns a whole
        counter (all four 32-bit words), so no rounding is needed between calls."""
        if n < 0:
            raise ValueError(f"cannot reserve a negative number of counters ({n})")
        start = self._offset
        if start + n > OFFSET_LIMIT:
            raise OverflowError(f"the Philox stream of seed {self._seed} is exhausted: offset "
                                f"{start} + {n} draws passes 2**63")
        self._offset = start + n
        return self._seed, start

    def __repr__(self) -> str:
        return f"<tritorch.Generator device={self.device} seed={self._seed} offset={self._offset}>"


default_generator = Generator().manual_seed(_nondeterministic_seed())
cuda_generator = Generator("cuda").manual_seed(_nondeterministic_seed())


def resolve(generator: Generator | None, device="cpu") -> Generator:
    """The generator an op on `device` should draw from: the one given (of that device type,
    as PyTorch requires), or the device type's default one."""
    kind = as_device(device).type
    if generator is None:
        return cuda_generator if kind == "cuda" else default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a tritorch.Generator, got {type(generator).__name__}")
    if generator.device.type != kind:
        raise RuntimeError(f"Expected a '{kind}' device type for generator but found "
                           f"'{generator.device.type}'")
    return generator


def manual_seed(seed: int) -> Generator:
    """Seed the default generators of every device; returns the cpu's."""
    cuda_generator.manual_seed(seed)
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed every default generator with one non-deterministic seed and return it."""
    s = default_generator.seed()
    cuda_generator.manual_seed(s)
    return s


def initial_seed() -> int:
    """The seed the default generator was last seeded with."""
    return default_generator.initial_seed()


def set_rng_state(new_state) -> None:
    """Restore the cpu's default generator from a state taken by `get_rng_state()`."""
    default_generator.set_state(new_state)
