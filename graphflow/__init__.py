"""graphflow: a static dataflow-graph engine with TensorFlow 1.x graph-mode
semantics. `import graphflow as tf` runs most TF1 programs unchanged.

    import graphflow as gf
    a = gf.placeholder(gf.float32, [None, 3])
    b = gf.Variable(gf.ones([3]))
    c = gf.reduce_sum(a * b + 1.0, axis=1)
    with gf.Session() as sess:
        sess.run(gf.global_variables_initializer())
        print(sess.run(c, {a: [[1, 2, 3]]}))
"""

from graphflow import _blas

_blas.load()

# Op modules register their ops and operator overloads on import.
from graphflow.framework import errors  # noqa: E402
from graphflow.framework.dtypes import (  # noqa: E402,F401
    DType, as_dtype, bool, double, float16, float32, float64, half, int8, int16, int32, int64,
    string, uint8)
from graphflow.framework.graph import (  # noqa: E402,F401
    Graph, GraphKeys, add_to_collection, add_to_collections, colocate_with, control_dependencies,
    device, get_collection, get_collection_ref, get_default_graph, get_name_scope, init_scope,
    name_scope, reset_default_graph)
from graphflow.framework.ops import (  # noqa: E402,F401
    Operation, Tensor, convert_to_tensor, register_tensor_conversion_function)
from graphflow.framework.tensor_shape import Dimension, TensorShape  # noqa: E402,F401
from graphflow.ops.array_ops import (  # noqa: E402,F401
    identity, placeholder, placeholder_with_default, stop_gradient)
from graphflow.ops.constant_op import constant  # noqa: E402,F401
from graphflow.ops.math_ops import *  # noqa: E402,F401,F403
from graphflow.ops.reduction_ops import *  # noqa: E402,F401,F403
from graphflow.ops.matmul_ops import *  # noqa: E402,F401,F403
from graphflow.ops.indexing_ops import *  # noqa: E402,F401,F403
from graphflow.ops.random_ops import *  # noqa: E402,F401,F403
from graphflow.ops.array_ops import *  # noqa: E402,F401,F403
from graphflow.ops import gradient_util_ops, nn_ops  # noqa: E402,F401
from graphflow import client, contrib, data, graph_util, image, layers, losses, math, metrics, nn, summary, train  # noqa: E402,F401,E501
from graphflow.io.graph_def import import_graph_def, make_ndarray, make_tensor_proto  # noqa: E402,F401,E501
from graphflow.protos.attr_value_pb2 import AttrValue, NameAttrList  # noqa: E402,F401
from graphflow.protos.event_pb2 import Event, LogMessage, SessionLog  # noqa: E402,F401
from graphflow.protos.graph_pb2 import GraphDef  # noqa: E402,F401
from graphflow.protos.histogram_pb2 import HistogramProto  # noqa: E402,F401
from graphflow.protos.meta_graph_pb2 import MetaGraphDef, TensorInfo  # noqa: E402,F401
from graphflow.protos.node_def_pb2 import NodeDef  # noqa: E402,F401
from graphflow.protos.summary_pb2 import Summary, SummaryMetadata  # noqa: E402,F401
from graphflow.ops.image_ops import depth_to_space, random_crop, space_to_depth  # noqa: E402,F401
from graphflow.ops.clip_ops import *  # noqa: E402,F401,F403
from graphflow.ops.check_ops import *  # noqa: E402,F401,F403
from graphflow import debugging  # noqa: E402,F401
from graphflow.gradients import (  # noqa: E402,F401
    NotDifferentiable, NoGradient, RegisterGradient, gradients)
from graphflow.ops.control_flow_ops import case, cond, group, no_op, tuple  # noqa: E402,F401
from graphflow.ops.functional_ops import foldl, foldr, map_fn, scan  # noqa: E402,F401
from graphflow.framework import nest  # noqa: E402,F401
from graphflow.metrics import confusion_matrix  # noqa: E402,F401
from graphflow.ops.state_ops import assign, assign_add, assign_sub  # noqa: E402,F401
from graphflow.ops.variables import (  # noqa: E402,F401
    Variable, all_variables, global_variables, global_variables_initializer,
    initialize_all_variables, is_variable_initialized, local_variables,
    local_variables_initializer, model_variables, moving_average_variables,
    report_uninitialized_variables,
    trainable_variables, variables_initializer)
from graphflow.ops.init_ops import *  # noqa: E402,F401,F403
from graphflow.ops.variable_scope import *  # noqa: E402,F401,F403
from graphflow.runtime.config import (  # noqa: E402,F401
    ConfigProto, GPUOptions, GraphOptions, OptimizerOptions, RunMetadata, RunOptions)
from graphflow.runtime.session import (  # noqa: E402,F401
    InteractiveSession, Session, get_default_session)

__version__ = "0.1.0"
