"""Recurrent networks over a cell (TF1's tf.nn.static_rnn and
tf.nn.dynamic_rnn), unrolled into the graph one step per time step.

dynamic_rnn builds the same unrolled graph when the number of time steps is
known when the graph is built (graphflow has no while_loop yet); its outputs
and final state are TensorFlow's: with sequence_length, outputs past a
sequence's end are zeros and its state stays what it was at its last step.
"""

from graphflow.framework import dtypes
from graphflow.framework import errors
from graphflow.framework import ops as ops_lib
from graphflow.ops import array_ops, math_ops
from graphflow.ops import variable_scope as vs
from graphflow.ops.rnn_cell_impl import _flatten, _pack_as, _zeros


def _batch_size(x):
    n = x.shape[0].value if x.shape.rank else None
    return n if n is not None else array_ops.shape(x)[0]


def _unrolled(cell, steps, initial_state, dtype, sequence_length, where):
    """(outputs per step, final state) of `cell` over the [batch, depth] steps."""
    first = steps[0]
    if first.shape.rank is not None and first.shape.rank != 2:
        raise ValueError("%s: each time step must be [batch, depth], got %s with shape %s"
                         % (where, first.name, first.shape))
    batch = _batch_size(first)
    if initial_state is not None:
        state = initial_state
    elif dtype is None:
        raise ValueError("%s: if no initial_state is provided, dtype must be specified" % where)
    else:
        state = cell.zero_state(batch, dtype)
    done_after = None
    if sequence_length is not None:
        sequence_length = math_ops.cast(ops_lib.convert_to_tensor(
            sequence_length, name="sequence_length"), dtypes.int32)
        if sequence_length.shape.rank not in (None, 1):
            raise ValueError("%s: sequence_length must be a vector [batch], got shape %s"
                             % (where, sequence_length.shape))
        zero_output = _zeros(batch, cell.output_size, _flatten(state)[0].dtype)
        done_after = array_ops.expand_dims(sequence_length, 1)  # [batch, 1]
    outputs = []
    for t, x in enumerate(steps):
        output, new_state = cell(x, state)
        if done_after is not None:
            # Past a sequence's end: a zero output, the state carried through.
            done = math_ops.greater_equal(t, done_after)
            output = _pack_as(output, [math_ops.where_v2(done, z, o) for z, o in zip(
                _flatten(zero_output), _flatten(output))])
            new_state = _pack_as(new_state, [math_ops.where_v2(done, old, new) for old, new in
                                             zip(_flatten(state), _flatten(new_state))])
        outputs.append(output)
        state = new_state
    return outputs, state


def static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
    """cell over `inputs`, a list of [batch, depth] tensors: (the list of
    outputs, the final state). Variables live under `scope` (default "rnn")."""
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("static_rnn: inputs must be a list of [batch, depth] tensors, got %s"
                        % type(inputs).__name__)
    if not inputs:
        raise ValueError("static_rnn: inputs must not be empty")
    with vs.variable_scope(scope or "rnn"):
        steps = [ops_lib.convert_to_tensor(x) for x in inputs]
        return _unrolled(cell, steps, initial_state, dtype, sequence_length, "static_rnn")


def dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, dtype=None,
                parallel_iterations=None, swap_memory=False, time_major=False, scope=None):
    """cell over `inputs` [batch, time, depth] ([time, batch, depth] when
    time_major): (outputs in the same layout, the final state)."""
    del parallel_iterations, swap_memory  # while_loop tuning; nothing to tune unrolled
    inputs = ops_lib.convert_to_tensor(inputs, name="inputs")
    if inputs.shape.rank != 3:
        raise ValueError("dynamic_rnn: inputs must be 3-D [%s, depth], got %s with shape %s"
                         % ("time, batch" if time_major else "batch, time", inputs.name,
                            inputs.shape))
    axis = 0 if time_major else 1
    steps = inputs.shape[axis].value
    if steps is None:
        raise errors.UnimplementedError(
            None, inputs.op, "dynamic_rnn: the number of time steps (dimension %d of %s, "
            "shape %s) must be known when the graph is built: graphflow unrolls the loop "
            "(it has no while_loop yet); give the placeholder a fixed time dimension"
            % (axis, inputs.name, inputs.shape))
    if steps == 0:
        raise ValueError("dynamic_rnn: inputs %s have no time steps (shape %s)"
                         % (inputs.name, inputs.shape))
    with vs.variable_scope(scope or "rnn"):
        outputs, state = _unrolled(cell, array_ops.unstack(inputs, num=steps, axis=axis),
                                   initial_state, dtype, sequence_length, "dynamic_rnn")
        flat = [array_ops.stack([_flatten(o)[i] for o in outputs], axis=axis)
                for i in range(len(_flatten(outputs[0])))]
        return _pack_as(outputs[0], flat), state


__all__ = ["static_rnn", "dynamic_rnn"]
