"""Traced runs: RunOptions(trace_level=FULL_TRACE) fills RunMetadata.step_stats
with one NodeExecStats per executed node, and output_partition_graphs the
GraphDef each device ran; FileWriter.add_run_metadata records them where
TensorBoard reads them."""

import time

import numpy as np
import pytest

import graphflow as gf

FULL = gf.RunOptions(trace_level=gf.RunOptions.FULL_TRACE)


def _net():
    x = gf.placeholder(gf.float32, [None, 3], name="x")
    w = gf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2), name="w")
    y = gf.nn.relu(gf.matmul(x, w), name="y")
    s = gf.reduce_sum(y, name="s")
    return x, w, y, s


def _traced_run():
    """(graph, RunMetadata) of one traced run of _net."""
    x, w, y, s = _net()
    with gf.Session() as sess:
        sess.run(w.initializer)
        md = gf.RunMetadata()
        sess.run(s, {x: np.ones((1, 3))}, options=FULL, run_metadata=md)
    return sess.graph, md


def _stats_by_name(md):
    return {ns.node_name: (ds.device, ns) for ds in md.step_stats.dev_stats
            for ns in ds.node_stats}


def test_full_trace_records_every_node_with_outputs():
    x, w, y, s = _net()
    feed = np.ones((4, 3), np.float32)
    with gf.Session() as sess:
        sess.run(w.initializer)
        md = gf.RunMetadata()
        before = int(time.time() * 1e6)
        out = sess.run([y, s], {x: feed}, options=FULL, run_metadata=md)
        after = int(time.time() * 1e6)
    np.testing.assert_allclose(out[0], np.maximum(feed @ np.arange(6).reshape(3, 2), 0))
    stats = _stats_by_name(md)
    # The reduction's axis is a constant bound into its consumer: it does not run.
    assert set(stats) == {"_Feed/x:0", "w", "w/read", "MatMul", "y", "s"}
    for name, (device, ns) in stats.items():
        assert device == "/job:localhost/replica:0/task:0/device:CPU:0"
        assert before <= ns.all_start_micros <= after
        assert 0 <= ns.op_end_rel_micros == ns.all_end_rel_micros
        assert ns.all_start_micros + ns.all_end_rel_micros <= after
    # Outputs: real dtypes, shapes and sizes.
    mm = stats["MatMul"][1]
    assert mm.timeline_label == "MatMul = MatMul(_Feed/x:0, w/read)"
    (o,) = mm.output
    assert o.tensor_description.dtype == gf.float32.as_datatype_enum
    assert [d.size for d in o.tensor_description.shape.dim] == [4, 2]
    assert o.tensor_description.allocation_description.requested_bytes == 4 * 2 * 4
    assert stats["s"][1].output[0].tensor_description.shape.dim == []
    # Dependencies finish before their consumers start.
    assert (stats["MatMul"][1].all_start_micros + stats["MatMul"][1].all_end_rel_micros
            <= stats["y"][1].all_start_micros)


def test_trace_follows_nodes_across_devices_and_partition_graphs():
    with gf.device("/cpu:0"):
        a = gf.placeholder(gf.float32, [2], name="a")
        b = gf.square(a, name="b")
    with gf.device("/cpu:1"):
        c = gf.add(b, 1.0, name="c")
    opts = gf.RunOptions(trace_level=gf.RunOptions.FULL_TRACE, output_partition_graphs=True)
    with gf.Session(config=gf.ConfigProto(device_count={"CPU": 2})) as sess:
        md = gf.RunMetadata()
        np.testing.assert_allclose(sess.run(c, {a: [1.0, 2.0]}, options=opts, run_metadata=md),
                                   [2.0, 5.0])
    stats = _stats_by_name(md)
    assert stats["b"][0].endswith("CPU:0") and stats["c"][0].endswith("CPU:1")
    assert any(n.startswith("_Send/") for n in stats) and any(n.startswith("_Recv/")
                                                             for n in stats)
    assert len(md.partition_graphs) == 2
    by_device = {gd.node[0].device: {n.name: n for n in gd.node} for gd in md.partition_graphs}
    dev1 = by_device["/job:localhost/replica:0/task:0/device:CPU:1"]
    (recv,) = [n for n in dev1.values() if n.op == "_Recv"]
    assert dev1["c"].input[0] == recv.name
    assert dev1["c"].attr["T"].type == gf.float32.as_datatype_enum
    assert recv.attr["tensor_name"].s.decode().startswith("b")


def test_no_trace_and_plain_runs_leave_metadata_empty():
    x, w, y, s = _net()
    with gf.Session() as sess:
        sess.run(w.initializer)
        md = gf.RunMetadata()
        sess.run(s, {x: np.ones((1, 3))}, options=gf.RunOptions(), run_metadata=md)
        assert not md.HasField("step_stats") and not md.partition_graphs
        sess.run(s, {x: np.ones((1, 3))}, options=FULL)  # nothing to fill: runs untraced
        sess.run(s, {x: np.ones((1, 3))}, run_metadata=md)
        assert not md.HasField("step_stats")


def test_make_callable_accepts_options():
    x, w, y, s = _net()
    with gf.Session() as sess:
        sess.run(w.initializer)
        f = sess.make_callable(s, [x], accept_options=True)
        md = gf.RunMetadata()
        assert f(np.ones((2, 3), np.float32), options=FULL, run_metadata=md) == 30.0
        assert "s" in _stats_by_name(md)
        g = sess.make_callable(s, [x])
        with pytest.raises(TypeError, match="accept_options=True"):
            g(np.ones((2, 3), np.float32), options=FULL)


def test_bad_options_types():
    x, w, y, s = _net()
    with gf.Session() as sess:
        sess.run(w.initializer)
        with pytest.raises(TypeError, match="options must be a RunOptions"):
            sess.run(s, {x: np.ones((1, 3))}, options={"trace_level": 3})
        with pytest.raises(TypeError, match="run_metadata must be a RunMetadata"):
            sess.run(s, {x: np.ones((1, 3))}, options=FULL, run_metadata=[])


def test_failed_traced_run_names_the_op():
    a = gf.placeholder(gf.int32, [None], name="a")
    g = gf.gather(gf.constant([1, 2, 3]), a, name="g")
    with gf.Session() as sess:
        with pytest.raises(gf.errors.InvalidArgumentError, match="g"):
            sess.run(g, {a: [7]}, options=FULL, run_metadata=gf.RunMetadata())


def test_run_metadata_is_tensorflows_message():
    """The bytes parse as TensorFlow's RunMetadata (what TensorBoard reads)."""
    pytest.importorskip("tensorboard")
    from tensorboard.compat.proto import config_pb2 as tb_config

    _, md = _traced_run()
    theirs = tb_config.RunMetadata.FromString(md.SerializeToString())
    names = [ns.node_name for ds in theirs.step_stats.dev_stats for ns in ds.node_stats]
    assert names == [ns.node_name for ds in md.step_stats.dev_stats for ns in ds.node_stats]
    assert "MatMul" in names


def test_add_run_metadata_read_back_by_tensorboard(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing import event_accumulator

    graph, md = _traced_run()
    with gf.summary.FileWriter(str(tmp_path), graph) as writer:
        writer.add_run_metadata(md, "step1", global_step=1)
        with pytest.raises(ValueError, match="already used"):
            writer.add_run_metadata(md, "step1")
        with pytest.raises(TypeError, match="RunMetadata"):
            writer.add_run_metadata(md.step_stats, "step2")
    acc = event_accumulator.EventAccumulator(str(tmp_path))
    acc.Reload()
    assert acc.Tags()["run_metadata"] == ["step1"]
    back = acc.RunMetadata("step1")
    assert back.SerializeToString() == md.SerializeToString()
