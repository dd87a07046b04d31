"""layers.batch_normalization: variables and names, training and inference
outputs, the moving-average updates in UPDATE_OPS (TF1 semantics), a bool
tensor for `training`, layouts, gradients, errors."""

import numpy as np
import pytest

import graphflow as gf
from graphflow.layers.normalization import batch_normalization
from graphflow.test import compute_gradient_error

rng = np.random.RandomState(0)
EPS = 1e-3


def _names(vs):
    return [v.name for v in vs]


def _bn(x, axes, eps=EPS, gamma=1.0, beta=0.0):
    x = x.astype(np.float64)
    m = x.mean(axis=axes, keepdims=True)
    v = x.var(axis=axes, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * gamma + beta


def test_variables_and_names():
    x = gf.placeholder(gf.float32, [None, 4, 4, 3])
    batch_normalization(x)
    batch_normalization(x, training=True, name="bn")
    batch_normalization(x)
    assert _names(gf.global_variables()) == [
        "batch_normalization/gamma:0", "batch_normalization/beta:0",
        "batch_normalization/moving_mean:0", "batch_normalization/moving_variance:0",
        "bn/gamma:0", "bn/beta:0", "bn/moving_mean:0", "bn/moving_variance:0",
        "batch_normalization_1/gamma:0", "batch_normalization_1/beta:0",
        "batch_normalization_1/moving_mean:0", "batch_normalization_1/moving_variance:0"]
    assert _names(gf.trainable_variables()) == [
        "batch_normalization/gamma:0", "batch_normalization/beta:0", "bn/gamma:0", "bn/beta:0",
        "batch_normalization_1/gamma:0", "batch_normalization_1/beta:0"]
    assert all(v.shape.as_list() == [3] for v in gf.global_variables())
    # only the training layer adds updates
    updates = gf.get_collection(gf.GraphKeys.UPDATE_OPS)
    assert [u.op.type for u in updates] == ["AssignSub", "AssignSub"]
    assert [u.op.name for u in updates] == ["bn/AssignMovingAvg", "bn/AssignMovingAvg_1"]
    # reuse shares all four
    batch_normalization(x, name="bn", reuse=True, training=True)
    assert len(gf.global_variables()) == 12
    with pytest.raises(ValueError, match="already exists"):
        batch_normalization(x, name="bn")


def test_center_scale_off_trainable_off_and_regularizers():
    x = gf.placeholder(gf.float32, [None, 5])
    batch_normalization(x, center=False, scale=False)
    assert _names(gf.global_variables()) == ["batch_normalization/moving_mean:0",
                                             "batch_normalization/moving_variance:0"]
    batch_normalization(x, trainable=False, gamma_regularizer=gf.nn.l2_loss,
                        beta_regularizer=gf.nn.l2_loss)
    assert gf.trainable_variables() == []
    assert len(gf.get_collection(gf.GraphKeys.REGULARIZATION_LOSSES)) == 2


def test_inference_uses_the_moving_statistics():
    x = gf.placeholder(gf.float32, [None, 2, 2, 3])
    mm, mv = np.array([0.5, -1.0, 2.0]), np.array([4.0, 0.25, 1.0])
    gamma, beta = np.array([1.0, 2.0, 0.5]), np.array([0.0, 1.0, -1.0])
    y = batch_normalization(x, moving_mean_initializer=gf.constant_initializer(mm),
                            moving_variance_initializer=gf.constant_initializer(mv),
                            gamma_initializer=gf.constant_initializer(gamma),
                            beta_initializer=gf.constant_initializer(beta))
    assert y.shape.as_list() == [None, 2, 2, 3] and y.dtype == gf.float32
    assert gf.get_collection(gf.GraphKeys.UPDATE_OPS) == []
    xv = rng.randn(3, 2, 2, 3).astype(np.float32)
    with gf.Session() as sess:
        sess.run(gf.global_variables_initializer())
        out = sess.run(y, {x: xv})
    np.testing.assert_allclose(out, (xv - mm) / np.sqrt(mv + EPS) * gamma + beta, rtol=1e-5,
                               atol=1e-5)


@pytest.mark.parametrize("shape,axis,fused_form", [
    ((6, 3, 3, 4), -1, True),
    ((6, 4, 3, 3), 1, True),
    ((10, 4), -1, False),
    ((10, 4), 1, False),
    ((5, 4, 3), 1, False),
    ((5, 3, 4), -1, False),
    ((2, 3, 4, 2, 3), 2, False),
])
def test_training_output_and_moving_average_updates(shape, axis, fused_form):
    x = gf.placeholder(gf.float32, [None] + list(shape[1:]))
    momentum = 0.9
    y = batch_normalization(x, axis=axis, momentum=momentum, training=True,
                            gamma_initializer=gf.constant_initializer(1.5),
                            beta_initializer=gf.constant_initializer(0.25))
    assert y.shape.as_list() == [None] + list(shape[1:])
    updates = gf.get_collection(gf.GraphKeys.UPDATE_OPS)
    assert len(updates) == 2
    xv = (rng.randn(*shape) * 2 + 1).astype(np.float32)
    ax = axis % len(shape)
    axes = tuple(i for i in range(len(shape)) if i != ax)
    with gf.Session() as sess:
        sess.run(gf.global_variables_initializer())
        out = sess.run(y, {x: xv})
        np.testing.assert_allclose(out, _bn(xv, axes, gamma=1.5, beta=0.25), rtol=1e-4,
                                   atol=1e-5)
        mm0, mv0 = sess.run(["batch_normalization/moving_mean:0",
                             "batch_normalization/moving_variance:0"])
        np.testing.assert_array_equal(mm0, 0)  # y alone does not update them
        np.testing.assert_array_equal(mv0, 1)
        sess.run(updates, {x: xv})
        mm, mv = sess.run(["batch_normalization/moving_mean:0",
                           "batch_normalization/moving_variance:0"])
    n = xv.size // shape[ax]
    batch_var = xv.astype(np.float64).var(axis=axes)
    if fused_form:  # TF's fused form: the unbiased variance; the non-fused one: the biased
        batch_var = batch_var * n / (n - 1)
    np.testing.assert_allclose(mm, (1 - momentum) * xv.mean(axis=axes), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mv, momentum + (1 - momentum) * batch_var, rtol=1e-5)


def test_fused_false_on_4d_uses_the_biased_variance():
    x = gf.placeholder(gf.float32, [8, 2, 2, 3])
    batch_normalization(x, training=True, fused=False, momentum=0.0)
    xv = rng.randn(8, 2, 2, 3).astype(np.float32)
    with gf.Session() as sess:
        sess.run(gf.global_variables_initializer())
        sess.run(gf.get_collection(gf.GraphKeys.UPDATE_OPS), {x: xv})
        mv = sess.run("batch_normalization/moving_variance:0")
    np.testing.assert_allclose(mv, xv.reshape(-1, 3).astype(np.float64).var(0), rtol=1e-5)


def test_training_with_update_ops_as_control_dependencies():
    """The TF1 recipe: the train op runs the updates; inference then uses
    the moving statistics, which have converged to the data's."""
    x = gf.placeholder(gf.float32, [None, 3, 3, 2])
    target = gf.placeholder(gf.float32, [None, 3, 3, 2])
    y = batch_normalization(x, training=True, momentum=0.8)
    loss = gf.reduce_mean(gf.square(y - target))
    with gf.control_dependencies(gf.get_collection(gf.GraphKeys.UPDATE_OPS)):
        train = gf.train.GradientDescentOptimizer(0.5).minimize(loss)
    y_inf = batch_normalization(x, training=False, name="batch_normalization", reuse=True)
    data_mean, data_std = np.array([3.0, -2.0]), np.array([2.0, 0.5])
    with gf.Session() as sess:
        sess.run(gf.global_variables_initializer())
        for _ in range(60):
            xv = (rng.randn(32, 3, 3, 2) * data_std + data_mean).astype(np.float32)
            sess.run(train, {x: xv, target: np.full(xv.shape, 0.5, np.float32) + 0.1 * xv})
        mm, mv, gamma, beta = sess.run([
            "batch_normalization/moving_mean:0", "batch_normalization/moving_variance:0",
            "batch_normalization/gamma:0", "batch_normalization/beta:0"])
        np.testing.assert_allclose(mm, data_mean, atol=0.15)
        np.testing.assert_allclose(mv, data_std ** 2, rtol=0.2)
        assert not np.allclose(gamma, 1) and not np.allclose(beta, 0)  # trained too
        xv = (rng.randn(8, 3, 3, 2) * data_std + data_mean).astype(np.float32)
        out = sess.run(y_inf, {x: xv})
    np.testing.assert_allclose(out, (xv - mm) / np.sqrt(mv + EPS) * gamma + beta, rtol=1e-4,
                               atol=1e-4)


def test_training_as_a_bool_tensor():
    x = gf.placeholder(gf.float32, [None, 4])
    training = gf.placeholder(gf.bool, [])
    y = batch_normalization(x, training=training, momentum=0.5,
                            moving_variance_initializer=gf.constant_initializer(4.0))
    updates = gf.get_collection(gf.GraphKeys.UPDATE_OPS)
    assert len(updates) == 2
    xv = (rng.randn(6, 4) + 3).astype(np.float32)
    names = ["batch_normalization/moving_mean:0", "batch_normalization/moving_variance:0"]
    with gf.Session() as sess:
        sess.run(gf.global_variables_initializer())
        out, _ = sess.run([y, updates], {x: xv, training: False})
        np.testing.assert_allclose(out, xv / np.sqrt(4 + EPS), rtol=1e-5)
        mm, mv = sess.run(names)  # updates ran but changed nothing
        np.testing.assert_array_equal(mm, 0)
        np.testing.assert_array_equal(mv, 4)
        out = sess.run(y, {x: xv, training: True})
        np.testing.assert_allclose(out, _bn(xv, (0,)), rtol=1e-4, atol=1e-5)
        sess.run(updates, {x: xv, training: True})
        mm, mv = sess.run(names)
    np.testing.assert_allclose(mm, 0.5 * xv.mean(0), rtol=1e-5)
    np.testing.assert_allclose(mv, 2 + 0.5 * xv.astype(np.float64).var(0), rtol=1e-5)
    with pytest.raises(TypeError, match="bool"):
        batch_normalization(x, training=gf.constant(1.0))


FULL_TRACE = gf.RunOptions(trace_level=gf.RunOptions.FULL_TRACE)


def _ran(run_metadata):
    """Names of the nodes a traced step ran: a node skipped for a dead input
    computes nothing, so it has no output holding a value."""
    return {ns.node_name for ds in run_metadata.step_stats.dev_stats for ns in ds.node_stats
            if any(o.tensor_description.dtype for o in ns.output)}


@pytest.mark.parametrize("shape,axis,fused_form", [
    ((6, 3, 3, 4), -1, True),
    ((6, 4, 3, 3), 1, True),
    ((10, 4), -1, False),
    ((5, 4, 3), 1, False),
])
def test_training_tensor_runs_one_form_and_updates_only_when_training(shape, axis, fused_form):
    """TF1.15's layer: a bool tensor builds smart_cond(training, batch form,
    moving form); the updates run in every step, with momentum 1 (a no-op)
    in inference steps."""
    x = gf.placeholder(gf.float32, [None] + list(shape[1:]))
    training = gf.placeholder(gf.bool, [])
    c = shape[axis]
    mm0, mv0 = np.linspace(-1, 1, c), np.linspace(0.5, 2, c)
    gamma, beta, momentum = np.linspace(1, 2, c), np.linspace(-0.5, 0.5, c), 0.75
    y = batch_normalization(x, axis=axis, momentum=momentum, training=training,
                            moving_mean_initializer=gf.constant_initializer(mm0),
                            moving_variance_initializer=gf.constant_initializer(mv0),
                            gamma_initializer=gf.constant_initializer(gamma),
                            beta_initializer=gf.constant_initializer(beta))
    assert y.shape.as_list() == [None] + list(shape[1:])
    updates = gf.get_collection(gf.GraphKeys.UPDATE_OPS)
    assert [u.op.type for u in updates] == ["AssignSub", "AssignSub"]
    forms = {op.get_attr("is_training"): op.name
             for op in gf.get_default_graph().get_operations() if op.type == "FusedBatchNormV3"}
    assert len(forms) == 2
    ax = axis % len(shape)
    axes = tuple(i for i in range(len(shape)) if i != ax)
    bshape = [c if i == ax else 1 for i in range(len(shape))]
    xv = (rng.randn(*shape) * 2 + 1).astype(np.float32)
    names = ["batch_normalization/moving_mean:0", "batch_normalization/moving_variance:0"]
    with gf.Session() as sess:
        sess.run(gf.global_variables_initializer())
        md = gf.RunMetadata()
        out, _ = sess.run([y, updates], {x: xv, training: False}, options=FULL_TRACE,
                          run_metadata=md)
        assert forms[False] in _ran(md) and forms[True] not in _ran(md)
        np.testing.assert_allclose(
            out, (xv - mm0.reshape(bshape)) / np.sqrt(mv0.reshape(bshape) + EPS)
            * gamma.reshape(bshape) + beta.reshape(bshape), rtol=1e-5, atol=1e-5)
        mm, mv = sess.run(names)
        np.testing.assert_array_equal(mm, mm0.astype(np.float32))
        np.testing.assert_array_equal(mv, mv0.astype(np.float32))

        md = gf.RunMetadata()
        out, _ = sess.run([y, updates], {x: xv, training: True}, options=FULL_TRACE,
                          run_metadata=md)
        assert forms[True] in _ran(md) and forms[False] not in _ran(md)
        np.testing.assert_allclose(out, _bn(xv, axes, gamma=gamma.reshape(bshape),
                                            beta=beta.reshape(bshape)), rtol=1e-4, atol=1e-5)
        mm, mv = sess.run(names)
    n = xv.size // c
    batch_var = xv.astype(np.float64).var(axis=axes)
    if fused_form:
        batch_var = batch_var * n / (n - 1)
    np.testing.assert_allclose(mm, momentum * mm0 + (1 - momentum) * xv.mean(axis=axes),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mv, momentum * mv0 + (1 - momentum) * batch_var, rtol=1e-5)


def test_known_training_value_builds_one_form():
    """A Python bool or a constant builds no cond; False adds no updates."""
    for make_training, n_updates in ((lambda: True, 2), (lambda: False, 0),
                                     (lambda: gf.constant(True), 2),
                                     (lambda: gf.constant(False), 0)):
        with gf.Graph().as_default() as g:
            batch_normalization(gf.placeholder(gf.float32, [None, 4]), training=make_training())
            types = [op.type for op in g.get_operations()]
            assert "Switch" not in types and "Merge" not in types
            assert types.count("FusedBatchNormV3") == 1
            assert len(gf.get_collection(gf.GraphKeys.UPDATE_OPS)) == n_updates


def test_empty_batch_leaves_moving_statistics_alone():
    x = gf.placeholder(gf.float32, [None, 2, 2, 3])
    y = batch_normalization(x, training=True)
    with gf.Session() as sess:
        sess.run(gf.global_variables_initializer())
        out, _ = sess.run([y, gf.get_collection(gf.GraphKeys.UPDATE_OPS)],
                          {x: np.zeros((0, 2, 2, 3), np.float32)})
        mm, mv = sess.run(["batch_normalization/moving_mean:0",
                           "batch_normalization/moving_variance:0"])
    assert out.shape == (0, 2, 2, 3)
    np.testing.assert_array_equal(mm, 0)
    np.testing.assert_array_equal(mv, 1)


def test_half_inputs_keep_float32_variables():
    x = gf.placeholder(gf.float16, [None, 2, 2, 3])
    y = batch_normalization(x, training=True)
    assert y.dtype == gf.float16
    assert all(v.dtype.base_dtype == gf.float32 for v in gf.global_variables())
    xv = rng.randn(4, 2, 2, 3).astype(np.float16)
    with gf.Session() as sess:
        sess.run(gf.global_variables_initializer())
        out = sess.run(y, {x: xv})
    np.testing.assert_allclose(out.astype(np.float64), _bn(xv, (0, 1, 2)), atol=4e-3)


@pytest.mark.parametrize("shape,axis", [((3, 2, 2, 2), -1), ((3, 2, 2, 2), 1), ((5, 3), -1),
                                        ((2, 3, 2), 1)])
@pytest.mark.parametrize("training", [True, False])
def test_gradients(shape, axis, training):
    with gf.Graph().as_default(), gf.Session() as sess:
        x = gf.placeholder(gf.float64, shape)
        y = batch_normalization(x * 2.0 + 0.5, axis=axis, training=training,
                                gamma_initializer=gf.constant_initializer(1.5),
                                moving_variance_initializer=gf.constant_initializer(0.7))
        gamma, beta = gf.trainable_variables()
        err = compute_gradient_error(x, list(shape), y, list(shape), delta=1e-5,
                                     init_targets=gf.global_variables_initializer())
        assert err < 1e-6
        for v in (gamma, beta):
            gv = gf.gradients(gf.reduce_sum(y * y), v)[0]
            assert gv is not None and gv.shape.as_list() == v.shape.as_list()


@pytest.mark.parametrize("shape,axis", [((3, 2, 2, 2), -1), ((3, 2, 2, 2), 1), ((5, 3), -1),
                                        ((2, 3, 2), 1)])
@pytest.mark.parametrize("training_value", [True, False])
def test_gradients_through_the_training_cond(shape, axis, training_value):
    """With a bool tensor, gradients flow back through the cond's Merge and
    Switches into the form that ran: numeric for x; for gamma and beta, the
    same as the layer built for that Python bool (checked numerically above)."""
    with gf.Graph().as_default(), gf.Session() as sess:
        x = gf.placeholder(gf.float64, shape)
        training = gf.placeholder(gf.bool, [])
        kwargs = dict(axis=axis, gamma_initializer=gf.constant_initializer(1.5),
                      moving_mean_initializer=gf.constant_initializer(0.2),
                      moving_variance_initializer=gf.constant_initializer(0.7))
        y = batch_normalization(x * 2.0 + 0.5, training=training, **kwargs)
        err = compute_gradient_error(x, list(shape), y, list(shape), delta=1e-5,
                                     init_targets=gf.global_variables_initializer(),
                                     extra_feed_dict={training: training_value})
        assert err < 1e-6
        y_bool = batch_normalization(x * 2.0 + 0.5, training=training_value,
                                     name="batch_normalization", reuse=True, **kwargs)
        params = gf.trainable_variables()
        assert len(params) == 2
        r = np.random.RandomState(3)
        weights = gf.constant(r.randn(*shape))
        grads = gf.gradients(gf.reduce_sum(y * weights), params)
        grads_bool = gf.gradients(gf.reduce_sum(y_bool * weights), params)
        xv = r.randn(*shape)
        got, want = sess.run([grads, grads_bool], {x: xv, training: training_value})
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
            assert np.abs(w).max() > 0.1


def test_errors():
    with pytest.raises(ValueError, match="undefined `axis` dimension"):
        batch_normalization(gf.placeholder(gf.float32, [None, None]))
    with pytest.raises(ValueError, match="undefined rank"):
        batch_normalization(gf.placeholder(gf.float32, None))
    with pytest.raises(ValueError, match="Invalid axis"):
        batch_normalization(gf.placeholder(gf.float32, [2, 3]), axis=2)
    with pytest.raises(NotImplementedError, match="renorm"):
        batch_normalization(gf.placeholder(gf.float32, [2, 3]), renorm=True)
    with pytest.raises(TypeError, match="floating"):
        batch_normalization(gf.placeholder(gf.int32, [2, 3]))
