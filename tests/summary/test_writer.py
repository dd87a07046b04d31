"""TensorBoard event files: framing and CRCs, read back by our reader and by
TensorFlow's own (tf.compat.v1.train.summary_iterator) when it is installed."""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import graphflow as gf
from graphflow.protos import event_pb2


def _write(logdir):
    x = gf.placeholder(gf.float32, [None, 3], name="x")
    gf.nn.relu(x, name="act")
    with gf.summary.FileWriter(logdir, gf.get_default_graph()) as w:
        for step in range(3):
            w.add_summary(gf.Summary(value=[gf.Summary.Value(tag="loss",
                                                             simple_value=1.0 / (step + 1))]),
                          step)
        serialized = gf.Summary(value=[gf.Summary.Value(tag="acc", simple_value=0.5)])
        w.add_summary(serialized.SerializeToString(), 7)
    return w.path


def test_crc32c_check_value():
    assert gf.summary.crc32c(b"123456789") == 0xE3069283


def _bitwise_crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def test_crc32c_matches_the_bitwise_definition_and_continues():
    data = bytes(np.random.RandomState(0).randint(0, 256, 300).astype(np.uint8))
    for n in (0, 1, 7, 8, 9, 63, 64, 65, 300):
        assert gf.summary.crc32c(data[:n]) == _bitwise_crc32c(data[:n]), n
    assert gf.summary.crc32c(data[100:], gf.summary.crc32c(data[:100])) == \
        gf.summary.crc32c(data)
    assert gf.summary.crc32c(bytearray(data)) == gf.summary.crc32c(memoryview(data))


def test_events_round_trip(tmp_path):
    path = _write(tmp_path)
    assert os.path.basename(path).startswith("events.out.tfevents.")
    events = []
    for data in gf.summary.read_records(path):
        e = event_pb2.Event()
        e.ParseFromString(data)
        events.append(e)
    assert events[0].file_version == "brain.Event:2"
    g = gf.GraphDef()
    g.ParseFromString(events[1].graph_def)
    assert [n.name for n in g.node] == ["x", "act"]
    scalars = [(e.step, v.tag, v.simple_value) for e in events[2:] for v in e.summary.value]
    assert scalars == [(0, "loss", 1.0), (1, "loss", 0.5), (2, "loss", pytest.approx(1 / 3)),
                       (7, "acc", 0.5)]


def test_corruption_and_truncation_are_detected(tmp_path):
    path = _write(tmp_path)
    blob = open(path, "rb").read()
    bad = tmp_path / "bad"
    bad.write_bytes(blob[:40] + bytes([blob[40] ^ 1]) + blob[41:])
    with pytest.raises(ValueError, match="corrupted"):
        gf.summary.read_records(str(bad))
    bad.write_bytes(blob[:-3])
    with pytest.raises(ValueError, match="truncated"):
        gf.summary.read_records(str(bad))


def test_writer_errors(tmp_path):
    w = gf.summary.FileWriter(tmp_path)
    with pytest.raises(TypeError, match="Summary proto"):
        w.add_summary(3.0)
    w.close()
    with pytest.raises(RuntimeError, match="closed"):
        w.add_summary(gf.Summary())


@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None,
                    reason="TensorFlow is not installed")
def test_tensorflow_reads_our_event_files(tmp_path):
    path = _write(tmp_path)
    code = """
import json, sys
import tensorflow.compat.v1 as tf
out = []
for e in tf.train.summary_iterator(sys.argv[1]):
    if e.HasField("graph_def"):
        g = tf.GraphDef(); g.ParseFromString(e.graph_def)
        out.append(["graph", [n.name for n in g.node]])
    for v in e.summary.value:
        out.append(["scalar", int(e.step), v.tag, v.simple_value])
print(json.dumps(out))
"""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    p = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True,
                       env=env, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    got = json.loads(p.stdout.strip().splitlines()[-1])
    assert got[0] == ["graph", ["x", "act"]]
    assert [g[1:3] for g in got[1:]] == [[0, "loss"], [1, "loss"], [2, "loss"], [7, "acc"]]
