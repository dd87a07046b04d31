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


def _set_attr(av, kind, value):
    """An AttrValue from the executor's (kind, value) attr form."""
    if kind == "type":
        av.type = value
    elif kind == "int":
        av.i = value
    elif kind == "float":
        av.f = value
    elif kind == "bool":
        av.b = value
    elif kind == "str":
        av.s = value.encode()
    elif kind == "shape":
        _set_shape(av.shape, value)
    elif kind == "list_type":
        av.list.type.extend(value)
    elif kind == "list_int":
        av.list.i.extend(value)
    elif kind == "list_float":
        av.list.f.extend(value)
    elif kind == "list_str":
        av.list.s.extend(v.encode() for v in value)
    elif kind == "list_shape":
        for s in value:
            _set_shape(av.list.shape.add(), s)
    elif kind == "tensor":
        av.tensor.CopyFrom(graph_def_lib.make_tensor_proto(value))
    else:
        raise ValueError("attr kind %s" % kind)
    return av


def _set_shape(proto, dims):
    if dims is None:
        proto.unknown_rank = True
    else:
        for d in dims:
            proto.dim.add(size=-1 if d is None else d)

