"""`gf.math`: TF's tf.math names for the elementwise and reduction ops."""

from graphflow.ops.math_ops import *  # noqa: F401,F403
from graphflow.ops.math_ops import __all__ as _math_all
from graphflow.ops.reduction_ops import *  # noqa: F401,F403
from graphflow.ops.reduction_ops import __all__ as _reduction_all

__all__ = list(_math_all) + list(_reduction_all)

from graphflow.metrics import confusion_matrix  # noqa: E402
from graphflow.ops.indexing_ops import unsorted_segment_sum  # noqa: E402
from graphflow.ops.sort_ops import in_top_k  # noqa: E402

__all__ += ["confusion_matrix", "unsorted_segment_sum", "in_top_k"]
