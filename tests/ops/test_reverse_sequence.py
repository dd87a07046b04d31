"""ReverseSequence: values against a NumPy expression written here (a gather
along the seq axis), over dtypes, seq/batch dim layouts, int32 and int64
lengths and size-0 inputs; static and run-time errors; the builder's TF1
argument aliases; the gradient against central differences."""

import numpy as np
import pytest

import graphflow as gf
from graphflow.test import check_op, gradient_error_of

DTYPES = [np.float32, np.float64, np.float16, np.int32, np.int64, np.int8, np.uint8, np.int16,
          np.bool_]


def expected(x, lengths, seq_dim, batch_dim=0):
    """x with element t < lengths[b] of sequence b taken from lengths[b] - 1 - t."""
    lengths = np.asarray(lengths, np.int64)
    t = np.arange(x.shape[seq_dim])
    src = np.where(t < lengths[:, None], lengths[:, None] - 1 - t, t)  # [batch, steps]
    if batch_dim > seq_dim:
        src = src.T
    shape = [1] * x.ndim
    shape[batch_dim], shape[seq_dim] = x.shape[batch_dim], x.shape[seq_dim]
    return np.take_along_axis(x, np.broadcast_to(src.reshape(shape), x.shape), axis=seq_dim)


def _array(dtype, shape, seed=0):
    return np.random.RandomState(seed).randint(0, 7, shape).astype(dtype)


def _run(fetches, feeds=None):
    with gf.Session() as sess:
        return sess.run(fetches, feeds)


def test_expected_is_a_per_sequence_reversal():
    x = np.arange(8).reshape(2, 4)
    np.testing.assert_array_equal(expected(x, [3, 0], 1), [[2, 1, 0, 3], [4, 5, 6, 7]])
    np.testing.assert_array_equal(expected(x.T, [3, 0], 0, 1), [[2, 4], [1, 5], [0, 6], [3, 7]])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("len_dtype", [np.int32, np.int64])
def test_dtypes(dtype, len_dtype):
    x = _array(dtype, [4, 5, 3])
    lengths = np.array([5, 0, 2, 3], len_dtype)
    check_op(lambda a, n: gf.reverse_sequence(a, n, seq_axis=1), [x, lengths],
             expected=expected(x, lengths, 1))


@pytest.mark.parametrize("shape,seq_dim,batch_dim,lengths", [
    ([3, 5], 1, 0, [5, 1, 3]),
    ([5, 3], 0, 1, [5, 1, 3]),              # time-major: batch_dim > seq_dim
    ([5, 3, 2], 0, 1, [4, 0, 5]),
    ([3, 2, 6], 2, 0, [6, 2, 3]),           # a dim between batch and seq
    ([6, 2, 3], 0, 2, [6, 2, 3]),
    ([2, 3, 4, 2], 2, 1, [4, 3, 1]),        # dims before and after
    ([2, 4, 3, 2], 1, 2, [4, 3, 1]),
    ([2, 3, 4, 5], 3, 1, [5, 2, 0]),        # seq innermost: blocks of one element
    ([2, 5, 3, 1], 1, 2, [2, 5, 3]),
])
def test_dim_layouts(shape, seq_dim, batch_dim, lengths):
    x = _array(np.float32, shape, seed=len(shape))
    check_op(lambda a, n: gf.reverse_sequence(a, n, seq_axis=seq_dim, batch_axis=batch_dim),
             [x, np.array(lengths, np.int64)], expected=expected(x, lengths, seq_dim, batch_dim))


@pytest.mark.parametrize("lengths", [[0, 0, 0], [1, 1, 0], [4, 4, 4], [0, 4, 1]])
def test_zero_one_and_full_lengths(lengths):
    x = _array(np.int32, [3, 4, 2])
    check_op(lambda a, n: gf.reverse_sequence(a, n, seq_axis=1), [x, np.array(lengths)],
             expected=expected(x, lengths, 1))


@pytest.mark.parametrize("shape,seq_dim,batch_dim,lengths", [
    ([3, 0, 2], 1, 0, [0, 0, 0]),           # no steps
    ([0, 4], 1, 0, []),                     # no sequences
    ([4, 0], 0, 1, []),
    ([2, 3, 0], 1, 0, [3, 2]),              # empty blocks
])
def test_size_zero(shape, seq_dim, batch_dim, lengths):
    x = np.zeros(shape, np.float32)
    check_op(lambda a, n: gf.reverse_sequence(a, n, seq_dim, batch_dim),
             [x, np.array(lengths, np.int64).reshape([-1])],
             expected=expected(x, np.array(lengths, np.int64).reshape([-1]), seq_dim, batch_dim))


@pytest.mark.parametrize("shape,seq_dim,batch_dim", [
    ([64, 50, 33], 1, 0), ([50, 64, 33], 0, 1), ([200, 300], 1, 0), ([300, 200], 0, 1)])
def test_large_inputs_split_over_threads(shape, seq_dim, batch_dim):
    r = np.random.RandomState(2)
    x = r.rand(*shape).astype(np.float32)
    lengths = r.randint(0, shape[seq_dim] + 1, shape[batch_dim])
    check_op(lambda a, n: gf.reverse_sequence(a, n, seq_dim, batch_dim), [x, lengths],
             expected=expected(x, lengths, seq_dim, batch_dim))


def test_strings():
    """Strings are assigned element by element, in both walks of the kernel."""
    x = np.array([[b"a", b"bb", b"c", b""], [b"d", b"e", b"f", b"g"]], dtype=object)
    lengths = np.array([3, 2])
    want = np.array([[b"c", b"bb", b"a", b""], [b"e", b"d", b"f", b"g"]], dtype=object)
    assert (expected(x, lengths, 1) == want).all()
    check_op(lambda a, n: gf.reverse_sequence(a, n, 1), [x, lengths], expected=want)
    check_op(lambda a, n: gf.reverse_sequence(a, n, 0, 1), [x.T.copy(), lengths],
             expected=want.T)


def test_builder_names_and_attrs():
    x = gf.placeholder(gf.float32, [2, 3])
    y = gf.reverse_sequence(x, [1, 2, 0], seq_dim=0, batch_dim=1, name="rev")
    assert y.op.type == "ReverseSequence" and y.op.name == "rev"
    assert y.op.get_attr("seq_dim") == 0 and y.op.get_attr("batch_dim") == 1
    assert y.op.get_attr("Tlen") == gf.int64  # a Python list takes Tlen's default, as in TF
    z = gf.reverse_sequence(x, gf.constant([1, 2], gf.int32), 1)
    assert z.op.get_attr("batch_dim") == 0 and z.op.get_attr("Tlen") == gf.int32
    with pytest.raises(ValueError, match="Cannot specify both 'seq_axis' and 'seq_dim'"):
        gf.reverse_sequence(x, [1, 2], seq_axis=1, seq_dim=1)
    with pytest.raises(ValueError, match="Cannot specify both 'batch_axis' and 'batch_dim'"):
        gf.reverse_sequence(x, [1, 2], 1, batch_axis=0, batch_dim=0)
    with pytest.raises(TypeError, match="seq_axis"):
        gf.reverse_sequence(x, [1, 2])
    with pytest.raises(TypeError):
        gf.reverse_sequence(x, gf.constant([1.0, 2.0]), 1)


def test_static_shape():
    x = gf.placeholder(gf.float32, [None, 5, None])
    assert gf.reverse_sequence(x, [1, 2, 3], 1).shape.as_list() == [3, 5, None]
    assert gf.reverse_sequence(x, gf.placeholder(gf.int64), 1).shape.as_list() == [None, 5, None]
    assert gf.reverse_sequence(gf.placeholder(gf.float32), [1], 1).shape.rank is None


def test_static_errors():
    x = gf.placeholder(gf.float32, [2, 3, 4])
    with pytest.raises(ValueError, match="seq_lengths must be a 1-D tensor, got shape"):
        gf.reverse_sequence(x, [[1, 2]], 1)
    with pytest.raises(ValueError, match="seq_dim = 3 is not a dim of the input: expected "
                                         "0 <= seq_dim < 3"):
        gf.reverse_sequence(x, [1, 2], 3)
    with pytest.raises(ValueError, match="batch_dim = -1 is not a dim"):
        gf.reverse_sequence(x, [1, 2], 1, batch_axis=-1)
    with pytest.raises(ValueError, match="must be different dims, both are 1"):
        gf.reverse_sequence(x, [1, 2, 3], 1, batch_axis=1)
    with pytest.raises(ValueError, match="seq_lengths has 3 elements but input .* has 2 along "
                                         "batch_dim 0"):
        gf.reverse_sequence(x, [1, 2, 3], 1)
    with pytest.raises(ValueError, match="must be different dims"):  # known without the rank
        gf.reverse_sequence(gf.placeholder(gf.float32), [1], 0)


def test_runtime_errors_name_the_op_the_batch_index_and_the_value():
    x = gf.placeholder(gf.float32, [None, None, 2])
    n = gf.placeholder(gf.int32, [None])
    y = gf.reverse_sequence(x, n, 1, name="rs")
    feed = {x: np.zeros([3, 4, 2], np.float32)}
    with pytest.raises(gf.errors.InvalidArgumentError,
                       match=r"ReverseSequence 'rs': seq_lengths\[2\] = 5 is not in \[0, 4\]"):
        _run(y, {**feed, n: [4, 1, 5]})
    with pytest.raises(gf.errors.InvalidArgumentError, match=r"seq_lengths\[0\] = -1 is not in"):
        _run(y, {**feed, n: [-1, 1, 1]})
    with pytest.raises(gf.errors.InvalidArgumentError,
                       match=r"'rs': seq_lengths must be a vector of input.dim\(batch_dim = 0\) "
                             r"= 3 elements, got shape \[2\]"):
        _run(y, {**feed, n: [1, 1]})
    np.testing.assert_array_equal(_run(y, {**feed, n: [4, 1, 0]}), np.zeros([3, 4, 2]))
    u = gf.placeholder(gf.float32)
    with pytest.raises(gf.errors.InvalidArgumentError,
                       match="'rs2': seq_dim = 2 is not a dim of the input: expected 0 <= "
                             "seq_dim < 2"):
        _run(gf.reverse_sequence(u, [1, 1], 2, name="rs2"), {u: np.zeros([2, 3], np.float32)})


# --- gradient ------------------------------------------------------------------

@pytest.mark.parametrize("shape,seq_dim,batch_dim,lengths", [
    ([3, 4], 1, 0, [4, 0, 2]), ([4, 3, 2], 0, 1, [3, 4, 1]), ([2, 3, 4], 2, 0, [3, 4]),
])
def test_gradient(shape, seq_dim, batch_dim, lengths):
    def build(x):
        return gf.reverse_sequence(x, np.array(lengths, np.int64), seq_dim, batch_dim)
    assert gradient_error_of(build, [shape]) < 1e-6


def test_gradient_with_lengths_fed_and_none_for_lengths():
    def build(x):
        n = gf.placeholder(gf.int32, [None])
        y = gf.reverse_sequence(x, n, 1)
        assert gf.gradients(y, n) == [None]
        return y * gf.constant(np.arange(8.0).reshape(2, 4)), {n: [3, 2]}
    assert gradient_error_of(build, [[2, 4]]) < 1e-6
