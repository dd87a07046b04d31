"""The generated protobuf modules: current with protos/graphflow/*.proto, and on
TensorFlow's wire format (field numbers, types, enum values)."""

import filecmp
import importlib
import os
import subprocess
import sys

import pytest
from google.protobuf import descriptor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULES = ["types", "tensor_shape", "resource_handle", "tensor", "attr_value", "node_def",
           "versions", "op_def", "function", "graph", "variable", "saver", "meta_graph",
           "histogram", "summary", "event", "step_stats", "config"]

# TensorFlow's field numbers and types, message by message ("name:number:type", "*"
# for repeated). Fields TF has and graphflow leaves undecoded are in _NOT_DECODED.
_MESSAGES = {
    "TensorShapeProto": "dim:2:Dim* unknown_rank:3:bool",
    "TensorShapeProto.Dim": "size:1:int64 name:2:string",
    "ResourceHandleProto": (
        "device:1:string container:2:string name:3:string hash_code:4:uint64 "
        "maybe_type_name:5:string dtypes_and_shapes:6:DtypeAndShape*"
    ),
    "ResourceHandleProto.DtypeAndShape": "dtype:1:DataType shape:2:TensorShapeProto",
    "TensorProto": (
        "dtype:1:DataType tensor_shape:2:TensorShapeProto version_number:3:int32 "
        "tensor_content:4:bytes half_val:13:int32* float_val:5:float* double_val:6:double* "
        "int_val:7:int32* string_val:8:bytes* scomplex_val:9:float* int64_val:10:int64* "
        "bool_val:11:bool* dcomplex_val:12:double* resource_handle_val:14:ResourceHandleProto* "
        "variant_val:15:VariantTensorDataProto* uint32_val:16:uint32* uint64_val:17:uint64* "
        "float8_val:18:bytes"
    ),
    "VariantTensorDataProto": "type_name:1:string metadata:2:bytes tensors:3:TensorProto*",
    "AttrValue": (
        "s:2:bytes i:3:int64 f:4:float b:5:bool type:6:DataType shape:7:TensorShapeProto "
        "tensor:8:TensorProto list:1:ListValue func:10:NameAttrList placeholder:9:string"
    ),
    "AttrValue.ListValue": (
        "s:2:bytes* i:3:int64* f:4:float* b:5:bool* type:6:DataType* shape:7:TensorShapeProto* "
        "tensor:8:TensorProto* func:9:NameAttrList*"
    ),
    "NameAttrList": "name:1:string attr:2:map<string,AttrValue>",
    "NodeDef": (
        "name:1:string op:2:string input:3:string* device:4:string attr:5:map<string,AttrValue> "
        "experimental_debug_info:6:ExperimentalDebugInfo"
    ),
    "NodeDef.ExperimentalDebugInfo": "original_node_names:1:string* original_func_names:2:string*",
    "VersionDef": "producer:1:int32 min_consumer:2:int32 bad_consumers:3:int32*",
    "OpDef": (
        "name:1:string input_arg:2:ArgDef* output_arg:3:ArgDef* control_output:20:string* "
        "attr:4:AttrDef* deprecation:8:OpDeprecation summary:5:string description:6:string "
        "is_commutative:18:bool is_aggregate:16:bool is_stateful:17:bool "
        "allows_uninitialized_input:19:bool is_distributed_communication:21:bool"
    ),
    "OpDef.ArgDef": (
        "name:1:string description:2:string type:3:DataType type_attr:4:string "
        "number_attr:5:string type_list_attr:6:string handle_data:7:DtypeAndShape* "
        "is_ref:16:bool"
    ),
    "OpDef.AttrDef": (
        "name:1:string type:2:string default_value:3:AttrValue description:4:string "
        "has_minimum:5:bool minimum:6:int64 allowed_values:7:AttrValue"
    ),
    "OpDeprecation": "version:1:int32 explanation:2:string",
    "OpList": "op:1:OpDef*",
    "FunctionDefLibrary": (
        "function:1:FunctionDef* gradient:2:GradientDef* "
        "registered_gradients:3:RegisteredGradient*"
    ),
    "FunctionDef": (
        "signature:1:OpDef attr:5:map<string,AttrValue> arg_attr:7:map<uint32,ArgAttrs> "
        "resource_arg_unique_id:8:map<uint32,uint32> node_def:3:NodeDef* "
        "ret:4:map<string,string> control_ret:6:map<string,string>"
    ),
    "FunctionDef.ArgAttrs": "attr:1:map<string,AttrValue>",
    "GradientDef": "function_name:1:string gradient_func:2:string",
    "RegisteredGradient": "gradient_func:1:string registered_op_type:2:string",
    "GraphDef": (
        "node:1:NodeDef* versions:4:VersionDef version:3:int32 library:2:FunctionDefLibrary"
    ),
    "VariableDef": (
        "variable_name:1:string initial_value_name:6:string initializer_name:2:string "
        "snapshot_name:3:string save_slice_info_def:4:SaveSliceInfoDef is_resource:5:bool "
        "trainable:7:bool synchronization:8:VariableSynchronization "
        "aggregation:9:VariableAggregation"
    ),
    "SaveSliceInfoDef": (
        "full_name:1:string full_shape:2:int64* var_offset:3:int64* var_shape:4:int64*"
    ),
    "SaverDef": (
        "filename_tensor_name:1:string save_tensor_name:2:string restore_op_name:3:string "
        "max_to_keep:4:int32 sharded:5:bool keep_checkpoint_every_n_hours:6:float "
        "version:7:CheckpointFormatVersion"
    ),
    "MetaGraphDef": (
        "meta_info_def:1:MetaInfoDef graph_def:2:GraphDef saver_def:3:SaverDef "
        "collection_def:4:map<string,CollectionDef> signature_def:5:map<string,SignatureDef> "
        "asset_file_def:6:AssetFileDef*"
    ),
    "MetaGraphDef.MetaInfoDef": (
        "meta_graph_version:1:string stripped_op_list:2:OpList any_info:3:Any tags:4:string* "
        "tensorflow_version:5:string tensorflow_git_version:6:string "
        "stripped_default_attrs:7:bool function_aliases:8:map<string,string>"
    ),
    "CollectionDef": (
        "node_list:1:NodeList bytes_list:2:BytesList int64_list:3:Int64List "
        "float_list:4:FloatList any_list:5:AnyList"
    ),
    "CollectionDef.NodeList": "value:1:string*",
    "CollectionDef.BytesList": "value:1:bytes*",
    "CollectionDef.Int64List": "value:1:int64*",
    "CollectionDef.FloatList": "value:1:float*",
    "CollectionDef.AnyList": "value:1:Any*",
    "TensorInfo": (
        "name:1:string coo_sparse:4:CooSparse dtype:2:DataType tensor_shape:3:TensorShapeProto"
    ),
    "TensorInfo.CooSparse": (
        "values_tensor_name:1:string indices_tensor_name:2:string "
        "dense_shape_tensor_name:3:string"
    ),
    "SignatureDef": (
        "inputs:1:map<string,TensorInfo> outputs:2:map<string,TensorInfo> method_name:3:string "
        "defaults:4:map<string,TensorProto>"
    ),
    "AssetFileDef": "tensor_info:1:TensorInfo filename:2:string",
    "HistogramProto": (
        "min:1:double max:2:double num:3:double sum:4:double sum_squares:5:double "
        "bucket_limit:6:double* bucket:7:double*"
    ),
    "SummaryDescription": "type_hint:1:string",
    "SummaryMetadata": (
        "plugin_data:1:PluginData display_name:2:string summary_description:3:string "
        "data_class:4:DataClass"
    ),
    "SummaryMetadata.PluginData": "plugin_name:1:string content:2:bytes",
    "Summary": "value:1:Value*",
    "Summary.Image": (
        "height:1:int32 width:2:int32 colorspace:3:int32 encoded_image_string:4:bytes"
    ),
    "Summary.Audio": (
        "sample_rate:1:float num_channels:2:int64 length_frames:3:int64 "
        "encoded_audio_string:4:bytes content_type:5:string"
    ),
    "Summary.Value": (
        "node_name:7:string tag:1:string metadata:9:SummaryMetadata simple_value:2:float "
        "obsolete_old_style_histogram:3:bytes image:4:Image histo:5:HistogramProto audio:6:Audio "
        "tensor:8:TensorProto"
    ),
    "Event": (
        "wall_time:1:double step:2:int64 file_version:3:string graph_def:4:bytes "
        "summary:5:Summary log_message:6:LogMessage session_log:7:SessionLog "
        "tagged_run_metadata:8:TaggedRunMetadata meta_graph_def:9:bytes "
        "source_metadata:10:SourceMetadata"
    ),
    "SourceMetadata": "writer:1:string",
    "LogMessage": "level:1:Level message:2:string",
    "SessionLog": "status:1:SessionStatus checkpoint_path:2:string msg:3:string",
    "TaggedRunMetadata": "tag:1:string run_metadata:2:bytes",
    "AllocationDescription": (
        "requested_bytes:1:int64 allocated_bytes:2:int64 allocator_name:3:string "
        "allocation_id:4:int64 has_single_reference:5:bool ptr:6:uint64"
    ),
    "TensorDescription": (
        "dtype:1:DataType shape:2:TensorShapeProto allocation_description:4:AllocationDescription"
    ),
    "AllocationRecord": "alloc_micros:1:int64 alloc_bytes:2:int64",
    "AllocatorMemoryUsed": (
        "allocator_name:1:string total_bytes:2:int64 peak_bytes:3:int64 live_bytes:4:int64 "
        "allocation_records:6:AllocationRecord* allocator_bytes_in_use:5:int64"
    ),
    "NodeOutput": "slot:1:int32 tensor_description:3:TensorDescription",
    "MemoryStats": (
        "temp_memory_size:1:int64 persistent_memory_size:3:int64 "
        "persistent_tensor_alloc_ids:5:int64* device_temp_memory_size:2:int64 "
        "device_persistent_memory_size:4:int64 device_persistent_tensor_alloc_ids:6:int64*"
    ),
    "NodeExecStats": (
        "node_name:1:string all_start_micros:2:int64 op_start_rel_micros:3:int64 "
        "op_end_rel_micros:4:int64 all_end_rel_micros:5:int64 memory:6:AllocatorMemoryUsed* "
        "output:7:NodeOutput* timeline_label:8:string scheduled_micros:9:int64 "
        "thread_id:10:uint32 referenced_tensor:11:AllocationDescription* "
        "memory_stats:12:MemoryStats all_start_nanos:13:int64 op_start_rel_nanos:14:int64 "
        "op_end_rel_nanos:15:int64 all_end_rel_nanos:16:int64 scheduled_nanos:17:int64"
    ),
    "DeviceStepStats": (
        "device:1:string node_stats:2:NodeExecStats* thread_names:3:map<uint32,string>"
    ),
    "StepStats": "dev_stats:1:DeviceStepStats*",
    "RunOptions": (
        "trace_level:1:TraceLevel timeout_in_ms:2:int64 inter_op_thread_pool:3:int32 "
        "output_partition_graphs:5:bool report_tensor_allocations_upon_oom:7:bool"
    ),
    "RunMetadata": "step_stats:1:StepStats partition_graphs:3:GraphDef*",
}
_ENUMS = {
    "DataType": (
        "DT_INVALID:0 DT_FLOAT:1 DT_DOUBLE:2 DT_INT32:3 DT_UINT8:4 DT_INT16:5 DT_INT8:6 "
        "DT_STRING:7 DT_COMPLEX64:8 DT_INT64:9 DT_BOOL:10 DT_QINT8:11 DT_QUINT8:12 DT_QINT32:13 "
        "DT_BFLOAT16:14 DT_QINT16:15 DT_QUINT16:16 DT_UINT16:17 DT_COMPLEX128:18 DT_HALF:19 "
        "DT_RESOURCE:20 DT_VARIANT:21 DT_UINT32:22 DT_UINT64:23 DT_FLOAT8_E5M2:24 "
        "DT_FLOAT8_E4M3FN:25 DT_FLOAT8_E4M3FNUZ:26 DT_FLOAT8_E4M3B11FNUZ:27 "
        "DT_FLOAT8_E5M2FNUZ:28 DT_INT4:29 DT_UINT4:30 DT_INT2:31 DT_UINT2:32 DT_FLOAT4_E2M1FN:33 "
        "DT_FLOAT_REF:101 DT_DOUBLE_REF:102 DT_INT32_REF:103 DT_UINT8_REF:104 DT_INT16_REF:105 "
        "DT_INT8_REF:106 DT_STRING_REF:107 DT_COMPLEX64_REF:108 DT_INT64_REF:109 DT_BOOL_REF:110 "
        "DT_QINT8_REF:111 DT_QUINT8_REF:112 DT_QINT32_REF:113 DT_BFLOAT16_REF:114 "
        "DT_QINT16_REF:115 DT_QUINT16_REF:116 DT_UINT16_REF:117 DT_COMPLEX128_REF:118 "
        "DT_HALF_REF:119 DT_RESOURCE_REF:120 DT_VARIANT_REF:121 DT_UINT32_REF:122 "
        "DT_UINT64_REF:123 DT_FLOAT8_E5M2_REF:124 DT_FLOAT8_E4M3FN_REF:125 "
        "DT_FLOAT8_E4M3FNUZ_REF:126 DT_FLOAT8_E4M3B11FNUZ_REF:127 DT_FLOAT8_E5M2FNUZ_REF:128 "
        "DT_INT4_REF:129 DT_UINT4_REF:130 DT_INT2_REF:131 DT_UINT2_REF:132 "
        "DT_FLOAT4_E2M1FN_REF:133"
    ),
    "VariableSynchronization": (
        "VARIABLE_SYNCHRONIZATION_AUTO:0 VARIABLE_SYNCHRONIZATION_NONE:1 "
        "VARIABLE_SYNCHRONIZATION_ON_WRITE:2 VARIABLE_SYNCHRONIZATION_ON_READ:3"
    ),
    "VariableAggregation": (
        "VARIABLE_AGGREGATION_NONE:0 VARIABLE_AGGREGATION_SUM:1 VARIABLE_AGGREGATION_MEAN:2 "
        "VARIABLE_AGGREGATION_ONLY_FIRST_REPLICA:3"
    ),
    "SaverDef.CheckpointFormatVersion": "LEGACY:0 V1:1 V2:2",
    "DataClass": (
        "DATA_CLASS_UNKNOWN:0 DATA_CLASS_SCALAR:1 DATA_CLASS_TENSOR:2 DATA_CLASS_BLOB_SEQUENCE:3"
    ),
    "LogMessage.Level": "UNKNOWN:0 DEBUGGING:10 INFO:20 WARN:30 ERROR:40 FATAL:50",
    "SessionLog.SessionStatus": "STATUS_UNSPECIFIED:0 START:1 STOP:2 CHECKPOINT:3",
    "RunOptions.TraceLevel": "NO_TRACE:0 SOFTWARE_TRACE:1 HARDWARE_TRACE:2 FULL_TRACE:3",
}

_NOT_DECODED = {("NodeDef", "experimental_type"), ("OpDef.ArgDef", "experimental_full_type"),
                ("GraphDef", "debug_info"), ("MetaGraphDef", "object_graph_def"),
                ("TensorInfo", "composite_tensor"), ("RunOptions", "debug_options"),
                ("RunOptions", "experimental"), ("RunMetadata", "cost_graph"),
                ("RunMetadata", "function_graphs"), ("RunMetadata", "session_metadata")}

_TYPE_NAMES = {v: k[len("TYPE_"):].lower() for k, v in vars(descriptor.FieldDescriptor).items()
               if k.startswith("TYPE_")}


def _type_of(f):
    if f.message_type is not None and f.message_type.GetOptions().map_entry:
        return "map<%s,%s>" % tuple(_type_of(x) for x in f.message_type.fields)
    t = (f.message_type or f.enum_type)
    t = t.name if t is not None else _TYPE_NAMES[f.type]
    return t + "*" if f.is_repeated and not f.containing_type.GetOptions().map_entry else t


def _messages(prefix_len, files):
    out = {}

    def walk(m):
        if m.GetOptions().map_entry:
            return
        out[m.full_name[prefix_len:]] = " ".join(
            "%s:%d:%s" % (f.name, f.number, _type_of(f)) for f in m.fields)
        for n in m.nested_types:
            walk(n)

    for fd in files:
        for m in fd.message_types_by_name.values():
            walk(m)
    return out


def _enums(prefix_len, files):
    out = {}

    def add(e):
        out[e.full_name[prefix_len:]] = " ".join("%s:%d" % (v.name, v.number) for v in e.values)

    def walk(m):
        for e in m.enum_types:
            add(e)
        for n in m.nested_types:
            walk(n)

    for fd in files:
        for e in fd.enum_types_by_name.values():
            add(e)
        for m in fd.message_types_by_name.values():
            walk(m)
    return out


def _our_files():
    return [importlib.import_module("graphflow.protos.%s_pb2" % m).DESCRIPTOR for m in MODULES]


def test_messages_have_tensorflows_field_numbers():
    ours = _messages(len("graphflow."), _our_files())
    assert ours == _MESSAGES


def test_enums_have_tensorflows_values():
    assert _enums(len("graphflow."), _our_files()) == _ENUMS


def test_package_is_graphflow_not_tensorflow():
    for fd in _our_files():
        assert fd.package == "graphflow"
        assert fd.name.startswith("graphflow/protos/")


def test_generated_modules_are_current(tmp_path):
    """protoc run now on protos/graphflow gives the modules graphflow imports."""
    pytest.importorskip("grpc_tools")
    src = os.path.join(ROOT, "protos", "graphflow")
    if not os.path.isdir(src):
        pytest.skip("no protos/ source tree beside the tests")
    protos = sorted(os.path.join("protos", "graphflow", f) for f in os.listdir(src))
    subprocess.run([sys.executable, "-m", "grpc_tools.protoc",
                    "-Igraphflow/protos=protos/graphflow", "--python_out=%s" % tmp_path,
                    "--pyi_out=%s" % tmp_path, *protos], cwd=ROOT, check=True)
    fresh = tmp_path / "graphflow" / "protos"
    built = os.path.dirname(importlib.import_module("graphflow.protos.graph_pb2").__file__)
    names = sorted(os.listdir(fresh))
    assert len(names) == 2 * len(MODULES)
    _, mismatch, errors = filecmp.cmpfiles(fresh, built, names, shallow=False)
    assert not mismatch and not errors, (
        "stale generated modules %s: rebuild (pip install -e . or python setup.py build_ext "
        "--inplace)" % (mismatch + errors))


@pytest.fixture(scope="module")
def tf_descriptors():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    from tensorflow.core.framework import (attr_value_pb2, function_pb2, graph_pb2,  # noqa
                                           node_def_pb2, op_def_pb2, resource_handle_pb2,
                                           summary_pb2, tensor_pb2, tensor_shape_pb2,
                                           types_pb2, variable_pb2, versions_pb2)
    from tensorflow.core.framework import (allocation_description_pb2, step_stats_pb2,  # noqa
                                           tensor_description_pb2)
    from tensorflow.core.protobuf import config_pb2, meta_graph_pb2, saver_pb2
    from tensorflow.core.util import event_pb2
    files = [m.DESCRIPTOR for m in (
        attr_value_pb2, function_pb2, graph_pb2, node_def_pb2, op_def_pb2, resource_handle_pb2,
        summary_pb2, tensor_pb2, tensor_shape_pb2, types_pb2, variable_pb2, versions_pb2,
        meta_graph_pb2, saver_pb2, event_pb2, allocation_description_pb2,
        tensor_description_pb2, step_stats_pb2, config_pb2)]
    files.append(summary_pb2.HistogramProto.DESCRIPTOR.file)
    return files


def test_fields_match_installed_tensorflow(tf_descriptors):
    theirs = _messages(len("tensorflow."), tf_descriptors)
    for name, fields in _messages(len("graphflow."), _our_files()).items():
        assert name in theirs, name
        tf_fields = {f.split(":")[0]: f for f in theirs[name].split()}
        for f in fields.split():
            assert tf_fields.pop(f.split(":")[0], None) == f, (name, f)
        assert {(name, f) for f in tf_fields} <= _NOT_DECODED, (name, sorted(tf_fields))
    ours = _enums(len("graphflow."), _our_files())
    tf_enums = _enums(len("tensorflow."), tf_descriptors)
    for name, values in ours.items():
        assert tf_enums[name] == values, name


def test_tensorflow_bytes_round_trip(tf_descriptors):
    """A TF Event holding a summary and a GraphDef parses in graphflow's messages
    and serializes back to the same bytes."""
    import tensorflow as tf
    from tensorflow.core.framework import summary_pb2 as tf_summary
    from tensorflow.core.util import event_pb2 as tf_event

    from graphflow.protos import event_pb2, graph_pb2

    g = tf.Graph()
    with g.as_default():
        a = tf.compat.v1.placeholder(tf.float32, [None, 3], name="a")
        tf.reduce_sum(a * tf.constant([1.0, 2.0, 3.0]), axis=1, name="s")
    gd_bytes = g.as_graph_def(add_shapes=True).SerializeToString(deterministic=True)
    ours = graph_pb2.GraphDef.FromString(gd_bytes)
    assert ours.SerializeToString(deterministic=True) == gd_bytes
    assert [n.name for n in ours.node] == [n.name for n in g.as_graph_def().node]

    histo = tf_summary.HistogramProto(min=-1, max=2, num=3, sum=1, sum_squares=5,
                                      bucket_limit=[0, 2], bucket=[1, 2])
    ev = tf_event.Event(wall_time=12.5, step=7, summary=tf_summary.Summary(value=[
        tf_summary.Summary.Value(tag="loss", simple_value=0.25),
        tf_summary.Summary.Value(tag="w", histo=histo)]))
    data = ev.SerializeToString(deterministic=True)
    mine = event_pb2.Event.FromString(data)
    assert mine.step == 7 and mine.summary.value[0].simple_value == 0.25
    assert list(mine.summary.value[1].histo.bucket) == [1, 2]
    assert mine.SerializeToString(deterministic=True) == data
