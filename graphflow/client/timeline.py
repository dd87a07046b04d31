"""A traced run as a Chrome trace (chrome://tracing, Perfetto): one process
per device, one thread row per executor thread, a box per node from its
start to its end, and optionally arrows along the data edges.

    run_metadata = gf.RunMetadata()
    sess.run(train, feed, options=gf.RunOptions(trace_level=gf.RunOptions.FULL_TRACE),
             run_metadata=run_metadata)
    trace = timeline.Timeline(run_metadata.step_stats)
    with open("timeline.json", "w") as f:
        f.write(trace.generate_chrome_trace_format())
"""

import json
import re

from graphflow.protos import step_stats_pb2

# "name = Op(in0, in1:1)"
_LABEL = re.compile(r"^(?P<name>.*?) = (?P<op>[^(]*)\((?P<inputs>.*)\)$")


class Timeline:
    """Chrome trace of a StepStats (RunMetadata.step_stats of a traced run)."""

    def __init__(self, step_stats, graph=None):
        if not isinstance(step_stats, step_stats_pb2.StepStats):
            raise TypeError("Timeline takes a StepStats (run_metadata.step_stats), got %s"
                            % type(step_stats).__name__)
        self._step_stats = step_stats
        self._graph = graph

    def generate_chrome_trace_format(self, show_dataflow=True, show_memory=False):
        """The trace as a JSON string. show_memory adds, per allocator, a
        counter of the bytes of the outputs produced so far in the step."""
        events = []
        ends = {}    # node name -> (pid, tid, end time) for dataflow arrows
        nodes = []
        for pid, ds in enumerate(self._step_stats.dev_stats):
            events.append({"ph": "M", "name": "process_name", "pid": pid,
                           "args": {"name": "%s Compute" % ds.device}})
            for tid, name in sorted(ds.thread_names.items()):
                events.append({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid,
                               "args": {"name": name}})
            for ns in ds.node_stats:
                name, op, inputs = _parse_label(ns)
                start, dur = ns.all_start_micros, ns.all_end_rel_micros
                args = {"name": name, "op": op}
                for i, inp in enumerate(inputs):
                    args["input%d" % i] = inp
                events.append({"ph": "X", "cat": "Op", "name": op, "pid": pid,
                               "tid": ns.thread_id, "ts": start, "dur": dur, "args": args})
                ends[name] = (pid, ns.thread_id, start + dur)
                nodes.append((pid, ns, name, inputs))
        if show_dataflow:
            flow = 0
            for pid, ns, name, inputs in nodes:
                for inp in inputs:
                    src = ends.get(inp.lstrip("^").rsplit(":", 1)[0]) or ends.get(inp)
                    if src is None:
                        continue
                    events.append({"ph": "s", "cat": "DataFlow", "name": "dataflow",
                                   "id": flow, "pid": src[0], "tid": src[1], "ts": src[2]})
                    events.append({"ph": "t", "cat": "DataFlow", "name": "dataflow",
                                   "id": flow, "pid": pid, "tid": ns.thread_id,
                                   "ts": ns.all_start_micros})
                    flow += 1
        if show_memory:
            events.extend(_memory_counters(self._step_stats, len(self._step_stats.dev_stats)))
        return json.dumps({"traceEvents": events, "displayTimeUnit": "ns"}, indent=None)


def _parse_label(ns):
    m = _LABEL.match(ns.timeline_label)
    if m is None:
        return ns.node_name, "unknown", []
    inputs = [s.strip() for s in m.group("inputs").split(",") if s.strip()]
    return m.group("name"), m.group("op"), inputs


def _memory_counters(step_stats, pid):
    """Counter events ("C"), one per allocator: the running total of output
    bytes in the step, at each node's end."""
    points = []
    for ds in step_stats.dev_stats:
        for ns in ds.node_stats:
            for mem in ns.memory:
                points.append((ns.all_start_micros + ns.all_end_rel_micros,
                               mem.allocator_name, mem.total_bytes))
    events, totals = [], {}
    for ts, allocator, nbytes in sorted(points):
        totals[allocator] = totals.get(allocator, 0) + nbytes
        events.append({"ph": "C", "name": "Memory %s" % allocator, "pid": pid, "ts": ts,
                       "args": {"output bytes": totals[allocator]}})
    if events:
        events.insert(0, {"ph": "M", "name": "process_name", "pid": pid,
                          "args": {"name": "Allocators"}})
    return events
