"""gf.tensordot: values against np.tensordot for int and pair axes, with
known, partly known and unknown static shapes and axes given as a tensor;
size-0; static shapes; errors; gradients against central differences."""

import numpy as np
import pytest

import graphflow as gf
from graphflow.ops.matmul_ops import tensordot
from graphflow.test import check_op, gradient_error_of

CASES = [
    ([2, 3, 4], [4, 5], 1),
    ([2, 3, 4], [3, 4, 5], 2),
    ([2, 3], [4, 5], 0),
    ([2, 3, 4], [4, 3, 5], [[1, 2], [1, 0]]),
    ([2, 3, 4], [5, 2], [[0], [1]]),
    ([3, 4], [4, 3], [[-1, 0], [0, -1]]),
    ([2, 3, 4], [4, 6], (2, 0)),
    ([0, 3], [3, 2], 1),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
@pytest.mark.parametrize("sa,sb,axes", CASES)
def test_values(dtype, sa, sb, axes):
    rng = np.random.RandomState(0)
    a = (rng.randn(*sa) * 3).astype(dtype)
    b = (rng.randn(*sb) * 3).astype(dtype)
    np_axes = axes if not isinstance(axes, tuple) else ([axes[0]], [axes[1]])
    want = np.tensordot(a, b, np_axes).astype(dtype)
    check_op(lambda x, y: tensordot(x, y, axes), [a, b], expected=want, rtol=1e-5, atol=1e-5)


def test_unknown_rank_and_axes_tensor():
    rng = np.random.RandomState(1)
    a, b = rng.rand(2, 3, 4), rng.rand(4, 3, 5)
    want = np.tensordot(a, b, [[1, 2], [1, 0]])
    with gf.Graph().as_default(), gf.Session() as sess:
        x, y = gf.placeholder(gf.float64), gf.placeholder(gf.float64)
        z = tensordot(x, y, [[1, 2], [1, 0]])
        assert z.shape.rank is None
        np.testing.assert_allclose(sess.run(z, {x: a, y: b}), want)
        axes = gf.placeholder(gf.int32, [2, 2])
        z = tensordot(gf.constant(a), gf.constant(b), axes)
        np.testing.assert_allclose(sess.run(z, {axes: [[1, -1], [1, 0]]}), want)
        z = tensordot(x, y, 1)
        np.testing.assert_allclose(sess.run(z, {x: a, y: rng.rand(4, 2)}).shape, [2, 3, 2])


def test_static_shapes():
    x = gf.placeholder(gf.float32, [None, 3, 4])
    w = gf.placeholder(gf.float32, [4, 5])
    assert tensordot(x, w, 1).shape.as_list() == [None, 3, 5]
    assert tensordot(x, w, [[2], [0]]).shape.as_list() == [None, 3, 5]
    assert tensordot(gf.zeros([2, 3]), gf.zeros([3, 4]), 1).shape.as_list() == [2, 4]


def test_errors():
    a = gf.zeros([2, 3])
    with pytest.raises(ValueError, match="must be at least 0"):
        tensordot(a, a, -1)
    with pytest.raises(ValueError, match="must not be larger"):
        tensordot(a, a, 3)
    with pytest.raises(ValueError, match="length 2"):
        tensordot(a, a, [[0], [1], [0]])
    with pytest.raises(ValueError, match="Different number of contraction axes"):
        tensordot(a, a, [[0, 1], [1]])
    with pytest.raises(ValueError, match="out of range"):
        tensordot(a, a, [[2], [0]])
    with pytest.raises(ValueError):
        tensordot(a, gf.zeros([4, 2]), 1)     # contracted sizes 3 and 4
    x, y = gf.placeholder(gf.float32, None), gf.placeholder(gf.float32, None)
    z = tensordot(x, y, 1)
    with gf.Session() as sess:
        with pytest.raises(gf.errors.InvalidArgumentError, match="Tensordot"):
            sess.run(z, {x: np.zeros([2, 3]), y: np.zeros([4, 2])})


@pytest.mark.parametrize("sa,sb,axes", CASES[:7])
def test_gradients(sa, sb, axes):
    assert gradient_error_of(lambda x, y: tensordot(x, y, axes), [sa, sb]) < 1e-6


def test_gradient_with_unknown_shapes():
    assert gradient_error_of(lambda x, y: tensordot(x, y, [[1, 2], [1, 0]]), [[2, 3, 4], [4, 3, 2]],
                             feed_shapes=[[None, 3, None], None]) < 1e-6
