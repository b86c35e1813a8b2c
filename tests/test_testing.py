"""The oracle itself (tritorch/testing.py): the one tolerance rule, the float64 reference rounded
once, and padding that catches a write outside an output."""
import numpy as np
import pytest

import tritorch
from tritorch import dtypes, reference
from tritorch.array_view import ArrayView
from tritorch.testing import Out, assert_padding_untouched, oracle, padded, tolerance


def test_tolerance_is_four_epsilons_growing_with_the_square_root_of_the_length():
    eps = tritorch.finfo(tritorch.float32).eps
    assert tolerance(dtypes.int32, 10 ** 6) == (0.0, 0.0)
    assert tolerance(dtypes.float32) == (4 * eps, 4 * eps)
    assert tolerance(dtypes.float32, 400)[0] == pytest.approx(4 * eps * 20)
    assert tolerance(dtypes.float64, 400)[0] == pytest.approx(4 * tritorch.finfo(tritorch.float64).eps * 20)


def test_half_types_grow_at_float32_rates():
    """Kernels combine half types in float32: a long bfloat16 sum is held to its final rounding
    plus float32's growth (4 bfloat16 epsilons were 143% after 2100 terms)."""
    rtol, _ = tolerance(dtypes.bfloat16, 2100)
    assert 4 * tritorch.finfo(tritorch.bfloat16).eps <= rtol < 0.04


def test_oracle_computes_in_float64_and_rounds_once():
    # float16 summed in float16 gives 2048 + 1 -> 2048 (ties to even) twice; rounded once: 2050
    x = np.array([2048, 1, 1], np.float16)
    want = oracle(reference.reduction.reduce, "sum", x, (0,), Out((1,), dtypes.float16))
    assert want.dtype == np.float16 and want.tolist() == [2050.0]


def test_oracle_returns_outputs_in_order():
    x = np.array([[3.0, 1.0, 2.0]], np.float32)
    values, indices = oracle(reference.reduction.sort, x, 1, False, True, Out((1, 3), dtypes.float32),
                             Out((1, 3), dtypes.int64))
    assert values.tolist() == [[1.0, 2.0, 3.0]] and indices.tolist() == [[1, 2, 0]]


def test_padding_catches_a_write_outside_the_view():
    out = padded(np.zeros(4, np.float32), dtypes.float32)
    assert_padding_untouched(out, dtypes.float32)
    beyond = ArrayView(out.buffer, out.offset + 4, (1,), (1,), dtypes.float32)
    tritorch.backend.cuda_backend().elementwise.fill(beyond, 1.0)
    with pytest.raises(AssertionError, match="outside its output view"):
        assert_padding_untouched(out, dtypes.float32)
