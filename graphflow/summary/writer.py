"""Event files in TensorBoard's format: a sequence of records, each

    uint64 length | uint32 masked_crc32c(length) | data | uint32 masked_crc32c(data)

(little-endian), where data is a serialized Event proto. The first event
carries file_version "brain.Event:2". Files are named
events.out.tfevents.<seconds>.<host><suffix>, as TensorBoard expects.
"""

import os
import socket
import struct
import time

from graphflow import _C
from graphflow.framework import graph as graph_lib
from graphflow.protos import config_pb2, event_pb2, summary_pb2


def crc32c(data, crc=0):
    """CRC-32C (Castagnoli) of `data` (C++: SSE4.2 where available)."""
    return _C.crc32c(bytes(data) if not isinstance(data, (bytes, bytearray)) else data, crc)


def masked_crc32c(data):
    """The CRC as TFRecord files store it: rotated right by 15 bits plus a constant."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _record(data):
    header = struct.pack("<Q", len(data))
    return (header + struct.pack("<I", masked_crc32c(header)) + data +
            struct.pack("<I", masked_crc32c(data)))


def read_records(path):
    """The records of an event file, checking both CRCs of each; ValueError
    naming the file and offset on a truncated or corrupted record."""
    with open(path, "rb") as f:
        blob = f.read()
    out, pos = [], 0
    while pos < len(blob):
        if pos + 12 > len(blob):
            raise ValueError("%s: truncated record header at byte %d" % (path, pos))
        header = blob[pos:pos + 8]
        (n,) = struct.unpack("<Q", header)
        (hcrc,) = struct.unpack("<I", blob[pos + 8:pos + 12])
        if hcrc != masked_crc32c(header):
            raise ValueError("%s: corrupted record length at byte %d" % (path, pos))
        data = blob[pos + 12:pos + 12 + n]
        if len(data) != n or pos + 16 + n > len(blob):
            raise ValueError("%s: truncated record at byte %d" % (path, pos))
        (dcrc,) = struct.unpack("<I", blob[pos + 12 + n:pos + 16 + n])
        if dcrc != masked_crc32c(data):
            raise ValueError("%s: corrupted record data at byte %d" % (path, pos))
        out.append(data)
        pos += 16 + n
    return out


class FileWriter:
    """Writes TensorBoard events (summaries, the graph, session logs) to a new
    event file in `logdir`. Events are written in order as they are added;
    flush() forces them to disk, close() flushes and closes the file."""

    def __init__(self, logdir, graph=None, max_queue=10, flush_secs=120, graph_def=None,
                 filename_suffix=None, session=None):
        self._logdir = os.fspath(logdir)
        os.makedirs(self._logdir, exist_ok=True)
        name = "events.out.tfevents.%010d.%s%s" % (int(time.time()), socket.gethostname(),
                                                   filename_suffix or "")
        self._path = os.path.join(self._logdir, name)
        self._file = open(self._path, "wb")
        self._closed = False
        self._run_tags = set()
        self.add_event(event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2"))
        if graph is not None or graph_def is not None:
            self.add_graph(graph, graph_def=graph_def)

    def get_logdir(self):
        return self._logdir

    @property
    def path(self):
        """The event file being written."""
        return self._path

    def add_event(self, event):
        if self._closed:
            raise RuntimeError("FileWriter for %s is closed" % self._logdir)
        self._file.write(_record(event.SerializeToString()))

    def add_summary(self, summary, global_step=None):
        """A Summary proto, or its serialized bytes (what summary ops return)."""
        if isinstance(summary, (bytes, bytearray)):
            parsed = summary_pb2.Summary()
            parsed.ParseFromString(bytes(summary))
            summary = parsed
        if not isinstance(summary, summary_pb2.Summary):
            raise TypeError("add_summary takes a Summary proto or its serialized bytes, got %s"
                            % type(summary).__name__)
        self._add(event_pb2.Event(summary=summary), global_step)

    def add_graph(self, graph, global_step=None, graph_def=None):
        """The graph (a gf.Graph or a GraphDef) for TensorBoard's graph view."""
        if graph_def is None:
            if not isinstance(graph, graph_lib.Graph):
                raise TypeError("add_graph takes a gf.Graph (or graph_def=), got %s"
                                % type(graph).__name__)
            graph_def = graph.as_graph_def(add_shapes=True)
        self._add(event_pb2.Event(graph_def=graph_def.SerializeToString()), global_step)

    def add_session_log(self, session_log, global_step=None):
        self._add(event_pb2.Event(session_log=session_log), global_step)

    def add_run_metadata(self, run_metadata, tag, global_step=None):
        """A RunMetadata (from a traced Session.run) under `tag`, for
        TensorBoard's per-step compute time and memory. Each tag once per
        writer, as in TF."""
        if not isinstance(run_metadata, config_pb2.RunMetadata):
            raise TypeError("add_run_metadata takes a RunMetadata, got %s"
                            % type(run_metadata).__name__)
        if tag in self._run_tags:
            raise ValueError("The provided tag %r was already used for this event type" % tag)
        self._run_tags.add(tag)
        tagged = event_pb2.TaggedRunMetadata(tag=tag,
                                             run_metadata=run_metadata.SerializeToString())
        self._add(event_pb2.Event(tagged_run_metadata=tagged), global_step)

    def _add(self, event, global_step):
        event.wall_time = time.time()
        if global_step is not None:
            event.step = int(global_step)
        self.add_event(event)

    def flush(self):
        if not self._closed:
            self._file.flush()
            os.fsync(self._file.fileno())

    def close(self):
        if not self._closed:
            self.flush()
            self._file.close()
            self._closed = True

    def reopen(self):
        if self._closed:
            self._file = open(self._path, "ab")
            self._closed = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
