import numpy as np
import pytest

import graphflow as gf


def test_dense_names_shapes_and_values():
    x = gf.placeholder(gf.float32, [None, 3])
    y = gf.layers.dense(x, 4, activation=gf.nn.relu, name="fc")
    y2 = gf.layers.dense(x, 2)
    y3 = gf.layers.dense(x, 2)
    names = [v.name for v in gf.trainable_variables()]
    assert names == ["fc/kernel:0", "fc/bias:0", "dense/kernel:0", "dense/bias:0",
                     "dense_1/kernel:0", "dense_1/bias:0"]
    assert y.shape.as_list() == [None, 4] and y2.shape.as_list() == [None, 2]
    xv = np.random.RandomState(0).randn(5, 3).astype(np.float32)
    with gf.Session() as sess:
        sess.run(gf.global_variables_initializer())
        k, b, out = sess.run(["fc/kernel:0", "fc/bias:0", y], {x: xv})
    np.testing.assert_allclose(out, np.maximum(xv @ k + b, 0), rtol=1e-5, atol=1e-6)
    # reuse shares the variables
    y4 = gf.layers.dense(x, 4, name="fc", reuse=True)
    assert len(gf.trainable_variables()) == 6
    with pytest.raises(ValueError, match="already exists"):
        gf.layers.dense(x, 4, name="fc")
    with pytest.raises(ValueError, match="should be defined"):
        gf.layers.dense(gf.placeholder(gf.float32, [None, None]), 3)
    del y3, y4


def test_dense_on_rank_3_and_regularizers():
    x = gf.placeholder(gf.float32, [None, 4, 3])
    y = gf.layers.dense(x, 2, kernel_regularizer=gf.nn.l2_loss, use_bias=False)
    assert y.shape.as_list() == [None, 4, 2]
    assert len(gf.get_collection(gf.GraphKeys.REGULARIZATION_LOSSES)) == 1
    xv = np.ones((2, 4, 3), np.float32)
    with gf.Session() as sess:
        sess.run(gf.global_variables_initializer())
        k, out = sess.run(["dense/kernel:0", y], {x: xv})
    np.testing.assert_allclose(out, xv @ k, rtol=1e-5)


def test_dropout_layer_training_flag():
    x = gf.ones([200, 50])
    training = gf.placeholder_with_default(False, [])
    d = gf.layers.dropout(x, rate=0.4, training=training, seed=3)
    always = gf.layers.dropout(x, rate=0.4, training=True, seed=3)
    never = gf.layers.dropout(x, rate=0.4)
    with gf.Session() as sess:
        np.testing.assert_array_equal(sess.run(d), np.ones((200, 50)))
        np.testing.assert_array_equal(sess.run(never), np.ones((200, 50)))
        v = sess.run(d, {training: True})
        assert abs((v == 0).mean() - 0.4) < 0.03
        np.testing.assert_allclose(np.unique(v), [0, 1 / 0.6], rtol=1e-6)
        assert abs((sess.run(always) == 0).mean() - 0.4) < 0.03


FULL_TRACE = gf.RunOptions(trace_level=gf.RunOptions.FULL_TRACE)


def _ran(run_metadata):
    """Names of the nodes a traced step ran: a node skipped for a dead input
    computes nothing, so it has no output holding a value."""
    return {ns.node_name for ds in run_metadata.step_stats.dev_stats for ns in ds.node_stats
            if any(o.tensor_description.dtype for o in ns.output)}


def test_dropout_with_a_training_tensor_draws_only_in_training_steps():
    x = gf.placeholder(gf.float32, [40, 30])
    training = gf.placeholder(gf.bool, [])
    d = gf.layers.dropout(x, rate=0.5, training=training, seed=5)
    (draw,) = [op.name for op in gf.get_default_graph().get_operations()
               if op.type == "RandomUniform"]
    xv = np.random.RandomState(1).rand(40, 30).astype(np.float32) + 1
    with gf.Session() as sess:
        md = gf.RunMetadata()
        np.testing.assert_array_equal(sess.run(d, {x: xv, training: False}, options=FULL_TRACE,
                                               run_metadata=md), xv)
        assert draw not in _ran(md)
        md = gf.RunMetadata()
        v = sess.run(d, {x: xv, training: True}, options=FULL_TRACE, run_metadata=md)
        assert draw in _ran(md)
        kept = v != 0
        assert abs(kept.mean() - 0.5) < 0.06
        np.testing.assert_allclose(v[kept], xv[kept] * 2, rtol=1e-6)
        first, second = kept, sess.run(d, {x: xv, training: True}) != 0
    assert (first != second).any()
    # An inference step consumes no random numbers: a new session that runs one
    # before its first training step draws the same first mask.
    with gf.Session() as sess:
        sess.run(d, {x: xv, training: False})
        np.testing.assert_array_equal(sess.run(d, {x: xv, training: True}) != 0, first)


def test_dropout_with_a_known_training_value_builds_one_form():
    for make_training, draws in ((lambda: True, True), (lambda: False, False),
                                 (lambda: np.bool_(True), True),
                                 (lambda: gf.constant(False), False)):
        with gf.Graph().as_default() as g:
            gf.layers.dropout(gf.ones([3, 4]), training=make_training())
            types = {op.type for op in g.get_operations()}
            assert not types & {"Switch", "Merge"}
            assert ("RandomUniform" in types) == draws
    with pytest.raises(TypeError, match="bool tensor, got a float32"):
        gf.layers.dropout(gf.ones([3, 4]), training=gf.constant(1.0))


def test_nn_dropout_errors_and_noise_shape():
    x = gf.ones([100, 10])
    with pytest.raises(ValueError, match="exactly one"):
        gf.nn.dropout(x)
    with pytest.raises(ValueError, match="range"):
        gf.nn.dropout(x, rate=1.0)
    with pytest.raises(ValueError, match="floating point"):
        gf.nn.dropout(gf.ones([3], dtype=gf.int32), rate=0.5)
    d = gf.nn.dropout(x, keep_prob=0.5, noise_shape=[100, 1], seed=7)
    with gf.Session() as sess:
        v = sess.run(d)
    assert all(len(np.unique(row)) == 1 for row in v)  # one draw per row


def test_flatten():
    x = gf.placeholder(gf.float32, [None, 2, 3, 4])
    f = gf.layers.flatten(x)
    assert f.shape.as_list() == [None, 24]
    xv = np.arange(48, dtype=np.float32).reshape(2, 2, 3, 4)
    with gf.Session() as sess:
        np.testing.assert_array_equal(sess.run(f, {x: xv}), xv.reshape(2, -1))
        cf = gf.layers.flatten(x, data_format="channels_first")
        np.testing.assert_array_equal(sess.run(cf, {x: xv}),
                                      xv.transpose(0, 2, 3, 1).reshape(2, -1))
