"""RNN cells, static_rnn and dynamic_rnn against NumPy recurrences written
out here, with TF's variable names, sequence_length semantics, gradients
checked numerically, and the error paths."""

import numpy as np
import pytest

import graphflow as gf
from graphflow.test import compute_gradient_error

rng = np.random.RandomState(0)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _values(sess, cell):
    return {v.name.split("/", 1)[1]: sess.run(v) for v in cell.variables}


# --- NumPy references, one step each -------------------------------------------------------

def np_basic_rnn(w, x, h):
    y = np.tanh(np.concatenate([x, h], 1) @ w["basic_rnn_cell/kernel:0"] +
                w["basic_rnn_cell/bias:0"])
    return y, y


def np_gru(w, x, h):
    g = sigmoid(np.concatenate([x, h], 1) @ w["gru_cell/gates/kernel:0"] +
                w["gru_cell/gates/bias:0"])
    r, u = np.split(g, 2, axis=1)
    c = np.tanh(np.concatenate([x, r * h], 1) @ w["gru_cell/candidate/kernel:0"] +
                w["gru_cell/candidate/bias:0"])
    h = u * h + (1 - u) * c
    return h, h


def np_lstm(w, x, state, prefix="basic_lstm_cell", forget_bias=1.0, peep=False, clip=None,
            proj=False):
    c, h = state
    z = np.concatenate([x, h], 1) @ w[prefix + "/kernel:0"] + w[prefix + "/bias:0"]
    i, j, f, o = np.split(z, 4, axis=1)
    if peep:
        i = i + w[prefix + "/w_i_diag:0"] * c
        f = f + w[prefix + "/w_f_diag:0"] * c
    c = sigmoid(f + forget_bias) * c + sigmoid(i) * np.tanh(j)
    if clip is not None:
        c = np.clip(c, -clip, clip)
    if peep:
        o = o + w[prefix + "/w_o_diag:0"] * c
    m = sigmoid(o) * np.tanh(c)
    if proj:
        m = m @ w[prefix + "/projection/kernel:0"]
    return m, (c, m)


def _run_np(step, w, xs, state, lengths=None):
    """The reference recurrence over xs [batch, time, depth]: outputs zero and
    state carried past each sequence's length."""
    outs = []
    for t in range(xs.shape[1]):
        out, new = step(w, xs[:, t], state)
        if lengths is not None:
            done = (t >= lengths)[:, None]
            out = np.where(done, 0, out)
            new = (tuple(np.where(done, a, b) for a, b in zip(state, new))
                   if isinstance(new, tuple) else np.where(done, state, new))
        outs.append(out)
        state = new
    return np.stack(outs, 1), state


CELLS = {
    "basic_rnn": (lambda: gf.nn.rnn_cell.BasicRNNCell(5), np_basic_rnn, False),
    "gru": (lambda: gf.nn.rnn_cell.GRUCell(5), np_gru, False),
    "basic_lstm": (lambda: gf.nn.rnn_cell.BasicLSTMCell(5), np_lstm, True),
    "lstm_peep_clip_proj": (
        lambda: gf.nn.rnn_cell.LSTMCell(5, use_peepholes=True, cell_clip=0.5, num_proj=3),
        lambda w, x, s: np_lstm(w, x, s, "lstm_cell", peep=True, clip=0.5, proj=True), True),
}


@pytest.mark.parametrize("name", sorted(CELLS))
@pytest.mark.parametrize("lengths", [None, [4, 2, 0]])
def test_dynamic_rnn_matches_the_numpy_recurrence(name, lengths):
    make, step, is_lstm = CELLS[name]
    xs = rng.randn(3, 4, 2).astype(np.float32)
    with gf.Graph().as_default():
        cell = make()
        x = gf.placeholder(gf.float32, [3, 4, 2])
        out, state = gf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=gf.float32)
        assert out.shape.as_list() == [3, 4, cell.output_size]
        with gf.Session() as sess:
            sess.run(gf.global_variables_initializer())
            got_out, got_state = sess.run([out, state], {x: xs})
            w = _values(sess, cell)
    size = cell.state_size
    init = (np.zeros((3, size.c), np.float32), np.zeros((3, size.h), np.float32)) if is_lstm \
        else np.zeros((3, size), np.float32)
    want_out, want_state = _run_np(step, w, xs, init,
                                   None if lengths is None else np.array(lengths))
    np.testing.assert_allclose(got_out, want_out, rtol=1e-5, atol=1e-6)
    if is_lstm:
        assert isinstance(got_state, gf.nn.rnn_cell.LSTMStateTuple)
        for g, e in zip(got_state, want_state):
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_allclose(got_state, want_state, rtol=1e-5, atol=1e-6)
    if lengths is not None:
        assert not got_out[2].any() and not got_out[1, 2:].any()


def test_variable_names_and_shapes_are_tensorflows():
    with gf.Graph().as_default():
        x = gf.placeholder(gf.float32, [2, 6, 3])
        gf.nn.dynamic_rnn(gf.nn.rnn_cell.BasicLSTMCell(4), x, dtype=gf.float32)
        cells = gf.nn.rnn_cell.MultiRNNCell([gf.nn.rnn_cell.GRUCell(4),
                                             gf.nn.rnn_cell.BasicRNNCell(2)])
        gf.nn.static_rnn(cells, gf.unstack(x, axis=1), dtype=gf.float32, scope="stack")
        got = [(v.name, v.shape.as_list()) for v in gf.trainable_variables()]
    assert got == [
        ("rnn/basic_lstm_cell/kernel:0", [7, 16]), ("rnn/basic_lstm_cell/bias:0", [16]),
        ("stack/multi_rnn_cell/cell_0/gru_cell/gates/kernel:0", [7, 8]),
        ("stack/multi_rnn_cell/cell_0/gru_cell/gates/bias:0", [8]),
        ("stack/multi_rnn_cell/cell_0/gru_cell/candidate/kernel:0", [7, 4]),
        ("stack/multi_rnn_cell/cell_0/gru_cell/candidate/bias:0", [4]),
        ("stack/multi_rnn_cell/cell_1/basic_rnn_cell/kernel:0", [6, 2]),
        ("stack/multi_rnn_cell/cell_1/basic_rnn_cell/bias:0", [2])]


def test_static_and_dynamic_rnn_agree_and_time_major():
    xs = rng.randn(2, 3, 4).astype(np.float32)
    with gf.Graph().as_default():
        cell = gf.nn.rnn_cell.GRUCell(3)
        x = gf.constant(xs)
        outs, s1 = gf.nn.static_rnn(cell, gf.unstack(x, axis=1), dtype=gf.float32)
        # The same cell again: the same variables, no new ones.
        out2, s2 = gf.nn.dynamic_rnn(cell, gf.transpose(x, [1, 0, 2]), time_major=True,
                                     dtype=gf.float32)
        assert len(gf.global_variables()) == 4
        with gf.Session() as sess:
            sess.run(gf.global_variables_initializer())
            a, b, c, d = sess.run([gf.stack(outs, 1), out2, s1, s2])
    np.testing.assert_allclose(a, b.transpose(1, 0, 2), rtol=1e-6)
    np.testing.assert_allclose(c, d, rtol=1e-6)


def test_multi_cell_state_and_initial_state():
    xs = rng.randn(2, 3, 2)
    with gf.Graph().as_default():
        cell = gf.nn.rnn_cell.MultiRNNCell([gf.nn.rnn_cell.BasicLSTMCell(3),
                                            gf.nn.rnn_cell.BasicLSTMCell(3)])
        init = cell.zero_state(2, gf.float64)
        assert len(init) == 2 and init[0].c.shape.as_list() == [2, 3]
        init = (gf.nn.rnn_cell.LSTMStateTuple(init[0].c + 0.5, init[0].h), init[1])
        out, state = gf.nn.dynamic_rnn(cell, gf.constant(xs), initial_state=init)
        with gf.Session() as sess:
            sess.run(gf.global_variables_initializer())
            got, st = sess.run([out, state])
            w0 = _values(sess, cell._cells[0])
            w1 = _values(sess, cell._cells[1])
    strip = lambda w: {k.split("/", 2)[2]: v for k, v in w.items()}  # noqa: E731
    z = np.zeros((2, 3))
    s0, s1 = (z + 0.5, z), (z, z)
    outs = []
    for t in range(3):
        h0, s0 = np_lstm(strip(w0), xs[:, t], s0)
        h1, s1 = np_lstm(strip(w1), h0, s1)
        outs.append(h1)
    np.testing.assert_allclose(got, np.stack(outs, 1), rtol=1e-10)
    np.testing.assert_allclose(st[1].h, s1[1], rtol=1e-10)


def test_lstm_gradients_through_time_match_numeric():
    with gf.Graph().as_default():
        gf.set_random_seed(1)
        x = gf.placeholder(gf.float64, [2, 3, 2])
        h0 = gf.placeholder(gf.float64, [2, 3])
        cell = gf.nn.rnn_cell.LSTMCell(3, use_peepholes=True)
        out, state = gf.nn.dynamic_rnn(
            cell, x, sequence_length=[3, 2],
            initial_state=gf.nn.rnn_cell.LSTMStateTuple(h0, gf.zeros([2, 3], gf.float64)))
        y = gf.reduce_sum(out * out) + gf.reduce_sum(state.c)
        with gf.Session():
            init = [gf.global_variables_initializer()]
            xv, hv = rng.randn(2, 3, 2), rng.randn(2, 3)
            err = compute_gradient_error(
                [x, h0], [[2, 3, 2], [2, 3]], y, [], x_init_value=[xv, hv],
                init_targets=init, delta=1e-6)
    assert err < 1e-6


def test_dropout_wrapper_keeps_or_drops():
    xs = np.ones((200, 1, 4), np.float32)
    with gf.Graph().as_default():
        base = gf.nn.rnn_cell.BasicRNNCell(50)
        cell = gf.nn.rnn_cell.DropoutWrapper(base, output_keep_prob=0.5, seed=3)
        out, _ = gf.nn.dynamic_rnn(cell, gf.constant(xs), dtype=gf.float32)
        plain, _ = gf.nn.dynamic_rnn(base, gf.constant(xs), dtype=gf.float32, scope="rnn")
        with gf.Session() as sess:
            sess.run(gf.global_variables_initializer())
            a, b = sess.run([out, plain])
    kept = a != 0
    np.testing.assert_allclose(a[kept], 2 * b[kept], rtol=1e-6)
    assert 0.4 < kept.mean() < 0.6
    with pytest.raises(ValueError, match="output_keep_prob must be between 0 and 1"):
        gf.nn.rnn_cell.DropoutWrapper(base, output_keep_prob=1.5)


def test_errors():
    with gf.Graph().as_default():
        cell = gf.nn.rnn_cell.BasicRNNCell(3)
        with pytest.raises(gf.errors.UnimplementedError, match="number of time steps.*known"):
            gf.nn.dynamic_rnn(cell, gf.placeholder(gf.float32, [2, None, 3]), dtype=gf.float32)
        with pytest.raises(ValueError, match="must be 3-D"):
            gf.nn.dynamic_rnn(cell, gf.placeholder(gf.float32, [2, 3]), dtype=gf.float32)
        with pytest.raises(ValueError, match="dtype must be specified"):
            gf.nn.static_rnn(cell, [gf.zeros([2, 3])])
        with pytest.raises(ValueError, match="must not be empty"):
            gf.nn.static_rnn(cell, [], dtype=gf.float32)
        with pytest.raises(TypeError, match="list of"):
            gf.nn.static_rnn(cell, gf.zeros([2, 3]), dtype=gf.float32)
        with pytest.raises(ValueError, match="depth of the inputs"):
            gf.nn.static_rnn(cell, [gf.placeholder(gf.float32, [2, None])], dtype=gf.float32)
        with pytest.raises(ValueError, match="sequence_length must be a vector"):
            gf.nn.static_rnn(cell, [gf.zeros([2, 3])], dtype=gf.float32,
                             sequence_length=[[1, 1]])
        with pytest.raises(ValueError, match="at least one cell"):
            gf.nn.rnn_cell.MultiRNNCell([])
        # The contrib names are the same classes.
        assert gf.contrib.rnn.BasicLSTMCell is gf.nn.rnn_cell.BasicLSTMCell


def test_lstm_learns_to_sum_a_sequence():
    """A small LSTM regresses the sum of 6 random inputs to < 1% of the
    variance in 300 Adam steps."""
    r = np.random.RandomState(1)
    with gf.Graph().as_default():
        gf.set_random_seed(0)
        x = gf.placeholder(gf.float32, [None, 6, 1])
        y = gf.placeholder(gf.float32, [None, 1])
        out, state = gf.nn.dynamic_rnn(gf.nn.rnn_cell.BasicLSTMCell(16), x, dtype=gf.float32)
        pred = gf.layers.dense(state.h, 1)
        loss = gf.reduce_mean(gf.square(pred - y))
        train = gf.train.AdamOptimizer(0.01).minimize(loss)
        with gf.Session() as sess:
            sess.run(gf.global_variables_initializer())
            for _ in range(300):
                xs = r.uniform(-1, 1, (64, 6, 1)).astype(np.float32)
                sess.run(train, {x: xs, y: xs.sum(1)})
            xs = r.uniform(-1, 1, (500, 6, 1)).astype(np.float32)
            final = sess.run(loss, {x: xs, y: xs.sum(1)})
    assert final < 0.01 * np.var(xs.sum(1)), final


# --- bidirectional RNNs ---------------------------------------------------------------------

def _values_of(sess, cell, strip):
    """The cell's variables by name without the first `strip` scopes."""
    return {v.name.split("/", strip)[strip]: sess.run(v) for v in cell.variables}


def _zero_state(cell, batch, is_lstm, dtype=np.float32):
    size = cell.state_size
    return ((np.zeros((batch, size.c), dtype), np.zeros((batch, size.h), dtype)) if is_lstm
            else np.zeros((batch, size), dtype))


def _row(state, b):
    return tuple(s[b:b + 1] for s in state) if isinstance(state, tuple) else state[b:b + 1]


def _np_backward(step, w, xs, init, lengths):
    """The backward direction one sequence at a time: the cell over
    xs[b, L-1], ..., xs[b, 0]; outputs put back at their own steps, zeros past
    the length; the state after step 0."""
    batch, steps = xs.shape[:2]
    outs, states = [], []
    for b in range(batch):
        n = steps if lengths is None else lengths[b]
        state = _row(init, b)
        row = [None] * steps
        for t in reversed(range(n)):
            row[t], state = step(w, xs[b:b + 1, t], state)
        zero = np.zeros_like(step(w, xs[b:b + 1, 0], _row(init, b))[0])
        outs.append(np.concatenate([zero if o is None else o for o in row], 0))
        states.append(state)
    if isinstance(states[0], tuple):
        return np.stack(outs), tuple(np.concatenate(s) for s in zip(*states))
    return np.stack(outs), np.concatenate(states)


def _assert_states_close(got, want, tol):
    for g, e in zip(*(([got], [want]) if not isinstance(want, tuple) else (got, want))):
        np.testing.assert_allclose(g, e, rtol=tol, atol=tol)


@pytest.mark.parametrize("name", sorted(CELLS))
@pytest.mark.parametrize("lengths", [None, [4, 2, 0]])
@pytest.mark.parametrize("time_major", [False, True])
def test_bidirectional_dynamic_rnn_matches_the_numpy_recurrences(name, lengths, time_major):
    make, step, is_lstm = CELLS[name]
    xs = rng.randn(3, 4, 2).astype(np.float32)
    with gf.Graph().as_default():
        fw, bw = make(), make()
        x = gf.placeholder(gf.float32, [4, 3, 2] if time_major else [3, 4, 2])
        (out_fw, out_bw), (st_fw, st_bw) = gf.nn.bidirectional_dynamic_rnn(
            fw, bw, x, sequence_length=lengths, dtype=gf.float32, time_major=time_major)
        layout = [4, 3] if time_major else [3, 4]
        assert out_fw.shape.as_list() == layout + [fw.output_size]
        assert out_bw.shape.as_list() == layout + [bw.output_size]
        with gf.Session() as sess:
            sess.run(gf.global_variables_initializer())
            got = sess.run([out_fw, out_bw, st_fw, st_bw],
                           {x: xs.transpose(1, 0, 2) if time_major else xs})
            w_fw, w_bw = _values_of(sess, fw, 2), _values_of(sess, bw, 2)
    if time_major:
        got[0], got[1] = got[0].transpose(1, 0, 2), got[1].transpose(1, 0, 2)
    n = None if lengths is None else np.array(lengths)
    want_fw, want_st_fw = _run_np(step, w_fw, xs, _zero_state(fw, 3, is_lstm), n)
    want_bw, want_st_bw = _np_backward(step, w_bw, xs, _zero_state(bw, 3, is_lstm), n)
    np.testing.assert_allclose(got[0], want_fw, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], want_bw, rtol=1e-5, atol=1e-6)
    _assert_states_close(got[2], want_st_fw, 1e-5)
    _assert_states_close(got[3], want_st_bw, 1e-5)
    if lengths is not None:  # the backward output past a length is zero, as the forward one
        assert not got[1][2].any() and not got[1][1, 2:].any() and got[1][1, :2].all()


@pytest.mark.parametrize("lengths", [None, [3, 1]])
def test_static_bidirectional_rnn_concatenates_the_directions(lengths):
    xs = rng.randn(2, 3, 4)
    with gf.Graph().as_default():
        fw, bw = gf.nn.rnn_cell.BasicLSTMCell(3), gf.nn.rnn_cell.GRUCell(2)
        x = gf.placeholder(gf.float64, [2, 3, 4])
        outs, st_fw, st_bw = gf.nn.static_bidirectional_rnn(
            fw, bw, gf.unstack(x, axis=1), sequence_length=lengths, dtype=gf.float64)
        assert isinstance(outs, list) and len(outs) == 3
        assert outs[0].shape.as_list() == [2, 5]
        assert isinstance(st_fw, gf.nn.rnn_cell.LSTMStateTuple)
        with gf.Session() as sess:
            sess.run(gf.global_variables_initializer())
            got, got_fw, got_bw = sess.run([gf.stack(outs, 1), st_fw, st_bw], {x: xs})
            w_fw, w_bw = _values_of(sess, fw, 2), _values_of(sess, bw, 2)
    n = None if lengths is None else np.array(lengths)
    want_fw, want_st_fw = _run_np(np_lstm, w_fw, xs, _zero_state(fw, 2, True, np.float64), n)
    want_bw, want_st_bw = _np_backward(np_gru, w_bw, xs, _zero_state(bw, 2, False, np.float64),
                                       n)
    np.testing.assert_allclose(got, np.concatenate([want_fw, want_bw], 2), rtol=1e-10)
    _assert_states_close(got_fw, want_st_fw, 1e-10)
    _assert_states_close(got_bw, want_st_bw, 1e-10)


def test_static_and_dynamic_bidirectional_rnns_agree_with_initial_states():
    xs = rng.randn(2, 4, 3)
    with gf.Graph().as_default():
        fw, bw = gf.nn.rnn_cell.BasicRNNCell(3), gf.nn.rnn_cell.BasicRNNCell(3)
        x = gf.constant(xs)
        h_fw, h_bw = gf.constant(rng.randn(2, 3)), gf.constant(rng.randn(2, 3))
        (a_fw, a_bw), (s_fw, s_bw) = gf.nn.bidirectional_dynamic_rnn(
            fw, bw, x, sequence_length=gf.constant([2, 4], gf.int64), initial_state_fw=h_fw,
            initial_state_bw=h_bw)
        # The same cells again, in the same scope: the same variables, no new ones.
        outs, t_fw, t_bw = gf.contrib.rnn.static_bidirectional_rnn(
            fw, bw, gf.unstack(x, axis=1), initial_state_fw=h_fw, initial_state_bw=h_bw,
            sequence_length=[2, 4])
        assert len(gf.global_variables()) == 4
        with gf.Session() as sess:
            sess.run(gf.global_variables_initializer())
            a, b, c = sess.run([gf.concat([a_fw, a_bw], 2), [s_fw, s_bw], gf.stack(outs, 1)])
            d = sess.run([t_fw, t_bw])
    np.testing.assert_allclose(a, c, rtol=1e-12)
    np.testing.assert_allclose(b, d, rtol=1e-12)


def test_bidirectional_variable_names_are_tensorflows():
    with gf.Graph().as_default():
        x = gf.placeholder(gf.float32, [2, 5, 3])
        gf.nn.bidirectional_dynamic_rnn(gf.nn.rnn_cell.BasicLSTMCell(4),
                                        gf.nn.rnn_cell.BasicLSTMCell(2), x, dtype=gf.float32)
        gf.nn.static_bidirectional_rnn(gf.nn.rnn_cell.GRUCell(2), gf.nn.rnn_cell.BasicRNNCell(3),
                                       gf.unstack(x, axis=1), dtype=gf.float32, scope="birnn")
        got = [(v.name, v.shape.as_list()) for v in gf.trainable_variables()]
    assert got == [
        ("bidirectional_rnn/fw/basic_lstm_cell/kernel:0", [7, 16]),
        ("bidirectional_rnn/fw/basic_lstm_cell/bias:0", [16]),
        ("bidirectional_rnn/bw/basic_lstm_cell/kernel:0", [5, 8]),
        ("bidirectional_rnn/bw/basic_lstm_cell/bias:0", [8]),
        ("birnn/fw/gru_cell/gates/kernel:0", [5, 4]), ("birnn/fw/gru_cell/gates/bias:0", [4]),
        ("birnn/fw/gru_cell/candidate/kernel:0", [5, 2]),
        ("birnn/fw/gru_cell/candidate/bias:0", [2]),
        ("birnn/bw/basic_rnn_cell/kernel:0", [6, 3]), ("birnn/bw/basic_rnn_cell/bias:0", [3])]
    assert gf.contrib.rnn.static_bidirectional_rnn is gf.nn.static_bidirectional_rnn


@pytest.mark.parametrize("time_major", [False, True])
def test_bidirectional_gradients_match_numeric(time_major):
    """Through both directions, the reversals and the initial states, in float64."""
    shape = [3, 2, 2] if time_major else [2, 3, 2]
    with gf.Graph().as_default():
        gf.set_random_seed(2)
        x = gf.placeholder(gf.float64, shape)
        h_bw = gf.placeholder(gf.float64, [2, 3])
        (out_fw, out_bw), (st_fw, st_bw) = gf.nn.bidirectional_dynamic_rnn(
            gf.nn.rnn_cell.BasicLSTMCell(2), gf.nn.rnn_cell.GRUCell(3), x,
            sequence_length=[3, 2], initial_state_bw=h_bw, dtype=gf.float64,
            time_major=time_major)
        weights = gf.constant(rng.randn(*shape[:2], 3))
        y = (gf.reduce_sum(out_fw * out_fw) + gf.reduce_sum(out_bw * weights) +
             gf.reduce_sum(st_fw.c) + gf.reduce_sum(st_bw * st_bw))
        with gf.Session():
            err = compute_gradient_error(
                [x, h_bw], [shape, [2, 3]], y, [], x_init_value=[rng.randn(*shape),
                                                                 rng.randn(2, 3)],
                init_targets=[gf.global_variables_initializer()], delta=1e-6)
    assert err < 1e-6


def test_static_bidirectional_gradients_match_numeric():
    with gf.Graph().as_default():
        gf.set_random_seed(3)
        x = gf.placeholder(gf.float64, [2, 3, 2])
        outs, st_fw, st_bw = gf.nn.static_bidirectional_rnn(
            gf.nn.rnn_cell.BasicRNNCell(2), gf.nn.rnn_cell.BasicLSTMCell(2),
            gf.unstack(x, axis=1), sequence_length=[1, 3], dtype=gf.float64)
        y = gf.reduce_sum(gf.stack(outs, 1) * gf.constant(rng.randn(2, 3, 4))) + \
            gf.reduce_sum(st_bw.h)
        with gf.Session():
            err = compute_gradient_error(x, [2, 3, 2], y, [], x_init_value=rng.randn(2, 3, 2),
                                         init_targets=[gf.global_variables_initializer()],
                                         delta=1e-6)
    assert err < 1e-6


def test_bidirectional_errors():
    with gf.Graph().as_default():
        cell = gf.nn.rnn_cell.BasicRNNCell(3)
        x = gf.placeholder(gf.float32, [2, 4, 3])
        with pytest.raises(TypeError, match="cell_bw must be an RNNCell"):
            gf.nn.bidirectional_dynamic_rnn(cell, "lstm", x, dtype=gf.float32)
        with pytest.raises(TypeError, match="cell_fw must be an RNNCell"):
            gf.nn.static_bidirectional_rnn(3, cell, [x[:, 0]], dtype=gf.float32)
        with pytest.raises(gf.errors.UnimplementedError, match="number of time steps.*known"):
            gf.nn.bidirectional_dynamic_rnn(cell, cell, gf.placeholder(gf.float32, [2, None, 3]),
                                            dtype=gf.float32)
        with pytest.raises(ValueError, match="dtype must be specified"):
            gf.nn.bidirectional_dynamic_rnn(cell, cell, x, scope="b1")
        with pytest.raises(TypeError, match="inputs must be a list"):
            gf.nn.static_bidirectional_rnn(cell, cell, x, dtype=gf.float32)
        with pytest.raises(ValueError, match="inputs must not be empty"):
            gf.nn.static_bidirectional_rnn(cell, cell, [], dtype=gf.float32)
        with pytest.raises(ValueError, match="sequence_length has 3 elements but the batch "
                                             "has 2 sequences"):
            gf.nn.bidirectional_dynamic_rnn(cell, cell, x, sequence_length=[1, 2, 3],
                                            dtype=gf.float32, scope="b2")
        n = gf.placeholder(gf.int32, [2])
        (_, out_bw), _ = gf.nn.bidirectional_dynamic_rnn(cell, cell, x, sequence_length=n,
                                                         dtype=gf.float32, scope="b3")
        with gf.Session() as sess:
            sess.run(gf.global_variables_initializer())
            with pytest.raises(gf.errors.InvalidArgumentError,
                               match=r"ReverseSequence.*seq_lengths\[1\] = 5 is not in \[0, 4\]"):
                sess.run(out_bw, {x: np.zeros([2, 4, 3], np.float32), n: [4, 5]})
