"""Tensor core: creation, metadata, views that share storage, reshape, conversions, errors."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tritorch
from helpers import assert_close, assert_same_storage
from strategies import SETTINGS, tensors


def T(a, dtype=None):
    return tritorch.tensor(np.asarray(a), dtype=dtype)


# --- creation ---------------------------------------------------------------------------------
@pytest.mark.parametrize("data, dtype", [
    ([1.0, 2.5], tritorch.float32), ([1, 2], tritorch.int64), ([True, False], tritorch.bool),
    ([[1, 2], [3, 4]], tritorch.int64), (3.5, tritorch.float32), (7, tritorch.int64), ([], tritorch.float32),
    (np.arange(3, dtype=np.float64), tritorch.float64), (np.arange(3, dtype=np.int16), tritorch.int16),
    (np.float64(2.0), tritorch.float64),
])
def test_tensor_infers_dtype_like_torch(data, dtype):
    t = tritorch.tensor(data)
    assert t.dtype is dtype
    assert str(torch.tensor(data).dtype).replace("torch.", "") == dtype.name
    np.testing.assert_array_equal(t.numpy(), np.asarray(data))


def test_tensor_copies_its_data():
    a = np.arange(4.0)
    t = tritorch.tensor(a)
    a[0] = 100
    assert t[0].item() == 0.0


def test_from_numpy_shares_memory_including_strided_arrays():
    a = np.arange(24.0).reshape(4, 6)[1:, ::2]
    t = tritorch.from_numpy(a)
    assert t.shape == a.shape and t.stride() == (6, 2) and t.dtype is tritorch.float64
    a[0, 0] = -1
    assert t[0, 0].item() == -1
    t.fill_(3)
    assert (a == 3).all()


def test_from_numpy_rejects_negative_strides():
    with pytest.raises(ValueError, match="negative"):
        tritorch.from_numpy(np.arange(4)[::-1])


def test_as_tensor_shares_numpy_memory_and_returns_tensors_unchanged():
    a = np.ones(3, dtype=np.float32)
    t = tritorch.as_tensor(a)
    a[1] = 5
    assert t[1].item() == 5
    assert tritorch.as_tensor(t) is t


@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
def test_constant_factories(name):
    t = getattr(tritorch, name)(2, 3, dtype=tritorch.int32)
    assert t.shape == (2, 3) and t.dtype is tritorch.int32 and t.is_contiguous()
    assert getattr(tritorch, name)((4,)).shape == (4,)
    if name != "empty":
        np.testing.assert_array_equal(t.numpy(), getattr(np, name)((2, 3)))


def test_full_dtype_follows_value_and_like_forms():
    assert tritorch.full((2,), 3).dtype is tritorch.int64
    assert tritorch.full((2,), 3.0).dtype is tritorch.float32
    assert tritorch.full((2,), True).dtype is tritorch.bool
    x = tritorch.ones(2, 3, dtype=tritorch.float16)
    for f in (tritorch.zeros_like, tritorch.ones_like, tritorch.empty_like):
        y = f(x)
        assert y.shape == x.shape and y.dtype is tritorch.float16
    np.testing.assert_array_equal(tritorch.full_like(x, 7).numpy(), np.full((2, 3), 7, np.float16))
    assert tritorch.zeros_like(x, dtype=tritorch.int8).dtype is tritorch.int8


@pytest.mark.parametrize("args", [(5,), (2, 7), (1, 2, 0.25), (10, 0, -3), (0,), (-1.5, 1.5, 0.5), (0, 1, 0.1)])
def test_arange_matches_torch(args):
    got, want = tritorch.arange(*args), torch.arange(*args)
    assert got.dtype.name == str(want.dtype).replace("torch.", "")
    assert_close(got, want.numpy(), check_dtype=False)


@pytest.mark.parametrize("start, end, steps", [(0, 1, 5), (-3, 7, 11), (2, 2, 1), (0, 1, 0), (1, -1, 4), (0, 10, 2)])
def test_linspace_matches_torch(start, end, steps):
    assert_close(tritorch.linspace(start, end, steps), torch.linspace(start, end, steps).numpy())


def test_eye():
    np.testing.assert_array_equal(tritorch.eye(3).numpy(), np.eye(3, dtype=np.float32))
    np.testing.assert_array_equal(tritorch.eye(2, 4, dtype=tritorch.int64).numpy(), np.eye(2, 4, dtype=np.int64))


def test_new_factories_inherit_dtype():
    x = tritorch.zeros(1, dtype=tritorch.float64)
    assert x.new_zeros(2, 2).dtype is tritorch.float64
    assert x.new_ones((3,)).shape == (3,)
    assert x.new_full((2,), 4).tolist() == [4.0, 4.0]
    assert x.new_tensor([1, 2]).dtype is tritorch.float64


# --- metadata ---------------------------------------------------------------------------------
def test_metadata_like_torch():
    t, r = tritorch.zeros(2, 3, 4), torch.zeros(2, 3, 4)
    assert t.shape == r.shape and t.size() == r.size() and t.size(-1) == 4
    assert t.stride() == r.stride() and t.stride(0) == 12
    assert t.dim() == 3 and t.ndim == 3 and t.numel() == 24 and len(t) == 2
    assert t.element_size() == 4 and t.nbytes == 96 and t.storage_offset() == 0
    assert repr(t.shape) == "tritorch.Size([2, 3, 4])" and t.shape.numel() == 24
    assert t.device == tritorch.device("cpu") and t.is_floating_point() and not t.is_cuda


def test_item_tolist_and_python_conversions():
    assert tritorch.tensor([[2.5]]).item() == 2.5
    assert tritorch.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert tritorch.tensor(1.5, dtype=tritorch.bfloat16).tolist() == 1.5
    assert float(tritorch.tensor(2.0)) == 2.0 and int(tritorch.tensor(3)) == 3
    assert list(range(10))[tritorch.tensor(4)] == 4
    assert bool(tritorch.tensor([1]))


def test_data_ptr_moves_with_offset():
    x = tritorch.zeros(4, 4)
    assert x[1].data_ptr() - x.data_ptr() == 16


# --- views ------------------------------------------------------------------------------------
def test_view_and_reshape_share_storage_when_possible():
    x = tritorch.arange(24.).view(2, 3, 4)
    for v in (x.view(6, 4), x.view(-1), x.reshape(4, 6), x.view(2, 12), x.flatten(1), x.unflatten(2, (2, 2))):
        assert_same_storage(v, x)
    v = x.view(6, 4)
    v[0, 0] = 100
    assert x[0, 0, 0].item() == 100


def test_view_of_permuted_tensor_follows_torch_stride_rules():
    x, r = tritorch.arange(24.).view(2, 3, 4), torch.arange(24.).view(2, 3, 4)
    for perm, shape in [((1, 0, 2), (3, 2, 2, 2)), ((0, 2, 1), (2, 4, 3)), ((2, 1, 0), (4, 6))]:
        want_ok = True
        try:
            want = r.permute(perm).view(shape)
        except RuntimeError:
            want_ok = False
        if want_ok:
            got = x.permute(perm).view(shape)
            assert got.stride() == want.stride()
            np.testing.assert_array_equal(got.numpy(), want.numpy())
        else:
            with pytest.raises(RuntimeError, match="view size is not compatible"):
                x.permute(perm).view(shape)


def test_reshape_copies_only_when_it_must():
    x = tritorch.arange(6.).view(2, 3)
    y = x.t().reshape(6)
    assert y.untyped_storage() is not x.untyped_storage()
    np.testing.assert_array_equal(y.numpy(), np.arange(6.).reshape(2, 3).T.reshape(6))


@given(tensors(), st.data())
@settings(**SETTINGS)
def test_reshape_matches_numpy_on_noncontiguous_inputs(ta, data):
    t, a = ta
    n = a.size
    divisors = [d for d in range(1, n + 1) if n % d == 0] or [1]
    d = data.draw(st.sampled_from(divisors))
    shape = (d, -1) if n else (0, 3)
    np.testing.assert_array_equal(t.reshape(shape).numpy(), a.reshape(shape))


@given(tensors(shape=None))
@settings(**SETTINGS)
def test_permute_transpose_flip_axes_match_numpy(ta):
    t, a = ta
    assert_same_storage(t.T, t)
    np.testing.assert_array_equal(t.T.numpy(), a.T)
    if a.ndim >= 2:
        np.testing.assert_array_equal(t.transpose(0, -1).numpy(), np.swapaxes(a, 0, -1))
        np.testing.assert_array_equal(t.mT.numpy(), np.swapaxes(a, -1, -2))
        np.testing.assert_array_equal(t.movedim(0, -1).numpy(), np.moveaxis(a, 0, -1))


def test_t_and_mT():
    x = tritorch.arange(6).view(2, 3)
    assert x.t().shape == (3, 2) and x.t().stride() == (1, 3)
    assert tritorch.arange(3).t().shape == (3,)
    with pytest.raises(RuntimeError, match="t\\(\\) expects a tensor with <= 2 dimensions"):
        tritorch.zeros(2, 2, 2).t()
    with pytest.raises(RuntimeError, match="mT is only supported on matrices"):
        tritorch.zeros(3).mT


def test_expand_and_broadcast_to_use_stride_zero():
    x = tritorch.tensor([[1.], [2.]])
    e = x.expand(3, 2, 4)
    assert e.shape == (3, 2, 4) and e.stride() == (0, 1, 0)
    assert_same_storage(e, x)
    np.testing.assert_array_equal(e.numpy(), np.broadcast_to(x.numpy(), (3, 2, 4)))
    assert x.expand(-1, 5).shape == (2, 5)
    assert tritorch.broadcast_to(x, (2, 2)).shape == (2, 2)
    a, b = tritorch.broadcast_tensors(tritorch.zeros(3, 1), tritorch.zeros(4))
    assert a.shape == b.shape == (3, 4)
    assert tritorch.broadcast_shapes((3, 1), (1, 4), (4,)) == (3, 4)


def test_squeeze_unsqueeze():
    x = tritorch.zeros(1, 3, 1, 2)
    assert x.squeeze().shape == (3, 2)
    assert x.squeeze(0).shape == (3, 1, 2) and x.squeeze(1).shape == (1, 3, 1, 2)
    assert x.squeeze((0, 2)).shape == (3, 2)
    assert x.unsqueeze(0).shape == (1, 1, 3, 1, 2) and x.unsqueeze(-1).shape == (1, 3, 1, 2, 1)
    r = torch.zeros(3, 2).t()
    got = tritorch.zeros(3, 2).t()
    for d in range(-3, 3):
        assert got.unsqueeze(d).stride() == r.unsqueeze(d).stride()
    assert tritorch.tensor(5.).unsqueeze(0).shape == (1,)


def test_narrow_select_unbind_split_chunk():
    x, r = tritorch.arange(20).view(4, 5), torch.arange(20).view(4, 5)
    np.testing.assert_array_equal(x.narrow(1, 1, 3).numpy(), r.narrow(1, 1, 3).numpy())
    np.testing.assert_array_equal(x.select(1, -1).numpy(), r.select(1, -1).numpy())
    assert [u.tolist() for u in x.unbind(1)] == [u.tolist() for u in r.unbind(1)]
    for arg in (2, [1, 4], 5, 7):
        got, want = x.split(arg, dim=1), r.split(arg, dim=1)
        assert [g.tolist() for g in got] == [w.tolist() for w in want]
    for n in (1, 2, 3, 4, 6):
        assert [c.shape for c in x.chunk(n, 1)] == [tuple(c.shape) for c in r.chunk(n, 1)]
    for part in x.split(2, 1):
        assert_same_storage(part, x)


def test_as_strided_diagonal_unfold_match_torch():
    x, r = tritorch.arange(24.).view(4, 6), torch.arange(24.).view(4, 6)
    np.testing.assert_array_equal(x.as_strided((3, 3), (7, 1), 1).numpy(), r.as_strided((3, 3), (7, 1), 1).numpy())
    for off in (-5, -1, 0, 2, 6, 9):
        np.testing.assert_array_equal(x.diagonal(off).numpy(), r.diagonal(off).numpy())
    y, s = tritorch.arange(24.).view(2, 3, 4), torch.arange(24.).view(2, 3, 4)
    np.testing.assert_array_equal(y.diagonal(1, 2, 0).numpy(), s.diagonal(1, 2, 0).numpy())
    np.testing.assert_array_equal(x.unfold(1, 3, 2).numpy(), r.unfold(1, 3, 2).numpy())
    assert x.unfold(1, 3, 2).stride() == r.unfold(1, 3, 2).stride()
    assert_same_storage(x.diagonal(), x)


def test_as_strided_out_of_storage_raises():
    with pytest.raises(RuntimeError, match="out of bounds for storage of size 4"):
        tritorch.zeros(4).as_strided((3,), (2,))


def test_contiguous_clone_detach():
    x = tritorch.arange(6.).view(2, 3)
    assert x.contiguous() is x
    c = x.t().contiguous()
    assert c.is_contiguous() and c.stride() == (2, 1)
    k = x.clone()
    k[0, 0] = 9
    assert x[0, 0].item() == 0
    d = x.detach()
    assert_same_storage(d, x)


def test_zero_size_views():
    x = tritorch.zeros(0, 3)
    assert x.view(3, 0).shape == (3, 0) and x.reshape(-1).shape == (0,)
    assert x.t().contiguous().shape == (3, 0) and x.sum().item() == 0


# --- conversions ------------------------------------------------------------------------------
@pytest.mark.parametrize("method, dtype", [("float", "float32"), ("half", "float16"), ("bfloat16", "bfloat16"),
                                           ("double", "float64"), ("long", "int64"), ("int", "int32"),
                                           ("bool", "bool"), ("short", "int16"), ("char", "int8"), ("byte", "uint8")])
def test_dtype_conversion_methods_match_torch(method, dtype):
    vals = [-2.7, -0.5, 0.0, 0.49, 1.5, 3.99, 100.25]
    got = getattr(tritorch.tensor(vals).t(), method)()
    want = getattr(torch.tensor(vals), method)()
    assert got.dtype.name == dtype
    np.testing.assert_array_equal(np.asarray(got.tolist()), np.asarray(want.tolist()))


def test_to_variants():
    x = tritorch.ones(2)
    assert x.to(tritorch.float32) is x and x.to("cpu") is x
    assert x.to(tritorch.float32, copy=True) is not x
    assert x.to(dtype=tritorch.float64).dtype is tritorch.float64
    assert x.to(tritorch.zeros(1, dtype=tritorch.int8)).dtype is tritorch.int8
    assert x.type() == "tritorch.FloatTensor" and x.type(tritorch.int64).dtype is tritorch.int64


def test_copy_broadcasts_and_converts():
    x = tritorch.zeros(2, 3, dtype=tritorch.int32)
    x.copy_(tritorch.tensor([1.7, 2.2, -3.9]))
    assert x.tolist() == [[1, 2, -3], [1, 2, -3]]


def test_numpy_shares_memory():
    x = tritorch.zeros(3)
    x.numpy()[1] = 4
    assert x[1].item() == 4


# --- errors -----------------------------------------------------------------------------------
def test_error_messages():
    x = tritorch.zeros(2, 3)
    with pytest.raises(RuntimeError, match=r"shapes \[2, 3\] and \[4\] cannot be broadcast"):
        tritorch.broadcast_shapes((2, 3), (4,))
    with pytest.raises(RuntimeError, match="view size is not compatible.*\\[3, 2\\].*Use .reshape"):
        x.t().view(6)
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"):
        x.sum(2)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.transpose(0, 5)
    with pytest.raises(RuntimeError, match="negative dimension.*\\[2, -1\\]"):
        tritorch.zeros(2, -1)
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        x.reshape(-1, -1)
    with pytest.raises(RuntimeError, match=r"shape '\[4, 2\]' is invalid for input of size 6"):
        x.view(4, 2)
    with pytest.raises(RuntimeError, match="a Tensor with 6 elements cannot be converted to Scalar"):
        x.item()
    with pytest.raises(RuntimeError, match="expanded size of the tensor \\(4\\) must match the existing size \\(3\\)"):
        x.expand(2, 4)
    with pytest.raises(IndexError, match="exceeds dimension size \\(3\\)"):
        x.narrow(1, 2, 2)
    with pytest.raises(RuntimeError, match="number of dims in the tensor input \\(2\\) does not match"):
        x.permute(0)
    with pytest.raises(RuntimeError, match="unknown device 'tpu'"):
        tritorch.zeros(1, device="tpu")
    with pytest.raises(TypeError, match="unknown dtype name 'float8'"):
        tritorch.zeros(1, dtype="float8")
    with pytest.raises(TypeError, match="ragged"):
        tritorch.tensor([[1, 2], [3]])
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with 6 elements is ambiguous"):
        bool(x)



@pytest.mark.parametrize("args", [(0, 1, 1), (0, 10, 5), (-7, 7, 6), (3, -2, 4)])
def test_integer_linspace_truncates_like_torch(args):
    assert tritorch.linspace(*args, dtype=tritorch.int64).tolist() == torch.linspace(*args, dtype=torch.int64).tolist()


def test_zero_dim_tensors_have_no_dims_to_select():
    s = tritorch.tensor(1.0)
    for f in (lambda: s.size(0), lambda: s.stride(-1), lambda: s.unbind(0), lambda: s.split(1),
              lambda: s.narrow(0, 0, 1), lambda: s.select(0, 0)):
        with pytest.raises(IndexError, match="dimension specified as .* but tensor has no dimensions"):
            f()
    assert s.movedim(0, 0).shape == ()


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(RuntimeError, match="repeated dim in `destination`"):
        tritorch.zeros(2, 3, 4).movedim((0, 1), (1, 1))
    with pytest.raises(RuntimeError, match="size is -1 but must be >= 0"):
        tritorch.ones(3).unfold(0, -1, 1)
    with pytest.raises(TypeError, match=r"size must be a tuple of ints, got \[2.5\]"):
        tritorch.zeros(2.5)
    with pytest.raises(RuntimeError, match="value 300 cannot be converted to type uint8 without overflow"):
        tritorch.full((2,), 300, dtype=tritorch.uint8)
    with pytest.raises(RuntimeError, match="cannot be converted to type int64"):
        tritorch.zeros(2, dtype=tritorch.int64).fill_(float("nan"))
    with pytest.raises(TypeError, match="the fill value must be a number, not NoneType"):
        tritorch.full((2,), None)
    with pytest.raises(TypeError, match="argument 'other' must be a Tensor or a number, not NoneType"):
        tritorch.add(tritorch.ones(2), None)
    with pytest.raises(TypeError, match="cannot be pickled yet"):
        import pickle
        pickle.dumps(tritorch.ones(2))


def test_numpy_arrays_join_tensor_arithmetic_as_tensors():
    x = tritorch.ones(2)
    for y in (x + np.arange(2.0), np.arange(2.0) + x, x * np.float32(3)):
        assert isinstance(y, tritorch.Tensor)
    np.testing.assert_array_equal((np.arange(2.0) - x).numpy(), [-1.0, 0.0])


def test_deepcopy_of_a_leaf():
    import copy
    x = tritorch.ones(2, requires_grad=True)
    y = copy.deepcopy(x)
    assert y.requires_grad and y.is_leaf and y.untyped_storage() is not x.untyped_storage()
    with pytest.raises(RuntimeError, match="graph leaves"):
        copy.deepcopy(x * 2)


def test_python_ints_past_int64_overflow():
    with pytest.raises(OverflowError, match="too big for int64"):
        tritorch.tensor(2 ** 63)
    with pytest.raises(OverflowError, match="too big for int64"):
        tritorch.tensor([1, 2 ** 63])
    assert tritorch.tensor(2 ** 63 - 1).item() == 2 ** 63 - 1


def test_chunk_of_an_empty_dim_and_tensor_of_tensors_follow_torch():
    assert len(tritorch.zeros(0).chunk(3)) == len(torch.zeros(0).chunk(3)) == 3
    t = tritorch.tensor([tritorch.tensor(1.0, dtype=tritorch.float64), tritorch.tensor(2.0, dtype=tritorch.float64)])
    assert t.dtype is tritorch.float64 and t.tolist() == [1.0, 2.0]
