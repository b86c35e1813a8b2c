"""Gradients of the matrix products (matmul and its special cases, mm/bmm/mv/dot, outer/inner,
einsum): finite-difference checks in float64 on tiny shapes, second derivatives, and gradients
compared with torch's."""
import pytest

import tritorch
from tritorch.autograd import Function, GradcheckError, gradcheck, gradgradcheck
from test_grad_indexing import assert_gradients_match_torch, check, leaves

# --- the checks can fail -------------------------------------------------------------------------

class WrongDouble(Function):
    """2x with a backward that forgets the factor 2."""

    @staticmethod
    def forward(ctx, x):
        return x + x

    @staticmethod
    def backward(ctx, grad):
        return grad


def test_gradcheck_catches_a_wrong_backward():
    with pytest.raises(GradcheckError):
        gradcheck(lambda a, b: WrongDouble.apply(a) @ b, leaves((2, 2), (2, 2)))


# --- matmul and its special cases ------------------------------------------------------------

MATMUL_CASES = {
    "mat@mat": ((2, 3), (3, 2)),
    "vec@vec": ((3,), (3,)),
    "vec@mat": ((3,), (3, 2)),
    "mat@vec": ((2, 3), (3,)),
    "vec@batch": ((3,), (2, 3, 2)),
    "batch@vec": ((2, 2, 3), (3,)),
    "batch@mat": ((2, 2, 3), (3, 2)),
    "broadcast batch": ((2, 1, 2, 2), (3, 2, 2)),
}


@pytest.mark.parametrize("shape_a, shape_b", MATMUL_CASES.values(), ids=MATMUL_CASES.keys())
def test_matmul_gradients(shape_a, shape_b):
    check(lambda a, b: a @ b, *leaves(shape_a, shape_b))


def test_matmul_gradients_on_transposed_operands():
    check(lambda a, b: a.mT @ b.permute(0, 2, 1), *leaves((3, 2), (2, 2, 3)))


def test_rmatmul_and_functional_forms():
    a, b = leaves((2, 3), (3, 2))
    check(lambda a, b: tritorch.matmul(a, b) + b.__rmatmul__(a), a, b)


def test_mm_bmm_mv_dot_gradients():
    check(lambda a, b: tritorch.mm(a, b.t()), *leaves((2, 3), (2, 3)))
    check(lambda a, b: tritorch.bmm(a, b.mT), *leaves((2, 2, 3), (2, 2, 3)))
    check(lambda a, v: tritorch.mv(a.t(), v), *leaves((3, 2), (3,)))
    check(tritorch.dot, *leaves((4,), (4,)))


def test_outer_and_inner_gradients():
    check(tritorch.outer, *leaves((3,), (2,)))
    check(tritorch.inner, *leaves((2, 3), (2, 3)))
    check(tritorch.inner, *leaves((3,), (2, 2, 3)))
    check(tritorch.inner, *leaves((), (2, 3)))


EINSUM_CASES = {
    "trace": ("ii", [(3, 3)]),
    "diagonal": ("ii->i", [(3, 3)]),
    "transpose": ("ij->ji", [(2, 3)]),
    "sum all": ("ij->", [(2, 3)]),
    "batch diagonal": ("...ii->...i", [(2, 2, 2)]),
    "batch matmul": ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    "bilinear": ("i,ij,j->", [(2,), (2, 3), (3,)]),
    "bilinear batched": ("bi,ioj,bj->bo", [(2, 2), (2, 2, 3), (2, 3)]),
    "implicit": ("ij,jk", [(2, 3), (3, 2)]),
    "implicit outer": ("j,i", [(3,), (2,)]),
    "ellipsis broadcast": ("...ij,...jk->...ik", [(2, 1, 2, 2), (3, 2, 2)]),
    "size-1 label broadcast": ("bij,bjk->bik", [(1, 2, 3), (2, 3, 2)]),
    "size-1 contracted label": ("ij,jk->ik", [(2, 1), (3, 2)]),
    "diagonal then contract": ("iij,jk->ik", [(2, 2, 3), (3, 2)]),
    "label in one operand only": ("ij,k->i", [(2, 3), (2,)]),
}


@pytest.mark.parametrize("equation, shapes", EINSUM_CASES.values(), ids=EINSUM_CASES.keys())
def test_einsum_gradients(equation, shapes):
    check(lambda *ts: tritorch.einsum(equation, *ts), *leaves(*shapes))


def test_einsum_gradients_on_permuted_operands():
    check(lambda a, b: tritorch.einsum("ij,jk->ik", a.t(), b.t()), *leaves((3, 2), (2, 3)))


SECOND_ORDER = {
    "matmul": (lambda a, b: a @ b, [(2, 3), (3, 2)]),
    "matmul broadcast batch": (lambda a, b: a @ b, [(2, 1, 2, 2), (2, 2, 2)]),
    "matmul vec@vec": (lambda a, b: a @ b, [(3,), (3,)]),
    "mm": (tritorch.mm, [(2, 3), (3, 2)]),
    "bmm": (tritorch.bmm, [(2, 2, 3), (2, 3, 2)]),
    "einsum batch": (lambda a, b: tritorch.einsum("bij,bjk->bik", a, b), [(2, 2, 2), (2, 2, 2)]),
    "einsum bilinear": (lambda x, w, y: tritorch.einsum("i,ij,j->", x, w, y), [(2,), (2, 3), (3,)]),
    "einsum trace": (lambda a, b: tritorch.einsum("ij,ji", a, b), [(2, 3), (3, 2)]),
}


@pytest.mark.parametrize("fn, shapes", SECOND_ORDER.values(), ids=SECOND_ORDER.keys())
def test_second_derivatives_of_products(fn, shapes):
    assert gradgradcheck(fn, leaves(*shapes))


# --- against torch ---------------------------------------------------------------------------

# fn(lib, *tensors) runs with lib = tritorch and lib = torch
TORCH_CASES = {
    "broadcast matmul": (lambda lib, a, b: a @ b, [(2, 1, 2, 3), (3, 3, 2)]),
    "einsum": (lambda lib, a, b: lib.einsum("bij,jk,bk->bi", a, b, a[:, 0]), [(2, 3, 3), (3, 3)]),
}


@pytest.mark.parametrize("fn, shapes", TORCH_CASES.values(), ids=TORCH_CASES.keys())
def test_gradients_match_torch(fn, shapes):
    assert_gradients_match_torch(fn, shapes)
