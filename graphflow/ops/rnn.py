"""Recurrent networks over a cell (TF1's tf.nn.static_rnn and
tf.nn.dynamic_rnn, and their bidirectional forms), unrolled into the graph
one step per time step.

dynamic_rnn builds the same unrolled graph when the number of time steps is
known when the graph is built (graphflow has no while_loop yet); its outputs
and final state are TensorFlow's: with sequence_length, outputs past a
sequence's end are zeros and its state stays what it was at its last step.
The backward direction of a bidirectional RNN reads each sequence from its
last valid step back to its first (ReverseSequence within its length).
"""

from graphflow.framework import dtypes
from graphflow.framework import errors
from graphflow.framework import nest
from graphflow.framework import ops as ops_lib
from graphflow.ops import array_ops, indexing_ops, math_ops
from graphflow.ops import variable_scope as vs
from graphflow.ops.rnn_cell_impl import _zeros


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
        if not sequence_length.shape.is_compatible_with([batch if isinstance(batch, int)
                                                         else None]):
            raise ValueError("%s: sequence_length has %s elements but the batch has %d sequences"
                             % (where, sequence_length.shape[0], batch))
        zero_output = _zeros(batch, cell.output_size, nest.flatten(state)[0].dtype)
        done_after = array_ops.expand_dims(sequence_length, 1)  # [batch, 1]
    outputs = []
    for t, x in enumerate(steps):
        output, new_state = cell(x, state)
        if done_after is not None:
            # Past a sequence's end: a zero output, the state carried through.
            done = math_ops.greater_equal(t, done_after)
            output = nest.pack_sequence_as(output, [math_ops.where_v2(done, z, o) for z, o in zip(
                nest.flatten(zero_output), nest.flatten(output))])
            new_state = nest.pack_sequence_as(new_state, [math_ops.where_v2(done, old, new) for old, new in
                                             zip(nest.flatten(state), nest.flatten(new_state))])
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
        flat = [array_ops.stack([nest.flatten(o)[i] for o in outputs], axis=axis)
                for i in range(len(nest.flatten(outputs[0])))]
        return nest.pack_sequence_as(outputs[0], flat), state


def _check_cells(where, **cells):
    for arg, cell in cells.items():
        missing = [a for a in ("output_size", "state_size", "zero_state")
                   if not hasattr(cell, a)]
        if missing or not callable(cell):
            raise TypeError("%s: %s must be an RNNCell, got %r (%s)" % (
                where, arg, cell, "no " + ", ".join(missing) if missing else "not callable"))


def _reverse_time(x, sequence_length, time_axis, batch_axis):
    """x with each sequence reversed within its length (all of the time axis
    when no lengths are given)."""
    if sequence_length is None:
        return indexing_ops.reverse(x, [time_axis])
    return indexing_ops.reverse_sequence(x, sequence_length, seq_axis=time_axis,
                                         batch_axis=batch_axis)


def bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=None,
                              initial_state_fw=None, initial_state_bw=None, dtype=None,
                              parallel_iterations=None, swap_memory=False, time_major=False,
                              scope=None):
    """dynamic_rnn of cell_fw over `inputs` and of cell_bw over them read
    backwards: ((output_fw, output_bw), (state_fw, state_bw)), both outputs
    in the inputs' time order. Variables live under `scope` (default
    "bidirectional_rnn") in "fw" and "bw".

        (out_fw, out_bw), _ = gf.nn.bidirectional_dynamic_rnn(
            fw, bw, x, sequence_length=lengths, dtype=gf.float32)
        out = gf.concat([out_fw, out_bw], 2)
    """
    _check_cells("bidirectional_dynamic_rnn", cell_fw=cell_fw, cell_bw=cell_bw)
    time_axis, batch_axis = (0, 1) if time_major else (1, 0)
    with vs.variable_scope(scope or "bidirectional_rnn"):
        inputs = ops_lib.convert_to_tensor(inputs, name="inputs")
        if sequence_length is not None:
            sequence_length = ops_lib.convert_to_tensor(sequence_length, name="sequence_length")
        with vs.variable_scope("fw") as fw_scope:
            output_fw, state_fw = dynamic_rnn(
                cell_fw, inputs, sequence_length=sequence_length, initial_state=initial_state_fw,
                dtype=dtype, parallel_iterations=parallel_iterations, swap_memory=swap_memory,
                time_major=time_major, scope=fw_scope)
        with vs.variable_scope("bw") as bw_scope:
            reversed_inputs = _reverse_time(inputs, sequence_length, time_axis, batch_axis)
            reversed_output, state_bw = dynamic_rnn(
                cell_bw, reversed_inputs, sequence_length=sequence_length,
                initial_state=initial_state_bw, dtype=dtype,
                parallel_iterations=parallel_iterations, swap_memory=swap_memory,
                time_major=time_major, scope=bw_scope)
    output_bw = nest.pack_sequence_as(reversed_output, [
        _reverse_time(o, sequence_length, time_axis, batch_axis)
        for o in nest.flatten(reversed_output)])
    return (output_fw, output_bw), (state_fw, state_bw)


def _reverse_steps(steps, sequence_length):
    """The list of [batch, ...] steps (each possibly nested) read backwards,
    each sequence within its length."""
    if sequence_length is None:
        return list(reversed(steps))
    flat = [nest.flatten(s) for s in steps]
    columns = []
    for column in zip(*flat):
        joined = array_ops.stack(list(column))  # [time, batch, ...]
        columns.append(array_ops.unstack(
            indexing_ops.reverse_sequence(joined, sequence_length, seq_axis=0, batch_axis=1),
            num=len(steps)))
    return [nest.pack_sequence_as(s, [c[t] for c in columns]) for t, s in enumerate(steps)]


def static_bidirectional_rnn(cell_fw, cell_bw, inputs, initial_state_fw=None,
                             initial_state_bw=None, dtype=None, sequence_length=None,
                             scope=None):
    """static_rnn of cell_fw over the list `inputs` and of cell_bw over it read
    backwards: (outputs, state_fw, state_bw), each output the forward and
    backward outputs of its step concatenated on depth."""
    _check_cells("static_bidirectional_rnn", cell_fw=cell_fw, cell_bw=cell_bw)
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("static_bidirectional_rnn: inputs must be a list of [batch, depth] "
                        "tensors, got %s" % type(inputs).__name__)
    if not inputs:
        raise ValueError("static_bidirectional_rnn: inputs must not be empty")
    with vs.variable_scope(scope or "bidirectional_rnn"):
        steps = [ops_lib.convert_to_tensor(x) for x in inputs]
        if sequence_length is not None:
            sequence_length = ops_lib.convert_to_tensor(sequence_length, name="sequence_length")
        with vs.variable_scope("fw") as fw_scope:
            output_fw, state_fw = static_rnn(cell_fw, steps, initial_state_fw, dtype,
                                             sequence_length, scope=fw_scope)
        with vs.variable_scope("bw") as bw_scope:
            reversed_output, state_bw = static_rnn(
                cell_bw, _reverse_steps(steps, sequence_length), initial_state_bw, dtype,
                sequence_length, scope=bw_scope)
    output_bw = _reverse_steps(reversed_output, sequence_length)
    outputs = [nest.pack_sequence_as(fw, [array_ops.concat([f, b], 1) for f, b in zip(nest.flatten(fw),
                                                                           nest.flatten(bw))])
               for fw, bw in zip(output_fw, output_bw)]
    return outputs, state_fw, state_bw


__all__ = ["static_rnn", "dynamic_rnn", "bidirectional_dynamic_rnn", "static_bidirectional_rnn"]
