"""`gf.nn`: neural-network functions under TF1's `tf.nn` names."""

from graphflow.ops.nn_ops import (  # noqa: F401
    bias_add, dropout, l2_loss, log_softmax, relu, softmax, softmax_cross_entropy_with_logits,
    softmax_cross_entropy_with_logits_v2, sparse_softmax_cross_entropy_with_logits)
from graphflow.ops.math_ops import sigmoid, tanh  # noqa: F401,E402
from graphflow.ops.nn_impl import (  # noqa: F401,E402
    l2_normalize, relu_layer, sigmoid_cross_entropy_with_logits,
    weighted_cross_entropy_with_logits, xw_plus_b)
from graphflow.ops.sort_ops import in_top_k, top_k  # noqa: F401,E402
from graphflow.ops.nn_impl import embedding_lookup  # noqa: F401,E402
from graphflow.ops.image_ops import depth_to_space, space_to_depth  # noqa: F401,E402
from graphflow.ops.conv_ops import (  # noqa: F401,E402
    atrous_conv2d, conv2d, conv2d_backprop_filter, conv2d_backprop_input, conv2d_transpose,
    depthwise_conv2d, depthwise_conv2d_native, depthwise_conv2d_native_backprop_filter,
    depthwise_conv2d_native_backprop_input, fused_conv2d)
from graphflow.ops.pooling_ops import (  # noqa: F401,E402
    avg_pool, avg_pool2d, max_pool, max_pool2d, max_pool_with_argmax)
from graphflow.ops.activation_ops import (  # noqa: F401,E402
    crelu, elu, leaky_relu, relu6, selu, softplus, softsign, swish)
from graphflow.ops.normalization_ops import (  # noqa: F401,E402
    batch_normalization, fused_batch_norm, local_response_normalization, lrn, moments)
from graphflow.ops import rnn_cell_impl as rnn_cell  # noqa: F401,E402  (tf.nn.rnn_cell)
from graphflow.ops.rnn import (  # noqa: F401,E402
    bidirectional_dynamic_rnn, dynamic_rnn, static_bidirectional_rnn, static_rnn)
