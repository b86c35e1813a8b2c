"""Matrix products (matmul / @, mm, bmm, mv, dot, outer, inner, einsum) against torch and numpy
in float64, on contiguous, transposed, broadcast (stride 0), 0-size and size-1 inputs."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tritorch
from helpers import assert_close, to_numpy
from strategies import SETTINGS, tensors
from tritorch.device import device
from tritorch.reference import matmul as reference
from tritorch.tensor import Storage, Tensor

FLOATS = [tritorch.float32, tritorch.float64, tritorch.float16, tritorch.bfloat16]


def make(shape, dtype=tritorch.float32, seed=0):
    """Values in [-1, 1], so that rounding errors stay within the tolerance of the one rule even
    when a sum cancels."""
    return tritorch.tensor(np.random.default_rng(seed).uniform(-1, 1, shape), dtype=dtype)


def make_transposed(shape, dtype=tritorch.float32, seed=0):
    """A non-contiguous tensor of `shape`: stored with its dims reversed, then permuted back."""
    order = list(reversed(range(len(shape))))
    return make([shape[d] for d in order], dtype, seed).permute(*order)


def oracle(fn, *ts):
    """`fn` on float64 torch copies of the tensors' values: the exact result to compare with."""
    return fn(*(torch.from_numpy(to_numpy(t).astype(np.float64)) for t in ts)).numpy()


def fake_cuda(shape):
    """A tensor that claims to live on cuda (never computed on), to test device checks."""
    n = int(np.prod(shape))
    storage = Storage(np.zeros(n, np.float32), device("cuda"), tritorch.float32, n)
    return Tensor(storage, shape, tritorch.empty(*shape).stride())


# --- the primitive ----------------------------------------------------------------------------
def test_primitive_writes_strided_out_and_reads_stride_zero_batches():
    a = make((1, 2, 3)).expand(4, 2, 3)  # batch stride 0
    b = make_transposed((4, 3, 5), seed=1)
    out = tritorch.empty(4, 5, 2).transpose(1, 2)  # non-contiguous out
    reference.matmul(a.array, b.array, out.array)
    assert_close(out, np.matmul(to_numpy(a), to_numpy(b)), reduction_len=3)


def test_primitive_k_zero_writes_zeros():
    out = tritorch.full((2, 3), float("nan"))
    reference.matmul(tritorch.empty(2, 0).array, tritorch.empty(0, 3).array, out.array)
    assert_close(out, np.zeros((2, 3)))


def test_primitive_rejects_shapes_that_break_its_contract():
    a, b, out = tritorch.empty(2, 3).array, tritorch.empty(4, 5).array, tritorch.empty(2, 5).array
    with pytest.raises(ValueError, match=r"a \[2, 3\], b \[4, 5\], out \[2, 5\]"):
        reference.matmul(a, b, out)


@pytest.mark.parametrize("dtype", [tritorch.float16, tritorch.bfloat16], ids=lambda d: d.name)
def test_half_types_accumulate_in_float32_and_round_once(dtype):
    # 1 + eps/2 + eps/2: each addition in the half type would round back to 1
    half_eps = tritorch.finfo(dtype).eps / 2
    a = tritorch.tensor([[1.0, 1.0, 1.0]], dtype=dtype)
    b = tritorch.tensor([[1.0], [half_eps], [half_eps]], dtype=dtype)
    assert (a @ b).item() == 1 + 2 * half_eps


def test_float64_accumulates_in_float64():
    a = tritorch.tensor([2.0 ** 30, 1.0, -(2.0 ** 30)], dtype=tritorch.float64)
    assert tritorch.dot(a, tritorch.ones(3, dtype=tritorch.float64)).item() == 1.0


# --- matmul ------------------------------------------------------------------------------------
MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((1, 1), (1, 1)),
    ((5, 2, 3), (3,)), ((3,), (5, 3, 4)), ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)),
    ((5, 2, 3), (5, 3, 4)), ((5, 1, 2, 3), (4, 3, 2)), ((1, 2, 3), (6, 3, 4)),
    ((0, 3), (3, 4)), ((2, 0), (0, 4)), ((2, 3), (3, 0)), ((0, 2, 3), (3, 4)), ((0,), (0,)),
    ((1, 0), (0, 1)), ((3, 0, 2), (1, 2, 5)),
]


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: d.name)
@pytest.mark.parametrize("shape_a, shape_b", MATMUL_SHAPES, ids=str)
def test_matmul_matches_torch(shape_a, shape_b, dtype):
    a, b = make(shape_a, dtype, 1), make(shape_b, dtype, 2)
    k = shape_a[-1]
    assert_close(a @ b, oracle(torch.matmul, a, b), dtype=dtype, reduction_len=k)
    assert_close(tritorch.matmul(a, b), oracle(torch.matmul, a, b), dtype=dtype, reduction_len=k)


@pytest.mark.parametrize("a, b", [
    (make_transposed((4, 3)), make_transposed((3, 5), seed=1)),
    (make((1, 4, 3)).expand(6, 4, 3), make_transposed((6, 3, 2), seed=1)),
    (make((4, 5, 3)).permute(1, 0, 2), make((3, 1, 2), seed=1).expand(3, 5, 2).transpose(0, 1)),
    (make((10, 7)).narrow(0, 2, 4).narrow(1, 1, 3), make((3,), seed=1).unsqueeze(1).expand(3, 6)),
    (make((8,)).narrow(0, 2, 3), make_transposed((2, 3, 4), seed=1)),
], ids=["both-transposed", "expanded-batch", "permuted-and-expanded", "sliced-and-expanded",
        "sliced-vector"])
def test_matmul_on_non_contiguous_inputs(a, b):
    assert not (a.is_contiguous() and b.is_contiguous())
    assert_close(a @ b, oracle(torch.matmul, a, b), reduction_len=a.shape[-1])


@st.composite
def matmul_operands(draw):
    """Shapes PyTorch accepts, with size-1 and missing batch dims to broadcast, 0 to 4 sides."""
    m, k, n = (draw(st.integers(0, 4)) for _ in range(3))
    batch = draw(st.lists(st.integers(0, 3), max_size=2))
    a_batch = [draw(st.sampled_from([s, 1])) for s in batch][draw(st.integers(0, len(batch))):]
    b_batch = [draw(st.sampled_from([s, 1])) for s in batch][draw(st.integers(0, len(batch))):]
    a_shape = (k,) if draw(st.booleans()) and not a_batch else (*a_batch, m, k)
    b_shape = (k,) if draw(st.booleans()) and not b_batch else (*b_batch, k, n)
    return draw(tensors(shape=a_shape, low=-1, high=1)), draw(tensors(shape=b_shape, low=-1, high=1))


@settings(**SETTINGS)
@given(matmul_operands())
def test_matmul_property_matches_numpy(operands):
    (a, a_np), (b, b_np) = operands
    expected = np.matmul(a_np.astype(np.float64), b_np.astype(np.float64))
    assert_close(a @ b, expected, reduction_len=a.shape[-1])


def test_rmatmul_and_method():
    a, b = make((2, 3)), make((3, 4), seed=1)
    expected = oracle(torch.matmul, a, b)
    assert_close(b.__rmatmul__(a), expected, reduction_len=3)
    assert_close(a.matmul(b), expected, reduction_len=3)


def test_matmul_out():
    a, b = make((2, 3)), make((3, 4), seed=1)
    out = tritorch.empty(2, 4)
    assert tritorch.matmul(a, b, out=out) is out
    assert_close(out, oracle(torch.matmul, a, b), reduction_len=3)
    with pytest.raises(RuntimeError, match="expected out tensor to have dtype float32, but got float64"):
        tritorch.matmul(a, b, out=tritorch.empty(2, 4, dtype=tritorch.float64))
    with pytest.raises(RuntimeError, match=r"out= has shape \[4, 2\] but the result has shape \[2, 4\]"):
        tritorch.matmul(a, b, out=tritorch.empty(4, 2))


@pytest.mark.parametrize("shape_a, shape_b, message", [
    ((2, 3), (4, 5), r"matmul: mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"),
    ((3,), (4,), r"cannot be multiplied \(3 and 4\)"),
    ((2, 3), (4,), r"cannot be multiplied \(2x3 and 4\)"),
    ((4,), (3, 5), r"cannot be multiplied \(4 and 3x5\)"),
    ((2, 2, 3), (3, 3, 4), r"batch dimensions of shapes \[2, 2, 3\] and \[3, 3, 4\] cannot be broadcast"),
    ((), (3,), "both arguments to matmul need to be at least 1D, but they are 0D and 1D"),
])
def test_matmul_shape_errors(shape_a, shape_b, message):
    with pytest.raises(RuntimeError, match=message):
        tritorch.matmul(make(shape_a), make(shape_b))


@pytest.mark.parametrize("dtype, message", [
    (tritorch.int64, "matmul is not supported for integer dtype int64; convert to a floating dtype"),
    (tritorch.int32, "integer dtype int32"),
    (tritorch.bool, "matmul is not supported for bool dtype bool"),
])
def test_matmul_rejects_integer_and_bool(dtype, message):
    a = tritorch.ones(2, 2, dtype=dtype)
    with pytest.raises(RuntimeError, match=message):
        a @ a


def test_matmul_rejects_mixed_dtypes_devices_and_non_tensors():
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype, but got: float32 != float64"):
        make((2, 3)) @ make((3, 2), tritorch.float64)
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device.*cpu and cuda:0"):
        make((2, 3)) @ fake_cuda((3, 2))
    with pytest.raises(TypeError, match="unsupported operand"):
        make((2, 3)) @ 2.0
    with pytest.raises(TypeError, match=r"matmul\(\): expected Tensor arguments, got list"):
        tritorch.matmul(make((2,)), [1.0, 2.0])


def test_broadcast_operands_stay_on_the_autograd_graph():
    b = make((3, 2)).requires_grad_()
    assert (make((4, 2, 3)) @ b).requires_grad
    assert tritorch.einsum("i,ij->j", make((1,)), b).requires_grad


# --- mm, bmm, mv, dot ------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: d.name)
def test_mm_bmm_mv_dot_match_torch(dtype):
    m = make_transposed((4, 3), dtype)
    n = make((3, 5), dtype, 1)
    assert_close(tritorch.mm(m, n), oracle(torch.mm, m, n), dtype=dtype, reduction_len=3)
    assert_close(m.mm(n), oracle(torch.mm, m, n), dtype=dtype, reduction_len=3)
    x, y = make((2, 4, 3), dtype), make_transposed((2, 3, 0), dtype, 1)
    assert_close(tritorch.bmm(x, y), oracle(torch.bmm, x, y), dtype=dtype, reduction_len=3)
    x, y = make((1, 4, 3), dtype).expand(3, 4, 3), make((3, 3, 2), dtype, 1)
    assert_close(x.bmm(y), oracle(torch.bmm, x, y), dtype=dtype, reduction_len=3)
    v = make((8,), dtype, 2).narrow(0, 1, 3)
    assert_close(tritorch.mv(m, v), oracle(torch.mv, m, v), dtype=dtype, reduction_len=3)
    assert_close(m.mv(v), oracle(torch.mv, m, v), dtype=dtype, reduction_len=3)
    w = make((3,), dtype, 3)
    assert_close(tritorch.dot(v, w), oracle(torch.dot, v, w), dtype=dtype, reduction_len=3)
    assert_close(v.dot(w), oracle(torch.dot, v, w), dtype=dtype, reduction_len=3)


def test_zero_size_products_are_zeros():
    assert_close(tritorch.mm(make((2, 0)), make((0, 3))), np.zeros((2, 3)))
    assert_close(tritorch.mv(make((2, 0)), make((0,))), np.zeros(2))
    assert_close(tritorch.dot(make((0,)), make((0,))), np.zeros(()))
    assert_close(tritorch.bmm(make((0, 2, 3)), make((0, 3, 4))), np.zeros((0, 2, 4)))


def test_mm_bmm_mv_dot_out():
    m, n = make((2, 3)), make((3, 4), seed=1)
    out = tritorch.empty(2, 4)
    assert tritorch.mm(m, n, out=out) is out
    assert_close(out, oracle(torch.mm, m, n), reduction_len=3)
    v, out = make((3,), seed=2), tritorch.empty(2)
    assert tritorch.mv(m, v, out=out) is out
    assert_close(out, oracle(torch.mv, m, v), reduction_len=3)
    out = tritorch.empty(())
    assert tritorch.dot(v, v, out=out) is out
    assert_close(out, oracle(torch.dot, v, v), reduction_len=3)
    x, y, out = make((2, 2, 3)), make((2, 3, 1)), tritorch.empty(2, 2, 1)
    assert tritorch.bmm(x, y, out=out) is out
    assert_close(out, oracle(torch.bmm, x, y), reduction_len=3)


@pytest.mark.parametrize("call, message", [
    (lambda: tritorch.mm(make((3,)), make((3, 4))), r"mm: expected 2-D tensors \(matrices\), got shapes \[3\] and \[3, 4\]"),
    (lambda: tritorch.mm(make((2, 3)), make((4, 5))), r"mm: mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"),
    (lambda: tritorch.mm(make((2, 3)), make((3, 2)).long()), "mm is not supported for integer dtype int64"),
    (lambda: tritorch.bmm(make((2, 3)), make((2, 3, 4))), r"bmm: expected 3-D tensors, got shapes \[2, 3\] and \[2, 3, 4\]"),
    (lambda: tritorch.bmm(make((2, 3, 4)), make((3, 4, 5))), r"bmm: batch sizes differ \(2 and 3\)"),
    (lambda: tritorch.bmm(make((2, 3, 4)), make((2, 3, 5))), r"cannot be multiplied \(2x3x4 and 2x3x5\)"),
    (lambda: tritorch.mv(make((2, 3)), make((3, 1))), r"mv: expected a 2-D matrix and a 1-D vector, got shapes \[2, 3\] and \[3, 1\]"),
    (lambda: tritorch.mv(make((2, 3)), make((4,))), r"mv: size mismatch, got input \(2\), mat \(2x3\), vec \(4\)"),
    (lambda: tritorch.dot(make((3, 1)), make((3,))), r"dot: 1D tensors expected, but got 2D and 1D tensors"),
    (lambda: tritorch.dot(make((3,)), make((4,))), r"dot: inconsistent tensor size, expected tensor \[3\] and src \[4\]"),
    (lambda: tritorch.dot(make((3,)), make((3,), tritorch.float16)), "dot: expected m1 and m2 to have the same dtype, but got: float32 != float16"),
    (lambda: tritorch.dot(make((3,)).bool(), make((3,)).bool()), "dot is not supported for bool dtype bool"),
])
def test_mm_bmm_mv_dot_errors(call, message):
    with pytest.raises(RuntimeError, match=message):
        call()


# --- outer, inner ----------------------------------------------------------------------------
def test_outer_and_ger_match_torch():
    a, b = make((8,)).narrow(0, 1, 4), make((3,), seed=1)
    assert_close(tritorch.outer(a, b), oracle(torch.outer, a, b))
    assert_close(a.ger(b), oracle(torch.outer, a, b))
    assert_close(tritorch.outer(make((0,)), b), np.zeros((0, 3)))
    ints = tritorch.outer(tritorch.arange(3), tritorch.arange(2))  # an elementwise product: ints work
    assert_close(ints, np.outer(np.arange(3), np.arange(2)), dtype=tritorch.int64)
    out = tritorch.empty(4, 3)
    assert tritorch.outer(a, b, out=out) is out
    assert_close(out, oracle(torch.outer, a, b))
    with pytest.raises(RuntimeError, match=r"outer: expected 1-D arguments, got shapes \[2, 3\] and \[4\]"):
        tritorch.outer(make((2, 3)), make((4,)))


@pytest.mark.parametrize("shape_a, shape_b", [
    ((3,), (3,)), ((2, 3), (4, 3)), ((2, 1, 3), (3,)), ((2, 0), (5, 0)), ((), (2, 3)), ((2,), ()),
], ids=str)
def test_inner_matches_torch(shape_a, shape_b):
    a, b = make(shape_a), make_transposed(shape_b, seed=1)
    k = shape_a[-1] if shape_a and shape_b else 1
    assert_close(tritorch.inner(a, b), oracle(torch.inner, a, b), reduction_len=k)
    assert_close(a.inner(b), oracle(torch.inner, a, b), reduction_len=k)


def test_inner_errors():
    with pytest.raises(RuntimeError, match=r"inner: the last dimension must match on both input tensors "
                                           r"but got shapes \[2, 3\] and \[4, 5\]"):
        tritorch.inner(make((2, 3)), make((4, 5)))


# --- einsum ------------------------------------------------------------------------------------
# (equation, operand shapes, reduction length: the number of terms each output element sums)
EINSUM_CASES = [
    ("ij->ji", [(2, 3)], 1),
    ("ij", [(2, 3)], 1),
    ("ba", [(2, 3)], 1),
    ("jk,ij", [(3, 4), (2, 3)], 3),
    ("aB", [(2, 3)], 1),
    ("ii->i", [(3, 3)], 1),
    ("ii", [(3, 3)], 3),
    ("ii->", [(4, 4)], 4),
    ("iij->j", [(3, 3, 4)], 3),
    ("iji->j", [(3, 4, 3)], 3),
    ("ij->", [(2, 3)], 6),
    ("ij->i", [(2, 3)], 3),
    ("ij->j", [(2, 3)], 2),
    ("i,i->", [(5,), (5,)], 5),
    ("i,i->i", [(5,), (5,)], 1),
    ("i,i->i", [(1,), (4,)], 1),
    ("i,i->i", [(0,), (1,)], 1),
    ("i,i->", [(1,), (0,)], 1),
    ("i,i->", [(1,), (3,)], 3),
    ("i,j->ij", [(3,), (4,)], 1),
    ("ij,jk->ik", [(2, 3), (3, 4)], 3),
    ("ij,kj->ik", [(2, 3), (4, 3)], 3),
    ("ji,jk->ki", [(3, 2), (3, 4)], 3),
    ("ij,jk", [(2, 3), (3, 4)], 3),
    ("ba,ab", [(3, 2), (2, 3)], 6),
    ("ij,ij->ij", [(2, 3), (2, 3)], 1),
    ("ij,ij->", [(2, 3), (2, 3)], 6),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)], 4),
    ("bij,jk->bik", [(2, 3, 4), (4, 5)], 4),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)], 15),
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)], 4),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)], 12),
    ("i,j,k->ijk", [(2,), (3,), (4,)], 1),
    ("Ab,bC->AC", [(2, 3), (3, 4)], 3),
    ("...ij,...jk->...ik", [(2, 3, 2, 3), (3, 3, 4)], 3),
    ("...ii->...i", [(2, 3, 3)], 1),
    ("i...->...", [(3, 2, 2)], 3),
    ("...,...->...", [(2, 1), (3,)], 1),
    ("...ij->ij", [(2, 3, 4)], 2),
    ("ij...,jk...", [(2, 3, 5), (3, 4, 5)], 3),
    ("ij->ij...", [(2, 3)], 1),
    ("...", [(2, 3)], 1),
    ("", [()], 1),
    (",->", [(), ()], 1),
    ("i j -> j i", [(2, 3)], 1),
    ("ij,jk->ik", [(2, 0), (0, 3)], 1),
    ("ij,jk->ik", [(0, 3), (3, 2)], 3),
    ("ij->i", [(2, 0)], 1),
]


@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
@pytest.mark.parametrize("equation, shapes, k", EINSUM_CASES, ids=[c[0] for c in EINSUM_CASES])
def test_einsum_matches_torch(equation, shapes, k, layout):
    build = make if layout == "contiguous" else make_transposed
    ops = [build(s, seed=i) for i, s in enumerate(shapes)]
    expected = oracle(lambda *xs: torch.einsum(equation, *xs), *ops)
    assert_close(tritorch.einsum(equation, *ops), expected, reduction_len=k)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: d.name)
@pytest.mark.parametrize("equation, shapes, k", [
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)], 15),
    ("iij->j", [(3, 3, 4)], 3),
    ("ij,jk", [(2, 3), (3, 4)], 3),
])
def test_einsum_dtypes(equation, shapes, k, dtype):
    ops = [make(s, dtype, seed=i) for i, s in enumerate(shapes)]
    expected = oracle(lambda *xs: torch.einsum(equation, *xs), *ops)
    assert_close(tritorch.einsum(equation, *ops), expected, dtype=dtype, reduction_len=k)


def test_einsum_broadcast_operands_and_operand_list():
    a = make((1, 3)).expand(4, 3)
    b = make((3,), seed=1).unsqueeze(1).expand(3, 5)
    expected = oracle(lambda x, y: torch.einsum("ij,jk->ik", x, y), a, b)
    assert_close(tritorch.einsum("ij,jk->ik", [a, b]), expected, reduction_len=3)


def test_einsum_views_work_for_integers():
    x = tritorch.arange(9).view(3, 3)
    assert_close(tritorch.einsum("ij->ji", x), np.arange(9).reshape(3, 3).T, dtype=tritorch.int64)
    assert_close(tritorch.einsum("ii->i", x), np.array([0, 4, 8]), dtype=tritorch.int64)


@st.composite
def einsum_problems(draw):
    """A random equation over labels a-d (repeats allowed), its operands and the sum's length."""
    sizes = {c: draw(st.integers(0, 3)) for c in "abcd"}
    terms = draw(st.lists(st.lists(st.sampled_from("abcd"), max_size=3), min_size=1, max_size=3))
    used = sorted({c for t in terms for c in t})
    output = draw(st.permutations(used))[:draw(st.integers(0, len(used)))]
    ops = [draw(tensors(shape=tuple(sizes[c] for c in t), low=-1, high=1)) for t in terms]
    k = int(np.prod([sizes[c] for c in used if c not in output]))
    return ",".join("".join(t) for t in terms) + "->" + "".join(output), ops, max(k, 1)


@settings(**SETTINGS)
@given(einsum_problems())
def test_einsum_property_matches_numpy(problem):
    equation, ops, k = problem
    expected = np.einsum(equation, *(a.astype(np.float64) for _, a in ops))
    assert_close(tritorch.einsum(equation, *(t for t, _ in ops)), expected, reduction_len=k)


@pytest.mark.parametrize("equation, shapes, message", [
    ("i-j", [(2, 3)], r"invalid subscript '-' given at index 1 in the equation string, subscripts must be in \[a-zA-Z\]"),
    ("ij->j->i", [(2, 3)], "invalid subscript '-' given at index 5"),
    (".i", [(2, 3)], "found '.' for operand 0 that is not part of any ellipsis"),
    ("......", [(2, 3)], "found '.' for operand 0 for which an ellipsis was already found"),
    ("ij->i..j...", [(2, 3)], "found '.' for the output that is not part of any ellipsis"),
    ("ij", [(2, 3), (3,)], "more operands were provided than specified in the equation 'ij'"),
    ("ij,jk", [(2, 3)], "fewer operands were provided than specified in the equation"),
    ("ijk", [(2, 3)], r"the number of subscripts in the equation \(3\) does not match the number of "
                      r"dimensions \(2\) for operand 0 and no ellipsis was given"),
    ("ijk...->", [(2, 3)], r"the number of subscripts in the equation \(3\) is more than the number of "
                           r"dimensions \(2\) for operand 0"),
    ("ij->k", [(2, 3)], "output subscript k does not appear in the equation for any input operand"),
    ("ij->ii", [(2, 3)], "output subscript i appears more than once in the output"),
    ("ii", [(2, 3)], "subscript i is repeated for operand 0 but the sizes don't match, 2 != 3"),
    ("ij,jk", [(2, 3), (4, 5)], "subscript j has size 4 for operand 1 which does not broadcast with "
                                "previously seen size 3"),
    ("...i,...i", [(2, 3), (4, 3)], "dimension 0 covered by ellipsis has size 4 for operand 1"),
])
def test_einsum_equation_errors(equation, shapes, message):
    with pytest.raises(RuntimeError, match=message):
        tritorch.einsum(equation, *[make(s) for s in shapes])


def test_einsum_operand_errors():
    with pytest.raises(RuntimeError, match="must specify the equation string and at least one operand"):
        tritorch.einsum("ij")
    with pytest.raises(TypeError, match=r"einsum\(\): expected Tensor operands, got ndarray"):
        tritorch.einsum("i", np.ones(2))
    with pytest.raises(RuntimeError, match="operands must have the same dtype, but operand 0 is float32 "
                                           "and operand 1 is float64"):
        tritorch.einsum("i,i", make((2,)), make((2,), tritorch.float64))
    with pytest.raises(RuntimeError, match="einsum is not supported for integer dtype int64"):
        tritorch.einsum("ii", tritorch.arange(4).view(2, 2))
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        tritorch.einsum("ij,jk", make((2, 3)), fake_cuda((3, 2)))
