"""Views: new shapes and strides over the same storage. None of these copy, except `reshape`
and `flatten` when the strides cannot express the result (as in PyTorch)."""
from __future__ import annotations

from ..array_view import contiguous_strides
from ..autograd import Function
from ..tensor import Tensor, wrap_dim_of_tensor
from .common import broadcast_shapes, empty, expand_to, wrap_dim, wrap_dims
from .registry import as_property, function, method


class View(Function):
    """A view of `x` with the given geometry; `grad_of(grad)` maps the view's gradient back to
    x's shape in Tensor ops (so it is differentiable again)."""

    @staticmethod
    def forward(ctx, x: Tensor, *, name: str, geometry: tuple, grad_of):
        ctx.node_name, ctx.grad_of = name, grad_of
        return x.as_strided_view(*geometry)

    @staticmethod
    def backward(ctx, grad: Tensor):
        return ctx.grad_of(grad)


class ScatterInto(Function):
    """Zeros of `shape` with `grad` written into the sub-view `reselect(zeros)`: the backward of
    every view that selects a subset (narrow, select, diagonal, slicing, ...). Its own backward
    is `reselect`, a view again."""

    @staticmethod
    def forward(ctx, grad: Tensor, *, shape: tuple, reselect):
        ctx.reselect = reselect
        out = empty(shape, grad.dtype, grad.device).zero_()
        part = reselect(out)
        part.backend.copy.copy(grad.array, part.array)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor):
        return ctx.reselect(grad)


def _view(x: Tensor, shape, strides, offset=None, *, name: str = "ViewBackward0", grad_of=None) -> Tensor:
    """A view of x; by default its gradient is reshaped back to x's shape."""
    in_shape = tuple(x.shape)
    geometry = (tuple(shape), tuple(strides), x.storage_offset() if offset is None else offset)
    return View.apply(x, name=name, geometry=geometry, grad_of=grad_of or (lambda g: g.reshape(in_shape)))


def _subview(x: Tensor, shape, strides, offset, *, name: str, reselect) -> Tensor:
    """A view selecting a subset of x's elements; `reselect(t)` takes the same subset of any
    tensor t of x's shape (used to scatter the gradient back)."""
    in_shape = tuple(x.shape)
    return _view(x, shape, strides, offset, name=name,
                 grad_of=lambda g: ScatterInto.apply(g, shape=in_shape, reselect=reselect))


def sum_to_shape(g: Tensor, shape) -> Tensor:
    """Sum a broadcast gradient back to `shape` (the backward of broadcasting)."""
    shape = tuple(shape)
    if tuple(g.shape) == shape:
        return g
    lead = g.ndim - len(shape)
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and g.shape[lead + i] != 1)
    out = g.sum(dims, keepdim=True) if dims else g
    return out.reshape(shape)


def infer_size(shape, numel: int) -> tuple[int, ...]:
    """Resolve one -1 in `shape` for a tensor of `numel` elements."""
    shape = list(shape)
    if shape.count(-1) > 1:
        raise RuntimeError(f"only one dimension can be inferred, got shape {shape}")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s} in shape {shape}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
        shape[shape.index(-1)] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
    return tuple(shape)


def view_strides(old_shape, old_strides, new_shape):
    """Strides that give `new_shape` over the same elements, or None when one new dimension
    would span two non-mergeable old dimensions (PyTorch's computeStride)."""
    if not old_shape or 0 in old_shape or 1 == _numel(old_shape):
        return contiguous_strides(new_shape)
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_base = old_strides[-1]
    tensor_numel = view_numel = 1
    for d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[d]
        if d == 0 or (old_shape[d - 1] != 1 and old_strides[d - 1] != tensor_numel * chunk_base):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new_strides[view_d] = view_numel * chunk_base
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if d > 0:
                chunk_base = old_strides[d - 1]
                tensor_numel = view_numel = 1
    return tuple(new_strides) if view_d == -1 else None


def _numel(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


@method()
def view(self: Tensor, *shape) -> Tensor:
    """The same elements with a new shape, never copying; one size may be -1.

    Raises when the strides cannot express the new shape; `reshape` copies then."""
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)):
        raise TypeError("view(dtype) is not supported; use .to(dtype) to convert")
    shape = infer_size(_shape_tuple(shape), self.numel())
    strides = view_strides(tuple(self.shape), self.stride(), shape)
    if strides is None:
        raise RuntimeError(
            f"view size is not compatible with input tensor's size and stride (at least one "
            f"dimension spans across two contiguous subspaces): shape {list(self.shape)} with "
            f"strides {list(self.stride())} cannot be viewed as {list(shape)}. Use .reshape(...) instead.")
    return _view(self, shape, strides)


def _shape_tuple(args) -> tuple[int, ...]:
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    return tuple(int(s) for s in args)


@function
@method()
def reshape(input: Tensor, *shape) -> Tensor:
    """`view` when the strides allow it, otherwise a contiguous copy."""
    shape = infer_size(_shape_tuple(shape), input.numel())
    strides = view_strides(tuple(input.shape), input.stride(), shape)
    if strides is not None:
        return _view(input, shape, strides)
    return input.contiguous().view(shape)


@method()
def view_as(self: Tensor, other: Tensor) -> Tensor:
    """`view` with other's shape."""
    return self.view(tuple(other.shape))


@method()
def reshape_as(self: Tensor, other: Tensor) -> Tensor:
    """`reshape` to other's shape."""
    return reshape(self, tuple(other.shape))


@function
@method()
def permute(input: Tensor, *dims) -> Tensor:
    """Reorder dimensions: `x.permute(2, 0, 1)`."""
    dims = _shape_tuple(dims)
    if len(dims) != input.ndim:
        raise RuntimeError(f"permute: number of dims in the tensor input ({input.ndim}) does not "
                           f"match the length of the desired ordering of dims ({len(dims)}), dims {list(dims)}")
    order = tuple(wrap_dim(d, input.ndim) for d in dims)
    if len(set(order)) != len(order):
        raise RuntimeError(f"permute: repeated dim in {list(dims)}")
    inverse = tuple(sorted(range(len(order)), key=order.__getitem__))
    return _view(input, [input.shape[d] for d in order], [input.stride(d) for d in order],
                 name="PermuteBackward0", grad_of=lambda g: g.permute(inverse))


@function
@method("transpose", "swapaxes", "swapdims")
def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """A view with dims `dim0` and `dim1` swapped (also `swapaxes`, `swapdims`)."""
    n = max(input.ndim, 1)
    d0, d1 = wrap_dim(dim0, n), wrap_dim(dim1, n)
    if input.ndim == 0:
        return _view(input, (), (), name="TransposeBackward0")
    order = list(range(input.ndim))
    order[d0], order[d1] = order[d1], order[d0]
    return permute(input, order)


function(transpose, name="swapaxes")
function(transpose, name="swapdims")


@function
@method()
def t(input: Tensor) -> Tensor:
    """Transpose a tensor of at most 2 dimensions."""
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D "
                           f"(shape {list(input.shape)})")
    return transpose(input, 0, 1) if input.ndim == 2 else _view(input, input.shape, input.stride(),
                                                                name="TBackward0")


@method("T")
@as_property
def _T(self: Tensor) -> Tensor:
    """A view with all dims reversed."""
    return permute(self, tuple(reversed(range(self.ndim))))


@method("mT")
@as_property
def _mT(self: Tensor) -> Tensor:
    """A view with the last two dims swapped (a batch of transposed matrices)."""
    if self.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {self.ndim}-D tensor.")
    return transpose(self, -2, -1)


@function
@method()
def movedim(input: Tensor, source, destination) -> Tensor:
    """A view with dims `source` moved to positions `destination`, the others in order (also `moveaxis`)."""
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) "
                           f"should contain the same number of dims as destination ({list(dst)} dims)")
    if input.ndim == 0 and set(src) | set(dst) <= {0, -1}:
        return _view(input, (), ())
    src = [wrap_dim(d, input.ndim) for d in src]
    dst = [wrap_dim(d, input.ndim) for d in dst]
    for name, dims in (("source", src), ("destination", dst)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(dims)})")
    order = [None] * input.ndim
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(input.ndim) if d not in src)
    order = [o if o is not None else next(rest) for o in order]
    return permute(input, order)


function(movedim, name="moveaxis")


@method()
def expand(self: Tensor, *sizes) -> Tensor:
    """A broadcast view: size-1 dims repeat with stride 0; -1 keeps a size."""
    return expand_view(self, _shape_tuple(sizes))


def expand_view(x: Tensor, shape) -> Tensor:
    geometry = expand_to(x, shape)  # validates and computes the stride-0 geometry
    in_shape = tuple(x.shape)
    return _view(x, geometry.shape, geometry.stride(), name="ExpandBackward0",
                 grad_of=lambda g: sum_to_shape(g, in_shape))


@method()
def expand_as(self: Tensor, other: Tensor) -> Tensor:
    """`expand` to other's shape."""
    return expand_view(self, tuple(other.shape))


@function
@method()
def broadcast_to(input: Tensor, shape) -> Tensor:
    """A broadcast view of input with `shape` (stride 0 where input has size 1)."""
    return expand_view(input, tuple(shape))


@function
def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """Broadcast views of the tensors, all with their common shape."""
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(expand_view(t, shape) for t in tensors)


function(broadcast_shapes, name="broadcast_shapes")


@function
@method()
def squeeze(input: Tensor, dim=None) -> Tensor:
    """Drop size-1 dims (all of them, or those in `dim`; other sizes are left alone)."""
    dims = wrap_dims(dim, input.ndim) if input.ndim else ()
    keep = [d for d in range(input.ndim) if not (d in dims and input.shape[d] == 1)]
    return _view(input, [input.shape[d] for d in keep], [input.stride(d) for d in keep],
                 name="SqueezeBackward0")


@function
@method()
def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """A view with a size-1 dim inserted at `dim`."""
    d = wrap_dim(dim, input.ndim + 1)
    shape, strides = list(input.shape), list(input.stride())
    stride = shape[d] * strides[d] if d < input.ndim else 1
    shape.insert(d, 1)
    strides.insert(d, stride)
    return _view(input, shape, strides, name="UnsqueezeBackward0")


@function
@method()
def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Dims `start_dim` to `end_dim` merged into one (a view when the strides allow)."""
    if input.ndim == 0:
        return reshape(input, (1,))
    s, e = wrap_dim(start_dim, input.ndim), wrap_dim(end_dim, input.ndim)
    if s > e:
        raise RuntimeError(f"flatten() has invalid args: start_dim ({start_dim}) cannot come after "
                           f"end_dim ({end_dim})")
    shape = list(input.shape)
    return reshape(input, shape[:s] + [_numel(shape[s:e + 1])] + shape[e + 1:])


@function
@method()
def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    """A view with dim `dim` split into `sizes` (one may be -1)."""
    d = wrap_dim(dim, input.ndim)
    sizes = infer_size(tuple(sizes), input.shape[d])
    shape = list(input.shape)
    return input.view(shape[:d] + list(sizes) + shape[d + 1:])


@function
@method()
def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """Elements `start` to `start + length` along `dim`."""
    d = wrap_dim_of_tensor("narrow", dim, input.ndim)
    size = input.shape[d]
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise IndexError(f"narrow: start ({start}) + length ({length}) exceeds dimension size "
                         f"({size}) of dim {dim} for shape {list(input.shape)}")
    shape = list(input.shape)
    shape[d] = length
    return _subview(input, shape, input.stride(), input.storage_offset() + start * input.stride(d),
                    name="NarrowBackward0", reselect=lambda t: narrow(t, d, start, length))


@function
@method()
def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The slice at `index` along `dim`, which is removed."""
    d = wrap_dim_of_tensor("select", dim, input.ndim)
    size = input.shape[d]
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of bounds for dimension {d} with size {size}")
    index %= size
    shape, strides = list(input.shape), list(input.stride())
    offset = input.storage_offset() + index * strides[d]
    del shape[d], strides[d]
    return _subview(input, shape, strides, offset, name="SelectBackward0",
                    reselect=lambda t: select(t, d, index))


@function
@method()
def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along `dim`, as views."""
    d = wrap_dim_of_tensor("unbind", dim, input.ndim)
    return tuple(select(input, d, i) for i in range(input.shape[d]))


@function
@method()
def split(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of `split_size` along `dim` (the last may be smaller), or of the listed sizes."""
    d = wrap_dim_of_tensor("split", dim, tensor.ndim)
    size = tensor.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and size:
            raise RuntimeError(f"split expects split_size be positive, but got split_size={step}")
        sections = [min(step, size - i) for i in range(0, size, step)] if size else [0]
    else:
        sections = list(split_size_or_sections)
        if sum(sections) != size:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                               f"(input tensor's size at dimension {d}), but got split_sizes={sections}")
    out, start = [], 0
    for n in sections:
        out.append(narrow(tensor, d, start, n))
        start += n
    return tuple(out)


@function
@method()
def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """`chunks` nearly equal pieces along `dim` (fewer when the size does not allow more)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim_of_tensor("chunk", dim, input.ndim)
    size = input.shape[d]
    if not size:  # PyTorch gives `chunks` empty pieces
        return tuple(narrow(input, d, 0, 0) for _ in range(chunks))
    return split(input, -(-size // chunks), d)


@function
@method()
def as_strided(input: Tensor, size, stride, storage_offset: int | None = None) -> Tensor:
    """A view with explicit sizes, strides (in elements) and offset into the storage."""
    size, stride = tuple(size), tuple(stride)
    offset = input.storage_offset() if storage_offset is None else storage_offset
    if len(size) != len(stride):
        raise RuntimeError(f"as_strided: mismatch in length of strides {list(stride)} and shape {list(size)}")
    if any(s < 0 for s in size) or any(s < 0 for s in stride) or offset < 0:
        raise RuntimeError(f"as_strided: negative size, stride or offset (size {list(size)}, "
                           f"stride {list(stride)}, offset {offset})")
    if _numel(size):
        last = offset + sum((n - 1) * s for n, s in zip(size, stride))
        if last >= input.untyped_storage().size:
            raise RuntimeError(
                f"as_strided: size {list(size)}, stride {list(stride)} and storage offset {offset} "
                f"reach element {last}, out of bounds for storage of size {input.untyped_storage().size}")
    if input.requires_grad and not input.is_contiguous():
        raise NotImplementedError(
            f"as_strided on a non-contiguous tensor that requires grad (shape {list(input.shape)}, "
            f"strides {list(input.stride())}) is not differentiable in tritorch; call .contiguous() first")
    if input.requires_grad and _overlaps(size, stride):
        raise NotImplementedError(f"as_strided with overlapping elements (size {list(size)}, stride "
                                  f"{list(stride)}) is not differentiable in tritorch")
    base = input.storage_offset()
    return _subview(input, size, stride, offset, name="AsStridedBackward0",
                    reselect=lambda t: t.as_strided_view(size, stride, t.storage_offset() + offset - base))


def _overlaps(size, stride) -> bool:
    """Whether two indices of a (size, stride) geometry can reach the same element (conservative:
    the dims sorted by stride must each step past everything the smaller ones span)."""
    span = 0
    for s, n in sorted((s, n) for n, s in zip(size, stride) if n > 1):
        if s <= span:
            return True
        span += (n - 1) * s
    return False


@function
@method()
def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of the (dim1, dim2) planes as a view, moved to the last dimension."""
    d1, d2 = wrap_dim(dim1, input.ndim), wrap_dim(dim2, input.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n1, n2 = input.shape[d1], input.shape[d2]
    start = input.storage_offset()
    if offset >= 0:
        length = max(0, min(n1, n2 - offset))
        start += offset * input.stride(d2) if length else 0
    else:
        length = max(0, min(n1 + offset, n2))
        start += -offset * input.stride(d1) if length else 0
    keep = [d for d in range(input.ndim) if d not in (d1, d2)]
    shape = [input.shape[d] for d in keep] + [length]
    strides = [input.stride(d) for d in keep] + [input.stride(d1) + input.stride(d2)]
    return _subview(input, shape, strides, start, name="DiagonalBackward0",
                    reselect=lambda t: diagonal(t, offset, d1, d2))


@method()
def unfold(self: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """All windows of `size` along `dimension`, `step` apart, as a new last dimension."""
    d = wrap_dim(dimension, max(self.ndim, 1))
    have = self.shape[d] if self.ndim else 1
    if size < 0:
        raise RuntimeError(f"unfold: size is {size} but must be >= 0")
    if size > have:
        raise RuntimeError(f"unfold: maximum size for tensor at dimension {d} is {have} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"unfold: step is {step} but must be > 0")
    if self.ndim == 0:
        return _view(self, (size,), (1,), name="UnfoldBackward0")
    shape, strides = list(self.shape), list(self.stride())
    shape[d] = (have - size) // step + 1
    stride = strides[d]
    strides[d] *= step
    in_shape = tuple(self.shape)
    return _view(self, shape + [size], strides + [stride], name="UnfoldBackward0",
                 grad_of=lambda g: _unfold_grad(g, in_shape, d, size, step))


def _unfold_grad(g: Tensor, shape, d: int, size: int, step: int) -> Tensor:
    """Windows overlap, so scatter each window position k separately and add: for a fixed k
    the windows touch distinct elements."""
    total = None
    for k in range(size):
        part = ScatterInto.apply(select(g, -1, k), shape=shape,
                                 reselect=lambda t, k=k: select(unfold(t, d, size, step), -1, k))
        total = part if total is None else total + part
    return total


@method()
def detach(self: Tensor) -> Tensor:
    """A tensor sharing storage with this one, cut from the autograd graph."""
    # no _base: a detached tensor shares memory but never takes part in its base's history
    return Tensor(self._storage, tuple(self.shape), self.stride(), self.storage_offset())

