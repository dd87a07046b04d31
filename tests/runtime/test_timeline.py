"""graphflow.client.timeline: a traced run as a Chrome trace."""

import json

import numpy as np
import pytest

import graphflow as gf
from graphflow.client import timeline


def _traced():
    x = gf.placeholder(gf.float32, [None, 4], name="x")
    w = gf.Variable(np.ones((4, 3), np.float32), name="w")
    y = gf.nn.relu(gf.matmul(x, w), name="y")
    s = gf.reduce_sum(y, name="s")
    with gf.Session() as sess:
        sess.run(w.initializer)
        md = gf.RunMetadata()
        sess.run(s, {x: np.ones((2, 4))},
                 options=gf.RunOptions(trace_level=gf.RunOptions.FULL_TRACE), run_metadata=md)
    return md


def test_chrome_trace_has_a_box_per_node_and_dataflow_arrows():
    md = _traced()
    trace = json.loads(timeline.Timeline(md.step_stats).generate_chrome_trace_format())
    events = trace["traceEvents"]
    boxes = {e["args"]["name"]: e for e in events if e["ph"] == "X"}
    stats = {ns.node_name: ns for ds in md.step_stats.dev_stats for ns in ds.node_stats}
    assert set(boxes) == set(stats)
    for name, e in boxes.items():
        assert e["ts"] == stats[name].all_start_micros
        assert e["dur"] == stats[name].all_end_rel_micros
    assert boxes["MatMul"]["name"] == "MatMul" and boxes["y"]["name"] == "Relu"
    assert boxes["MatMul"]["args"]["input0"] == "_Feed/x:0"
    assert boxes["MatMul"]["args"]["input1"] == "w/read"
    # One arrow per data edge between traced nodes: x->MatMul, w->w/read,
    # w/read->MatMul, MatMul->y, y->s (s's axis is a constant bound into it).
    starts = [e for e in events if e["ph"] == "s"]
    ends = [e for e in events if e["ph"] == "t"]
    assert len(starts) == len(ends) == 5
    for a, b in zip(starts, ends):
        assert a["id"] == b["id"] and a["ts"] <= b["ts"]
    names = [e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "process_name"]
    assert names == ["/job:localhost/replica:0/task:0/device:CPU:0 Compute"]


def test_memory_counters_and_no_dataflow():
    md = _traced()
    events = json.loads(timeline.Timeline(md.step_stats).generate_chrome_trace_format(
        show_dataflow=False, show_memory=True))["traceEvents"]
    assert not [e for e in events if e["ph"] in "st"]
    counters = [e["args"]["output bytes"] for e in events if e["ph"] == "C"]
    total = sum(m.total_bytes for ds in md.step_stats.dev_stats for ns in ds.node_stats
                for m in ns.memory)
    assert counters == sorted(counters) and counters[-1] == total > 0


def test_timeline_takes_step_stats():
    with pytest.raises(TypeError, match="StepStats"):
        timeline.Timeline(gf.RunMetadata())
