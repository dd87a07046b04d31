"""TF1's tf.summary ops: scalar, histogram, image, text, tensor_summary, merge
and merge_all.

    loss_summary = gf.summary.scalar("loss", loss)          # tag "loss"
    gf.summary.histogram("weights", w, family="layer1")     # tag "layer1/layer1/weights"
    merged = gf.summary.merge_all()
    writer.add_summary(sess.run(merged), step)

Each builder opens the name scope of its op, and the tag is that scope, as
TF's summary_scope makes it: "loss", then "loss_1" for a second summary of
that name; under name scope "train", "train/loss"; with a family, the
family is prefixed again ("family/train/family/loss") so TensorBoard groups
it. Characters other than letters, digits, "-", "_", "." and "/" become "_".
Summaries go to the graph collections `collections` (default
GraphKeys.SUMMARIES), where merge_all finds them.
"""

import contextlib
import re

import numpy as np

from graphflow.framework import dtypes
from graphflow.framework import graph as graph_lib
from graphflow.framework import ops as ops_lib
from graphflow.framework.graph import GraphKeys
from graphflow.ops import summary_ops
from graphflow.protos import summary_pb2

__all__ = ["scalar", "histogram", "image", "text", "tensor_summary", "merge", "merge_all"]

_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w.]")


def _clean_tag(name):
    """`name` with the characters TF does not allow in tags replaced by "_" and
    leading slashes removed (TF's clean_tag)."""
    if name is None:
        return None
    return _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")


@contextlib.contextmanager
def _summary_scope(name, family=None, default_name=None, values=None):
    """(tag, scope) for a summary op named `name` (TF's summary_scope)."""
    name, family = _clean_tag(name), _clean_tag(family)
    base = name if family is None else "%s/%s" % (family, name)
    with graph_lib.name_scope(base, default_name, values) as scope:
        tag = scope.rstrip("/")
        yield (tag if family is None else "%s/%s" % (family, tag)), scope


def _collect(value, collections, default):
    for key in default if collections is None else collections:
        graph_lib.add_to_collection(key, value)


def scalar(name, tensor, collections=None, family=None):
    """A Summary with one simple_value: the scalar `tensor` (any real dtype,
    converted to float32), tagged with the op's scope name."""
    with _summary_scope(name, family, values=[tensor]) as (tag, scope):
        val = summary_ops.scalar_summary(tags=tag, values=tensor, name=scope)
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def histogram(name, values, collections=None, family=None):
    """A Summary with a histogram of `values` over TF's default buckets
    (TensorBoard's histogram and distribution views). Non-finite values are
    an InvalidArgumentError when the op runs."""
    with _summary_scope(name, family, default_name="HistogramSummary",
                        values=[values]) as (tag, scope):
        val = summary_ops.histogram_summary(tag=tag, values=values, name=scope)
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def image(name, tensor, max_outputs=3, collections=None, family=None):
    """A Summary with up to `max_outputs` PNG images of `tensor` [batch, height,
    width, channels] (1 grey, 3 RGB, 4 RGBA; uint8, half, float or double).
    uint8 pixels are kept; each float image is scaled to [0, 255]: by
    255 / max when no value is negative, else by 127 / max|v| around 128;
    non-finite pixels become red. Tags are "<tag>/image" when max_outputs
    is 1, else "<tag>/image/0", "<tag>/image/1", ..."""
    with _summary_scope(name, family, values=[tensor]) as (tag, scope):
        val = summary_ops.image_summary(tag=tag, tensor=tensor, max_images=max_outputs,
                                        name=scope)
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def tensor_summary(name, tensor, summary_description=None, collections=None,
                   summary_metadata=None, family=None, display_name=None):
    """A Summary holding `tensor` (any dtype, strings included) as a
    TensorProto, with `summary_metadata` (a SummaryMetadata; its plugin_data
    names the TensorBoard plugin that shows it)."""
    if summary_metadata is None:
        summary_metadata = summary_pb2.SummaryMetadata()
    if summary_description is not None:
        summary_metadata.summary_description = summary_description
    if display_name is not None:
        summary_metadata.display_name = display_name
    # An object array keeps trailing NUL bytes that a bytes -> numpy conversion drops.
    serialized = np.array(summary_metadata.SerializeToString(), dtype=object)
    with _summary_scope(name, family, values=[tensor]) as (tag, scope):
        val = summary_ops.tensor_summary_v2(tag=tag, tensor=tensor,
                                            serialized_summary_metadata=serialized, name=scope)
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def text(name, tensor, collections=None):
    """A Summary with a string tensor for TensorBoard's text plugin (which
    renders each string as Markdown)."""
    tensor = ops_lib.convert_to_tensor(tensor)
    if tensor.dtype != dtypes.string:
        raise ValueError("Expected tensor %s to have dtype string, got %s"
                         % (tensor.name, tensor.dtype.name))
    metadata = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="text"))
    return tensor_summary(name, tensor, summary_metadata=metadata, collections=collections)


def merge(inputs, collections=None, name=None):
    """One Summary with the values of all `inputs` (serialized Summaries, such
    as the results of the builders above). Two values with the same tag are
    an InvalidArgumentError when the op runs."""
    name = _clean_tag(name)
    with graph_lib.name_scope(name, "Merge", inputs):
        val = summary_ops.merge_summary(inputs=inputs, name=name)
        _collect(val, collections, [])
    return val


def merge_all(key=GraphKeys.SUMMARIES, scope=None, name=None):
    """merge() of the summaries in collection `key` (those whose names match
    `scope`, if given); None when there are none."""
    summaries = graph_lib.get_collection(key, scope=scope)
    if not summaries:
        return None
    return merge(summaries, name=name)
