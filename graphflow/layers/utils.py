"""Helpers shared by the layers."""

import numpy as np

from graphflow.framework import dtypes
from graphflow.framework import ops as ops_lib
from graphflow.framework import tensor_util


def training_value(training):
    """(training, its value while the graph is built): a Python bool or a bool
    tensor, and True/False when known then (a bool or a constant), None when
    only known at run time (a placeholder, say: the layer builds a cond)."""
    if isinstance(training, (bool, np.bool_)):
        return bool(training), bool(training)
    training = ops_lib.convert_to_tensor(training, name="training")
    if training.dtype != dtypes.bool:
        raise TypeError("training must be a Python bool or a bool tensor, got a %s tensor (%s)"
                        % (training.dtype.name, training.name))
    value = tensor_util.constant_value(training)
    return training, None if value is None else bool(value)
