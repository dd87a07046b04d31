"""TopKV2: the k largest entries along the last dim, with their indices, and
the builder `top_k` (gf.nn.top_k, TF1's tf.nn.top_k); InTopKV2, whether each
target is among the k largest predictions of its row (gf.nn.in_top_k).

    values, indices = gf.nn.top_k([[1., 5., 3.]], k=2)   # [[5., 3.]], [[1, 2]]

Order: descending, the lower index first among equal values, NaN above every
number. sorted=False is accepted and gives the same (sorted) result.
"""

import numpy as np

from graphflow.framework import errors
from graphflow.framework import op_builder
from graphflow.framework import ops as ops_lib
from graphflow.framework import tensor_util
from graphflow.framework.op_def import REAL, op
from graphflow.framework.tensor_shape import TensorShape
from graphflow.gradients import NotDifferentiable, RegisterGradient

__all__ = ["top_k", "in_top_k"]


def _top_k_shape(op):
    x = op.inputs[0].shape
    k_shape = op.inputs[1].shape
    if k_shape.rank not in (None, 0):
        raise ValueError("k must be 0-D, got shape %s" % k_shape)
    if x.rank == 0:
        raise ValueError("input must be at least 1-D, got shape %s" % x)
    k = tensor_util.constant_value(op.inputs[1])
    if k is not None:
        k = int(k)
        if k < 0:
            raise ValueError("Need k >= 0, got %d" % k)
    if x.rank is None:
        return [TensorShape(None), TensorShape(None)]
    n = x.as_list()[-1]
    if k is not None and n is not None and n < k:
        raise ValueError("input must have at least k columns. Had %d, needed %d (input shape "
                         "%s)" % (n, k, x))
    out = TensorShape(x.as_list()[:-1] + [k])
    return [out, out]


def _run_error(ctx, message):
    return errors.InvalidArgumentError(None, ctx.op, "%s '%s': %s"
                                       % (ctx.op.type, ctx.op.name, message))


@op("TopKV2", inputs=["input: T", "k: int32"], outputs=["values: T", "indices: int32"],
    attrs=["sorted: bool = true", "T: %s" % REAL], shape=_top_k_shape)
def _top_k_v2(ctx, x, k):
    if np.ndim(k) != 0:
        raise _run_error(ctx, "k must be 0-D, got shape %s" % list(np.shape(k)))
    k = int(k)
    if k < 0:
        raise _run_error(ctx, "Need k >= 0, got %d" % k)
    if x.ndim == 0:
        raise _run_error(ctx, "input must be at least 1-D, got shape []")
    n = x.shape[-1]
    if n < k:
        raise _run_error(ctx, "input must have at least k columns. Had %d, needed %d" % (n, k))
    position = np.broadcast_to(np.arange(n), x.shape)
    if x.dtype.kind == "f":
        # lexsort's last key is the primary one: NaN first, then descending, then index.
        order = np.lexsort((position, -x, ~np.isnan(x)), axis=-1)
    else:
        order = np.lexsort((position, ~x), axis=-1)  # ~x reverses integer order exactly
    order = order[..., :k]
    return np.take_along_axis(x, order, axis=-1), order.astype(np.int32)


@RegisterGradient("TopKV2")
def _top_k_gradient(op, grad_values, grad_indices):
    """The values' gradient routed back to the columns they came from: a
    one-hot [..., k, n] of the indices contracted with the gradient."""
    from graphflow.ops import array_ops, indexing_ops, reduction_ops
    x, indices = op.inputs[0], op.outputs[1]
    n = x.shape.as_list()[-1] if x.shape.rank else None
    if n is None:
        n = array_ops.shape(x)[-1]
    picks = indexing_ops.one_hot(indices, n, dtype=grad_values.dtype)
    grad = reduction_ops.reduce_sum(picks * array_ops.expand_dims(grad_values, -1), -2)
    return grad, None


def top_k(input, k=1, sorted=True, name=None):  # noqa: A002 (TF's names)
    """(values, indices): the k largest entries of each row of `input` (its last
    dim) in descending order, and their int32 positions in the row. Among
    equal values the lower index comes first.

        values, indices = gf.nn.top_k(-distances, k=5)   # the 5 nearest
    """
    input = ops_lib.convert_to_tensor(input, name="input")  # noqa: A001
    return tuple(op_builder.apply_op("TopKV2", [input, k], {"sorted": bool(sorted)}, name=name))


def _in_top_k_shape(op):
    p, t, k = (i.shape for i in op.inputs)
    if k.rank not in (None, 0):
        raise ValueError("k must be 0-D, got shape %s" % k)
    if p.rank not in (None, 2):
        raise ValueError("predictions must be 2-dimensional, got shape %s" % p)
    if t.rank not in (None, 1):
        raise ValueError("targets must be 1-dimensional, got shape %s" % t)
    batch = p[0] if p.rank is not None else None
    if t.rank is not None:
        if batch is not None and not batch.is_compatible_with(t[0]):
            raise ValueError("First dimension of predictions %s must match length of targets "
                             "%s" % (batch, t[0]))
        batch = t[0] if batch is None or batch.value is None else batch
    return TensorShape([batch])


@op("InTopKV2", inputs=["predictions: float", "targets: T", "k: T"], outputs=["precision: bool"],
    attrs=["T: {int32, int64} = DT_INT32"], shape=_in_top_k_shape)
def _in_top_k_v2(ctx, predictions, targets, k):
    if np.ndim(k) != 0:
        raise _run_error(ctx, "k must be 0-D, got shape %s" % list(np.shape(k)))
    if predictions.ndim != 2:
        raise _run_error(ctx, "predictions must be 2-dimensional, got shape %s"
                         % list(predictions.shape))
    if targets.ndim != 1:
        raise _run_error(ctx, "targets must be 1-dimensional, got shape %s" % list(targets.shape))
    batch, classes = predictions.shape
    if targets.shape[0] != batch:
        raise _run_error(ctx, "First dimension of predictions %d must match length of targets "
                         "%d" % (batch, targets.shape[0]))
    out = np.zeros(batch, bool)
    for b in range(batch):
        row, t = predictions[b], int(targets[b])
        if not 0 <= t < classes or not np.all(np.isfinite(row)):
            continue
        out[b] = np.count_nonzero(row > row[t]) < int(k)
    return out


NotDifferentiable("InTopKV2")


def in_top_k(predictions, targets, k, name=None):
    """Whether targets[i] is among the k largest of predictions[i, :]: a
    target that ties with the k-th largest value counts as in (so more than k
    classes may be "in"). A row with a non-finite prediction, or a target
    outside [0, num_classes), gives False.

        gf.nn.in_top_k([[0.1, 0.8, 0.1]], [2], 1)   # [False]
        gf.nn.in_top_k([[0.1, 0.8, 0.1]], [2], 2)   # [True]: ties with 0.1
    """
    targets = ops_lib.convert_to_tensor(targets, name="targets")
    return op_builder.apply_op("InTopKV2", [predictions, targets, k], name=name)
