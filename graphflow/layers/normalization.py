"""Batch normalisation layer (TF1's tf.layers.batch_normalization)."""

import numpy as np

from graphflow.framework import dtypes
from graphflow.framework import graph as graph_lib
from graphflow.framework import op_builder
from graphflow.framework import ops as ops_lib
from graphflow.ops import array_ops, init_ops, math_ops, state_ops
from graphflow.ops import control_flow_ops as cond_lib
from graphflow.ops import normalization_ops  # noqa: F401  (declares FusedBatchNormV3)
from graphflow.ops import variable_scope as vs
from graphflow.layers import utils as layer_utils


def _to_fusable(x, axis):
    """x as a 4-D tensor whose channels are `axis` of x, its data format, and
    a function mapping a result of that shape back to x's shape."""
    rank = x.shape.rank
    if rank == 4 and axis in (1, 3):
        return x, ("NCHW" if axis == 1 else "NHWC"), lambda y: y
    shape = array_ops.shape(x)
    static = x.shape

    def back(y):
        y = array_ops.reshape(y, shape)
        y.set_shape(static)
        return y
    c = static.dims[axis].value
    if axis == rank - 1:
        return array_ops.reshape(x, [-1, 1, 1, c]), "NHWC", back
    if axis == 1:
        return array_ops.reshape(x, array_ops.stack([shape[0], c, -1, 1])), "NCHW", back
    perm = [i for i in range(rank) if i != axis] + [axis]
    inverse = list(np.argsort(perm))
    moved = array_ops.transpose(x, perm)
    moved_shape = array_ops.shape(moved)

    def back_moved(y):
        y = array_ops.transpose(array_ops.reshape(y, moved_shape), inverse)
        y.set_shape(static)
        return y
    return array_ops.reshape(moved, [-1, 1, 1, c]), "NHWC", back_moved


def _fused(x, gamma, beta, mean, variance, epsilon, fmt, training):
    """FusedBatchNormV3's outputs; mean/variance are only read when not training."""
    empty = array_ops.zeros([0], gamma.dtype)
    return op_builder.apply_op(
        "FusedBatchNormV3", [x, gamma, beta, empty if training else mean,
                             empty if training else variance],
        {"epsilon": epsilon, "data_format": fmt, "is_training": training})


def _assign_moving_average(variable, value, momentum, nonempty, name):
    """variable -= (variable - value) * (1 - momentum), skipped for an empty
    batch (whose statistics are NaN); TF's AssignMovingAvg."""
    with graph_lib.name_scope(name) as scope:
        decay = math_ops.subtract(1.0, momentum, name="decay")
        delta = (variable.value() - math_ops.cast(value, variable.dtype.base_dtype)) * decay
        delta = math_ops.where(nonempty, delta, array_ops.zeros_like(delta))
        return state_ops.assign_sub(variable, delta, name=scope)


def batch_normalization(inputs, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                        beta_initializer=init_ops.zeros_initializer(),
                        gamma_initializer=init_ops.ones_initializer(),
                        moving_mean_initializer=init_ops.zeros_initializer(),
                        moving_variance_initializer=init_ops.ones_initializer(),
                        beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                        gamma_constraint=None, training=False, trainable=True, name=None,
                        reuse=None, renorm=False, renorm_clipping=None, renorm_momentum=0.99,
                        fused=None, virtual_batch_size=None, adjustment=None):
    """Batch normalisation over every dim of `inputs` but `axis` (Ioffe &
    Szegedy 2015): gamma * (inputs - mean) / sqrt(variance + epsilon) + beta.

    Makes `<name>/gamma`, `<name>/beta` (trainable) and `<name>/moving_mean`,
    `<name>/moving_variance` (not trainable), name defaulting to
    "batch_normalization", "batch_normalization_1", ... With `training` (a
    Python bool or a bool tensor) the batch's statistics normalise and the
    moving ones get an update op each in the UPDATE_OPS collection, which
    the caller must run:

        y = gf.layers.batch_normalization(x, training=is_training)
        with gf.control_dependencies(gf.get_collection(gf.GraphKeys.UPDATE_OPS)):
            train = opt.minimize(loss)

    (moving -= (moving - batch) * (1 - momentum)); otherwise the moving
    statistics normalise. A bool tensor chooses in each step through a cond,
    as in TF1: only the chosen form runs, and the updates run in every step
    but leave the moving statistics unchanged when it is false. As in TF, the
    fused form (4-D inputs with channels at axis 1 or 3, or fused=True) moves
    the variance towards the unbiased batch variance and the non-fused form
    towards the biased one; both run on the FusedBatchNormV3 kernel here.
    Half inputs keep float32 variables.
    """
    if renorm or virtual_batch_size is not None or adjustment is not None:
        raise NotImplementedError("batch_normalization: renorm, virtual_batch_size and "
                                  "adjustment are not supported")
    del renorm_clipping, renorm_momentum
    inputs = ops_lib.convert_to_tensor(inputs, name="inputs")
    rank = inputs.shape.rank
    if rank is None:
        raise ValueError("Input has undefined rank: %s" % inputs.name)
    if isinstance(axis, (list, tuple)):
        if len(axis) != 1:
            raise NotImplementedError("batch_normalization over several axes %s is not "
                                      "supported" % (list(axis),))
        axis = axis[0]
    if not -rank <= axis < rank:
        raise ValueError("Invalid axis: %d for input of rank %d" % (axis, rank))
    axis %= rank
    channels = inputs.shape.dims[axis].value
    if channels is None:
        raise ValueError("Input has undefined `axis` dimension. Input shape: %s" % inputs.shape)
    if not inputs.dtype.is_floating:
        raise TypeError("batch_normalization needs floating-point inputs, got %s"
                        % inputs.dtype.name)
    if fused is None:
        fused = rank == 4 and axis in (1, 3)
    training, training_value = layer_utils.training_value(training)
    param_dtype = dtypes.float32 if inputs.dtype == dtypes.float16 else inputs.dtype

    with vs.variable_scope(name, default_name="batch_normalization", values=[inputs],
                           reuse=reuse):
        def param(var_name, initializer, regularizer=None, constraint=None, trainable=False):
            return vs.get_variable(var_name, [channels], dtype=param_dtype,
                                   initializer=initializer, regularizer=regularizer,
                                   constraint=constraint, trainable=trainable)
        gamma = (param("gamma", gamma_initializer, gamma_regularizer, gamma_constraint,
                       trainable) if scale else None)
        beta = (param("beta", beta_initializer, beta_regularizer, beta_constraint, trainable)
                if center else None)
        moving_mean = param("moving_mean", moving_mean_initializer)
        moving_variance = param("moving_variance", moving_variance_initializer)

        x, fmt, back = _to_fusable(inputs, axis)
        g = gamma.value() if gamma is not None else array_ops.ones([channels], param_dtype)
        b = beta.value() if beta is not None else array_ops.zeros([channels], param_dtype)
        # nn.fused_batch_norm's epsilon floor applies to the fused form only, as in TF.
        eps = max(float(epsilon), 1.001e-5) if fused else float(epsilon)
        mm, mv = moving_mean.value(), moving_variance.value()

        def training_form():
            y, mean, variance, _, biased_variance, _ = _fused(x, g, b, mm, mv, eps, fmt, True)
            # what the non-fused form's moments give
            return y, mean, variance if fused else biased_variance

        def inference_form():
            return _fused(x, g, b, mm, mv, eps, fmt, False)[0], mm, mv

        if training_value is False:
            return back(inference_form()[0])
        # As TF1.15's keras layer: a bool tensor builds conds, so only one form
        # runs in a step, and the updates, which run in every step, get momentum
        # 1 (no change) when not training.
        y, mean, variance = cond_lib.smart_cond(training, training_form, inference_form)
        momentum_t = cond_lib.smart_cond(
            training, lambda: ops_lib.convert_to_tensor(momentum, dtype=param_dtype),
            lambda: ops_lib.convert_to_tensor(1.0, dtype=param_dtype))
        nonempty = math_ops.greater(array_ops.size(inputs), 0)
        for var, value, op_name in ((moving_mean, mean, "AssignMovingAvg"),
                                    (moving_variance, variance, "AssignMovingAvg_1")):
            update = _assign_moving_average(var, value, momentum_t, nonempty, op_name)
            graph_lib.add_to_collection(graph_lib.GraphKeys.UPDATE_OPS, update)
        return back(y)
