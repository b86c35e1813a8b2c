"""Matrix products: matmul / @, mm, bmm, mv, dot, outer, inner and einsum.

Every product runs on one backend primitive, `matmul(a, b, out)` over (B..., M, K) @ (B..., K, N)
with the batch dims already broadcast. The other ops shape their inputs into that form with
views (unsqueeze, expand, permute, diagonal, reshape); einsum folds contracted indices into K
and sums an index found in one operand only by a product with a vector of ones, so it needs
nothing but views and this one primitive.
"""
from __future__ import annotations

from collections import Counter

from ..autograd.function import Context, Function
from ..tensor import Tensor
from .common import broadcast_shapes, bump_version, check_out, empty, same_device
from .conversion import copy_into
from .creation import ones
from .registry import function, method
from .views import diagonal, expand_view, permute, reshape, squeeze, unsqueeze


class MatMul(Function):
    """a (B..., M, K) @ b (B..., K, N) -> (B..., M, N), batch dims already equal."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, b: Tensor) -> Tensor:
        out = empty(tuple(a.shape[:-1]) + (b.shape[-1],), a.dtype, a.device)
        a.backend.matmul.matmul(a.array, b.array, out.array)
        ctx.save_for_backward(a, b)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor):
        a, b = ctx.saved_tensors
        grad_a = MatMul.apply(grad, b.mT) if ctx.needs_input_grad[0] else None
        grad_b = MatMul.apply(a.mT, grad) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


# --- checks ---------------------------------------------------------------------------------

def _dims(t: Tensor) -> str:
    """A shape as PyTorch prints it in matmul errors: 2x3."""
    return "x".join(str(s) for s in t.shape)


def _check_operands(op: str, a, b) -> None:
    """Both Tensors, on one device, of one floating dtype: integer products are refused on every
    device because the cuda kernels (Triton dots) only multiply floating types."""
    for t in (a, b):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): expected Tensor arguments, got {type(t).__name__}")
    same_device(a, b)
    for t in (a, b):
        _check_floating(op, t)
    if a.dtype is not b.dtype:
        raise RuntimeError(f"{op}: expected m1 and m2 to have the same dtype, but got: "
                           f"{a.dtype.name} != {b.dtype.name}")


def _check_floating(op: str, t: Tensor) -> None:
    if not t.dtype.is_floating_point:
        kind = "bool" if t.dtype.kind == "b" else "integer"
        raise RuntimeError(f"{op} is not supported for {kind} dtype {t.dtype.name}; "
                           "convert to a floating dtype")


def _check_inner(op: str, a: Tensor, b: Tensor, k_a: int, k_b: int) -> None:
    if k_a != k_b:
        raise RuntimeError(f"{op}: mat1 and mat2 shapes cannot be multiplied ({_dims(a)} and {_dims(b)})")


def _write_out(op: str, result: Tensor, out: Tensor | None, exact_dtype: bool = True) -> Tensor:
    """Return `result`, or copy it into `out=` (whose dtype must match, as in PyTorch)."""
    if out is None:
        return result
    check_out(op, out, result.shape, result.dtype, result.device)
    if exact_dtype and out.dtype is not result.dtype:
        raise RuntimeError(f"{op}: expected out tensor to have dtype {result.dtype.name}, "
                           f"but got {out.dtype.name} instead")
    copy_into(result, out)
    bump_version(out)
    return out


# --- matmul and its special cases -------------------------------------------------------------

def batched_matmul(a: Tensor, b: Tensor) -> Tensor:
    """a (..., M, K) @ b (..., K, N) with the batch dims broadcast (as stride-0 views)."""
    try:
        batch = broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except RuntimeError as e:
        raise RuntimeError(f"matmul: the batch dimensions of shapes {list(a.shape)} and "
                           f"{list(b.shape)} cannot be broadcast ({e})") from None
    a = _expand(a, batch + tuple(a.shape[-2:]))
    b = _expand(b, batch + tuple(b.shape[-2:]))
    return MatMul.apply(a, b)


def _expand(t: Tensor, shape: tuple) -> Tensor:
    """A broadcast view recorded by autograd (its gradient sums back), or `t` when no dim grows."""
    return t if tuple(t.shape) == tuple(shape) else expand_view(t, shape)


@function
@method()
def matmul(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Matrix product with PyTorch's rules: 1-D @ 1-D is a dot product (0-d result); a 1-D
    first operand is a row vector and a 1-D second operand a column vector, whose added dim
    is removed again; dims before the last two are batch dims and broadcast.

    Differs from PyTorch: integer and bool operands are refused on every device (PyTorch's cpu
    accepts them, its GPU does not), so that cpu and cuda programs behave alike.

    >>> (tritorch.ones(5, 2, 3) @ tritorch.ones(3, 4)).shape
    tritorch.Size([5, 2, 4])
    """
    _check_operands("matmul", input, other)
    if input.ndim == 0 or other.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{input.ndim}D and {other.ndim}D")
    a = unsqueeze(input, 0) if input.ndim == 1 else input
    b = unsqueeze(other, -1) if other.ndim == 1 else other
    _check_inner("matmul", input, other, a.shape[-1], b.shape[-2])
    result = batched_matmul(a, b)
    if other.ndim == 1:
        result = squeeze(result, -1)
    if input.ndim == 1:
        result = squeeze(result, -2 if other.ndim > 1 else -1)
    return _write_out("matmul", result, out)


@method("__matmul__")
def _matmul_operator(self: Tensor, other) -> Tensor:
    return matmul(self, other) if isinstance(other, Tensor) else NotImplemented


@method("__rmatmul__")
def _rmatmul_operator(self: Tensor, other) -> Tensor:
    return matmul(other, self) if isinstance(other, Tensor) else NotImplemented


@function
@method()
def mm(input: Tensor, mat2: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Product of two matrices (2-D only; no broadcasting). Floating dtypes only (see `matmul`)."""
    _check_operands("mm", input, mat2)
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"mm: expected 2-D tensors (matrices), got shapes {list(input.shape)} "
                           f"and {list(mat2.shape)}")
    _check_inner("mm", input, mat2, input.shape[1], mat2.shape[0])
    return _write_out("mm", MatMul.apply(input, mat2), out)


@function
@method()
def bmm(input: Tensor, mat2: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Batched product of (B, M, K) and (B, K, N) (equal B; no broadcasting). Floating dtypes only (see `matmul`)."""
    _check_operands("bmm", input, mat2)
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(f"bmm: expected 3-D tensors, got shapes {list(input.shape)} and "
                           f"{list(mat2.shape)}")
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(f"bmm: batch sizes differ ({input.shape[0]} and {mat2.shape[0]}) in "
                           f"shapes {list(input.shape)} and {list(mat2.shape)}")
    _check_inner("bmm", input, mat2, input.shape[2], mat2.shape[1])
    return _write_out("bmm", MatMul.apply(input, mat2), out)


@function
@method()
def mv(input: Tensor, vec: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Matrix (M, K) times vector (K,) -> (M,). Floating dtypes only (see `matmul`)."""
    _check_operands("mv", input, vec)
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"mv: expected a 2-D matrix and a 1-D vector, got shapes "
                           f"{list(input.shape)} and {list(vec.shape)}")
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"mv: size mismatch, got input ({input.shape[0]}), mat ({_dims(input)}), "
                           f"vec ({vec.shape[0]})")
    result = squeeze(MatMul.apply(input, unsqueeze(vec, 1)), 1)
    return _write_out("mv", result, out)


@function
@method()
def dot(input: Tensor, tensor: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Dot product of two 1-D tensors of equal length, as a 0-d tensor. Floating dtypes only (see `matmul`)."""
    _check_operands("dot", input, tensor)
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(f"dot: 1D tensors expected, but got {input.ndim}D and {tensor.ndim}D "
                           f"tensors (shapes {list(input.shape)} and {list(tensor.shape)})")
    if input.shape[0] != tensor.shape[0]:
        raise RuntimeError(f"dot: inconsistent tensor size, expected tensor [{input.shape[0]}] and "
                           f"src [{tensor.shape[0]}] to have the same number of elements")
    result = MatMul.apply(unsqueeze(input, 0), unsqueeze(tensor, 1))
    return _write_out("dot", reshape(result, ()), out)


@function(aliases=("ger",))
@method("outer", "ger")
def outer(input: Tensor, vec2: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Outer product of two 1-D tensors: out[i, j] = input[i] * vec2[j] (types promote, as the
    elementwise product it is)."""
    for t in (input, vec2):
        if not isinstance(t, Tensor):
            raise TypeError(f"outer(): expected Tensor arguments, got {type(t).__name__}")
    if input.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(f"outer: expected 1-D arguments, got shapes {list(input.shape)} and "
                           f"{list(vec2.shape)}")
    return _write_out("outer", reshape(input, (-1, 1)) * vec2, out, exact_dtype=False)


@function
@method()
def inner(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Sum of products over the last dims: shape input.shape[:-1] + other.shape[:-1]; a 0-d
    operand multiplies elementwise."""
    if isinstance(input, Tensor) and isinstance(other, Tensor) and (input.ndim == 0 or other.ndim == 0):
        return _write_out("inner", input * other, out, exact_dtype=False)
    _check_operands("inner", input, other)
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner: the last dimension must match on both input tensors but got "
                           f"shapes {list(input.shape)} and {list(other.shape)}")
    k = input.shape[-1]
    rows = reshape(input, (_prod(input.shape[:-1]), k))
    cols = reshape(other, (_prod(other.shape[:-1]), k)).t()
    result = reshape(MatMul.apply(rows, cols), tuple(input.shape[:-1]) + tuple(other.shape[:-1]))
    return _write_out("inner", result, out)


# --- einsum ---------------------------------------------------------------------------------
# A label is a letter, or an int 0..E-1 for the E dims an ellipsis covers (right-aligned across
# operands, so that ellipsis dims broadcast like the batch dims of matmul).

@function
def einsum(equation: str, *operands: Tensor) -> Tensor:
    """Einstein summation: `einsum('bij,bjk->bik', a, b)`. Supports `...`, repeated indices
    (diagonals), the implicit output (no '->': indices appearing once, sorted, after the
    ellipsis dims), size-1 broadcasting, and any number of operands (contracted pairwise,
    left to right). Operands may also be given as one list."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str) or not operands:
        raise RuntimeError("einsum(): must specify the equation string and at least one operand")
    for t in operands:
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum(): expected Tensor operands, got {type(t).__name__}")
    same_device(*operands)
    terms, output = _parse_equation(equation, len(operands))
    labels, n_ellipsis = _operand_labels(terms, operands)
    output = _output_labels(terms, output, n_ellipsis)
    tensors = [_take_diagonals(t, ls, i) for i, (t, ls) in enumerate(zip(operands, labels))]
    sizes = _label_sizes(tensors)
    _check_einsum_dtypes(tensors, output)
    x, xl = tensors[0]
    for i in range(1, len(tensors)):
        keep = set(output).union(*(ls for _, ls in tensors[i + 1:]))
        x, xl = _contract(x, xl, *tensors[i], keep, sizes)
    x, xl = _sum_labels(x, xl, [l for l in xl if l not in output])
    return permute(x, [xl.index(l) for l in output])


def _parse_equation(equation: str, n_operands: int):
    """Split into input terms and the output term (None in implicit mode); each term is a list
    of letters and '...'."""
    lhs, arrow, rhs = equation.partition("->")
    pieces = lhs.split(",")
    if len(pieces) != n_operands:
        which = "more" if n_operands > len(pieces) else "fewer"
        raise RuntimeError(f"einsum(): {which} operands were provided than specified in the equation "
                           f"{equation!r} ({len(pieces)} term(s), {n_operands} operand(s))")
    terms, start = [], 0
    for i, piece in enumerate(pieces):
        terms.append(_parse_term(piece, start, f"operand {i}"))
        start += len(piece) + 1
    output = _parse_term(rhs, len(lhs) + 2, "the output") if arrow else None
    return terms, output


def _parse_term(term: str, start: int, what: str) -> list[str]:
    """Tokens of one term; `start` is its index in the equation, for the error messages."""
    tokens, i = [], 0
    while i < len(term):
        c = term[i]
        if c == ".":
            if "..." in tokens:
                raise RuntimeError(f"einsum(): found '.' for {what} for which an ellipsis was already found")
            if term[i:i + 3] != "...":
                raise RuntimeError(f"einsum(): found '.' for {what} that is not part of any ellipsis")
            tokens.append("...")
            i += 3
            continue
        if c.isascii() and c.isalpha():
            tokens.append(c)
        elif c != " ":
            raise RuntimeError(f"einsum(): invalid subscript {c!r} given at index {start + i} in the "
                               "equation string, subscripts must be in [a-zA-Z]")
        i += 1
    return tokens


def _operand_labels(terms, operands):
    """Each operand's label per dim (ellipsis dims as ints), and the ellipsis dim count E."""
    covered = []
    for i, (term, t) in enumerate(zip(terms, operands)):
        letters = len(term) - ("..." in term)
        if "..." in term and letters > t.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({letters}) is more "
                               f"than the number of dimensions ({t.ndim}) for operand {i}")
        if "..." not in term and letters != t.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({letters}) does not "
                               f"match the number of dimensions ({t.ndim}) for operand {i} "
                               "and no ellipsis was given")
        covered.append(t.ndim - letters)
    n_ellipsis = max(covered)
    labels = []
    for term, e in zip(terms, covered):
        ls = []
        for token in term:
            ls.extend(range(n_ellipsis - e, n_ellipsis) if token == "..." else [token])
        labels.append(ls)
    return labels, n_ellipsis


def _output_labels(terms, output, n_ellipsis: int) -> list:
    counts = Counter(c for term in terms for c in term if c != "...")
    if output is None:
        return list(range(n_ellipsis)) + sorted(c for c, n in counts.items() if n == 1)
    labels = []
    for token in output:
        if token == "...":
            labels.extend(range(n_ellipsis))
        elif token in labels:
            raise RuntimeError(f"einsum(): output subscript {token} appears more than once in the output")
        elif token not in counts:
            raise RuntimeError(f"einsum(): output subscript {token} does not appear in the equation "
                               "for any input operand")
        else:
            labels.append(token)
    return labels


def _take_diagonals(t: Tensor, labels: list, index: int):
    """Replace each index repeated within one operand by its diagonal (a view)."""
    labels = list(labels)
    for label in dict.fromkeys(labels):
        while labels.count(label) > 1:
            d1 = labels.index(label)
            d2 = labels.index(label, d1 + 1)
            if t.shape[d1] != t.shape[d2]:
                raise RuntimeError(f"einsum(): subscript {label} is repeated for operand {index} but "
                                   f"the sizes don't match, {t.shape[d1]} != {t.shape[d2]}")
            t = diagonal(t, 0, d1, d2)
            labels = [l for k, l in enumerate(labels) if k not in (d1, d2)] + [label]
    return t, labels


def _label_sizes(tensors) -> dict:
    """Each label's size after broadcasting size-1 dims across operands."""
    sizes = {}
    for i, (t, labels) in enumerate(tensors):
        for label, size in zip(labels, t.shape):
            seen = sizes.get(label, size)
            if size != seen and 1 not in (size, seen):
                what = (f"subscript {label}" if isinstance(label, str) else
                        f"dimension {label} covered by ellipsis")
                raise RuntimeError(f"einsum(): {what} has size {size} for operand {i} which does not "
                                   f"broadcast with previously seen size {seen}")
            sizes[label] = seen if size == 1 else size
    return sizes


def _check_einsum_dtypes(tensors, output) -> None:
    """A product or a sum needs one floating dtype; a pure view (permutation, diagonal) does not."""
    first = tensors[0][0]
    for i, (t, _) in enumerate(tensors[1:], 1):
        if t.dtype is not first.dtype:
            raise RuntimeError(f"einsum(): operands must have the same dtype, but operand 0 is "
                               f"{first.dtype.name} and operand {i} is {t.dtype.name}")
    if len(tensors) > 1 or any(l not in output for l in tensors[0][1]):
        _check_floating("einsum", first)


def _contract(a: Tensor, al: list, b: Tensor, bl: list, keep: set, sizes: dict):
    """The product of two labelled operands, summing the labels not in `keep`."""
    a, al = _sum_labels(a, al, [l for l in al if l not in bl and l not in keep])
    b, bl = _sum_labels(b, bl, [l for l in bl if l not in al and l not in keep])
    batch = [l for l in al if l in bl and l in keep]
    summed = [l for l in al if l in bl and l not in keep]
    rows = [l for l in al if l not in bl]
    cols = [l for l in bl if l not in al]
    a3 = _as_matrices(_broadcast_labels(a, al, summed, sizes), al, batch, rows, summed)
    b3 = _as_matrices(_broadcast_labels(b, bl, summed, sizes), bl, batch, summed, cols)
    out = batched_matmul(a3, b3)
    out_shape = tuple(out.shape[:-2]) + _sizes_of(a, al, rows) + _sizes_of(b, bl, cols)
    return reshape(out, out_shape), batch + rows + cols


def _broadcast_labels(t: Tensor, labels: list, which: list, sizes: dict) -> Tensor:
    """`t` with the dims labelled `which` expanded to their full size (a size-1 dim repeats),
    so that a contracted label of size 1 in one operand meets its size in the other."""
    shape = tuple(sizes[l] if l in which else s for l, s in zip(labels, t.shape))
    return _expand(t, shape)


def _as_matrices(t: Tensor, labels: list, batch: list, first: list, second: list) -> Tensor:
    """`t` permuted to (batch..., first..., second...) and reshaped to (batch..., M, K)."""
    t = permute(t, [labels.index(l) for l in batch + first + second])
    nb, nf = len(batch), len(first)
    return reshape(t, tuple(t.shape[:nb]) + (_prod(t.shape[nb:nb + nf]), _prod(t.shape[nb + nf:])))


def _sum_labels(t: Tensor, labels: list, summed: list):
    """Sum `t` over the dims labelled `summed`, as a product with a vector of ones."""
    if not summed:
        return t, labels
    kept = [l for l in labels if l not in summed]
    t = permute(t, [labels.index(l) for l in kept + summed])
    kept_shape = tuple(t.shape[:len(kept)])
    n = _prod(t.shape[len(kept):])
    t = reshape(t, kept_shape + (n,))
    return matmul(t, ones(n, dtype=t.dtype, device=t.device)), kept


def _sizes_of(t: Tensor, labels: list, wanted: list) -> tuple[int, ...]:
    return tuple(t.shape[labels.index(l)] for l in wanted)


def _prod(sizes) -> int:
    n = 1
    for s in sizes:
        n *= s
    return n
