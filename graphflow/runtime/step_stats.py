"""What a run reports in RunMetadata: StepStats built from the executor's
per-node trace (RunOptions.trace_level), and the partition graphs the step
ran, one GraphDef per device (RunOptions.output_partition_graphs).

Node names are those of the executed plan: ops keep their names, and the
nodes the compiler adds are named for what they are (`_Feed/x:0`,
`_Send/...`, `conv/_fused`).
"""

from graphflow.io import graph_def as graph_def_lib
from graphflow.protos import graph_pb2, step_stats_pb2

ALLOCATOR = "cpu"


def step_stats(plan, devices, traces):
    """StepStats with one DeviceStepStats per device that ran a node.

    `traces` are the executor's (node, start_us, end_us, thread, outputs)
    tuples, outputs being (dtype_enum, dims, bytes). Threads are numbered in
    order of first appearance, with their names in thread_names.
    """
    stats = step_stats_pb2.StepStats()
    per_device = {}
    threads = {}
    for node, start, end, thread, outputs in traces:
        spec = plan.nodes[node]
        dev = spec[2]
        ds = per_device.get(dev)
        if ds is None:
            ds = per_device[dev] = stats.dev_stats.add(device=devices[dev])
        tid = threads.setdefault(thread, len(threads))
        ds.thread_names[tid] = "graphflow-worker-%d" % tid
        ns = ds.node_stats.add(
            node_name=spec[0], all_start_micros=start, op_start_rel_micros=0,
            op_end_rel_micros=end - start, all_end_rel_micros=end - start,
            all_start_nanos=start * 1000, op_end_rel_nanos=(end - start) * 1000,
            all_end_rel_nanos=(end - start) * 1000, thread_id=tid,
            timeline_label=_timeline_label(plan, node))
        total = 0
        for slot, (dtype, dims, nbytes) in enumerate(outputs):
            out = ns.output.add(slot=slot)
            desc = out.tensor_description
            desc.dtype = dtype
            for d in dims:
                desc.shape.dim.add(size=d)
            desc.allocation_description.requested_bytes = nbytes
            desc.allocation_description.allocated_bytes = nbytes
            desc.allocation_description.allocator_name = ALLOCATOR
            total += nbytes
        if outputs:
            ns.memory.add(allocator_name=ALLOCATOR, total_bytes=total, peak_bytes=total)
    return stats


def _timeline_label(plan, node):
    """TF's label: `name = Op(input, ...)`."""
    spec = plan.nodes[node]
    return "%s = %s(%s)" % (spec[0], spec[1], ", ".join(
        _input_name(plan, src, out) for src, out in spec[7]))


def _input_name(plan, src, out):
    name = plan.nodes[src][0]
    return name if out == 0 else "%s:%d" % (name, out)


def partition_graphs(plan, devices):
    """One GraphDef per device: the nodes the executor ran there, with
    their inputs (control inputs as `^name`) and attrs."""
    graphs = {}
    for i, spec in enumerate(plan.nodes):
        name, op_type, dev = spec[0], spec[1], spec[2]
        gd = graphs.get(dev)
        if gd is None:
            gd = graphs[dev] = graph_pb2.GraphDef()
            gd.versions.producer = graph_def_lib.GRAPH_DEF_VERSION
        nd = gd.node.add(name=name, op=op_type, device=devices[dev])
        nd.input.extend(_input_name(plan, src, out) for src, out in spec[7])
        nd.input.extend("^" + plan.nodes[c][0] for c in spec[9])
        op = plan.node_ops[i]
        if op is not None and op.name == name:
            nd.attr.MergeFrom(op.node_def.attr)
        else:
            for attr_name, kind, value in spec[4]:
                _set_attr(nd.attr[attr_name], kind, value)
    return [graphs[d] for d in sorted(graphs)]


# The executor's attr kinds (op_def.attr_to_c) as op-def attr kinds.
_KINDS = {"str": "string", "list_type": "list(type)", "list_int": "list(int)",
          "list_float": "list(float)", "list_str": "list(string)", "list_shape": "list(shape)"}


def _set_attr(av, kind, value):
    """An AttrValue from the executor's (kind, value) attr form."""
    return graph_def_lib._attr_to_proto(av, value, _KINDS.get(kind, kind))
