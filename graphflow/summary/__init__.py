"""`gf.summary`: TF1's tf.summary — summary ops and TensorBoard event files.

    loss_summary = gf.summary.scalar("loss", loss)
    gf.summary.histogram("weights", w)
    merged = gf.summary.merge_all()
    writer = gf.summary.FileWriter("logs", sess.graph)
    writer.add_summary(sess.run(merged), step)
    writer.close()
"""

from graphflow.protos.event_pb2 import Event, SessionLog  # noqa: F401
from graphflow.protos.summary_pb2 import Summary, SummaryDescription  # noqa: F401
from graphflow.summary.summary import (  # noqa: F401
    histogram, image, merge, merge_all, scalar, tensor_summary, text)
from graphflow.summary.writer import FileWriter, crc32c, masked_crc32c, read_records  # noqa: F401
