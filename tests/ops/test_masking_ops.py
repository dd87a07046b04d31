"""sequence_mask and boolean_mask: values against NumPy over dtypes and
shapes (size-0 too), static shapes, error paths, and the gradient through
boolean_mask against central differences."""

import numpy as np
import pytest

import graphflow as gf
from graphflow.ops.indexing_ops import boolean_mask, sequence_mask
from graphflow.test import check_op, gradient_error_of


def _np_sequence_mask(lengths, maxlen):
    lengths = np.asarray(lengths)
    out = np.zeros(lengths.shape + (maxlen,), bool)
    for pos in np.ndindex(lengths.shape):
        out[pos][:max(0, min(maxlen, lengths[pos]))] = True
    return out


@pytest.mark.parametrize("ldtype", [np.int32, np.int64])
@pytest.mark.parametrize("lengths", [[1, 3, 0, 2], [[2, 0], [1, 4]], [5]])
def test_sequence_mask_with_maxlen(ldtype, lengths):
    lengths = np.array(lengths, ldtype)
    check_op(lambda t: sequence_mask(t, 4), [lengths], expected=_np_sequence_mask(lengths, 4))


def test_sequence_mask_default_maxlen_and_dtype():
    lengths = np.array([1, 3, 2], np.int32)
    check_op(lambda t: sequence_mask(t), [lengths], expected=_np_sequence_mask(lengths, 3))
    got = check_op(lambda t: sequence_mask(t, 3, dtype=gf.float32), [lengths],
                   expected=_np_sequence_mask(lengths, 3).astype(np.float32))
    assert got[0].dtype == np.float32
    # an empty lengths gives maxlen 0, not the lowest int
    check_op(lambda t: sequence_mask(t), [np.zeros([0], np.int32)],
             expected=np.zeros([0, 0], bool))
    check_op(lambda t: sequence_mask(t, 2), [np.zeros([2, 0], np.int64)],
             expected=np.zeros([2, 0, 2], bool))


def test_sequence_mask_static_shape_and_errors():
    lengths = gf.placeholder(gf.int32, [None, 3])
    assert sequence_mask(lengths, 5).shape.as_list() == [None, 3, 5]
    assert sequence_mask(lengths).shape.as_list() == [None, 3, None]
    with pytest.raises(ValueError, match="maxlen must be scalar"):
        sequence_mask(lengths, [3])


def _np_boolean_mask(x, mask, axis):
    k = mask.ndim
    flat = x.reshape(x.shape[:axis] + (int(np.prod(x.shape[axis:axis + k])),) + x.shape[axis + k:])
    return np.take(flat, np.flatnonzero(mask.reshape(-1)), axis=axis)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64, np.bool_,
                                   np.float16])
@pytest.mark.parametrize("shape,mshape,axis", [([5], [5], 0), ([4, 3], [4], 0),
                                               ([2, 3, 4], [2, 3], 0), ([2, 3, 4], [3, 4], 1),
                                               ([2, 3, 4], [4], 2), ([3, 2], [3, 2], 0)])
def test_boolean_mask_values(dtype, shape, mshape, axis):
    rng = np.random.RandomState(3)
    x = (rng.randn(*shape) * 5).astype(dtype)
    mask = rng.rand(*mshape) > 0.4
    check_op(lambda t, m: boolean_mask(t, m, axis=axis), [x, mask],
             expected=_np_boolean_mask(x, mask, axis))


def test_boolean_mask_numeric_mask_and_edge_cases():
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    # Where treats a numeric mask as mask != 0
    check_op(lambda t: boolean_mask(t, np.array([0, 2, 0, -1], np.int32)), [x],
             expected=x[[1, 3]])
    check_op(lambda t, m: boolean_mask(t, m), [x, np.zeros([4], bool)],
             expected=np.zeros([0, 3], np.float32))
    check_op(lambda t, m: boolean_mask(t, m), [x, np.ones([4], bool)], expected=x)
    empty = np.zeros([0, 3], np.float32)
    check_op(lambda t, m: boolean_mask(t, m), [empty, np.zeros([0], bool)], expected=empty)


def test_boolean_mask_static_shapes_and_errors():
    x = gf.placeholder(gf.float32, [2, 3, 4])
    assert boolean_mask(x, gf.placeholder(gf.bool, [2, 3])).shape.as_list() == [None, 4]
    assert boolean_mask(x, gf.placeholder(gf.bool, [None]), axis=2).shape.as_list() == \
        [2, 3, None]
    with pytest.raises(ValueError, match="mask cannot be scalar"):
        boolean_mask(x, True)
    with pytest.raises(ValueError, match="Number of mask dimensions must be specified"):
        boolean_mask(x, gf.placeholder(gf.bool))
    with pytest.raises(ValueError, match="incompatible"):
        boolean_mask(x, gf.placeholder(gf.bool, [3]))
    with pytest.raises(ValueError, match="does not fit"):
        boolean_mask(x, gf.placeholder(gf.bool, [4, 1]), axis=2)
    t = gf.placeholder(gf.float32, [None, 3])
    m = gf.placeholder(gf.bool, [None])
    y = boolean_mask(t, m, name="bm")
    with gf.Session() as sess:
        with pytest.raises(gf.errors.InvalidArgumentError, match="bm"):
            sess.run(y, {t: np.zeros([2, 3]), m: [True, False, True]})


def test_boolean_mask_gradient():
    mask = np.array([[True, False, True], [False, True, True]])
    assert gradient_error_of(lambda x: boolean_mask(x, mask) * 3.0, [[2, 3, 2]]) < 1e-6
    assert gradient_error_of(lambda x: boolean_mask(x, mask[0], axis=1), [[2, 3]]) < 1e-6
    x = gf.placeholder(gf.float64, [3, 2])
    g, = gf.gradients(gf.reduce_sum(boolean_mask(x, [True, False, True])), [x])
    with gf.Session() as sess:
        np.testing.assert_array_equal(sess.run(g, {x: np.ones([3, 2])}),
                                      [[1, 1], [0, 0], [1, 1]])
