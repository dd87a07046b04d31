"""Core layers: dense, dropout, flatten."""

import numpy as np

from graphflow.framework import graph as graph_lib
from graphflow.framework import ops as ops_lib
from graphflow.ops import array_ops, control_flow_ops, init_ops, matmul_ops, nn_ops
from graphflow.ops import variable_scope as vs
from graphflow.layers import utils as layer_utils


def dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None,
          bias_initializer=init_ops.zeros_initializer(), kernel_regularizer=None,
          bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
          bias_constraint=None, trainable=True, name=None, reuse=None):
    """activation(inputs @ kernel + bias) over the last dim of inputs.

    Makes `<name>/kernel` [in, units] (glorot uniform by default) and
    `<name>/bias` [units]."""
    inputs = ops_lib.convert_to_tensor(inputs)
    n_in = inputs.shape[-1].value if inputs.shape.rank else None
    if n_in is None:
        raise ValueError("The last dimension of the inputs to `Dense` should be defined. "
                         "Found `None` (inputs %s, shape %s)." % (inputs.name, inputs.shape))
    with vs.variable_scope(name, default_name="dense", values=[inputs], reuse=reuse):
        kernel = vs.get_variable("kernel", [n_in, units], dtype=inputs.dtype,
                                 initializer=kernel_initializer,
                                 regularizer=kernel_regularizer, trainable=trainable,
                                 constraint=kernel_constraint)
        rank = inputs.shape.rank
        if rank == 2:
            y = matmul_ops.matmul(inputs, kernel)
        else:  # apply to the last dim of any rank
            flat = array_ops.reshape(inputs, [-1, n_in])
            y = matmul_ops.matmul(flat, kernel)
            out_shape = array_ops.concat([array_ops.shape(inputs)[:-1], [units]], 0)
            y = array_ops.reshape(y, out_shape)
            y.set_shape(inputs.shape[:-1].concatenate([units]))
        if use_bias:
            bias = vs.get_variable("bias", [units], dtype=inputs.dtype,
                                   initializer=bias_initializer, regularizer=bias_regularizer,
                                   trainable=trainable, constraint=bias_constraint)
            y = nn_ops.bias_add(y, bias)
        if activation is not None:
            y = activation(y)
        if activity_regularizer is not None:
            loss = activity_regularizer(y)
            if loss is not None:
                graph_lib.add_to_collection(graph_lib.GraphKeys.REGULARIZATION_LOSSES, loss)
        return y


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """nn.dropout when `training`, else identity. A Python bool (or constant)
    builds one form; a bool tensor builds a cond, so the random op only runs
    in training steps, as in TF1."""
    training, _ = layer_utils.training_value(training)  # checks its dtype
    with graph_lib.name_scope(name, "dropout", [inputs]):
        inputs = ops_lib.convert_to_tensor(inputs)
        return control_flow_ops.smart_cond(
            training,
            lambda: nn_ops.dropout(inputs, rate=rate, noise_shape=noise_shape, seed=seed),
            lambda: array_ops.identity(inputs))


def flatten(inputs, name=None, data_format="channels_last"):
    """[batch, ...] -> [batch, prod(...)]."""
    inputs = ops_lib.convert_to_tensor(inputs)
    with graph_lib.name_scope(name, "flatten", [inputs]):
        if data_format == "channels_first" and inputs.shape.rank and inputs.shape.rank > 2:
            perm = [0] + list(range(2, inputs.shape.rank)) + [1]
            inputs = array_ops.transpose(inputs, perm)
        rest = inputs.shape[1:]
        if rest.is_fully_defined():
            return array_ops.reshape(inputs, [-1, int(np.prod(rest.as_list()))])
        return array_ops.reshape(inputs, array_ops.stack([array_ops.shape(inputs)[0], -1]))
