"""cond, smart_cond, case and the Switch/Merge ops under them: values against
NumPy for both predicate values, only the taken branch running (side effects
and failing ops in the other), gradients against central differences, the
NumPy reference executor agreeing with the C++ executor, deadness crossing
devices, and the error paths."""

import collections

import numpy as np
import pytest

import graphflow as gf
from graphflow.ops import control_flow_ops
from graphflow.runtime.reference_executor import ReferenceExecutor
from graphflow.test import compute_gradient_error

RNG = np.random.default_rng(3)


def _ops_of_type(op_type):
    return [op for op in gf.get_default_graph().get_operations() if op.type == op_type]


# --- values ---------------------------------------------------------------------


@pytest.mark.parametrize("pred_value", [True, False])
def test_cond_reads_outside_tensors_constants_and_variables(pred_value):
    x = gf.placeholder(gf.float32, [2, 3], name="x")
    p = gf.placeholder(gf.bool, [], name="p")
    w = gf.Variable(RNG.standard_normal((3, 4)).astype(np.float32), name="w")
    y = gf.cond(p, lambda: gf.matmul(x, w) * 2.0 + gf.constant(1.0),
                lambda: gf.reduce_sum(x) - gf.zeros([2, 4]))
    assert y.shape.as_list() == [2, 4]
    xv = RNG.standard_normal((2, 3)).astype(np.float32)
    with gf.Session() as sess:
        sess.run(gf.global_variables_initializer())
        got = sess.run(y, {x: xv, p: pred_value})
        wv = sess.run(w)
    want = xv @ wv * 2 + 1 if pred_value else np.full((2, 4), xv.sum())
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_outside_values_go_through_one_switch_per_branch():
    x = gf.placeholder(gf.float32, [], name="x")
    p = gf.placeholder(gf.bool, [], name="p")
    gf.cond(p, lambda: x * x + x, lambda: x - 1.0)
    switched = [op for op in _ops_of_type("Switch") if op.inputs[0] is x]
    assert len(switched) == 2  # one per branch, reused by both reads in the true branch
    c = [op for op in gf.get_default_graph().get_operations() if op.type == "Const"
         and op.name.startswith("cond/")]
    assert c and all(op.control_inputs for op in c)  # gated by the branch's pivot


@pytest.mark.parametrize("pred_value", [True, False])
def test_only_the_taken_branch_runs(pred_value):
    p = gf.placeholder(gf.bool, [], name="p")
    counter = gf.Variable(0, name="counter")
    bad_index = gf.constant([7])
    # Each branch updates the counter and holds an op that fails if it runs.
    out = gf.cond(p,
                  lambda: gf.assign_add(counter, 1) + 0 * gf.gather([1, 2], bad_index - 7),
                  lambda: gf.assign_add(counter, 100) + 0 * gf.gather([1, 2], bad_index - 7))
    boom = gf.cond(p, lambda: gf.gather([1, 2], bad_index), lambda: gf.constant([0]))
    with gf.Session() as sess:
        sess.run(counter.initializer)
        for _ in range(3):
            sess.run(out, {p: pred_value})
        assert sess.run(counter) == (3 if pred_value else 300)
        if pred_value:
            with pytest.raises(gf.errors.InvalidArgumentError, match="GatherV2"):
                sess.run(boom, {p: True})
        else:
            np.testing.assert_array_equal(sess.run(boom, {p: False}), [0])


@pytest.mark.parametrize("a,b", [(True, True), (True, False), (False, True), (False, False)])
def test_nested_cond(a, b):
    x = gf.placeholder(gf.float64, [3], name="x")
    pa = gf.placeholder(gf.bool, [], name="pa")
    pb = gf.placeholder(gf.bool, [], name="pb")
    y = gf.cond(pa,
                lambda: gf.cond(pb, lambda: x * 2.0, lambda: x + gf.constant(10.0, gf.float64)),
                lambda: gf.cond(pb, lambda: -x, lambda: gf.square(x)))
    xv = np.array([1.0, -2.0, 3.0])
    want = {(True, True): xv * 2, (True, False): xv + 10, (False, True): -xv,
            (False, False): xv ** 2}[(a, b)]
    with gf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: xv, pa: a, pb: b}), want)
    # The inner cond reads x through the outer branch's Switch, not around it.
    for op in _ops_of_type("Switch"):
        if op.inputs[0] is x:
            assert op.inputs[1].op.inputs[0] is pa


Pair = collections.namedtuple("Pair", ["first", "second"])


@pytest.mark.parametrize("pred_value", [True, False])
def test_structured_outputs(pred_value):
    p = gf.placeholder(gf.bool, [], name="p")
    x = gf.constant([1, 2, 3])
    out = gf.cond(p, lambda: {"a": Pair(x, x * 2), "b": [x + 1]},
                  lambda: {"a": Pair(x * 0, x), "b": [x - 1]})
    assert isinstance(out["a"], Pair) and isinstance(out["b"], list)
    with gf.Session() as sess:
        got = sess.run(out, {p: pred_value})
    want = ({"a": ([1, 2, 3], [2, 4, 6]), "b": [[2, 3, 4]]} if pred_value
            else {"a": ([0, 0, 0], [1, 2, 3]), "b": [[0, 1, 2]]})
    np.testing.assert_array_equal(got["a"].first, want["a"][0])
    np.testing.assert_array_equal(got["a"].second, want["a"][1])
    np.testing.assert_array_equal(got["b"][0], want["b"][0])


def test_singleton_list_unpacked_unless_strict_and_operations_as_results():
    p = gf.placeholder(gf.bool, [], name="p")
    v = gf.Variable(0.0, name="v")
    single = gf.cond(p, lambda: [gf.constant(1.0)], lambda: [gf.constant(2.0)])
    strict = gf.cond(p, lambda: [gf.constant(1.0)], lambda: [gf.constant(2.0)], strict=True)
    assert isinstance(single, gf.Tensor) and isinstance(strict, list) and len(strict) == 1
    ran = gf.cond(p, lambda: gf.assign(v, 5.0).op, lambda: gf.no_op())
    assert ran.dtype == gf.bool
    with gf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(single, {p: False}) == 2.0 and sess.run(single, {p: True}) == 1.0
        sess.run(ran, {p: False})
        assert sess.run(v) == 0.0
        sess.run(ran, {p: True})
        assert sess.run(v) == 5.0


def test_control_dependencies_inside_a_branch():
    p = gf.placeholder(gf.bool, [], name="p")
    v = gf.Variable(1.0, name="v")

    def true_fn():
        with gf.control_dependencies([gf.assign(v, 7.0)]):
            return v.read_value() * 2.0

    y = gf.cond(p, true_fn, lambda: v.read_value())
    with gf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(y, {p: False}) == 1.0
        assert sess.run(y, {p: True}) == 14.0  # the read comes after the assign


def test_variables_created_in_a_branch_live_outside_it():
    p = gf.placeholder(gf.bool, [], name="p")
    x = gf.constant(np.ones((2, 3), np.float32))
    y = gf.cond(p, lambda: gf.layers.dense(x, 4, name="d"), lambda: gf.zeros([2, 4]))
    kernel = [v for v in gf.global_variables() if v.op.name == "d/kernel"][0]
    assert kernel.op._control_flow_context is None and not kernel.op.control_inputs
    with gf.Session() as sess:
        sess.run(gf.global_variables_initializer())  # needs no predicate
        np.testing.assert_allclose(sess.run(y, {p: True}), np.ones((2, 3)) @ sess.run(kernel),
                                   rtol=1e-6)


def test_many_steps_alternating_on_the_thread_pool():
    p = gf.placeholder(gf.bool, [], name="p")
    x = gf.placeholder(gf.float32, [64], name="x")
    branches = [gf.cond(p, lambda k=k: x * float(k), lambda k=k: x + float(k)) for k in range(8)]
    total = gf.add_n(branches)
    xv = RNG.standard_normal(64).astype(np.float32)
    with gf.Session(config=gf.ConfigProto(inter_op_parallelism_threads=4)) as sess:
        for i in range(100):
            pv = bool(i % 3)
            want = xv * 28 if pv else 8 * xv + 28
            np.testing.assert_allclose(sess.run(total, {p: pv, x: xv}), want, rtol=1e-5,
                                       atol=1e-5)


def test_deadness_crosses_devices():
    """A branch placed on another device: its _Send/_Recv carry deadness, so the
    step finishes (no Recv waits forever) and the right value arrives."""
    with gf.device("/cpu:0"):
        p = gf.placeholder(gf.bool, [], name="p")
        x = gf.placeholder(gf.float32, [4], name="x")

    def on_cpu1(fn):
        def build():
            with gf.device("/cpu:1"):
                return fn()
        return build

    with gf.device("/cpu:0"):
        y = gf.cond(p, on_cpu1(lambda: x * 3.0), lambda: x - 1.0)
        z = y + 1.0
    xv = np.arange(4, dtype=np.float32)
    config = gf.ConfigProto(device_count={"CPU": 2})
    with gf.Session(config=config) as sess:
        meta = gf.RunMetadata()
        for pv in (True, False, True):
            got = sess.run(z, {p: pv, x: xv}, options=gf.RunOptions(output_partition_graphs=True),
                           run_metadata=meta)
            np.testing.assert_array_equal(got, xv * 3 + 1 if pv else xv)
        ops = [n.op for g in meta.partition_graphs for n in g.node]
        assert "_Send" in ops and "_Recv" in ops


# --- the reference executor and traces ------------------------------------------------


@pytest.mark.parametrize("pred_value", [True, False])
def test_reference_executor_agrees(pred_value):
    x = gf.placeholder(gf.float32, [3], name="x")
    p = gf.placeholder(gf.bool, [], name="p")
    y = gf.cond(p, lambda: gf.cond(p, lambda: x * 2.0, lambda: x), lambda: gf.exp(x))
    idx = gf.get_default_graph().get_tensor_by_name("cond/Merge:1")
    xv = np.array([0.5, 1.0, -1.0], np.float32)
    feeds = {x: xv, p: pred_value}
    with gf.Session() as sess:
        got = sess.run([y, idx], feeds)
    ref = ReferenceExecutor(gf.get_default_graph()).run([y, idx], feeds)
    np.testing.assert_allclose(got[0], ref[0], rtol=1e-6)
    assert got[1] == ref[1] == int(pred_value)


@pytest.mark.parametrize("pred_value", [True, False])
def test_fetching_a_dead_tensor_is_an_error(pred_value):
    p = gf.placeholder(gf.bool, [], name="p")
    x = gf.constant(1.0)
    f, t = control_flow_ops.switch(x, p)
    dead = f if pred_value else t
    live = t if pred_value else f
    with gf.Session() as sess:
        assert sess.run(live, {p: pred_value}) == 1.0
        with pytest.raises(gf.errors.InvalidArgumentError, match="dead, on the untaken side"):
            sess.run(dead + 1.0, {p: pred_value})
    with pytest.raises(gf.errors.InvalidArgumentError, match="dead, on the untaken side"):
        ReferenceExecutor(gf.get_default_graph()).run(dead, {p: pred_value})


def test_skipped_nodes_are_not_traced():
    p = gf.placeholder(gf.bool, [], name="p")
    x = gf.constant([1.0, 2.0])
    y = gf.cond(p, lambda: gf.exp(x, name="only_true"), lambda: gf.negative(x, name="only_false"))
    with gf.Session() as sess:
        meta = gf.RunMetadata()
        sess.run(y, {p: False}, options=gf.RunOptions(trace_level=gf.RunOptions.FULL_TRACE),
                 run_metadata=meta)
    ran = {n.node_name for d in meta.step_stats.dev_stats for n in d.node_stats}
    assert "cond/only_false" in ran and "cond/only_true" not in ran


def test_merge_takes_the_live_input_and_reports_its_index():
    p = gf.placeholder(gf.bool, [], name="p")
    a = gf.constant([1, 2])
    f, t = control_flow_ops.switch(a, p)
    out, index = control_flow_ops.merge([t * 10, f, f * 0])
    assert out.shape.as_list() == [2] and index.shape.as_list() == []
    with gf.Session() as sess:
        got = sess.run([out, index], {p: False})
        np.testing.assert_array_equal(got[0], [1, 2])
        assert got[1] == 1  # the first live input: f
        got = sess.run([out, index], {p: True})
        np.testing.assert_array_equal(got[0], [10, 20])
        assert got[1] == 0


def test_merge_shape_is_the_most_specific_compatible_one():
    a = gf.placeholder(gf.float32, [2, 3])
    b = gf.placeholder(gf.float32, [2, 5])
    c = gf.placeholder(gf.float32, [2, 3, 1])
    assert control_flow_ops.merge([a, b])[0].shape.as_list() == [2, None]
    assert control_flow_ops.merge([a, c])[0].shape.rank is None


# --- gradients ------------------------------------------------------------------------


@pytest.mark.parametrize("pred_value", [True, False])
def test_gradients_through_cond_match_numeric(pred_value):
    x = gf.placeholder(gf.float64, [2, 3], name="x")
    w = gf.placeholder(gf.float64, [3, 2], name="w")
    p = gf.placeholder(gf.bool, [], name="p")
    # w is used only by the true branch: on the false side its gradient is zeros.
    y = gf.cond(p, lambda: gf.tanh(gf.matmul(x, w)), lambda: gf.sin(x[:, :2]) * x[:, 1:])
    gx, gw = gf.gradients(gf.reduce_sum(y), [x, w])
    with gf.Session() as sess:
        err = compute_gradient_error([x, w], [[2, 3], [3, 2]], y, [2, 2],
                                     extra_feed_dict={p: pred_value})
        assert err < 1e-6
        xv, wv = RNG.standard_normal((2, 3)), RNG.standard_normal((3, 2))
        got_w = sess.run(gw, {x: xv, w: wv, p: pred_value})
    if not pred_value:
        np.testing.assert_array_equal(got_w, np.zeros((3, 2)))


@pytest.mark.parametrize("a,b", [(True, False), (False, True), (True, True)])
def test_gradients_through_nested_cond_match_numeric(a, b):
    x = gf.placeholder(gf.float64, [4], name="x")
    pa = gf.placeholder(gf.bool, [], name="pa")
    pb = gf.placeholder(gf.bool, [], name="pb")
    y = gf.cond(pa, lambda: gf.cond(pb, lambda: gf.exp(x) * x, lambda: x * 3.0),
                lambda: gf.square(x)) + x
    with gf.Session():
        assert compute_gradient_error(x, [4], y, [4], extra_feed_dict={pa: a, pb: b}) < 1e-6


def test_training_through_cond_updates_only_the_taken_branch():
    """SGD on a loss chosen by cond: the variables of the untaken branch get
    zero gradient and do not move; the taken branch's follow NumPy's update."""
    x = gf.placeholder(gf.float32, [5, 3], name="x")
    p = gf.placeholder(gf.bool, [], name="p")
    wa = gf.Variable(RNG.standard_normal((3, 1)).astype(np.float32), name="wa")
    wb = gf.Variable(RNG.standard_normal((3, 1)).astype(np.float32), name="wb")
    loss = gf.cond(p, lambda: gf.reduce_mean(gf.square(gf.matmul(x, wa) - 1.0)),
                   lambda: gf.reduce_mean(gf.square(gf.matmul(x, wb) + 1.0)))
    train = gf.train.GradientDescentOptimizer(0.1).minimize(loss)
    xv = RNG.standard_normal((5, 3)).astype(np.float32)
    with gf.Session() as sess:
        sess.run(gf.global_variables_initializer())
        a0, b0 = sess.run([wa, wb])
        sess.run(train, {x: xv, p: True})
        a1, b1 = sess.run([wa, wb])
        np.testing.assert_array_equal(b1, b0)
        want = a0 - 0.1 * (2.0 / 5) * xv.T @ (xv @ a0 - 1.0)
        np.testing.assert_allclose(a1, want, rtol=1e-5, atol=1e-6)
        losses = [sess.run([loss, train], {x: xv, p: False})[0] for _ in range(20)]
        assert losses[-1] < losses[0] * 0.5
        np.testing.assert_array_equal(sess.run(wa), a1)


def test_a_cond_graph_def_round_trips():
    x = gf.placeholder(gf.float32, [2], name="x")
    p = gf.placeholder(gf.bool, [], name="p")
    y = gf.cond(p, lambda: x * 2.0, lambda: x + gf.constant(5.0))
    gd = gf.get_default_graph().as_graph_def()
    xv = np.array([1.0, 2.0], np.float32)
    with gf.Graph().as_default():
        gf.import_graph_def(gd, name="")
        with gf.Session() as sess:
            for pv in (True, False):
                np.testing.assert_array_equal(sess.run(y.name, {"x:0": xv, "p:0": pv}),
                                              xv * 2 if pv else xv + 5)


# --- smart_cond and case --------------------------------------------------------------


def test_smart_cond_builds_one_branch_when_pred_is_known():
    x = gf.constant(3.0)
    assert control_flow_ops.smart_cond(True, lambda: x * 2, lambda: x).op.type == "Mul"
    assert control_flow_ops.smart_cond(gf.constant(False), lambda: x * 2, lambda: x) is x
    assert not _ops_of_type("Switch")
    p = gf.placeholder(gf.bool, [])
    y = control_flow_ops.smart_cond(p, lambda: x * 2, lambda: x)
    assert y.op.type == "Merge"
    assert control_flow_ops.smart_cond(0, lambda: x * 2, lambda: x) is x
    with pytest.raises(TypeError, match="a Python bool, or 1 or 0; got 2"):
        control_flow_ops.smart_cond(2, lambda: x, lambda: x)
    with pytest.raises(TypeError, match="must be a bool tensor, got float32"):
        control_flow_ops.smart_cond(gf.constant(0.5), lambda: x, lambda: x)


@pytest.mark.parametrize("v,want", [(0, 10.0), (1, 20.0), (2, 30.0), (7, -1.0)])
def test_case_picks_the_first_true_predicate(v, want):
    i = gf.placeholder(gf.int32, [], name="i")
    pairs = [(gf.equal(i, 0), lambda: gf.constant(10.0)),
             (gf.less(i, 2), lambda: gf.constant(20.0)),
             (gf.equal(i, 2), lambda: gf.constant(30.0)),
             (gf.equal(i, 1), lambda: gf.constant(99.0))]  # shadowed by the second pair
    y = gf.case(pairs, default=lambda: gf.constant(-1.0))
    with gf.Session() as sess:
        assert sess.run(y, {i: v}) == want


def test_case_without_default_runs_the_last_fn():
    i = gf.placeholder(gf.int32, [])
    y = gf.case([(gf.equal(i, 0), lambda: gf.constant(1)), (gf.equal(i, 1), lambda: gf.constant(2))])
    with gf.Session() as sess:
        assert [sess.run(y, {i: v}) for v in (0, 1, 5)] == [1, 2, 2]


def test_case_errors():
    with pytest.raises(TypeError, match=r"\(pred, callable\) pair"):
        gf.case([(gf.constant(True), 3)])
    with pytest.raises(ValueError, match="empty and there is no default"):
        gf.case([])


# --- errors ---------------------------------------------------------------------------


def test_cond_error_paths():
    x = gf.constant([1.0, 2.0])
    p = gf.placeholder(gf.bool, [], name="p")
    with pytest.raises(TypeError, match="must not be a Python bool"):
        gf.cond(True, lambda: x, lambda: x)
    with pytest.raises(TypeError, match="must be a bool tensor, got float32"):
        gf.cond(gf.constant(1.0), lambda: x, lambda: x)
    with pytest.raises(ValueError, match=r"pred must be a scalar, got shape \(2,\)"):
        gf.cond(gf.constant([True, False]), lambda: x, lambda: x)
    with pytest.raises(TypeError, match="true_fn and false_fn are both required"):
        gf.cond(p, lambda: x)
    with pytest.raises(TypeError, match="false_fn must be callable"):
        gf.cond(p, lambda: x, x)
    with pytest.raises(ValueError, match="true_fn returned None"):
        gf.cond(p, lambda: None, lambda: x)
    with pytest.raises(ValueError, match="must return the same structure"):
        gf.cond(p, lambda: (x, x), lambda: x)
    with pytest.raises(TypeError, match="output 0 of true_fn is float32 but of false_fn is int32"):
        gf.cond(p, lambda: x, lambda: gf.constant([1, 2]))
    with pytest.raises(TypeError, match="true_fn and fn1"):
        gf.cond(p, lambda: x, lambda: x, fn1=lambda: x)


def test_a_non_scalar_predicate_fed_at_run_time_names_the_switch():
    p = gf.placeholder(gf.bool, None, name="p")
    y = gf.cond(p, lambda: gf.constant(1.0), lambda: gf.constant(2.0))
    with gf.Session() as sess:
        with pytest.raises(gf.errors.InvalidArgumentError,
                           match=r"Switch op 'cond/Switch': pred must be a bool scalar, got "
                                 r"shape \[2\]"):
            sess.run(y, {p: [True, False]})


def test_exclusive_case_fails_when_two_predicates_hold():
    i = gf.placeholder(gf.int32, [], name="i")
    y = gf.case([(gf.less(i, 5), lambda: gf.constant(1)), (gf.less(i, 3), lambda: gf.constant(2))],
                default=lambda: gf.constant(3), exclusive=True)
    with gf.Session() as sess:
        assert [sess.run(y, {i: v}) for v in (4, 9)] == [1, 3]
        with pytest.raises(gf.errors.InvalidArgumentError,
                           match="more than one predicate is true"):
            sess.run(y, {i: 1})
