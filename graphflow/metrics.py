"""`gf.metrics`: TF1's streaming metrics (tf.metrics).

Each metric returns `(value, update_op)`. Its state lives in local variables
(collections LOCAL_VARIABLES and METRIC_VARIABLES, not trainable, zeros at
start) named under the metric's scope, e.g. `accuracy/total` and
`accuracy/count`. Running `update_op` folds one batch into the state and
returns the updated value; `value` reads the state without changing it;
`gf.local_variables_initializer()` resets every metric.

    acc, acc_update = gf.metrics.accuracy(labels=y, predictions=gf.argmax(logits, 1))
    sess.run(gf.local_variables_initializer())
    for xb, yb in batches:
        sess.run(acc_update, {x: xb, y: yb})
    print(sess.run(acc))                       # accuracy over all batches

`weights` (a scalar, or the values' rank with each dim 1 or equal) weight each
element; a ratio whose denominator is 0 (nothing seen, or weights all 0) is 0.
`metrics_collections` / `updates_collections` name collections that receive
`value` / `update_op`.
"""

from graphflow.framework import dtypes
from graphflow.framework import graph as graph_lib
from graphflow.framework import ops as ops_lib
from graphflow.framework.graph import GraphKeys
from graphflow.ops import array_ops, indexing_ops, math_ops, reduction_ops, state_ops
from graphflow.ops import variable_scope, variables

# tf.metrics' names; confusion_matrix is exported as gf.math.confusion_matrix
__all__ = ["accuracy", "false_negatives", "false_positives", "mean", "mean_absolute_error",
           "mean_iou", "mean_per_class_accuracy", "mean_squared_error", "precision", "recall",
           "root_mean_squared_error", "true_negatives", "true_positives"]


# --- helpers ---------------------------------------------------------------------------

def _metric_variable(shape, dtype, name):
    """A zero-initialised local variable holding metric state (TF's metric_variable)."""
    return variables.Variable(
        lambda: array_ops.zeros(shape, dtype), trainable=False, name=name,
        collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.METRIC_VARIABLES])


def _add_to_collections(collections, value):
    if collections:
        graph_lib.add_to_collections(collections, value)


def _safe_div(numerator, denominator, name):
    """numerator / denominator where denominator > 0, else 0 (TF's
    div_no_nan(numerator, maximum(denominator, 0)))."""
    zero = ops_lib.convert_to_tensor(0, dtype=denominator.dtype)
    one = ops_lib.convert_to_tensor(1, dtype=denominator.dtype)
    positive = math_ops.greater(denominator, zero)
    quotient = math_ops.truediv(numerator, math_ops.where_v2(positive, denominator, one))
    return math_ops.where_v2(positive, quotient, zero, name=name)


def _check_compatible(what, a, a_name, b, b_name):
    if not a.shape.is_compatible_with(b.shape):
        raise ValueError("%s: %s shape %s and %s shape %s are incompatible (they must have "
                         "the same shape, up to a trailing dim of 1 on one side)"
                         % (what, a_name, a.shape, b_name, b.shape))


def _remove_squeezable(labels, predictions):
    """Squeezes a trailing dim of 1 from labels or predictions when their
    static ranks differ by one (TF's remove_squeezable_dimensions). Unknown
    ranks are left as they are."""
    lr, pr = labels.shape.rank, predictions.shape.rank
    if lr is None or pr is None:
        return labels, predictions
    if pr == lr + 1 and predictions.shape[-1] in (None, 1):
        predictions = array_ops.squeeze(predictions, [-1])
    elif lr == pr + 1 and labels.shape[-1] in (None, 1):
        labels = array_ops.squeeze(labels, [-1])
    return labels, predictions


def _remove_squeezable_dimensions(what, predictions, labels, weights):
    """Converts the inputs and aligns their ranks as TF's metrics do: a
    trailing dim of 1 is squeezed from labels or predictions, and weights one
    rank above (below) predictions lose (gain) a trailing dim."""
    predictions = ops_lib.convert_to_tensor(predictions)
    if labels is not None:
        labels, predictions = _remove_squeezable(ops_lib.convert_to_tensor(labels), predictions)
        _check_compatible(what, predictions, "predictions", labels, "labels")
    if weights is None:
        return predictions, labels, None
    weights = ops_lib.convert_to_tensor(weights)
    wr, pr = weights.shape.rank, predictions.shape.rank
    if wr is not None and wr != 0 and pr is not None:
        if wr - pr == 1:
            weights = array_ops.squeeze(weights, [-1])
        elif pr - wr == 1:
            weights = array_ops.expand_dims(weights, -1)
    return predictions, labels, weights


def _broadcast_weights(what, weights, values):
    """weights broadcast to values' shape; statically a scalar, or values'
    rank with each dim 1 or equal (TF's broadcast_weights)."""
    w, v = weights.shape, values.shape
    if w.is_fully_defined() and v.is_fully_defined() and w.is_compatible_with(v):
        return weights
    if w.rank is not None and w.rank != 0 and v.rank is not None:
        if w.rank != v.rank or any(
                dw is not None and dv is not None and dw != 1 and dw != dv
                for dw, dv in zip(w.as_list(), v.as_list())):
            raise ValueError("%s: weights can not be broadcast to values: weights must be a "
                             "scalar or have the values' rank with each dim 1 or equal; got "
                             "weights shape %s and values shape %s" % (what, w, v))
    return math_ops.multiply(weights, array_ops.ones_like(values))


# --- mean and accuracy -------------------------------------------------------------------

def mean(values, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """The (weighted) mean of `values` over every batch seen, as float32.

    State: `mean/total` (sum of weighted values) and `mean/count` (sum of
    weights, or number of values).
    """
    with variable_scope.variable_scope(name, "mean", [values, weights]):
        values = math_ops.cast(values, dtypes.float32)
        total = _metric_variable([], dtypes.float32, name="total")
        count = _metric_variable([], dtypes.float32, name="count")
        if weights is None:
            num_values = math_ops.cast(array_ops.size(values), dtypes.float32)
        else:
            values, _, weights = _remove_squeezable_dimensions("mean", values, None, weights)
            weights = _broadcast_weights("mean", math_ops.cast(weights, dtypes.float32), values)
            values = math_ops.multiply(values, weights)
            num_values = reduction_ops.reduce_sum(weights)
        update_total = state_ops.assign_add(total, reduction_ops.reduce_sum(values))
        with graph_lib.control_dependencies([values]):
            update_count = state_ops.assign_add(count, num_values)
        value = _safe_div(total, count, "value")
        update_op = _safe_div(update_total, update_count, "update_op")
        _add_to_collections(metrics_collections, value)
        _add_to_collections(updates_collections, update_op)
        return value, update_op


def accuracy(labels, predictions, weights=None, metrics_collections=None,
             updates_collections=None, name=None):
    """How often `predictions` equals `labels` (weighted), over every batch seen.

    labels are cast to predictions' dtype; their shapes must match (up to a
    trailing dim of 1). State: `accuracy/total`, `accuracy/count`.
    """
    predictions, labels, weights = _remove_squeezable_dimensions(
        "accuracy", predictions, labels, weights)
    if labels.dtype != predictions.dtype:
        labels = math_ops.cast(labels, predictions.dtype)
    is_correct = math_ops.cast(math_ops.equal(predictions, labels), dtypes.float32)
    return mean(is_correct, weights, metrics_collections, updates_collections,
                name or "accuracy")


# --- counts, precision, recall --------------------------------------------------------

def _count_condition(what, values, weights, metrics_collections, updates_collections):
    """Sums the (weighted) true entries of the bool tensor `values` into a
    `count` variable in the current scope."""
    count = _metric_variable([], dtypes.float32, name="count")
    values = math_ops.cast(values, dtypes.float32)
    if weights is not None:
        wr, vr = weights.shape.rank, values.shape.rank
        if wr is not None and vr is not None and wr not in (0, vr):
            raise ValueError("%s: weights must be a scalar or have the rank of labels and "
                             "predictions (%d); got weights shape %s" % (what, vr, weights.shape))
        values = math_ops.multiply(values, math_ops.cast(weights, dtypes.float32))
    value = array_ops.identity(count)
    update_op = state_ops.assign_add(count, reduction_ops.reduce_sum(values))
    _add_to_collections(metrics_collections, value)
    _add_to_collections(updates_collections, update_op)
    return value, update_op


def _condition_metric(default_name, label_is, prediction_is):
    def metric(labels, predictions, weights=None, metrics_collections=None,
               updates_collections=None, name=None):
        with variable_scope.variable_scope(name, default_name, [predictions, labels, weights]):
            predictions, labels, weights = _remove_squeezable_dimensions(
                default_name, math_ops.cast(predictions, dtypes.bool),
                math_ops.cast(labels, dtypes.bool), weights)
            is_condition = math_ops.logical_and(math_ops.equal(labels, label_is),
                                                math_ops.equal(predictions, prediction_is))
            return _count_condition(default_name, is_condition, weights, metrics_collections,
                                    updates_collections)
    metric.__name__ = default_name
    metric.__doc__ = (
        "The (weighted) number of elements where labels is %s and predictions is %s, both "
        "cast to bool, over every batch seen. State: `%s/count`."
        % (label_is, prediction_is, default_name))
    return metric


true_positives = _condition_metric("true_positives", True, True)
false_positives = _condition_metric("false_positives", False, True)
true_negatives = _condition_metric("true_negatives", False, False)
false_negatives = _condition_metric("false_negatives", True, False)


def _ratio_metric(default_name, what, counter):
    """tp / (tp + other) over two count metrics; 0 while tp + other is 0."""
    def metric(labels, predictions, weights=None, metrics_collections=None,
               updates_collections=None, name=None):
        with variable_scope.variable_scope(name, default_name, [predictions, labels, weights]):
            predictions, labels, weights = _remove_squeezable_dimensions(
                default_name, math_ops.cast(predictions, dtypes.bool),
                math_ops.cast(labels, dtypes.bool), weights)
            tp, tp_update = true_positives(labels, predictions, weights)
            other, other_update = counter(labels, predictions, weights)
            value = _safe_div(tp, tp + other, "value")
            update_op = _safe_div(tp_update, tp_update + other_update, "update_op")
            _add_to_collections(metrics_collections, value)
            _add_to_collections(updates_collections, update_op)
            return value, update_op
    metric.__name__ = default_name
    metric.__doc__ = (
        "%s: true_positives / (true_positives + %s) over every batch seen, labels and "
        "predictions cast to bool; 0 while the denominator is 0. State: "
        "`%s/true_positives/count`, `%s/%s/count`."
        % (default_name, what, default_name, default_name, what))
    return metric


precision = _ratio_metric("precision", "false_positives", false_positives)
recall = _ratio_metric("recall", "false_negatives", false_negatives)


# --- regression errors ------------------------------------------------------------------

def mean_squared_error(labels, predictions, weights=None, metrics_collections=None,
                       updates_collections=None, name=None):
    """The (weighted) mean of (labels - predictions)**2 over every batch seen.
    State: `mean_squared_error/total`, `mean_squared_error/count`."""
    predictions, labels, weights = _remove_squeezable_dimensions(
        "mean_squared_error", predictions, labels, weights)
    squared_error = math_ops.squared_difference(labels, predictions)
    return mean(squared_error, weights, metrics_collections, updates_collections,
                name or "mean_squared_error")


def root_mean_squared_error(labels, predictions, weights=None, metrics_collections=None,
                            updates_collections=None, name=None):
    """sqrt of mean_squared_error over every batch seen. State:
    `root_mean_squared_error/total`, `root_mean_squared_error/count`."""
    predictions, labels, weights = _remove_squeezable_dimensions(
        "root_mean_squared_error", predictions, labels, weights)
    mse, update_mse = mean_squared_error(labels, predictions, weights, None, None,
                                         name or "root_mean_squared_error")
    value = math_ops.sqrt(mse)
    update_op = math_ops.sqrt(update_mse)
    _add_to_collections(metrics_collections, value)
    _add_to_collections(updates_collections, update_op)
    return value, update_op


def mean_absolute_error(labels, predictions, weights=None, metrics_collections=None,
                        updates_collections=None, name=None):
    """The (weighted) mean of |predictions - labels| over every batch seen.
    State: `mean_absolute_error/total`, `mean_absolute_error/count`."""
    predictions, labels, weights = _remove_squeezable_dimensions(
        "mean_absolute_error", predictions, labels, weights)
    absolute_errors = math_ops.abs(math_ops.subtract(predictions, labels))
    return mean(absolute_errors, weights, metrics_collections, updates_collections,
                name or "mean_absolute_error")


# --- confusion matrix and per-class metrics ---------------------------------------------

def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype=dtypes.int32,
                     name=None):
    """The [num_classes, num_classes] matrix whose entry [i, j] counts (or sums
    the weights of) the elements with label i and prediction j (TF's
    tf.math.confusion_matrix).

        gf.math.confusion_matrix([1, 2, 4], [2, 2, 4])   # 5 x 5; [1, 2], [2, 2], [4, 4] are 1

    labels and predictions are 1-D class ids (a trailing dim of 1 is
    squeezed); num_classes defaults to the largest id + 1. An id that is
    negative or not below num_classes is an InvalidArgumentError at run time
    (reported by the `counts` op as an out-of-range segment id).
    """
    with graph_lib.name_scope(name, "confusion_matrix",
                              [predictions, labels, num_classes, weights]):
        labels, predictions = _remove_squeezable(
            ops_lib.convert_to_tensor(labels, name="labels"),
            ops_lib.convert_to_tensor(predictions, name="predictions"))
        _check_compatible("confusion_matrix", predictions, "predictions", labels, "labels")
        if predictions.shape.rank not in (None, 1):
            raise ValueError("confusion_matrix: labels and predictions must be 1-D, got shape %s"
                             % predictions.shape)
        predictions = math_ops.cast(predictions, dtypes.int64)
        labels = math_ops.cast(labels, dtypes.int64)
        if num_classes is None:
            # 0 for empty inputs, whose reduce_max is the lowest int64
            num_classes = math_ops.maximum(
                math_ops.maximum(reduction_ops.reduce_max(predictions),
                                 reduction_ops.reduce_max(labels)) + 1, 0)
        else:
            num_classes = math_ops.cast(num_classes, dtypes.int64)
        if weights is None:
            values = array_ops.ones_like(predictions, dtype=dtype)
        else:
            weights = ops_lib.convert_to_tensor(weights, name="weights")
            _check_compatible("confusion_matrix", predictions, "predictions", weights,
                              "weights")
            values = math_ops.cast(weights, dtype)
        # Each (label, prediction) pair is one segment of a flat n*n sum; a pair
        # with an id outside [0, n) gets segment n*n, which the sum rejects.
        cells = num_classes * num_classes
        in_range = math_ops.logical_and(
            math_ops.logical_and(math_ops.greater_equal(labels, 0),
                                 math_ops.less(labels, num_classes)),
            math_ops.logical_and(math_ops.greater_equal(predictions, 0),
                                 math_ops.less(predictions, num_classes)))
        ids = math_ops.where_v2(in_range, labels * num_classes + predictions, cells)
        counts = indexing_ops.unsorted_segment_sum(values, ids, cells, name="counts")
        return array_ops.reshape(counts, array_ops.stack([num_classes, num_classes]))


def _flatten(tensor):
    if tensor.shape.rank is not None and tensor.shape.rank > 1:
        return array_ops.reshape(tensor, [-1])
    return tensor


def mean_per_class_accuracy(labels, predictions, num_classes, weights=None,
                            metrics_collections=None, updates_collections=None, name=None):
    """The mean over classes of each class's (weighted) accuracy, over every
    batch seen; a class not seen counts as accuracy 0.

    State: `mean_accuracy/total` (weight seen per label class) and
    `mean_accuracy/count` (weight of the correct ones), both [num_classes].
    As in TF, update_op returns the per-class accuracies, value their mean.
    """
    with variable_scope.variable_scope(name, "mean_accuracy", [predictions, labels, weights]):
        labels = _flatten(math_ops.cast(labels, dtypes.int64))
        predictions = _flatten(ops_lib.convert_to_tensor(predictions))
        _check_compatible("mean_per_class_accuracy", predictions, "predictions", labels,
                          "labels")
        total = _metric_variable([num_classes], dtypes.float32, name="total")
        count = _metric_variable([num_classes], dtypes.float32, name="count")
        ones = array_ops.ones_like(labels, dtype=dtypes.float32)
        if labels.dtype != predictions.dtype:
            predictions = math_ops.cast(predictions, labels.dtype)
        is_correct = math_ops.cast(math_ops.equal(predictions, labels), dtypes.float32)
        if weights is not None:
            weights = _flatten(math_ops.cast(weights, dtypes.float32))
            is_correct = math_ops.multiply(is_correct, weights)
            ones = math_ops.multiply(ones, weights)
        # a label outside [0, num_classes) is an InvalidArgumentError of the segment sums
        update_total = state_ops.assign_add(
            total, indexing_ops.unsorted_segment_sum(ones, labels, num_classes))
        update_count = state_ops.assign_add(
            count, indexing_ops.unsorted_segment_sum(is_correct, labels, num_classes))
        value = reduction_ops.reduce_mean(_safe_div(count, total, None), name="mean_accuracy")
        update_op = _safe_div(update_count, update_total, "update_op")
        _add_to_collections(metrics_collections, value)
        _add_to_collections(updates_collections, update_op)
        return value, update_op


def mean_iou(labels, predictions, num_classes, weights=None, metrics_collections=None,
             updates_collections=None, name=None):
    """Mean intersection-over-union over classes, from a confusion matrix
    accumulated over every batch seen: per class c, cm[c, c] / (row c sum +
    column c sum - cm[c, c]), averaged over the classes whose denominator is
    not 0 (0 when none is).

    State: `mean_iou/total_confusion_matrix` ([num_classes, num_classes],
    float64). As in TF, update_op returns the updated confusion matrix.
    """
    with variable_scope.variable_scope(name, "mean_iou", [predictions, labels, weights]):
        predictions = ops_lib.convert_to_tensor(predictions)
        labels = ops_lib.convert_to_tensor(labels)
        _check_compatible("mean_iou", predictions, "predictions", labels, "labels")
        total_cm = _metric_variable([num_classes, num_classes], dtypes.float64,
                                    name="total_confusion_matrix")
        if weights is not None:
            weights = _flatten(ops_lib.convert_to_tensor(weights))
        current_cm = confusion_matrix(
            _flatten(math_ops.cast(labels, dtypes.int64)),
            _flatten(math_ops.cast(predictions, dtypes.int64)), num_classes, weights=weights,
            dtype=dtypes.float64)
        update_op = state_ops.assign_add(total_cm, current_cm)

        cm = math_ops.cast(total_cm, dtypes.float32)
        diagonal = indexing_ops.gather(array_ops.reshape(cm, [-1]),
                                       array_ops.range(num_classes) * (num_classes + 1))
        denominator = (reduction_ops.reduce_sum(cm, 0) + reduction_ops.reduce_sum(cm, 1)
                       - diagonal)
        num_valid = reduction_ops.reduce_sum(
            math_ops.cast(math_ops.not_equal(denominator, 0), dtypes.float32))
        iou = _safe_div(diagonal, denominator, None)
        value = _safe_div(reduction_ops.reduce_sum(iou), num_valid, "mean_iou")
        _add_to_collections(metrics_collections, value)
        _add_to_collections(updates_collections, update_op)
        return value, update_op
