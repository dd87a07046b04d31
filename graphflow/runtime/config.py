"""Session configuration with the field names of TF's ConfigProto/RunOptions."""

from graphflow.protos import config_pb2


class GPUOptions:
    def __init__(self, allow_growth=False, per_process_gpu_memory_fraction=0.0,
                 visible_device_list=""):
        self.allow_growth = allow_growth
        self.per_process_gpu_memory_fraction = per_process_gpu_memory_fraction
        self.visible_device_list = visible_device_list


class OptimizerOptions:
    L1 = 0
    L0 = -1
    DEFAULT = 0
    OFF = 1
    ON_1 = 2

    def __init__(self, do_common_subexpression_elimination=True, do_constant_folding=True,
                 opt_level=0, global_jit_level=0):
        self.do_common_subexpression_elimination = do_common_subexpression_elimination
        self.do_constant_folding = do_constant_folding
        self.opt_level = opt_level
        self.global_jit_level = global_jit_level


class GraphOptions:
    def __init__(self, optimizer_options=None, build_cost_model=0, infer_shapes=False,
                 place_pruned_graph=False, enable_bfloat16_sendrecv=False, timeline_step=0):
        self.optimizer_options = optimizer_options or OptimizerOptions()
        self.build_cost_model = build_cost_model
        self.infer_shapes = infer_shapes
        self.place_pruned_graph = place_pruned_graph


class ConfigProto:
    """device_count={"CPU": n} gives the session n CPU devices (placement and
    Send/Recv then work across them); inter_op_parallelism_threads=1 runs
    every node on the calling thread; 0 means one thread per core."""

    def __init__(self, device_count=None, intra_op_parallelism_threads=0,
                 inter_op_parallelism_threads=0, use_per_session_threads=False,
                 allow_soft_placement=False, log_device_placement=False, gpu_options=None,
                 graph_options=None, operation_timeout_in_ms=0):
        self.device_count = dict(device_count or {})
        for k, v in self.device_count.items():
            if not isinstance(v, int) or v < 0:
                raise ValueError("device_count[%r] must be a non-negative int, got %r" % (k, v))
        if int(intra_op_parallelism_threads) < 0 or int(inter_op_parallelism_threads) < 0:
            raise ValueError("thread counts must be >= 0")
        self.intra_op_parallelism_threads = int(intra_op_parallelism_threads)
        self.inter_op_parallelism_threads = int(inter_op_parallelism_threads)
        self.use_per_session_threads = use_per_session_threads
        self.allow_soft_placement = bool(allow_soft_placement)
        self.log_device_placement = bool(log_device_placement)
        self.gpu_options = gpu_options or GPUOptions()
        self.graph_options = graph_options or GraphOptions()
        self.operation_timeout_in_ms = operation_timeout_in_ms


# Per-run options and metadata are TF's protos, so they serialize as TF's do
# (FileWriter.add_run_metadata) and parse back in TensorFlow and TensorBoard.
RunOptions = config_pb2.RunOptions
RunMetadata = config_pb2.RunMetadata
