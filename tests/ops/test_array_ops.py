"""Shape-manipulation array ops: kernels vs NumPy references vs independent
NumPy expressions, static shapes (full, partial, unknown), and errors at graph
construction (ValueError) and at run time (InvalidArgumentError)."""

import itertools

import numpy as np
import pytest

import graphflow as gf
from graphflow.framework import op_builder
from graphflow.framework import op_def
from graphflow.framework import ops as ops_lib
from graphflow.test import check_op

DTYPES = [np.float32, np.int32, np.bool_, np.float16]
# One per element size, for the byte-moving kernels.
SIZES = [np.uint8, np.float16, np.float32, np.int64]


def data(shape, dtype=np.float32):
    """Distinct, deterministic values of `dtype` (bools alternate)."""
    n = int(np.prod(shape, dtype=np.int64))
    v = np.arange(n).reshape(shape)
    if np.dtype(dtype) == np.bool_:
        return v % 3 == 1
    if np.dtype(dtype) == np.float16:
        v = v % 2048  # stays finite and exact in half
    if np.dtype(dtype).kind == "f":
        return (v * 0.5 - 3).astype(dtype)
    return (v % 100).astype(dtype)


def run(fetches, feeds=None):
    with gf.Session() as sess:
        return sess.run(fetches, feeds)


@pytest.fixture(autouse=True)
def fresh_graph():
    with gf.Graph().as_default():
        yield


def has_op(name):
    return name in op_def.registered_ops()


# --- Reshape --------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,sizes,want", [
    ((2, 3, 4), [4, -1], (4, 6)),
    ((2, 3, 4), [-1], (24,)),
    ((2, 3, 4), [2, 12], (2, 12)),
    ((6,), [1, 1, 6], (1, 1, 6)),
    ((), [1, 1], (1, 1)),
    ((1,), [], ()),
    ((0, 5), [0, -1], (0, 5)),   # zero sizes are left out of the -1 inference
    ((0, 5), [-1], (0,)),
    ((4, 0), [-1, 0], (4, 0)),
    ((3, 0, 2), [0, 7], (0, 7)),
])
def test_reshape(dtype, shape, sizes, want):
    x = data(shape, dtype)
    check_op(lambda a: gf.reshape(a, sizes), [x], expected=x.reshape(want))


def test_reshape_int64_shape_and_shape_tensor_input():
    x = data((3, 4))
    check_op(lambda a: gf.reshape(a, np.array([2, -1, 2], np.int64)), [x],
             expected=x.reshape(2, 3, 2))
    check_op(lambda a, s: gf.reshape(a, s), [x, np.array([4, 3], np.int32)],
             expected=x.reshape(4, 3))


def test_reshape_static_shapes():
    x = gf.placeholder(gf.float32, [None, 4, 5])
    assert gf.reshape(x, [-1, 20]).shape.as_list() == [None, 20]
    assert gf.reshape(x, [5, -1, 2]).shape.as_list() == [5, None, 2]
    assert gf.reshape(x, [2, 10, -1]).shape.as_list() == [2, 10, None]
    y = gf.placeholder(gf.float32, [6, 4])
    assert gf.reshape(y, [-1, 3]).shape.as_list() == [8, 3]
    n = gf.placeholder(gf.int32, [])
    assert gf.reshape(y, [n, 12]).shape.as_list() == [2, 12]  # n can only be 2
    assert gf.reshape(gf.placeholder(gf.float32), [3, -1]).shape.as_list() == [3, None]
    s = gf.placeholder(gf.int32, [3])
    assert gf.reshape(y, s).shape.as_list() == [None, None, None]
    assert gf.reshape(y, gf.placeholder(gf.int32)).shape.rank is None


def test_reshape_keeps_unknown_dim_given_by_shape():
    x = gf.placeholder(gf.float32, [None, 4, 5])
    assert gf.reshape(x, gf.shape(x)).shape.as_list() == [None, 4, 5]
    y = gf.reshape(x, gf.concat([gf.shape(x), [-1]], 0))
    assert y.shape.as_list() == [None, 4, 5, 1]
    v = data((3, 4, 5))
    np.testing.assert_array_equal(run(y, {x: v}), v[..., None])


@pytest.mark.skipif(not has_op("StridedSlice"), reason="needs StridedSlice (indexing_ops)")
def test_reshape_batch_by_shape_slice_infers_rest():
    x = gf.placeholder(gf.float32, [None, 4, 5])
    y = gf.reshape(x, [gf.shape(x)[0], -1])
    assert y.shape.as_list() == [None, 20]
    v = data((3, 4, 5))
    np.testing.assert_array_equal(run(y, {x: v}), v.reshape(3, 20))


def test_reshape_static_errors():
    x = gf.zeros([2, 3])
    with pytest.raises(ValueError, match=r"Cannot reshape a tensor of shape \(2, 3\).*6 values"):
        gf.reshape(x, [4])
    with pytest.raises(ValueError, match="multiple of 4"):
        gf.reshape(x, [4, -1])
    with pytest.raises(ValueError, match="Only one input size may be -1"):
        gf.reshape(x, [-1, -1])
    with pytest.raises(ValueError, match="must be non-negative"):
        gf.reshape(x, [-2, 3])
    with pytest.raises(ValueError, match="not a multiple of 20"):
        gf.reshape(gf.placeholder(gf.float32, [None, 4, 5]), [7])
    with pytest.raises(ValueError, match="rank at most 8"):
        gf.reshape(x, [1] * 8 + [6])
    # The failed op is not left in the graph.
    assert not any(o.type == "Reshape" for o in gf.get_default_graph().get_operations())


def test_reshape_runtime_errors():
    x = gf.placeholder(gf.float32, [None, None])
    y = gf.reshape(x, [4, -1], name="my_reshape")
    with pytest.raises(gf.errors.InvalidArgumentError, match="my_reshape.*|requires a multiple"):
        run(y, {x: data((2, 3))})
    s = gf.placeholder(gf.int32, [None])
    z = gf.reshape(x, s, name="bad_sizes")
    with pytest.raises(gf.errors.InvalidArgumentError, match="has 4") as e:
        run(z, {x: data((2, 3)), s: [2, 2]})
    assert "bad_sizes" in str(e.value)
    with pytest.raises(gf.errors.InvalidArgumentError, match="Only one input size may be -1"):
        run(z, {x: data((2, 3)), s: [-1, -1]})


def test_reshape_shares_memory():
    c = gf.constant(data((4, 6)))
    a, b = run([c, gf.reshape(c, [2, -1, 3])])
    assert b.shape == (2, 4, 3)
    assert np.shares_memory(a, b)


# --- autopack (lists holding tensors) ------------------------------------------

def test_shape_kernels_take_strings():
    """Reshape, ExpandDims, Squeeze, Shape, ShapeN, Size and Rank on a string
    tensor of unknown rank (NUL bytes kept), and assert_rank, which needs Rank."""
    s = gf.placeholder(gf.string)
    v = np.array([[b"a", b"bc\x00"], [b"", b"def"], [b"g", b"h"]], object)
    m = gf.reshape(s, [2, 3])
    with gf.control_dependencies([gf.debugging.assert_rank(s, 2)]):
        checked = gf.identity(s)
    fetches = [m, gf.expand_dims(s, 1), gf.squeeze(gf.reshape(s, [1, 6, 1])), checked,
               gf.shape(s), gf.shape_n([s, m]), gf.size(s), gf.rank(s)]
    with gf.Session() as sess:
        reshaped, expanded, squeezed, same, shape, shapes, size, rank = sess.run(fetches, {s: v})
        with pytest.raises(gf.errors.InvalidArgumentError, match="rank"):
            sess.run(checked, {s: v[0]})
    for got, want in [(reshaped, v.reshape(2, 3)), (expanded, np.expand_dims(v, 1)),
                      (squeezed, v.reshape(6)), (same, v)]:
        assert got.dtype == object and got.shape == want.shape
        np.testing.assert_array_equal(got, want)
    assert shape.tolist() == [3, 2] and [a.tolist() for a in shapes] == [[3, 2], [2, 3]]
    assert size == 6 and rank == 2


def test_autopack_reshape_with_scalar_tensor():
    x = gf.placeholder(gf.float32, [None, 4])
    n = gf.placeholder(gf.int32, [])
    y = gf.reshape(x, [n, -1])
    assert y.op.inputs[1].op.type == "Pack"
    v = data((3, 4))
    np.testing.assert_array_equal(run(y, {x: v, n: 6}), v.reshape(6, 2))
    z = gf.reshape(x, [gf.size(x), 1])
    assert z.shape.as_list() == [None, 1]
    np.testing.assert_array_equal(run(z, {x: v}), v.reshape(12, 1))


def test_autopack_nested_lists_take_tensor_dtype():
    a = gf.placeholder(gf.float32, [])
    t = ops_lib.convert_to_tensor([[a, 1], [2.5, [a, a][0]]])
    assert t.dtype == gf.float32 and t.shape.as_list() == [2, 2]
    np.testing.assert_array_equal(run(t, {a: 7}), [[7, 1], [2.5, 7]])
    with pytest.raises(TypeError, match="Cannot convert a list containing a tensor of dtype"):
        ops_lib.convert_to_tensor([a, gf.constant(1)])


def test_tensor_shape_converts():
    x = gf.placeholder(gf.float32, [2, 6])
    y = gf.reshape(gf.zeros([12]), x.shape)
    assert y.shape.as_list() == [2, 6]
    assert gf.fill(x.shape, 1.0).shape.as_list() == [2, 6]
    with pytest.raises(ValueError, match="partially known TensorShape"):
        gf.reshape(x, gf.placeholder(gf.float32, [None, 2]).shape)


# --- ExpandDims, Squeeze --------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [-4, -3, -1, 0, 1, 3])
def test_expand_dims(dtype, axis):
    x = data((2, 3, 4), dtype)
    check_op(lambda a: gf.expand_dims(a, axis), [x], expected=np.expand_dims(x, axis))


def test_expand_dims_args_and_errors():
    x = gf.placeholder(gf.float32, [None, 3])
    assert gf.expand_dims(x, dim=0).shape.as_list() == [1, None, 3]
    assert gf.expand_dims(gf.constant(1.0), 0).shape.as_list() == [1]
    assert gf.expand_dims(x, gf.placeholder(gf.int32, [])).shape.as_list() == [None] * 3
    with pytest.raises(ValueError, match="Cannot specify both"):
        gf.expand_dims(x, 0, dim=0)
    with pytest.raises(ValueError, match="Must specify an axis"):
        gf.expand_dims(x)
    with pytest.raises(ValueError, match="Tried to expand dim index 3 for tensor with 2"):
        gf.expand_dims(x, 3)
    axis = gf.placeholder(gf.int32, [])
    with pytest.raises(gf.errors.InvalidArgumentError, match="Tried to expand dim index -4"):
        run(gf.expand_dims(x, axis), {x: data((2, 3)), axis: -4})


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [None, [0], [-1], [0, 3], [3, -4]])
def test_squeeze(dtype, axis):
    x = data((1, 2, 3, 1), dtype)
    want = np.squeeze(x, axis=None if axis is None else tuple(axis))
    check_op(lambda a: gf.squeeze(a, axis), [x], expected=want)


def test_squeeze_static_shapes_and_errors():
    x = gf.placeholder(gf.float32, [None, 1, 3])
    assert gf.squeeze(x).shape.rank is None   # the unknown dim might be 1
    assert gf.squeeze(x, [1]).shape.as_list() == [None, 3]
    assert gf.squeeze(x, 0).shape.as_list() == [1, 3]
    assert gf.squeeze(x, squeeze_dims=[-2]).shape.as_list() == [None, 3]
    assert gf.squeeze(gf.zeros([2, 0])).shape.as_list() == [2, 0]
    with pytest.raises(ValueError, match=r"Can not squeeze dim\[2\], expected a dimension of 1"):
        gf.squeeze(x, [2])
    with pytest.raises(ValueError, match="out of range"):
        gf.squeeze(x, [3])
    u = gf.placeholder(gf.float32, [None, None])
    with pytest.raises(gf.errors.InvalidArgumentError, match=r"Can not squeeze dim\[0\].*got 2"):
        run(gf.squeeze(u, [0], name="sq"), {u: data((2, 1))})


# --- Transpose ------------------------------------------------------------------

@pytest.mark.parametrize("dtype", SIZES + [np.bool_])
@pytest.mark.parametrize("shape", [(37, 53), (1, 5), (64, 64), (0, 3)])
def test_transpose_2d(dtype, shape):
    x = data(shape, dtype)
    check_op(lambda a: gf.transpose(a), [x], expected=x.T)


@pytest.mark.parametrize("perm", list(itertools.permutations(range(3))))
def test_transpose_3d_all_perms(perm):
    x = data((3, 5, 7), np.float32)
    check_op(lambda a: gf.transpose(a, perm), [x], expected=np.transpose(x, perm))


@pytest.mark.parametrize("dtype", SIZES)
@pytest.mark.parametrize("shape,perm", [
    ((2, 5, 6, 3), (0, 3, 1, 2)),      # NHWC -> NCHW
    ((2, 3, 5, 6), (0, 2, 3, 1)),      # NCHW -> NHWC
    ((2, 1, 3, 1, 4), (4, 3, 2, 1, 0)),
    ((4, 1, 5), (1, 0, 2)),            # only a size-1 dim moves: a free reshape
    ((2, 3, 4, 5, 2), (1, 0, 4, 2, 3)),
    ((2, 2, 2, 2, 2, 2, 2, 3), (7, 6, 5, 4, 3, 2, 1, 0)),
    ((3, 0, 2), (2, 0, 1)),
    ((), ()),
])
def test_transpose_nd(dtype, shape, perm):
    x = data(shape, dtype)
    check_op(lambda a: gf.transpose(a, perm), [x], expected=np.transpose(x, perm))


def test_transpose_random_shapes_and_perms():
    rng = np.random.RandomState(0)
    for _ in range(60):
        rank = rng.randint(1, 6)
        shape = tuple(int(d) for d in rng.choice([1, 2, 3, 5, 17, 33], size=rank))
        perm = [int(p) for p in rng.permutation(rank)]
        dtype = SIZES[rng.randint(len(SIZES))]
        x = data(shape, dtype)
        check_op(lambda a: gf.transpose(a, perm), [x], expected=np.transpose(x, perm),
                 modes=("feed",))


def test_transpose_large_runs_in_parallel_chunks():
    x = data((300, 257, 3), np.float32)
    check_op(lambda a: gf.transpose(a, [1, 0, 2]), [x], expected=x.transpose(1, 0, 2),
             modes=("feed",))
    check_op(lambda a: gf.transpose(a, [2, 1, 0]), [x], expected=x.transpose(2, 1, 0),
             modes=("feed",))


def test_transpose_perm_int64_and_static_shapes():
    x = gf.placeholder(gf.float32, [None, 3, 4])
    assert gf.transpose(x).shape.as_list() == [4, 3, None]
    assert gf.transpose(x, np.array([0, 2, 1], np.int64)).shape.as_list() == [None, 4, 3]
    assert gf.transpose(x, gf.placeholder(gf.int32, [3])).shape.as_list() == [None] * 3
    assert gf.transpose(gf.placeholder(gf.float32), [1, 0]).shape.as_list() == [None, None]


@pytest.mark.skipif(ops_lib._OPERATORS.get("sub") is None, reason="needs Sub (math_ops)")
def test_transpose_unknown_rank_reverses():
    x = gf.placeholder(gf.float32)
    v = data((2, 3, 4))
    np.testing.assert_array_equal(run(gf.transpose(x), {x: v}), v.T)


def test_transpose_errors():
    x = gf.placeholder(gf.float32, [2, 3])
    with pytest.raises(ValueError, match="size 2"):
        gf.transpose(x, [0, 1, 2])
    with pytest.raises(ValueError, match="repeated"):
        gf.transpose(x, [1, 1])
    with pytest.raises(ValueError, match="out of range"):
        gf.transpose(x, [0, -1])
    p = gf.placeholder(gf.int32, [None])
    y = gf.transpose(x, p, name="tr")
    with pytest.raises(gf.errors.InvalidArgumentError, match="repeated") as e:
        run(y, {x: data((2, 3)), p: [0, 0]})
    assert "tr" in str(e.value)
    with pytest.raises(gf.errors.InvalidArgumentError, match="expects a vector of size 2"):
        run(y, {x: data((2, 3)), p: [0]})


# --- ConcatV2 -------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES + [np.int64, np.uint8])
@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_concat(dtype, axis):
    shapes = [[2, 3, 4], [2, 3, 4], [2, 3, 4]]
    for s, n in zip(shapes, (1, 3, 2)):
        s[axis] = n
    xs = [data(s, dtype) for s in shapes]
    check_op(lambda *a: gf.concat(list(a), axis), xs, expected=np.concatenate(xs, axis))


def test_concat_empty_pieces_and_single_value():
    a, b = data((2, 0)), data((2, 3))
    check_op(lambda x, y: gf.concat([x, y], 1), [a, b], expected=b)
    check_op(lambda x, y: gf.concat([x, x], 1), [a, b], expected=np.zeros((2, 0), np.float32))
    check_op(lambda x: gf.concat([x], 0), [b], expected=b)
    x = gf.placeholder(gf.float32, [2, 3])
    assert gf.concat(x, 0).op.type == "Identity"


def test_concat_large_rows():
    xs = [data((300, 700)), data((300, 300))]
    check_op(lambda a, b: gf.concat([a, b], 1), xs, expected=np.concatenate(xs, 1),
             modes=("feed",))
    xs = [data((1000, 300)), data((600, 300))]
    check_op(lambda a, b: gf.concat([a, b], 0), xs, expected=np.concatenate(xs, 0),
             modes=("feed",))


def test_concat_static_shapes_and_errors():
    a = gf.placeholder(gf.float32, [None, 3])
    b = gf.placeholder(gf.float32, [2, None])
    assert gf.concat([a, b], 0).shape.as_list() == [None, 3]
    assert gf.concat([a, b], 1).shape.as_list() == [2, None]
    assert gf.concat([a, gf.placeholder(gf.float32)], 0).shape.as_list() == [None, 3]
    assert gf.concat([a, b], gf.placeholder(gf.int32, [])).shape.as_list() == [None, None]
    with pytest.raises(ValueError, match="Dimension 1 in both shapes must be equal, but are 3 "):
        gf.concat([a, gf.zeros([2, 4])], 0)
    with pytest.raises(ValueError, match="rank"):
        gf.concat([a, gf.zeros([2, 3, 1])], 0)
    with pytest.raises(ValueError, match="Can't concatenate scalars"):
        gf.concat([1.0, 2.0], 0)
    with pytest.raises(ValueError, match="out of range"):
        gf.concat([a, a], 2)
    u = gf.placeholder(gf.float32, [None, None])
    with pytest.raises(gf.errors.InvalidArgumentError, match="Dimensions of inputs should match"):
        run(gf.concat([u, a], 0, name="cc"), {u: data((2, 2)), a: data((2, 3))})


# --- Split, SplitV --------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_split(dtype, axis):
    x = data((4, 6, 2), dtype)
    n = x.shape[axis] // 2
    check_op(lambda a: gf.split(a, n, axis), [x], expected=np.split(x, n, axis))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sizes,axis", [
    ([1, 2, 3], 1), ([2, -1, 1], 1), ([0, 4, 0], 0), ([-1], 2), ([3, 0, -1], -2)])
def test_split_v(dtype, sizes, axis):
    x = data((4, 6, 2), dtype)
    dim = x.shape[axis]
    real = [dim - sum(s for s in sizes if s >= 0) if s == -1 else s for s in sizes]
    want = np.split(x, np.cumsum(real)[:-1], axis)
    check_op(lambda a: gf.split(a, sizes, axis), [x], expected=want)


def test_split_sizes_int64_and_tensor():
    x = data((5, 3))
    want = [x[:2], x[2:]]
    check_op(lambda a: gf.split(a, np.array([2, 3], np.int64)), [x], expected=want)
    check_op(lambda a, s: gf.split(a, s, num=2), [x, np.array([2, 3], np.int32)],
             expected=want)


def test_split_large_inner_axis():
    x = data((500, 900))
    check_op(lambda a: gf.split(a, [100, -1, 300], 1), [x],
             expected=np.split(x, [100, 600], 1), modes=("feed",))


def test_split_axis0_pieces_do_not_alias_each_other():
    c = gf.constant(data((4, 3)))
    a, b = run(gf.split(c, 2))
    np.testing.assert_array_equal(a, data((4, 3))[:2])
    np.testing.assert_array_equal(b, data((4, 3))[2:])


def test_split_static_shapes_and_errors():
    x = gf.placeholder(gf.float32, [None, 6])
    assert [t.shape.as_list() for t in gf.split(x, 3, 1)] == [[None, 2]] * 3
    assert [t.shape.as_list() for t in gf.split(x, [1, -1], 1)] == [[None, 1], [None, 5]]
    assert [t.shape.as_list() for t in gf.split(x, 2, 0)] == [[None, 6]] * 2
    assert gf.split(x, 2, gf.placeholder(gf.int32, []))[0].shape.as_list() == [None, None]
    with pytest.raises(ValueError, match="evenly divisible by 4, but is 6"):
        gf.split(x, 4, 1)
    with pytest.raises(ValueError, match="Determined shape must either match"):
        gf.split(x, [2, 2], 1)
    with pytest.raises(ValueError, match="add up to 7"):
        gf.split(x, [7, -1], 1)
    with pytest.raises(ValueError, match="only be one -1"):
        gf.split(x, [-1, -1], 1)
    with pytest.raises(ValueError, match="Cannot infer num"):
        gf.split(x, gf.placeholder(gf.int32, [None]), 1)
    u = gf.placeholder(gf.float32, [None, None])
    with pytest.raises(gf.errors.InvalidArgumentError, match="evenly divide"):
        run(gf.split(u, 4, 1, name="sp"), {u: data((2, 6))})
    s = gf.placeholder(gf.int32, [2])
    with pytest.raises(gf.errors.InvalidArgumentError, match="Determined shape"):
        run(gf.split(u, s, 1), {u: data((2, 6)), s: [2, 2]})


# --- Pack, Unpack ---------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_stack(dtype, axis):
    xs = [data((2, 3), dtype), data((2, 3), dtype)[::-1].copy(), data((2, 3), dtype)]
    check_op(lambda *a: gf.stack(list(a), axis), xs, expected=np.stack(xs, axis))


def test_stack_scalars_single_value_and_size_zero():
    check_op(lambda a, b: gf.stack([a, b, a]), [np.float32(1), np.float32(2)],
             expected=np.array([1, 2, 1], np.float32))
    x = data((3, 0))
    check_op(lambda a: gf.stack([a, a], 1), [x], expected=np.zeros((3, 2, 0), np.float32))
    check_op(lambda a: gf.stack([a], 1), [data((2, 3))], expected=data((2, 3))[:, None])
    assert gf.stack([[1, 2], [3, 4]]).op.type == "Const"


def test_stack_static_shapes_and_errors():
    a = gf.placeholder(gf.float32, [None, 3])
    b = gf.placeholder(gf.float32, [2, None])
    assert gf.stack([a, b], 1).shape.as_list() == [2, 2, 3]
    with pytest.raises(ValueError, match="Shapes of all inputs must match"):
        gf.stack([a, gf.zeros([2, 4])])
    with pytest.raises(ValueError, match=r"axis = 3 not in \[-3, 3\)"):
        gf.stack([a, a], 3)
    u = gf.placeholder(gf.float32, [None])
    with pytest.raises(gf.errors.InvalidArgumentError, match="Shapes of all inputs must match"):
        run(gf.stack([u, gf.zeros([3])], name="st"), {u: data((2,))})


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_unstack(dtype, axis):
    x = data((3, 4, 2), dtype)
    n = x.shape[axis]
    want = [np.take(x, i, axis) for i in range(n)]
    check_op(lambda a: gf.unstack(a, num=n, axis=axis), [x], expected=want)


def test_unstack_static_shapes_and_errors():
    x = gf.placeholder(gf.float32, [None, 3])
    parts = gf.unstack(x, axis=1)
    assert len(parts) == 3 and parts[0].shape.as_list() == [None]
    with pytest.raises(ValueError, match="Cannot infer num"):
        gf.unstack(x)
    with pytest.raises(ValueError, match=r"axis = 2 not in \[-2, 2\)"):
        gf.unstack(x, axis=2)
    with pytest.raises(ValueError, match="must be 4"):
        gf.unstack(x, num=4, axis=1)
    assert gf.unstack(gf.zeros([0, 2])) == []
    with pytest.raises(gf.errors.InvalidArgumentError, match="must equal 2"):
        run(gf.unstack(x, num=2, name="un"), {x: data((3, 3))})


# --- Tile, BroadcastTo ----------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES + [np.int64, np.uint8])
@pytest.mark.parametrize("shape,mult", [
    ((2, 3), [1, 1]), ((2, 3), [3, 1]), ((2, 3), [1, 4]), ((2, 3), [2, 3]),
    ((2, 1, 3), [2, 5, 1]), ((1,), [7]), ((2, 3), [0, 2]), ((0, 3), [2, 2]), ((), []),
    ((2, 3, 2, 2), [1, 2, 1, 3]),
])
def test_tile(dtype, shape, mult):
    x = data(shape, dtype)
    check_op(lambda a: gf.tile(a, mult), [x], expected=np.tile(x, mult) if shape else x)


def test_tile_random():
    rng = np.random.RandomState(1)
    for _ in range(40):
        rank = rng.randint(1, 5)
        shape = [int(d) for d in rng.choice([1, 2, 3, 7], size=rank)]
        mult = [int(m) for m in rng.choice([0, 1, 1, 2, 3], size=rank)]
        x = data(shape, SIZES[rng.randint(len(SIZES))])
        check_op(lambda a: gf.tile(a, mult), [x], expected=np.tile(x, mult), modes=("feed",))


def test_tile_large_and_static_shapes_and_errors():
    x = data((64, 300))
    check_op(lambda a: gf.tile(a, [8, 3]), [x], expected=np.tile(x, [8, 3]), modes=("feed",))
    p = gf.placeholder(gf.float32, [None, 3])
    assert gf.tile(p, [2, 2]).shape.as_list() == [None, 6]
    assert gf.tile(p, [0, 2]).shape.as_list() == [0, 6]
    assert gf.tile(p, gf.placeholder(gf.int32, [2])).shape.as_list() == [None, None]
    with pytest.raises(ValueError, match="one entry per input dimension"):
        gf.tile(p, [2])
    with pytest.raises(ValueError, match=r"Expected multiples\[1\] >= 0, but got -1"):
        gf.tile(p, [1, -1])
    m = gf.placeholder(gf.int32, [None])
    with pytest.raises(gf.errors.InvalidArgumentError, match=r"multiples\[0\] >= 0"):
        run(gf.tile(p, m, name="tl"), {p: data((2, 3)), m: [-2, 1]})
    with pytest.raises(gf.errors.InvalidArgumentError, match="vector of length 2"):
        run(gf.tile(p, m), {p: data((2, 3)), m: [1, 1, 1]})


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,to", [
    ((3,), [2, 3]), ((2, 1), [2, 4]), ((), [2, 2]), ((2, 3), [2, 3]), ((1, 3), [0, 3]),
    ((4, 1, 2), [3, 4, 5, 2]),
])
def test_broadcast_to(dtype, shape, to):
    x = data(shape, dtype)
    check_op(lambda a: gf.broadcast_to(a, to), [x], expected=np.broadcast_to(x, to))


def test_broadcast_to_static_shapes_and_errors():
    x = gf.placeholder(gf.float32, [None, 1])
    assert gf.broadcast_to(x, [2, 5]).shape.as_list() == [2, 5]
    assert gf.broadcast_to(x, gf.placeholder(gf.int32, [3])).shape.as_list() == [None] * 3
    with pytest.raises(ValueError, match="Incompatible shapes"):
        gf.broadcast_to(gf.zeros([2, 3]), [2, 4])
    with pytest.raises(ValueError, match="no greater than rank"):
        gf.broadcast_to(gf.zeros([2, 3]), [3])
    s = gf.placeholder(gf.int32, [None])
    with pytest.raises(gf.errors.InvalidArgumentError, match="Incompatible shapes"):
        run(gf.broadcast_to(x, s, name="bt"), {x: data((3, 1)), s: [2, 4]})


# --- Pad, PadV2, MirrorPad ------------------------------------------------------

PADDINGS = [
    [[1, 2], [0, 3]],
    [[0, 0], [2, 0]],
    [[0, 0], [0, 0]],
    [[3, 0], [0, 0]],
]


@pytest.mark.parametrize("dtype", DTYPES + [np.int64, np.uint8])
@pytest.mark.parametrize("paddings", PADDINGS)
def test_pad_constant(dtype, paddings):
    x = data((3, 4), dtype)
    check_op(lambda a: gf.pad(a, paddings), [x], expected=np.pad(x, paddings))


@pytest.mark.parametrize("dtype", DTYPES)
def test_pad_v2_constant_values(dtype):
    x = data((2, 3, 2), dtype)
    c = np.array(1 if dtype == np.bool_ else 7, dtype)
    p = [[1, 0], [0, 0], [2, 1]]
    check_op(lambda a: gf.pad(a, p, constant_values=c), [x],
             expected=np.pad(x, p, constant_values=c))
    assert gf.pad(gf.zeros([2]), [[1, 1]], constant_values=5.0).op.type == "PadV2"
    assert gf.pad(gf.zeros([2]), [[1, 1]]).op.type == "Pad"


def test_pad_nhwc_spatial_and_size_zero_and_scalar():
    x = data((2, 5, 6, 3))
    p = [[0, 0], [1, 1], [2, 2], [0, 0]]
    check_op(lambda a: gf.pad(a, p), [x], expected=np.pad(x, p))
    e = data((0, 3))
    check_op(lambda a: gf.pad(a, [[1, 1], [1, 0]]), [e], expected=np.zeros((2, 4), np.float32))
    check_op(lambda a: gf.pad(a, np.zeros((0, 2), np.int32)), [np.float32(3)],
             expected=np.float32(3))


@pytest.mark.parametrize("dtype", DTYPES + [np.int64])
@pytest.mark.parametrize("mode", ["REFLECT", "SYMMETRIC", "reflect"])
@pytest.mark.parametrize("paddings", [[[1, 2], [3, 0]], [[0, 0], [2, 3]], [[2, 1], [0, 0]],
                                      [[0, 0], [0, 0]]])
def test_mirror_pad(dtype, mode, paddings):
    x = data((3, 4), dtype)
    check_op(lambda a: gf.pad(a, paddings, mode), [x],
             expected=np.pad(x, paddings, mode=mode.lower()))


def test_pad_random():
    rng = np.random.RandomState(2)
    for _ in range(60):
        rank = rng.randint(1, 5)
        shape = [int(d) for d in rng.choice([1, 2, 3, 5], size=rank)]
        mode = ["CONSTANT", "REFLECT", "SYMMETRIC"][rng.randint(3)]
        limit = {"CONSTANT": 3, "REFLECT": 0, "SYMMETRIC": 1}[mode]
        p = [[int(rng.randint(0, d + limit)) for _ in range(2)] for d in shape]
        x = data(shape, SIZES[rng.randint(len(SIZES))])
        check_op(lambda a: gf.pad(a, p, mode), [x], modes=("feed",),
                 expected=np.pad(x, p, mode=mode.lower()))


def test_mirror_pad_nd_with_unpadded_inner_dims():
    x = data((2, 3, 4, 2))
    p = [[1, 1], [2, 1], [0, 0], [0, 0]]
    check_op(lambda a: gf.pad(a, p, "SYMMETRIC"), [x], expected=np.pad(x, p, "symmetric"))
    check_op(lambda a: gf.pad(a, p[:1] + [[1, 1]] + p[2:], "REFLECT"), [x],
             expected=np.pad(x, p[:1] + [[1, 1]] + p[2:], "reflect"))


def test_pad_static_shapes_and_errors():
    x = gf.placeholder(gf.float32, [None, 3])
    assert gf.pad(x, [[1, 1], [2, 0]]).shape.as_list() == [None, 5]
    assert gf.pad(x, gf.placeholder(gf.int32, [2, 2])).shape.as_list() == [None, None]
    assert gf.pad(gf.placeholder(gf.float32), gf.placeholder(gf.int32, [3, 2])).shape.rank == 3
    with pytest.raises(ValueError, match="rank of the input"):
        gf.pad(x, [[1, 1]])
    with pytest.raises(ValueError, match="non-negative"):
        gf.pad(x, [[1, 1], [-1, 0]])
    with pytest.raises(ValueError, match="minus one"):
        gf.pad(x, [[0, 0], [3, 0]], "REFLECT")
    with pytest.raises(ValueError, match="greater than 3"):
        gf.pad(x, [[0, 0], [0, 4]], "SYMMETRIC")
    assert gf.pad(x, [[0, 0], [0, 3]], "SYMMETRIC").shape.as_list() == [None, 6]
    with pytest.raises(ValueError, match="Unknown padding mode"):
        gf.pad(x, [[0, 0], [0, 0]], "WRAP")
    p = gf.placeholder(gf.int32, [None, 2])
    with pytest.raises(gf.errors.InvalidArgumentError, match="2 greater than 1") as e:
        run(gf.pad(x, p, "REFLECT", name="mp"), {x: data((2, 3)), p: [[0, 2], [0, 0]]})
    assert "mp" in str(e.value)
    with pytest.raises(gf.errors.InvalidArgumentError, match="non-negative"):
        run(gf.pad(x, p), {x: data((2, 3)), p: [[0, -1], [0, 0]]})
    with pytest.raises(gf.errors.InvalidArgumentError, match=r"shape \[2, 2\]"):
        run(gf.pad(x, p), {x: data((2, 3)), p: [[0, 1]]})


# --- Fill, zeros, ones, ZerosLike, OnesLike -------------------------------------

@pytest.mark.parametrize("dtype", DTYPES + [np.int64, np.int8, np.float64])
def test_fill(dtype):
    v = np.array(True if dtype == np.bool_ else -3, dtype)
    check_op(lambda d, x: gf.fill(d, x), [np.array([2, 3], np.int32), v],
             expected=np.full((2, 3), v))
    check_op(lambda x: gf.fill(np.array([0, 4], np.int64), x), [v],
             expected=np.full((0, 4), v))
    check_op(lambda x: gf.fill([], x), [v], expected=v)


def test_fill_large_and_errors():
    check_op(lambda x: gf.fill([300, 1000], x), [np.float32(1.5)],
             expected=np.full((300, 1000), 1.5, np.float32), modes=("feed",))
    d = gf.placeholder(gf.int32, [None])
    assert gf.fill(d, 1.0).shape.rank is None
    assert gf.fill(gf.placeholder(gf.int32, [2]), 1.0).shape.as_list() == [None, None]
    assert gf.fill([gf.placeholder(gf.int32, []), 3], 1.0).shape.as_list() == [None, 3]
    with pytest.raises(ValueError, match="must be non-negative"):
        gf.fill([2, -1], 1.0)
    with pytest.raises(ValueError, match="rank 0"):
        gf.fill([2], [1.0, 2.0])
    with pytest.raises(gf.errors.InvalidArgumentError, match="non-negative"):
        run(gf.fill(d, 1.0, name="fl"), {d: [2, -3]})


@pytest.mark.parametrize("make,value", [(gf.zeros, 0), (gf.ones, 1)])
@pytest.mark.parametrize("dtype", [gf.float32, gf.int32, gf.bool, gf.float16, gf.int64])
def test_zeros_ones(make, value, dtype):
    np_dtype = dtype.as_numpy_dtype
    small = make([2, 3], dtype)
    big = make((40, 50), dtype=dtype)
    assert small.op.type == "Const" and big.op.type == "Fill"
    assert small.dtype == dtype and big.shape.as_list() == [40, 50]
    a, b = run([small, big])
    np.testing.assert_array_equal(a, np.full((2, 3), value, np_dtype))
    assert a.dtype == np_dtype and b.dtype == np_dtype
    np.testing.assert_array_equal(b, np.full((40, 50), value, np_dtype))


def test_zeros_ones_shape_arguments():
    x = gf.placeholder(gf.float32, [None, 4])
    n = gf.placeholder(gf.int32, [])
    z = gf.zeros([n, 3])
    assert z.shape.as_list() == [None, 3] and z.op.type == "Fill"
    o = gf.ones(gf.shape(x), gf.int32)
    s = gf.zeros(gf.size(x))  # a scalar shape is read as a length-1 vector
    assert gf.zeros(gf.TensorShape([2, 2])).shape.as_list() == [2, 2]
    assert gf.zeros([]).shape.as_list() == []
    assert gf.zeros([2], name="zz").name == "zz:0"
    got = run([z, o, s], {x: data((3, 4)), n: 2})
    np.testing.assert_array_equal(got[0], np.zeros((2, 3), np.float32))
    np.testing.assert_array_equal(got[1], np.ones((3, 4), np.int32))
    np.testing.assert_array_equal(got[2], np.zeros(12, np.float32))


@pytest.mark.parametrize("dtype", DTYPES + [np.int8, np.uint8, np.float64, np.int64])
def test_zeros_like_ones_like_ops(dtype):
    x = data((2, 0, 3), dtype)
    y = data((3, 5), dtype)
    check_op(lambda a: gf.zeros_like(a), [y], expected=np.zeros_like(y))
    check_op(lambda a: gf.ones_like(a), [y], expected=np.ones_like(y))
    check_op(lambda a: gf.ones_like(a), [x], expected=np.ones_like(x))
    check_op(lambda a: op_builder.apply_op("ZerosLike", [a]), [y], expected=np.zeros_like(y))
    check_op(lambda a: op_builder.apply_op("OnesLike", [a]), [y], expected=np.ones_like(y))


def test_zeros_like_ones_like_builders():
    x = gf.placeholder(gf.float32, [None, 3])
    assert gf.zeros_like(x).op.type == "ZerosLike"
    assert gf.ones_like(x).op.type == "OnesLike"
    assert gf.zeros_like(gf.zeros([2, 2])).op.type == "Const"
    assert gf.zeros_like(gf.zeros([2, 2]), optimize=False).op.type == "ZerosLike"
    zi = gf.zeros_like(x, dtype=gf.int32)
    ob = gf.ones_like(x, dtype=gf.bool)
    assert zi.dtype == gf.int32 and zi.shape.as_list() == [None, 3]
    assert ob.dtype == gf.bool and ob.shape.as_list() == [None, 3]
    got = run([zi, ob], {x: data((2, 3))})
    np.testing.assert_array_equal(got[0], np.zeros((2, 3), np.int32))
    np.testing.assert_array_equal(got[1], np.ones((2, 3), np.bool_))


def test_ones_like_rejects_string():
    with pytest.raises(TypeError, match="allowed list"):
        op_builder.apply_op("OnesLike", [gf.constant(["a"])])


# --- Shape, ShapeN, Size, Rank --------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES + [np.int8, np.float64])
@pytest.mark.parametrize("shape", [(2, 3, 4), (0, 5), ()])
def test_shape_size_rank(dtype, shape):
    x = data(shape, dtype)
    check_op(lambda a: gf.shape(a), [x], expected=np.array(shape, np.int32))
    check_op(lambda a: gf.shape(a, out_type=gf.int64), [x], expected=np.array(shape, np.int64))
    check_op(lambda a: gf.size(a), [x], expected=np.int32(x.size))
    check_op(lambda a: gf.size(a, out_type=gf.int64), [x], expected=np.int64(x.size))
    check_op(lambda a: gf.rank(a), [x], expected=np.int32(len(shape)))
    check_op(lambda a: gf.shape_n([a, a]), [x],
             expected=[np.array(shape, np.int32)] * 2)


def test_shape_ops_through_kernels():
    x = gf.placeholder(gf.float16, [None, 3])
    u = gf.placeholder(gf.bool)
    s, n, r = gf.shape(x), gf.size(x), gf.rank(u)
    assert (s.op.type, n.op.type, r.op.type) == ("Shape", "Size", "Rank")
    assert s.shape.as_list() == [2] and gf.shape(u).shape.as_list() == [None]
    v = gf.placeholder(gf.bool, [4])
    sn = gf.shape_n([u, v], out_type=gf.int64)
    assert [t.shape.as_list() for t in sn] == [[None], [1]]
    got = run([s, n, r] + sn, {x: data((5, 3), np.float16), u: data((2, 1, 4), np.bool_),
                               v: data((4,), np.bool_)})
    np.testing.assert_array_equal(got[0], [5, 3])
    assert got[1] == 15 and got[2] == 3
    np.testing.assert_array_equal(got[3], [2, 1, 4])
    assert got[3].dtype == np.int64 and list(got[4]) == [4]
    # Statically known: constants, as TF1 builds them.
    assert gf.shape(gf.zeros([2, 3])).op.type == "Const"
    assert gf.size(gf.placeholder(gf.float32, [None, 0])).op.type == "Const"
    assert gf.rank(x).op.type == "Const"


def test_identity_n():
    xs = [data((2, 3)), data((4,), np.int32), data((), np.bool_)]
    check_op(lambda *a: gf.identity_n(list(a)), xs, expected=xs)


# --- Range ----------------------------------------------------------------------

@pytest.mark.parametrize("args,kwargs,want", [
    ((5,), {}, np.arange(5, dtype=np.int32)),
    ((2, 9, 3), {}, np.arange(2, 9, 3, dtype=np.int32)),
    ((9, 2, -2), {}, np.arange(9, 2, -2, dtype=np.int32)),
    ((3, 3), {}, np.arange(3, 3, dtype=np.int32)),
    ((1, 2.5, 0.5), {}, np.arange(1, 2.5, 0.5, dtype=np.float32)),
    ((0.0, 1.0, 0.1), {}, np.float32(0) + np.arange(10, dtype=np.float32) * np.float32(0.1)),
    ((5,), {"dtype": gf.float64}, np.arange(5, dtype=np.float64)),
    ((-3, 4, 2), {"dtype": gf.int64}, np.arange(-3, 4, 2, dtype=np.int64)),
    ((10, -10, -3), {"dtype": gf.int8}, np.arange(10, -10, -3, dtype=np.int8)),
    ((1.5, 5, 0.75), {"dtype": gf.float16}, np.arange(1.5, 5, 0.75).astype(np.float16)),
    ((2**40, 2**40 + 5), {}, np.arange(2**40, 2**40 + 5, dtype=np.int64)),
])
def test_range(args, kwargs, want):
    check_op(lambda: gf.range(*args, **kwargs), [], expected=want)


def test_range_runtime_values_and_static_shapes():
    lo, hi = gf.placeholder(gf.int32, []), gf.placeholder(gf.int32, [])
    r = gf.range(lo, hi, 2)
    assert r.shape.as_list() == [None] and r.dtype == gf.int32
    assert gf.range(2, 10, 3).shape.as_list() == [3]
    np.testing.assert_array_equal(run(r, {lo: 3, hi: 10}), [3, 5, 7, 9])
    f = gf.placeholder(gf.float32, [])
    np.testing.assert_allclose(run(gf.range(f, 1.0, -0.25), {f: 2.0}),
                               [2.0, 1.75, 1.5, 1.25])
    assert gf.range(gf.placeholder(gf.int64, []), 5).dtype == gf.int64


@pytest.mark.skipif(not has_op("Cast"), reason="needs Cast (math_ops)")
def test_range_casts_tensors_to_the_widest_type():
    n = gf.placeholder(gf.int32, [])
    r = gf.range(0, n, 0.5)
    assert r.dtype == gf.float32
    np.testing.assert_array_equal(run(r, {n: 2}), [0, 0.5, 1, 1.5])


def test_range_errors():
    with pytest.raises(ValueError, match="Requires delta != 0"):
        gf.range(1, 5, 0)
    with pytest.raises(ValueError, match="Requires start <= limit when delta > 0: 5/1"):
        gf.range(5, 1)
    with pytest.raises(ValueError, match="Requires start >= limit when delta < 0"):
        gf.range(1, 5, -1)
    with pytest.raises(TypeError, match="common dtype"):
        gf.range(gf.placeholder(gf.float16, []), 5)
    d = gf.placeholder(gf.float32, [])
    r = gf.range(0.0, 1.0, d, name="rg")
    with pytest.raises(gf.errors.InvalidArgumentError, match="Requires delta != 0") as e:
        run(r, {d: 0.0})
    assert "rg" in str(e.value)
    with pytest.raises(gf.errors.InvalidArgumentError, match="when delta < 0"):
        run(r, {d: -1.0})
    with pytest.raises(gf.errors.InvalidArgumentError, match="2\\*\\*62"):
        run(r, {d: 1e-30})
