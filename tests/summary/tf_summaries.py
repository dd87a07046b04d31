"""Runs in a subprocess of test_summary_ops.py: builds the summary cases it is
given with TensorFlow (tf.compat.v1 graph mode) and writes back what
TensorFlow produces.

    python tf_summaries.py cases.pkl out.pkl

cases.pkl holds {"ops": [(key, kind, args)], "naming": True}; out.pkl gets
{key: serialized Summary} and, for "naming", the (op name, tag) pairs and
the merge_all result of the graph that _naming_graph builds.
"""

import os
import pickle
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1
tf1.disable_eager_execution()


def _op(kind, args):
    if kind == "scalar":
        return tf.raw_ops.ScalarSummary(tags=args["tags"], values=args["values"])
    if kind == "histogram":
        return tf.raw_ops.HistogramSummary(tag=args["tag"], values=args["values"])
    if kind == "image":
        extra = {}
        if args.get("bad_color") is not None:
            extra["bad_color"] = tf1.make_tensor_proto(args["bad_color"])
        return tf.raw_ops.ImageSummary(tag=args["tag"], tensor=args["tensor"],
                                       max_images=args["max_images"], **extra)
    if kind == "tensor":
        return tf.raw_ops.TensorSummaryV2(tag=args["tag"], tensor=args["tensor"],
                                          serialized_summary_metadata=args["metadata"])
    raise ValueError(kind)


def _naming_graph(x):
    """The same graph as test_summary_ops._naming_graph, in TF."""
    s = [tf1.summary.scalar("loss", tf.reduce_mean(x)),
         tf1.summary.scalar("loss", tf.reduce_mean(x))]
    with tf1.name_scope("train"):
        s.append(tf1.summary.scalar("acc", tf.reduce_mean(x), family="fam"))
        s.append(tf1.summary.histogram("w eights", x, family="fam"))
    s.append(tf1.summary.histogram("/w:0", x))
    s.append(tf1.summary.image("img", tf.reshape(x, [1, 2, 2, 1]), max_outputs=1))
    s.append(tf1.summary.text("notes", tf.constant([["a", "b"]])))
    s.append(tf1.summary.merge([s[0], s[2]], name="some merge"))
    return s


def main():
    with open(sys.argv[1], "rb") as f:
        cases = pickle.load(f)
    g = tf.Graph()
    out = {}
    with g.as_default():
        keys, ops = [], []
        for key, kind, args in cases["ops"]:
            keys.append(key)
            ops.append(_op(kind, args))
        x = tf1.placeholder(tf.float32, [4], name="x")
        named = _naming_graph(x)
        merged = tf1.summary.merge_all()
        with tf1.Session() as sess:
            values = sess.run(ops + [merged], {x: cases["x"]})
    out.update(zip(keys, values[:-1]))
    out["naming"] = [(t.op.name, t.op.inputs[0].op.get_attr("value").string_val[0].decode()
                      if t.op.type != "MergeSummary" else None) for t in named]
    out["merge_all"] = values[-1]
    with open(sys.argv[2], "wb") as f:
        pickle.dump(out, f)


if __name__ == "__main__":
    main()
