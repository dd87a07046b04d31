"""TF1's RNN cells (`tf.nn.rnn_cell`): BasicRNNCell, BasicLSTMCell, LSTMCell
(peepholes, cell clipping, projection), GRUCell, MultiRNNCell and
DropoutWrapper.

A cell maps (inputs [batch, depth], state) to (output, new_state). It makes
its variables on its first call, under the variable scope that call is in
plus the cell's name (`rnn/basic_lstm_cell/kernel`, as TensorFlow names
them, so checkpoints map one to one), and reuses those same variables on
every later call.
"""

import collections
import numbers

from graphflow.framework import dtypes
from graphflow.framework import graph as graph_lib
from graphflow.framework import nest
from graphflow.framework import ops as ops_lib
from graphflow.ops import array_ops, init_ops, math_ops, matmul_ops, nn_ops
from graphflow.ops import variable_scope as vs


def _zeros(batch_size, size, dtype):
    if isinstance(size, (tuple, list)):
        return nest.pack_sequence_as(size, [_zeros(batch_size, s, dtype) for s in nest.flatten(size)])
    return array_ops.zeros(array_ops.stack([batch_size, size]) if isinstance(
        batch_size, ops_lib.Tensor) else [batch_size, size], dtype=dtype)


class LSTMStateTuple(collections.namedtuple("LSTMStateTuple", ("c", "h"))):
    """The (c, h) state of an LSTM cell: the cell state and the output."""
    __slots__ = ()

    @property
    def dtype(self):
        if self.c.dtype != self.h.dtype:
            raise TypeError("Inconsistent internal state: %s vs %s"
                            % (self.c.dtype.name, self.h.dtype.name))
        return self.c.dtype


class RNNCell:
    """Base class: subclasses give state_size, output_size, build(depth) and
    call(inputs, state)."""

    _default_name = "rnn_cell"

    def __init__(self, name=None, dtype=None, reuse=None):
        self._name = name
        self._dtype = dtypes.as_dtype(dtype) if dtype is not None else None
        self._reuse = reuse
        self._scope_name = None   # the name scope of the first call, for later calls
        self._variables = []
        self.built = False

    @property
    def state_size(self):
        raise NotImplementedError

    @property
    def output_size(self):
        raise NotImplementedError

    @property
    def variables(self):
        return list(self._variables)

    trainable_variables = trainable_weights = weights = variables

    def zero_state(self, batch_size, dtype):
        """Zeros of the state's structure, [batch_size, size] each."""
        with graph_lib.name_scope(type(self).__name__ + "ZeroState"):
            return _zeros(batch_size, self.state_size, dtypes.as_dtype(dtype))

    def _add_variable(self, name, shape, dtype, initializer=None):
        v = vs.get_variable(name, shape, dtype=dtype, initializer=initializer)
        self._variables.append(v)
        return v

    def __call__(self, inputs, state, scope=None):
        inputs = ops_lib.convert_to_tensor(inputs, name="inputs")
        if inputs.shape.rank is not None and inputs.shape.rank != 2:
            raise ValueError("%s: inputs must be 2-D [batch, depth], got %s with shape %s"
                             % (type(self).__name__, inputs.name, inputs.shape))
        if self.built:  # the first call's variables, ops in its name scope again
            with graph_lib.get_default_graph().name_scope(self._scope_name):
                return self.call(inputs, state)
        depth = inputs.shape[-1].value if inputs.shape.rank else None
        if depth is None:
            raise ValueError("%s: the depth of the inputs (their last dimension) must be known "
                             "when the cell first runs; %s has shape %s"
                             % (type(self).__name__, inputs.name, inputs.shape))
        with vs.variable_scope(scope, default_name=self._name or self._default_name,
                               reuse=self._reuse):
            self._scope_name = graph_lib.get_default_graph().get_name_scope() + "/"
            self.build(depth, self._dtype or inputs.dtype)
            self.built = True
            return self.call(inputs, state)


def _linear(args, kernel, bias):
    """concat(args, 1) @ kernel + bias."""
    x = args[0] if len(args) == 1 else array_ops.concat(args, 1)
    y = matmul_ops.matmul(x, kernel)
    return y if bias is None else nn_ops.bias_add(y, bias)


def _activation(fn):
    return math_ops.tanh if fn is None else fn


class _UnitsCell(RNNCell):
    """A cell whose state and output are both [batch, num_units]."""

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype, reuse=reuse)
        self._num_units = int(num_units)
        self._act = _activation(activation)

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units


class BasicRNNCell(_UnitsCell):
    """output = new_state = activation(W [inputs, state] + b)."""

    _default_name = "basic_rnn_cell"

    def build(self, depth, dtype):
        self._kernel = self._add_variable("kernel", [depth + self._num_units, self._num_units],
                                          dtype)
        self._bias = self._add_variable("bias", [self._num_units], dtype,
                                        init_ops.zeros_initializer())

    def call(self, inputs, state):
        out = self._act(_linear([inputs, state], self._kernel, self._bias))
        return out, out


class GRUCell(_UnitsCell):
    """Gated recurrent unit (Cho et al. 2014), as TF1's GRUCell:
    r, u = sigmoid(W_g [x, h] + b_g), c = act(W_c [x, r * h] + b_c),
    h' = u * h + (1 - u) * c; the gate bias starts at 1."""

    _default_name = "gru_cell"

    def __init__(self, num_units, activation=None, reuse=None, kernel_initializer=None,
                 bias_initializer=None, name=None, dtype=None):
        super().__init__(num_units, activation=activation, reuse=reuse, name=name, dtype=dtype)
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    def build(self, depth, dtype):
        n = self._num_units
        with vs.variable_scope("gates"):
            self._gate_kernel = self._add_variable("kernel", [depth + n, 2 * n], dtype,
                                                   self._kernel_initializer)
            self._gate_bias = self._add_variable(
                "bias", [2 * n], dtype, self._bias_initializer or init_ops.constant_initializer(
                    1.0, dtype=dtype))
        with vs.variable_scope("candidate"):
            self._cand_kernel = self._add_variable("kernel", [depth + n, n], dtype,
                                                   self._kernel_initializer)
            self._cand_bias = self._add_variable(
                "bias", [n], dtype, self._bias_initializer or init_ops.zeros_initializer())

    def call(self, inputs, state):
        gates = math_ops.sigmoid(_linear([inputs, state], self._gate_kernel, self._gate_bias))
        r, u = array_ops.split(gates, 2, axis=1)
        c = self._act(_linear([inputs, r * state], self._cand_kernel, self._cand_bias))
        h = u * state + (1 - u) * c
        return h, h


class BasicLSTMCell(RNNCell):
    """LSTM (Zaremba et al. 2014) without peepholes or projection:
    i, j, f, o = split(W [x, h] + b), c' = c * sigmoid(f + forget_bias) +
    sigmoid(i) * act(j), h' = act(c') * sigmoid(o)."""

    _default_name = "basic_lstm_cell"

    def __init__(self, num_units, forget_bias=1.0, state_is_tuple=True, activation=None,
                 reuse=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype, reuse=reuse)
        self._num_units = int(num_units)
        self._forget_bias = float(forget_bias)
        self._state_is_tuple = state_is_tuple
        self._act = _activation(activation)

    @property
    def state_size(self):
        n = self._num_units
        return LSTMStateTuple(n, n) if self._state_is_tuple else 2 * n

    @property
    def output_size(self):
        return self._num_units

    def build(self, depth, dtype):
        n = self._num_units
        self._kernel = self._add_variable("kernel", [depth + n, 4 * n], dtype)
        self._bias = self._add_variable("bias", [4 * n], dtype, init_ops.zeros_initializer())

    def _split_state(self, state):
        if self._state_is_tuple:
            return state
        return array_ops.split(state, 2, axis=1)

    def _join_state(self, c, h):
        return LSTMStateTuple(c, h) if self._state_is_tuple else array_ops.concat([c, h], 1)

    def call(self, inputs, state):
        c, h = self._split_state(state)
        i, j, f, o = array_ops.split(_linear([inputs, h], self._kernel, self._bias), 4, axis=1)
        sig = math_ops.sigmoid
        new_c = c * sig(f + self._forget_bias) + sig(i) * self._act(j)
        new_h = self._act(new_c) * sig(o)
        return new_h, self._join_state(new_c, new_h)


class LSTMCell(BasicLSTMCell):
    """LSTM with optional peepholes (Gers & Schmidhuber 2000), cell clipping
    and an output projection (Sak et al. 2014), as TF1's LSTMCell."""

    _default_name = "lstm_cell"

    def __init__(self, num_units, use_peepholes=False, cell_clip=None, initializer=None,
                 num_proj=None, proj_clip=None, forget_bias=1.0, state_is_tuple=True,
                 activation=None, reuse=None, name=None, dtype=None):
        super().__init__(num_units, forget_bias=forget_bias, state_is_tuple=state_is_tuple,
                         activation=activation, reuse=reuse, name=name, dtype=dtype)
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_proj = int(num_proj) if num_proj else None
        self._proj_clip = proj_clip

    @property
    def state_size(self):
        n, m = self._num_units, self._num_proj or self._num_units
        return LSTMStateTuple(n, m) if self._state_is_tuple else n + m

    @property
    def output_size(self):
        return self._num_proj or self._num_units

    def build(self, depth, dtype):
        n, m = self._num_units, self._num_proj or self._num_units
        self._kernel = self._add_variable("kernel", [depth + m, 4 * n], dtype, self._initializer)
        self._bias = self._add_variable("bias", [4 * n], dtype, init_ops.zeros_initializer())
        if self._use_peepholes:
            self._w_f = self._add_variable("w_f_diag", [n], dtype, self._initializer)
            self._w_i = self._add_variable("w_i_diag", [n], dtype, self._initializer)
            self._w_o = self._add_variable("w_o_diag", [n], dtype, self._initializer)
        if self._num_proj:
            with vs.variable_scope("projection"):
                self._proj = self._add_variable("kernel", [n, m], dtype, self._initializer)

    def _split_state(self, state):
        if self._state_is_tuple:
            return state
        n = self._num_units
        return state[:, :n], state[:, n:]

    def call(self, inputs, state):
        c_prev, m_prev = self._split_state(state)
        i, j, f, o = array_ops.split(_linear([inputs, m_prev], self._kernel, self._bias), 4,
                                     axis=1)
        sig = math_ops.sigmoid
        if self._use_peepholes:
            c = (sig(f + self._forget_bias + self._w_f * c_prev) * c_prev +
                 sig(i + self._w_i * c_prev) * self._act(j))
        else:
            c = sig(f + self._forget_bias) * c_prev + sig(i) * self._act(j)
        if self._cell_clip is not None:
            c = math_ops.clip_by_value(c, -self._cell_clip, self._cell_clip)
        if self._use_peepholes:
            m = sig(o + self._w_o * c) * self._act(c)
        else:
            m = sig(o) * self._act(c)
        if self._num_proj:
            m = matmul_ops.matmul(m, self._proj)
            if self._proj_clip is not None:
                m = math_ops.clip_by_value(m, -self._proj_clip, self._proj_clip)
        return m, self._join_state(c, m)


class MultiRNNCell(RNNCell):
    """Cells stacked: each one's output is the next one's input; the state is
    the tuple of theirs. Cell i's variables live under `cell_<i>`."""

    _default_name = "multi_rnn_cell"

    def __init__(self, cells, state_is_tuple=True):
        super().__init__()
        cells = list(cells)
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        if not state_is_tuple:
            raise ValueError("MultiRNNCell: state_is_tuple=False is deprecated in TensorFlow "
                             "and not supported; use the tuple state")
        self._cells = cells

    @property
    def state_size(self):
        return tuple(c.state_size for c in self._cells)

    @property
    def output_size(self):
        return self._cells[-1].output_size

    @property
    def variables(self):
        return [v for c in self._cells for v in c.variables]

    def build(self, depth, dtype):
        pass

    def call(self, inputs, state):
        if not isinstance(state, (tuple, list)) or len(state) != len(self._cells):
            raise ValueError("MultiRNNCell: expected a state tuple of %d states, got %r"
                             % (len(self._cells), state))
        x, new_states = inputs, []
        for i, (cell, s) in enumerate(zip(self._cells, state)):
            with vs.variable_scope("cell_%d" % i):
                x, s = cell(x, s)
            new_states.append(s)
        return x, tuple(new_states)


class DropoutWrapper(RNNCell):
    """Dropout on a cell's inputs, outputs and/or new state (keep
    probabilities: Python floats or scalar tensors; 1 means none)."""

    def __init__(self, cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 seed=None):
        super().__init__()
        for name, p in (("input_keep_prob", input_keep_prob),
                        ("output_keep_prob", output_keep_prob),
                        ("state_keep_prob", state_keep_prob)):
            if isinstance(p, numbers.Real) and not 0 < p <= 1:
                raise ValueError("Parameter %s must be between 0 and 1: %r" % (name, p))
        self._cell = cell
        self._input_keep_prob = input_keep_prob
        self._output_keep_prob = output_keep_prob
        self._state_keep_prob = state_keep_prob
        self._seed = seed

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    @property
    def variables(self):
        return self._cell.variables

    def zero_state(self, batch_size, dtype):
        return self._cell.zero_state(batch_size, dtype)

    def _drop(self, x, keep_prob, salt):
        if isinstance(keep_prob, numbers.Real) and keep_prob == 1:
            return x
        seed = None if self._seed is None else self._seed + salt
        return nn_ops.dropout(x, keep_prob=keep_prob, seed=seed)

    def __call__(self, inputs, state, scope=None):
        inputs = self._drop(ops_lib.convert_to_tensor(inputs), self._input_keep_prob, 1)
        output, new_state = self._cell(inputs, state, scope=scope)
        if not (isinstance(self._state_keep_prob, numbers.Real) and self._state_keep_prob == 1):
            new_state = nest.pack_sequence_as(new_state, [self._drop(s, self._state_keep_prob, 2)
                                             for s in nest.flatten(new_state)])
        return self._drop(output, self._output_keep_prob, 3), new_state


__all__ = ["RNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell", "MultiRNNCell",
           "DropoutWrapper", "LSTMStateTuple"]
