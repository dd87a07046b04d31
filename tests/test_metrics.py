"""gf.metrics: streaming over several batches against NumPy over the
concatenated batches, weights, reset, state variables, collections, the
zero-count case, update_op's value and static shape errors."""

import numpy as np
import pytest

import graphflow as gf
from graphflow import metrics


@pytest.fixture(autouse=True)
def _fresh_graph():
    gf.reset_default_graph()
    yield


def _stream(value, update, feeds):
    """Runs update over each feed dict; returns (update results, final value)."""
    with gf.Session() as sess:
        sess.run(gf.local_variables_initializer())
        updates = [sess.run(update, feed) for feed in feeds]
        return updates, sess.run(value)


def _batches(rng, n_batches=3, size=7, classes=3):
    labels = [rng.integers(0, classes, size) for _ in range(n_batches)]
    preds = [rng.integers(0, classes, size) for _ in range(n_batches)]
    weights = [rng.random(size).astype(np.float32) for _ in range(n_batches)]
    return labels, preds, weights


# --- mean ---------------------------------------------------------------------------------

def test_mean_streams_and_update_returns_running_value():
    rng = np.random.default_rng(0)
    batches = [rng.standard_normal((4, 3)) for _ in range(3)]
    x = gf.placeholder(gf.float64, [None, 3])
    value, update = metrics.mean(x)
    assert value.dtype == gf.float32 and update.dtype == gf.float32
    updates, final = _stream(value, update, [{x: b} for b in batches])
    for i, u in enumerate(updates):
        np.testing.assert_allclose(u, np.concatenate(batches[:i + 1]).mean(), rtol=1e-5)
    np.testing.assert_allclose(final, np.concatenate(batches).mean(), rtol=1e-5)


def test_mean_weights_broadcast():
    rng = np.random.default_rng(1)
    xs = [rng.standard_normal((4, 3)).astype(np.float32) for _ in range(2)]
    ws = [rng.random((4, 1)).astype(np.float32) for _ in range(2)]
    x = gf.placeholder(gf.float32, [4, 3])
    w = gf.placeholder(gf.float32, [4, 1])
    value, update = metrics.mean(x, weights=w)
    _, final = _stream(value, update, [{x: a, w: b} for a, b in zip(xs, ws)])
    full_w = np.concatenate([np.broadcast_to(b, a.shape) for a, b in zip(xs, ws)])
    expected = (np.concatenate(xs) * full_w).sum() / full_w.sum()
    np.testing.assert_allclose(final, expected, rtol=1e-5)


def test_mean_scalar_weight_and_rank_below_values():
    x = gf.constant([[1., 2.], [3., 5.]])
    v_scalar, u_scalar = metrics.mean(x, weights=2.0)
    # weights [2] are one rank below values [2, 2]: a trailing dim is added
    v_row, u_row = metrics.mean(x, weights=[1., 0.])
    with gf.Session() as sess:
        sess.run(gf.local_variables_initializer())
        assert sess.run(u_scalar) == pytest.approx(2.75)
        assert sess.run(u_row) == pytest.approx(1.5)


def test_mean_zero_count_is_zero():
    x = gf.placeholder(gf.float32, [None])
    value, update = metrics.mean(x, weights=gf.zeros_like(x))
    updates, final = _stream(value, update, [{x: [1., 2.]}, {x: np.zeros(0, np.float32)}])
    assert updates == [0.0, 0.0] and final == 0.0
    with gf.Session() as sess:
        sess.run(gf.local_variables_initializer())
        assert sess.run(value) == 0.0


def test_mean_variables_collections_and_reset():
    value, update = metrics.mean([1., 3.], metrics_collections=["vals"],
                                 updates_collections=["ups"])
    local = gf.local_variables()
    assert [v.op.name for v in local] == ["mean/total", "mean/count"]
    assert gf.get_collection(gf.GraphKeys.METRIC_VARIABLES) == local
    assert gf.trainable_variables() == [] and gf.global_variables() == []
    assert all(v.dtype.base_dtype == gf.float32 and v.shape.as_list() == [] for v in local)
    assert gf.get_collection("vals") == [value] and gf.get_collection("ups") == [update]
    with gf.Session() as sess:
        sess.run(gf.local_variables_initializer())
        sess.run(update)
        sess.run(update)
        assert sess.run(local) == [8.0, 4.0]
        sess.run(gf.local_variables_initializer())
        assert sess.run(local) == [0.0, 0.0] and sess.run(value) == 0.0


def test_mean_names_are_unique_and_custom():
    metrics.mean([1.])
    metrics.mean([1.])
    with gf.name_scope("eval"):
        metrics.mean([1.], name="loss_avg")
    assert [v.op.name for v in gf.local_variables()] == [
        "mean/total", "mean/count", "mean_1/total", "mean_1/count",
        "eval/loss_avg/total", "eval/loss_avg/count"]


def test_mean_weights_not_broadcastable():
    with pytest.raises(ValueError, match=r"weights can not be broadcast.*\(2, 3\).*\(2, 4\)"):
        metrics.mean(gf.zeros([2, 4]), weights=gf.ones([2, 3]))


# --- accuracy -----------------------------------------------------------------------------

def test_accuracy_streams_with_weights():
    rng = np.random.default_rng(2)
    labels, preds, weights = _batches(rng)
    y = gf.placeholder(gf.int32, [None])
    p = gf.placeholder(gf.int64, [None])  # labels are cast to predictions' dtype
    w = gf.placeholder(gf.float32, [None])
    plain, plain_update = metrics.accuracy(y, p)
    weighted, weighted_update = metrics.accuracy(y, p, weights=w)
    feeds = [{y: a, p: b, w: c} for a, b, c in zip(labels, preds, weights)]
    with gf.Session() as sess:
        sess.run(gf.local_variables_initializer())
        for i, feed in enumerate(feeds):
            got, got_w = sess.run([plain_update, weighted_update], feed)
            correct = np.concatenate(labels[:i + 1]) == np.concatenate(preds[:i + 1])
            np.testing.assert_allclose(got, correct.mean(), rtol=1e-6)
            ws = np.concatenate(weights[:i + 1])
            np.testing.assert_allclose(got_w, (correct * ws).sum() / ws.sum(), rtol=1e-5)
        final, final_w = sess.run([plain, weighted])
    assert final == pytest.approx(got) and final_w == pytest.approx(got_w)
    names = [v.op.name for v in gf.local_variables()]
    assert names == ["accuracy/total", "accuracy/count", "accuracy_1/total", "accuracy_1/count"]


def test_accuracy_squeezes_trailing_unit_dim():
    value, update = metrics.accuracy(labels=[[1], [2], [3]], predictions=[1, 0, 3])
    _, final = _stream(value, update, [None])
    assert final == pytest.approx(2 / 3)


def test_accuracy_shape_error():
    with pytest.raises(ValueError, match=r"accuracy: predictions shape \(4,\) and labels "
                                         r"shape \(3,\) are incompatible"):
        metrics.accuracy(labels=[1, 2, 3], predictions=[1, 2, 3, 4])
    assert gf.local_variables() == []


# --- counts, precision, recall ------------------------------------------------------------

_COUNTS = {
    "true_positives": lambda y, p: y & p,
    "false_positives": lambda y, p: ~y & p,
    "true_negatives": lambda y, p: ~y & ~p,
    "false_negatives": lambda y, p: y & ~p,
}


@pytest.mark.parametrize("name", sorted(_COUNTS))
def test_condition_counts(name):
    rng = np.random.default_rng(3)
    labels, preds, weights = _batches(rng, classes=2)
    preds = [q * rng.random(q.shape) for q in preds]  # nonzero floats are True
    y = gf.placeholder(gf.int64, [None])
    p = gf.placeholder(gf.float64, [None])
    w = gf.placeholder(gf.float32, [None])
    value, update = getattr(metrics, name)(y, p, weights=w, metrics_collections=["v"])
    updates, final = _stream(value, update, [{y: a, p: b, w: c}
                                             for a, b, c in zip(labels, preds, weights)])
    hit = _COUNTS[name](np.concatenate(labels) != 0, np.concatenate(preds) != 0)
    expected = (hit * np.concatenate(weights)).sum()
    np.testing.assert_allclose(final, expected, rtol=1e-5)
    np.testing.assert_allclose(updates[-1], expected, rtol=1e-5)
    assert [v.op.name for v in gf.local_variables()] == [name + "/count"]
    assert gf.get_collection("v") == [value]


def test_counts_without_weights_and_weights_rank_error():
    value, update = metrics.true_positives([[1, 0], [1, 1]], [[1, 1], [0, 1]])
    _, final = _stream(value, update, [None, None])
    assert final == 4.0
    with pytest.raises(ValueError, match=r"true_positives: weights must be a scalar or have "
                                         r"the rank of labels and predictions \(2\)"):
        metrics.true_positives(gf.ones([2, 2]), gf.ones([2, 2]), weights=gf.ones([2, 2, 1, 1]))


@pytest.mark.parametrize("name", ["precision", "recall"])
def test_precision_recall(name):
    rng = np.random.default_rng(4)
    labels, preds, weights = _batches(rng, classes=2)
    y = gf.placeholder(gf.int32, [None])
    p = gf.placeholder(gf.int32, [None])
    w = gf.placeholder(gf.float32, [None])
    value, update = getattr(metrics, name)(y, p, weights=w, updates_collections=["u"])
    updates, final = _stream(value, update, [{y: a, p: b, w: c}
                                             for a, b, c in zip(labels, preds, weights)])
    yb, pb, ws = (np.concatenate(labels) != 0, np.concatenate(preds) != 0,
                  np.concatenate(weights))
    tp = (yb & pb) * ws
    other = ((~yb & pb) if name == "precision" else (yb & ~pb)) * ws
    expected = tp.sum() / (tp.sum() + other.sum())
    np.testing.assert_allclose(final, expected, rtol=1e-5)
    np.testing.assert_allclose(updates[-1], expected, rtol=1e-5)
    other_name = "false_positives" if name == "precision" else "false_negatives"
    assert [v.op.name for v in gf.local_variables()] == [
        name + "/true_positives/count", name + "/" + other_name + "/count"]
    assert gf.get_collection("u") == [update]


@pytest.mark.parametrize("fn", [metrics.precision, metrics.recall])
def test_precision_recall_zero_denominator(fn):
    # no predicted positives and no actual positives: 0, not NaN
    value, update = fn(labels=[0, 0], predictions=[0, 0])
    updates, final = _stream(value, update, [None])
    assert updates == [0.0] and final == 0.0


def test_precision_shape_error():
    with pytest.raises(ValueError, match=r"precision: predictions shape \(2, 3\) and labels "
                                         r"shape \(3, 2\) are incompatible"):
        metrics.precision(gf.ones([3, 2]), gf.ones([2, 3]))


# --- regression errors --------------------------------------------------------------------

_ERRORS = {
    "mean_squared_error": lambda y, p: ((y - p) ** 2),
    "root_mean_squared_error": lambda y, p: ((y - p) ** 2),
    "mean_absolute_error": lambda y, p: np.abs(y - p),
}


@pytest.mark.parametrize("name", sorted(_ERRORS))
@pytest.mark.parametrize("weighted", [False, True])
def test_regression_errors(name, weighted):
    rng = np.random.default_rng(5)
    ys = [rng.standard_normal((5, 2)).astype(np.float32) for _ in range(3)]
    ps = [rng.standard_normal((5, 2)).astype(np.float32) for _ in range(3)]
    ws = [rng.random((5, 1)).astype(np.float32) for _ in range(3)]
    y = gf.placeholder(gf.float32, [None, 2])
    p = gf.placeholder(gf.float32, [None, 2])
    w = gf.placeholder(gf.float32, [None, 1])
    value, update = getattr(metrics, name)(y, p, weights=w if weighted else None)
    feeds = [{y: a, p: b, w: c} for a, b, c in zip(ys, ps, ws)]
    updates, final = _stream(value, update, feeds)
    errors = _ERRORS[name](np.concatenate(ys), np.concatenate(ps))
    weights = np.broadcast_to(np.concatenate(ws), errors.shape) if weighted else 1.0
    expected = (errors * weights).sum() / (np.sum(weights) if weighted else errors.size)
    if name == "root_mean_squared_error":
        expected = np.sqrt(expected)
    np.testing.assert_allclose(final, expected, rtol=1e-5)
    np.testing.assert_allclose(updates[-1], expected, rtol=1e-5)
    assert [v.op.name for v in gf.local_variables()] == [name + "/total", name + "/count"]


def test_regression_zero_count_and_shape_error():
    value, update = metrics.root_mean_squared_error(
        gf.zeros([0, 3]), gf.zeros([0, 3]), metrics_collections=["v"], updates_collections=["u"])
    updates, final = _stream(value, update, [None])
    assert updates == [0.0] and final == 0.0
    assert gf.get_collection("v") == [value] and gf.get_collection("u") == [update]
    with pytest.raises(ValueError, match=r"mean_absolute_error: predictions shape \(3,\) and "
                                         r"labels shape \(2,\)"):
        metrics.mean_absolute_error([1., 2.], [1., 2., 3.])


# --- confusion matrix, mean_per_class_accuracy, mean_iou -----------------------------------

def _np_confusion(labels, preds, n, weights=None):
    cm = np.zeros((n, n))
    for i, (a, b) in enumerate(zip(labels, preds)):
        cm[a, b] += 1 if weights is None else weights[i]
    return cm


def test_confusion_matrix_values_dtype_weights():
    rng = np.random.default_rng(6)
    labels, preds = rng.integers(0, 4, 20), rng.integers(0, 4, 20)
    weights = rng.random(20)
    plain = metrics.confusion_matrix(labels, preds)
    sized = metrics.confusion_matrix(labels[:, None], preds, num_classes=6)  # squeezed
    weighted = metrics.confusion_matrix(labels, preds, num_classes=4, weights=weights,
                                        dtype=gf.float64)
    assert plain.dtype == gf.int32 and weighted.dtype == gf.float64
    assert sized.shape.as_list() == [6, 6]
    with gf.Session() as sess:
        got_plain, got_sized, got_weighted = sess.run([plain, sized, weighted])
    n = max(labels.max(), preds.max()) + 1
    np.testing.assert_array_equal(got_plain, _np_confusion(labels, preds, n))
    np.testing.assert_array_equal(got_sized, _np_confusion(labels, preds, 6))
    np.testing.assert_allclose(got_weighted, _np_confusion(labels, preds, 4, weights))


def test_confusion_matrix_empty_and_out_of_range():
    ids = gf.placeholder(gf.int64, [None])
    inferred = metrics.confusion_matrix(ids, ids)
    bounded = metrics.confusion_matrix(ids, ids, num_classes=3)
    with gf.Session() as sess:
        assert sess.run(inferred, {ids: np.zeros(0, np.int64)}).shape == (0, 0)
        np.testing.assert_array_equal(sess.run(bounded, {ids: [2, 2]}), [[0, 0, 0], [0, 0, 0],
                                                                         [0, 0, 2]])
        for bad in ([-1, 2], [0, 3]):
            with pytest.raises(gf.errors.InvalidArgumentError, match="confusion_matrix.*counts"):
                sess.run(inferred if bad[0] < 0 else bounded, {ids: bad})


def test_confusion_matrix_shape_errors():
    with pytest.raises(ValueError, match=r"confusion_matrix: predictions shape \(2,\) and "
                                         r"labels shape \(3,\) are incompatible"):
        metrics.confusion_matrix([0, 1, 2], [0, 1])
    with pytest.raises(ValueError, match=r"confusion_matrix: labels and predictions must be "
                                         r"1-D, got shape \(2, 2\)"):
        metrics.confusion_matrix([[0, 1], [1, 0]], [[0, 1], [1, 0]])


def test_mean_per_class_accuracy_streams():
    rng = np.random.default_rng(7)
    labels, preds, weights = _batches(rng, classes=4)
    y = gf.placeholder(gf.int32, [None])
    p = gf.placeholder(gf.int32, [None])
    w = gf.placeholder(gf.float32, [None])
    value, update = metrics.mean_per_class_accuracy(y, p, 5, weights=w,
                                                    metrics_collections=["v"])
    updates, final = _stream(value, update, [{y: a, p: b, w: c}
                                             for a, b, c in zip(labels, preds, weights)])
    cm = _np_confusion(np.concatenate(labels), np.concatenate(preds), 5,
                       np.concatenate(weights))
    row = cm.sum(1)
    per_class = np.where(row > 0, np.diag(cm) / np.where(row > 0, row, 1), 0)
    np.testing.assert_allclose(updates[-1], per_class, rtol=1e-5)  # TF: per-class values
    np.testing.assert_allclose(final, per_class.mean(), rtol=1e-5)
    assert per_class[4] == 0  # class 4 never seen
    assert [v.op.name for v in gf.local_variables()] == ["mean_accuracy/total",
                                                         "mean_accuracy/count"]
    assert gf.local_variables()[0].shape.as_list() == [5]
    assert gf.get_collection("v") == [value]


def test_mean_iou_streams_and_flattens():
    rng = np.random.default_rng(8)
    labels = [rng.integers(0, 3, (2, 4)) for _ in range(3)]
    preds = [rng.integers(0, 3, (2, 4)) for _ in range(3)]
    weights = [rng.random((2, 4)) for _ in range(3)]
    y = gf.placeholder(gf.int64, [None, 4])
    p = gf.placeholder(gf.int64, [None, 4])
    w = gf.placeholder(gf.float32, [None, 4])
    value, update = metrics.mean_iou(y, p, 4, weights=w, updates_collections=["u"])
    updates, final = _stream(value, update, [{y: a, p: b, w: c}
                                             for a, b, c in zip(labels, preds, weights)])
    cm = _np_confusion(np.concatenate(labels).ravel(), np.concatenate(preds).ravel(), 4,
                       np.concatenate(weights).astype(np.float32).ravel())
    np.testing.assert_allclose(updates[-1], cm, rtol=1e-6)  # TF: the updated matrix
    denominator = cm.sum(0) + cm.sum(1) - np.diag(cm)
    valid = denominator != 0
    assert not valid[3]  # class 3 never appears: left out of the mean
    expected = (np.diag(cm)[valid] / denominator[valid]).mean()
    np.testing.assert_allclose(final, expected, rtol=1e-5)
    var, = gf.local_variables()
    assert var.op.name == "mean_iou/total_confusion_matrix" and var.dtype.base_dtype == gf.float64
    assert gf.get_collection(gf.GraphKeys.METRIC_VARIABLES) == [var]
    assert gf.get_collection("u") == [update]


def test_mean_iou_zero_and_shape_error():
    value, update = metrics.mean_iou(gf.zeros([0], gf.int32), gf.zeros([0], gf.int32), 2)
    _, final = _stream(value, update, [None])
    assert final == 0.0
    with pytest.raises(ValueError, match=r"mean_iou: predictions shape \(2,\) and labels "
                                         r"shape \(3,\) are incompatible"):
        metrics.mean_iou([0, 1, 1], [0, 1], 2)
