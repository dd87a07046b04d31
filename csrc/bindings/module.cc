// graphflow._C: the executor, sessions and kernels, seen from Python.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings/convert.h"
#include "core/blas.h"
#include "core/crc32c.h"
#include "framework/kernel_registry.h"
#include "runtime/executor.h"

namespace py = pybind11;
using namespace gf;

namespace {

// Raised as _C.StepError(code, node_index, message); graphflow turns it into
// the TF error class for `code`, naming the op at `node_index`.
PyObject* g_step_error = nullptr;

[[noreturn]] void RaiseStep(const Status& s, int node) {
  py::tuple args = py::make_tuple(static_cast<int>(s.code()), node, s.message());
  PyErr_SetObject(g_step_error, args.ptr());
  throw py::error_already_set();
}

NodeSpec ParseNode(const py::handle& h) {
  // (name, op, device, kernel_dtype, attrs, input_types, output_types,
  //  inputs, input_is_ref, control_inputs, stateful)
  auto t = h.cast<py::tuple>();
  if (t.size() != 11) throw std::invalid_argument("node spec must have 11 fields");
  NodeSpec n;
  n.name = t[0].cast<std::string>();
  n.op = t[1].cast<std::string>();
  n.device = t[2].cast<int>();
  n.kernel_dtype = static_cast<DType>(t[3].cast<int>());
  n.attrs = ToAttrMap(t[4]);
  for (auto x : t[5]) n.input_types.push_back(static_cast<DType>(x.cast<int>()));
  for (auto x : t[6]) n.output_types.push_back(static_cast<DType>(x.cast<int>()));
  n.inputs = t[7].cast<std::vector<std::pair<int, int>>>();
  n.input_is_ref = t[8].cast<std::vector<bool>>();
  n.control_inputs = t[9].cast<std::vector<int>>();
  n.stateful = t[10].cast<bool>();
  return n;
}

class PyExecutor {
 public:
  PyExecutor(std::shared_ptr<SessionState> s, std::unique_ptr<Executor> e)
      : session_(std::move(s)), exec_(std::move(e)) {}

  // feeds: numpy arrays already of the right dtype (the caller converted
  // them); returns one ndarray per fetch.
  py::list Run(const py::sequence& feeds) {
    StepResult r;
    return Step(feeds, &r);
  }

  // Run, also returning what each node did:
  // (fetches, [(node, start_us, end_us, thread, [(dtype_enum, dims, bytes)])]).
  py::tuple RunTraced(const py::sequence& feeds) {
    StepResult r;
    r.trace = true;
    py::list out = Step(feeds, &r);
    py::list traces;
    for (const NodeTrace& t : r.traces) {
      py::list outs;
      for (const auto& o : t.outputs)
        outs.append(py::make_tuple(static_cast<int>(o.dtype), o.shape.dims(), o.bytes));
      traces.append(py::make_tuple(t.node, t.start_us, t.end_us, t.thread, outs));
    }
    return py::make_tuple(out, traces);
  }
  int num_nodes() const { return exec_->num_nodes(); }

 private:
  py::list Step(const py::sequence& feeds, StepResult* r) {
    std::vector<Tensor> tensors;
    tensors.reserve(feeds.size());
    for (auto f : feeds) tensors.push_back(BorrowArray(py::reinterpret_borrow<py::array>(f)));
    {
      py::gil_scoped_release nogil;
      exec_->Run(tensors, r);
    }
    if (!r->status.ok()) RaiseStep(r->status, r->failed_node);
    py::list out(r->fetches.size());
    for (size_t i = 0; i < r->fetches.size(); ++i) {
      const Entry& e = r->fetches[i];
      if (e.dead) out[i] = py::none();
      else if (e.val.rank() == 0) out[i] = ToArray(e.val)[py::tuple()];  // a NumPy scalar, as TF
      else out[i] = ToArray(e.val);
    }
    return out;
  }

  std::shared_ptr<SessionState> session_;  // kernels hold pointers into it
  std::unique_ptr<Executor> exec_;
};

class PySession {
 public:
  PySession(int num_cpu, int inter, int intra)
      : state_(std::make_shared<SessionState>(num_cpu, inter, intra)) {}

  std::unique_ptr<PyExecutor> MakeExecutor(const py::sequence& nodes, const py::sequence& fetches,
                                           int num_feeds) {
    PlanSpec spec;
    for (auto n : nodes) spec.nodes.push_back(ParseNode(n));
    spec.fetches = fetches.cast<std::vector<std::pair<int, int>>>();
    spec.num_feeds = num_feeds;
    std::unique_ptr<Executor> ex;
    int failed = -1;
    Status s;
    {
      py::gil_scoped_release nogil;
      s = Executor::Create(state_.get(), std::move(spec), &ex, &failed);
    }
    if (!s.ok()) RaiseStep(s, failed);
    return std::make_unique<PyExecutor>(state_, std::move(ex));
  }
  std::vector<std::string> devices() const {
    std::vector<std::string> out;
    for (auto& d : state_->devices()) out.push_back(d->name());
    return out;
  }
  std::vector<std::string> resources() { return state_->resources()->Names(); }
  void ResetResources() { state_->resources()->Clear(); }

 private:
  std::shared_ptr<SessionState> state_;
};

}  // namespace

PYBIND11_MODULE(_C, m) {
  m.doc() = "graphflow C++ runtime: executor, sessions, kernels";
  g_step_error = PyErr_NewException("graphflow._C.StepError", PyExc_RuntimeError, nullptr);
  m.attr("StepError") = py::handle(g_step_error);

  py::class_<PyExecutor>(m, "Executor")
      .def("run", &PyExecutor::Run, py::arg("feeds"))
      .def("run_traced", &PyExecutor::RunTraced, py::arg("feeds"))
      .def_property_readonly("num_nodes", &PyExecutor::num_nodes);

  py::class_<PySession>(m, "Session")
      .def(py::init<int, int, int>(), py::arg("num_cpu_devices") = 1,
           py::arg("inter_op_threads") = 0, py::arg("intra_op_threads") = 0)
      .def("make_executor", &PySession::MakeExecutor, py::arg("nodes"), py::arg("fetches"),
           py::arg("num_feeds"))
      .def("devices", &PySession::devices)
      .def("resources", &PySession::resources)
      .def("reset_resources", &PySession::ResetResources);

  m.def("registered_kernels", [] { return KernelRegistry::Global().List(); },
        "[(op, device, dtype_enum)] for every kernel; dtype 0 means any dtype.");
  m.def("load_blas", &blas::Load, py::arg("path"),
        "Loads OpenBLAS from path; returns '' or why it failed.");
  m.def("blas_path", [] { return blas::api().path; });
  m.def("crc32c", [](py::buffer data, uint32_t crc) {
    py::buffer_info b = data.request();
    if (b.ndim > 1 || (b.ndim == 1 && b.strides[0] != b.itemsize))
      throw py::value_error("crc32c needs a contiguous 1-D buffer");
    const auto* p = static_cast<const uint8_t*>(b.ptr);
    const size_t n = static_cast<size_t>(b.size * b.itemsize);
    py::gil_scoped_release nogil;
    return Crc32c(p, n, crc);
  }, py::arg("data"), py::arg("crc") = 0, "CRC-32C of a bytes-like object, continuing from crc.");
  m.def("set_blas_threads", [](int n) {
    if (blas::api().set_num_threads) blas::api().set_num_threads(n);
  });
}
