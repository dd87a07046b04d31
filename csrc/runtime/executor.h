// The executor runs one compiled run signature of a session, many times.
//
// Built once from a PlanSpec (the pruned, placed graph as flat arrays): it
// creates every kernel, lays out one input slot per (node, input) and counts
// each node's inputs. A step copies the initial pending counts, starts the
// nodes that have none, and from then on only counts down and dispatches:
// a finished node hands each output to its consumers' slots, and a consumer
// whose count reaches zero becomes ready. Ready nodes run inline on the
// current thread; where a node makes several ready and the session has an
// inter-op pool, the extra expensive ones go to the pool (cheap ones such as
// Const or Identity always run inline: a hand-off costs more than they do). Input slots are cleared right
// after their node ran, so a buffer is freed after its last consumer.
//
// Conditionals (Switch/Merge) make values dead: a node with a dead input or
// a dead control input is skipped, its outputs are dead and its control edges
// carry the deadness on, unless its kernel HandlesDeadInputs (Merge fires
// with whichever input is live; _Send forwards deadness to its _Recv). Plans
// without a Switch skip this bookkeeping.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "framework/attr.h"
#include "framework/op_kernel.h"
#include "runtime/device.h"
#include "runtime/resource_mgr.h"
#include "runtime/thread_pool.h"

namespace gf {

struct NodeSpec {
  std::string name;
  std::string op;
  int device = 0;
  DType kernel_dtype = DType::kInvalid;
  AttrMap attrs;
  std::vector<DType> input_types;
  std::vector<DType> output_types;
  std::vector<std::pair<int, int>> inputs;  // (producer node, producer output)
  std::vector<bool> input_is_ref;           // input declared Ref(T): pass the variable itself
  std::vector<int> control_inputs;
  bool stateful = false;                    // kernel shared by all plans of the session
};

struct PlanSpec {
  std::vector<NodeSpec> nodes;
  std::vector<std::pair<int, int>> fetches;  // (node, output)
  int num_feeds = 0;
};

// State shared by all executors of one session.
class SessionState {
 public:
  SessionState(int num_cpu_devices, int inter_op_threads, int intra_op_threads);
  ~SessionState();
  ResourceMgr* resources() { return &resources_; }
  const std::vector<std::unique_ptr<Device>>& devices() const { return devices_; }
  ThreadPool* inter_op() const { return inter_op_; }
  // Stateful kernels (variables, random ops) live as long as the session, so
  // their state is the same whichever run signature uses them.
  std::shared_ptr<OpKernel> StatefulKernel(const std::string& name);
  void AddStatefulKernel(const std::string& name, std::shared_ptr<OpKernel> k);
  int64_t NextStepId() { return next_step_id_.fetch_add(1); }

 private:
  ResourceMgr resources_;
  std::vector<std::unique_ptr<Device>> devices_;
  ThreadPool* inter_op_ = nullptr;  // null: every node runs on the caller's thread
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<OpKernel>> stateful_kernels_;
  std::atomic<int64_t> next_step_id_{1};
};

// What one node did in a traced step (RunOptions.trace_level), for StepStats.
struct NodeTrace {
  struct Output {
    DType dtype;
    Shape shape;
    int64_t bytes;
  };
  int node = -1;
  int64_t start_us = 0;  // wall clock, microseconds since the epoch
  int64_t end_us = 0;
  uint64_t thread = 0;
  std::vector<Output> outputs;
};

struct StepResult {
  Status status;
  int failed_node = -1;          // index into PlanSpec::nodes, -1 if none
  std::vector<Entry> fetches;
  bool trace = false;            // set by the caller: record `traces`
  std::vector<NodeTrace> traces;  // in completion order
};

class Executor {
 public:
  // Builds the kernels; on error names the node.
  static Status Create(SessionState* session, PlanSpec spec, std::unique_ptr<Executor>* out,
                       int* failed_node);
  ~Executor();

  // Runs one step. Thread-safe: several steps may run at once.
  void Run(const std::vector<Tensor>& feeds, StepResult* result);
  int num_nodes() const { return static_cast<int>(nodes_.size()); }

 private:
  struct OutEdge {
    int output;     // -1 for a control edge
    int dst_node;
    int dst_slot;   // global input slot; -1 for a control edge
  };
  struct NodeItem {
    std::shared_ptr<OpKernel> kernel;
    Device* device = nullptr;
    int num_inputs = 0;
    int num_outputs = 0;
    int input_start = 0;
    int initial_pending = 0;
    std::vector<bool> input_is_ref;
    std::vector<OutEdge> out_edges;
    std::vector<std::pair<int, int>> fetch_slots;  // (output, fetch index)
    std::vector<std::pair<int, Tensor>> const_inputs;  // (input index, value) bound each step
    bool folded = false;                              // a Const bound into its consumers
    bool is_async = false;
    bool handles_dead = false;
  };
  struct Step;

  Executor() = default;
  void Process(Step* st, std::vector<int>* stack);
  Status PrepareInputs(const NodeItem& item, Entry* in, bool* dead);
  void NodeDone(Step* st, int id, std::vector<Entry>& outputs, const Status& s, bool dead,
                std::vector<int>* stack);
  void Finish(Step* st);
  void Record(Step* st, int id, int64_t start_us, const std::vector<Entry>& outputs);
  // Of the ready nodes stack[from..], keeps the cheap ones and one expensive
  // one for this thread and hands the other expensive ones to the pool.
  void Dispatch(Step* st, std::vector<int>* stack, size_t from);

  SessionState* session_ = nullptr;
  std::vector<NodeItem> nodes_;
  std::vector<std::string> node_names_;
  std::vector<int> roots_;
  int num_slots_ = 0;
  int num_fetches_ = 0;
  bool may_be_dead_ = false;  // the plan has a Switch: track dead control edges
};

}  // namespace gf
