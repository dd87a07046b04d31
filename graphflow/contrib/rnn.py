"""`gf.contrib.rnn`: TF1's tf.contrib.rnn names for the RNN cells, static_rnn and
static_bidirectional_rnn."""

from graphflow.ops.rnn import static_bidirectional_rnn, static_rnn  # noqa: F401
from graphflow.ops.rnn_cell_impl import (  # noqa: F401
    BasicLSTMCell, BasicRNNCell, DropoutWrapper, GRUCell, LSTMCell, LSTMStateTuple,
    MultiRNNCell, RNNCell)
