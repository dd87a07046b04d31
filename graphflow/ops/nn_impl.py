"""Neural-network functions built from existing ops (TF1's nn_impl.py): the
sigmoid cross-entropies, l2_normalize, moments, xw_plus_b, relu_layer and
embedding_lookup.
Their gradients come from the ops they are made of.

    z = gf.placeholder(gf.float32, [None, 1])
    loss = gf.reduce_mean(gf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x))
"""

import numpy as np

from graphflow.framework import graph as graph_lib
from graphflow.framework import ops as ops_lib
from graphflow.ops import math_ops, matmul_ops, nn_ops, reduction_ops

__all__ = ["sigmoid_cross_entropy_with_logits", "weighted_cross_entropy_with_logits",
           "l2_normalize", "xw_plus_b", "relu_layer", "embedding_lookup"]


def _check_same_shape(labels, logits):
    try:
        labels.shape.merge_with(logits.shape)
    except ValueError:
        raise ValueError("logits and labels must have the same shape (%s vs %s)"
                         % (logits.shape, labels.shape)) from None


def _logits_and_labels(labels, logits, who):
    if labels is None or logits is None:
        raise ValueError("%s needs both labels and logits (pass them by name)" % who)
    logits = ops_lib.convert_to_tensor(logits, name="logits")
    labels = ops_lib.convert_to_tensor(labels, dtype=logits.dtype, name="labels")
    _check_same_shape(labels, logits)
    return labels, logits


def _softplus_parts(x):
    """(max(x, 0), -|x|) chosen with one x >= 0 test, so that at x == 0 the
    gradients are those of the branch x >= 0 and the sum below has the exact
    derivative there (relu and abs have derivative 0 at 0, which would drop
    the sigmoid(0) = 0.5 term)."""
    zero = ops_lib.convert_to_tensor(0, dtype=x.dtype)
    nonneg = math_ops.greater_equal(x, zero)
    return math_ops.where_v2(nonneg, x, zero), math_ops.where_v2(nonneg, -x, x)


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """Elementwise -z log(sigmoid(x)) - (1 - z) log(1 - sigmoid(x)) for labels z
    and logits x of one shape, computed stably as max(x, 0) - x z + log(1 + exp(-|x|)).

        gf.nn.sigmoid_cross_entropy_with_logits(labels=[1., 0.], logits=[2., -1.])
    """
    if _sentinel is not None:
        raise ValueError("Only call sigmoid_cross_entropy_with_logits with named arguments "
                         "(labels=..., logits=...)")
    with graph_lib.name_scope(name, "logistic_loss", [logits, labels]) as name:
        labels, logits = _logits_and_labels(labels, logits, "sigmoid_cross_entropy_with_logits")
        relu_logits, neg_abs_logits = _softplus_parts(logits)
        return math_ops.add(relu_logits - logits * labels,
                            math_ops.log1p(math_ops.exp(neg_abs_logits)), name=name)


def weighted_cross_entropy_with_logits(labels=None, logits=None, pos_weight=None, name=None,
                                       targets=None):
    """sigmoid_cross_entropy_with_logits with the positive term scaled by
    pos_weight: -pos_weight z log(sigmoid(x)) - (1 - z) log(1 - sigmoid(x)),
    computed as (1 - z) x + (1 + (pos_weight - 1) z) log(1 + exp(-x)).
    `targets` is TF1's older name for labels."""
    if targets is not None:
        if labels is not None:
            raise ValueError("Pass labels or targets, not both")
        labels = targets
    if pos_weight is None:
        raise ValueError("weighted_cross_entropy_with_logits needs pos_weight")
    with graph_lib.name_scope(name, "logistic_loss", [logits, labels, pos_weight]) as name:
        labels, logits = _logits_and_labels(labels, logits, "weighted_cross_entropy_with_logits")
        pos_weight = ops_lib.convert_to_tensor(pos_weight, dtype=logits.dtype, name="pos_weight")
        log_weight = 1 + (pos_weight - 1) * labels
        relu_logits, neg_abs_logits = _softplus_parts(logits)
        # log(1 + exp(-x)) = log1p(exp(-|x|)) + max(-x, 0) = ... + max(x, 0) - x
        softplus_neg = math_ops.log1p(math_ops.exp(neg_abs_logits)) + (relu_logits - logits)
        return math_ops.add((1 - labels) * logits, log_weight * softplus_neg, name=name)


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """x / sqrt(max(sum(x ** 2, axis), epsilon)): unit L2 norm along `axis`
    (all axes when None); `dim` is TF1's older name."""
    axis = dim if axis is None else axis
    with graph_lib.name_scope(name, "l2_normalize", [x]) as name:
        x = ops_lib.convert_to_tensor(x, name="x")
        square_sum = reduction_ops.reduce_sum(math_ops.square(x), axis, keepdims=True)
        eps = ops_lib.convert_to_tensor(epsilon, dtype=x.dtype)
        return math_ops.multiply(x, math_ops.rsqrt(math_ops.maximum(square_sum, eps)), name=name)


def xw_plus_b(x, weights, biases, name=None):
    """matmul(x, weights) + biases for a [batch, in] x."""
    with graph_lib.name_scope(name, "xw_plus_b", [x, weights, biases]) as name:
        mm = matmul_ops.matmul(x, weights)
        return nn_ops.bias_add(mm, biases, name=name)


def relu_layer(x, weights, biases, name=None):
    """relu(matmul(x, weights) + biases)."""
    with graph_lib.name_scope(name, "relu_layer", [x, weights, biases]) as name:
        return nn_ops.relu(xw_plus_b(x, weights, biases), name=name)


def _clip_rows(x, ids_rank, max_norm):
    """x with each slice x[i_1..i_k] (k = ids_rank) scaled to L2 norm <= max_norm."""
    from graphflow.ops import array_ops, clip_ops
    if max_norm is None:
        return x
    if x.shape.rank is not None:
        axes = list(range(ids_rank, x.shape.rank))
    else:
        axes = array_ops.range(ids_rank, array_ops.rank(x))
    return clip_ops.clip_by_norm(x, max_norm, axes=axes)


def _partition_rows(params, flat_ids, strategy):
    """Rows of concat(params) for flat_ids under TF's partition strategy: id
    goes to partition p at row new_id of it, i.e. row offset[p] + new_id. An
    id whose new_id falls outside its partition maps past the last row, so
    the gather reports it (as TF's per-partition gather does)."""
    from graphflow.ops import array_ops, indexing_ops
    n = len(params)
    dt = flat_ids.dtype.as_numpy_dtype
    dims = [p.shape[0].value if p.shape.rank is not None else None for p in params]
    if all(d is not None for d in dims):
        sizes = ops_lib.convert_to_tensor(np.array(dims, dt), name="partition_sizes")
        total = ops_lib.convert_to_tensor(np.array(sum(dims), dt), name="total_rows")
    else:
        sizes = math_ops.cast(array_ops.stack(
            [array_ops.shape(p, out_type=flat_ids.dtype)[0] for p in params]), flat_ids.dtype)
        total = reduction_ops.reduce_sum(sizes)
    if strategy == "mod":
        p = math_ops.floormod(flat_ids, np.array(n, dt))
        new_ids = math_ops.floordiv(flat_ids, np.array(n, dt))
    else:
        per = math_ops.floordiv(total, np.array(n, dt))
        extras = math_ops.floormod(total, np.array(n, dt))
        p = math_ops.maximum(math_ops.floordiv(flat_ids, per + 1),
                             math_ops.floordiv(flat_ids - extras, per))
        new_ids = math_ops.where(math_ops.less(p, extras), math_ops.floormod(flat_ids, per + 1),
                                 math_ops.floormod(flat_ids - extras, per))
    offsets = math_ops.cumsum(sizes, exclusive=True)
    size_p = indexing_ops.gather(sizes, p)
    inside = math_ops.logical_and(math_ops.greater_equal(new_ids, np.array(0, dt)),
                                  math_ops.less(new_ids, size_p))
    rows = math_ops.add(indexing_ops.gather(offsets, p), new_ids)
    return math_ops.where(inside, rows, array_ops.fill(array_ops.shape(rows), total))


def embedding_lookup(params, ids, partition_strategy="mod", name=None, validate_indices=True,
                     max_norm=None):
    """Rows of `params` at `ids`: output shape ids.shape + params.shape[1:].
    params is one tensor, or a list of partitions of one table along dim 0:
    with "mod", id i lives in params[i % n] at row i // n; with "div", the ids
    are split into n contiguous ranges (the first total % n one longer).
    max_norm: each looked-up row is scaled to L2 norm at most max_norm. The
    gradient is dense (graphflow has no IndexedSlices).

        emb = gf.nn.embedding_lookup(table, word_ids)         # [batch, dim]
        emb = gf.nn.embedding_lookup([t0, t1], ids, "div")
    """
    from graphflow.ops import array_ops, indexing_ops
    del validate_indices
    if partition_strategy not in ("mod", "div"):
        raise ValueError("Unrecognized partition strategy: " + str(partition_strategy))
    if isinstance(params, (list, tuple)):
        params = list(params)
    else:
        params = [params]
    if not params:
        raise ValueError("Need at least one param")
    with graph_lib.name_scope(name, "embedding_lookup", params + [ids]) as name:
        params = [ops_lib.convert_to_tensor(p, name="params") for p in params]
        ids = ops_lib.convert_to_tensor(ids, name="ids")
        ids_rank = ids.shape.rank
        if len(params) == 1:
            out = indexing_ops.gather(params[0], ids)
            if max_norm is None:
                return array_ops.identity(out, name=name)
            if ids_rank is None:
                raise ValueError("max_norm needs ids of known rank, got %s" % ids.shape)
            return array_ops.identity(_clip_rows(out, ids_rank, max_norm), name=name)
        flat_ids = array_ops.reshape(ids, [-1])
        table = array_ops.concat(params, 0)
        rows = _partition_rows(params, flat_ids, partition_strategy)
        out = _clip_rows(indexing_ops.gather(table, rows), 1, max_norm)
        tail = array_ops.shape(params[0])[1:]
        out = array_ops.reshape(out, array_ops.concat([array_ops.shape(ids), tail], 0),
                                name=name)
        trailing = params[0].shape[1:]
        for p in params[1:]:
            trailing = trailing.merge_with(p.shape[1:])
        if ids_rank is not None and trailing.rank is not None:
            out.set_shape(ids.shape.concatenate(trailing))
        return out
