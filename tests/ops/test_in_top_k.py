"""InTopKV2 (gf.nn.in_top_k): values against an independent NumPy rule,
ties, non-finite predictions, out-of-range targets, k edge cases, size-0,
static shapes and error paths."""

import numpy as np
import pytest

import graphflow as gf
from graphflow.ops.sort_ops import in_top_k
from graphflow.test import check_op


def _np_in_top_k(pred, targets, k):
    out = []
    for row, t in zip(pred, targets):
        if not 0 <= t < row.size or not np.isfinite(row).all():
            out.append(False)
            continue
        kth = np.sort(row)[::-1][k - 1] if 0 < k <= row.size else (-np.inf if k > 0 else None)
        out.append(kth is not None and row[t] >= kth)
    return np.array(out, bool)


@pytest.mark.parametrize("tdtype", [np.int32, np.int64])
@pytest.mark.parametrize("k", [0, 1, 2, 3, 5, 7])
def test_values(tdtype, k):
    rng = np.random.RandomState(k)
    pred = rng.randn(6, 5).astype(np.float32)
    targets = rng.randint(0, 5, 6).astype(tdtype)
    check_op(lambda p, t: in_top_k(p, t, k), [pred, targets],
             expected=_np_in_top_k(pred, targets, k))


def test_ties_count_as_in():
    pred = np.array([[0.1, 0.8, 0.1, 0.0], [1.0, 1.0, 1.0, 1.0], [0.5, 0.3, 0.3, 0.3]],
                    np.float32)
    targets = np.array([2, 3, 1], np.int32)
    check_op(lambda p, t: in_top_k(p, t, 1), [pred, targets],
             expected=np.array([False, True, False]))
    check_op(lambda p, t: in_top_k(p, t, 2), [pred, targets],
             expected=np.array([True, True, True]))


def test_non_finite_and_out_of_range_targets_are_false():
    pred = np.array([[0.1, np.nan, 0.2], [np.inf, 0.0, 1.0], [0.1, 0.2, -np.inf],
                     [0.3, 0.2, 0.1], [0.3, 0.2, 0.1]], np.float32)
    targets = np.array([2, 0, 1, 3, -1], np.int64)
    check_op(lambda p, t: in_top_k(p, t, 3), [pred, targets], expected=np.zeros(5, bool))


def test_size_zero_and_k_tensor():
    check_op(lambda p, t: in_top_k(p, t, 1), [np.zeros([0, 4], np.float32),
                                              np.zeros([0], np.int32)], expected=np.zeros(0, bool))
    check_op(lambda p, t: in_top_k(p, t, 1), [np.zeros([3, 0], np.float32),
                                              np.zeros([3], np.int32)], expected=np.zeros(3, bool))
    pred = np.array([[3.0, 1.0, 2.0]], np.float32)
    k = gf.placeholder(gf.int32, [])
    y = in_top_k(pred, [2], k)
    with gf.Session() as sess:
        assert [sess.run(y, {k: v})[0] for v in (1, 2, 3)] == [False, True, True]


def test_static_shapes_and_errors():
    p = gf.placeholder(gf.float32, [None, 5])
    t = gf.placeholder(gf.int32, [4])
    assert in_top_k(p, t, 2).shape.as_list() == [4]
    assert in_top_k(gf.placeholder(gf.float32), gf.placeholder(gf.int64), 2).shape.as_list() == \
        [None]
    with pytest.raises(ValueError, match="predictions must be 2-dimensional"):
        in_top_k(gf.placeholder(gf.float32, [3]), t, 1)
    with pytest.raises(ValueError, match="targets must be 1-dimensional"):
        in_top_k(p, gf.placeholder(gf.int32, [4, 1]), 1)
    with pytest.raises(ValueError, match="must match length of targets"):
        in_top_k(gf.placeholder(gf.float32, [3, 5]), t, 1)
    with pytest.raises(ValueError, match="k must be 0-D"):
        in_top_k(p, t, [1])
    with pytest.raises(TypeError):
        in_top_k(gf.placeholder(gf.float64, [4, 5]), t, 1)
    pu, tu = gf.placeholder(gf.float32, None), gf.placeholder(gf.int32, None)
    y = in_top_k(pu, tu, 1, name="itk")
    with gf.Session() as sess:
        with pytest.raises(gf.errors.InvalidArgumentError,
                           match=r"InTopKV2 'itk'.*First dimension of predictions 2 must match "
                                 r"length of targets 3"):
            sess.run(y, {pu: np.zeros([2, 4]), tu: [0, 1, 2]})
        with pytest.raises(gf.errors.InvalidArgumentError, match="itk.*predictions must be 2"):
            sess.run(y, {pu: np.zeros([4]), tu: [0, 1, 2, 3]})
    assert gf.gradients(gf.cast(in_top_k(p, t, 1), gf.float32), [p]) == [None]
