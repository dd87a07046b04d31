#include "runtime/executor.h"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "framework/kernel_registry.h"
#include "runtime/rendezvous.h"

namespace gf {

namespace {
int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

SessionState::SessionState(int num_cpu_devices, int inter_op_threads, int intra_op_threads) {
  ThreadPool* intra = IntraOpPool(intra_op_threads);
  if (num_cpu_devices < 1) num_cpu_devices = 1;
  for (int i = 0; i < num_cpu_devices; ++i)
    devices_.emplace_back(new Device(StrCat("/job:localhost/replica:0/task:0/device:CPU:", i),
                                     "CPU", i, intra));
  // inter_op_threads: 0 = the process pool, 1 = run everything on the caller.
  if (inter_op_threads != 1) inter_op_ = InterOpPool(inter_op_threads);
}

SessionState::~SessionState() = default;

std::shared_ptr<OpKernel> SessionState::StatefulKernel(const std::string& name) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = stateful_kernels_.find(name);
  return it == stateful_kernels_.end() ? nullptr : it->second;
}

void SessionState::AddStatefulKernel(const std::string& name, std::shared_ptr<OpKernel> k) {
  std::lock_guard<std::mutex> l(mu_);
  stateful_kernels_.emplace(name, std::move(k));
}

struct Executor::Step {
  std::vector<Entry> slots;
  std::unique_ptr<std::atomic<int>[]> pending;
  std::unique_ptr<std::atomic<bool>[]> dead_control;  // a dead control input arrived
  std::atomic<int> outstanding{0};
  std::atomic<bool> aborted{false};
  StepContext ctx;
  Rendezvous rendezvous;
  StepResult* result = nullptr;
  std::mutex mu;  // guards result->status, failed_node, traces, done
  std::condition_variable cv;
  bool done = false;
};

Status Executor::Create(SessionState* session, PlanSpec spec, std::unique_ptr<Executor>* out,
                        int* failed_node) {
  std::unique_ptr<Executor> ex(new Executor);
  ex->session_ = session;
  const int n = static_cast<int>(spec.nodes.size());
  ex->nodes_.resize(n);
  ex->node_names_.resize(n);
  int slot = 0;
  for (int i = 0; i < n; ++i) {
    NodeSpec& ns = spec.nodes[i];
    NodeItem& item = ex->nodes_[i];
    ex->node_names_[i] = ns.name;
    if (ns.device < 0 || ns.device >= static_cast<int>(session->devices().size())) {
      *failed_node = i;
      return InvalidArgument(StrCat("node ", ns.name, " is placed on device ", ns.device,
                                    ", but the session has ", session->devices().size()));
    }
    item.device = session->devices()[ns.device].get();
    item.num_inputs = static_cast<int>(ns.inputs.size());
    item.num_outputs = static_cast<int>(ns.output_types.size());
    item.input_start = slot;
    slot += item.num_inputs;
    item.input_is_ref = ns.input_is_ref;
    item.input_is_ref.resize(item.num_inputs, false);
    item.initial_pending = item.num_inputs + static_cast<int>(ns.control_inputs.size());

    std::shared_ptr<OpKernel> k = ns.stateful ? session->StatefulKernel(ns.name) : nullptr;
    if (!k) {
      OpKernelConstruction c;
      c.name = ns.name;
      c.op = ns.op;
      c.attrs = std::move(ns.attrs);
      c.input_types = ns.input_types;
      c.output_types = ns.output_types;
      c.device = item.device;
      c.resources = session->resources();
      std::unique_ptr<OpKernel> made = CreateKernel(&c, ns.kernel_dtype);
      if (!made) {
        *failed_node = i;
        return c.status;
      }
      k = std::shared_ptr<OpKernel>(std::move(made));
      if (ns.stateful) session->AddStatefulKernel(ns.name, k);
    }
    item.kernel = std::move(k);
    item.is_async = item.kernel->IsAsync();
    item.handles_dead = item.kernel->HandlesDeadInputs();
    ex->may_be_dead_ |= ns.op == "Switch" || ns.op == "RefSwitch";
  }
  ex->num_slots_ = slot;
  for (int i = 0; i < n; ++i) {
    const NodeSpec& ns = spec.nodes[i];
    for (int k = 0; k < static_cast<int>(ns.inputs.size()); ++k) {
      auto [src, out_idx] = ns.inputs[k];
      if (src < 0 || src >= n || out_idx < 0 || out_idx >= ex->nodes_[src].num_outputs) {
        *failed_node = i;
        return Internal(StrCat("bad input edge ", src, ":", out_idx, " of node ", ns.name));
      }
      ex->nodes_[src].out_edges.push_back({out_idx, i, ex->nodes_[i].input_start + k});
    }
    for (int src : ns.control_inputs) {
      if (src < 0 || src >= n) {
        *failed_node = i;
        return Internal(StrCat("bad control edge into ", ns.name));
      }
      ex->nodes_[src].out_edges.push_back({-1, i, -1});
    }
  }
  ex->num_fetches_ = static_cast<int>(spec.fetches.size());
  for (int f = 0; f < ex->num_fetches_; ++f) {
    auto [node, out_idx] = spec.fetches[f];
    if (node < 0 || node >= n || out_idx < 0 || out_idx >= ex->nodes_[node].num_outputs)
      return Internal(StrCat("bad fetch ", node, ":", out_idx));
    ex->nodes_[node].fetch_slots.push_back({out_idx, f});
  }
  // Constants are computed once, here, and bound into their consumers' input
  // slots at every step, so steps never schedule them.
  for (int i = 0; i < n; ++i) {
    NodeItem& c = ex->nodes_[i];
    if (spec.nodes[i].op != "Const" || !spec.nodes[i].control_inputs.empty() ||
        !c.fetch_slots.empty())
      continue;
    bool control_out = false;
    for (const OutEdge& e : c.out_edges) control_out |= e.output < 0;
    if (control_out) continue;
    std::vector<Entry> outs(1);
    OpKernelContext ctx(nullptr, 0, &outs, c.device, nullptr, nullptr);
    c.kernel->Compute(&ctx);
    if (!ctx.ok()) continue;  // the step reports it
    for (const OutEdge& e : c.out_edges) {
      NodeItem& d = ex->nodes_[e.dst_node];
      d.const_inputs.push_back({e.dst_slot - d.input_start, outs[0].val});
      --d.initial_pending;
    }
    c.out_edges.clear();
    c.folded = true;
  }
  for (int i = 0; i < n; ++i)
    if (ex->nodes_[i].initial_pending == 0 && !ex->nodes_[i].folded) ex->roots_.push_back(i);
  *out = std::move(ex);
  return Status::OK();
}

Executor::~Executor() = default;

void Executor::Run(const std::vector<Tensor>& feeds, StepResult* result) {
  Step st;
  st.result = result;
  result->status = Status::OK();
  result->failed_node = -1;
  result->fetches.assign(num_fetches_, Entry());
  st.slots.resize(num_slots_);
  const int n = static_cast<int>(nodes_.size());
  st.pending.reset(new std::atomic<int>[n]);
  for (int i = 0; i < n; ++i) st.pending[i].store(nodes_[i].initial_pending, std::memory_order_relaxed);
  if (may_be_dead_) {
    st.dead_control.reset(new std::atomic<bool>[n]);
    for (int i = 0; i < n; ++i) st.dead_control[i].store(false, std::memory_order_relaxed);
  }
  st.ctx.step_id = session_->NextStepId();
  st.ctx.feeds = &feeds;
  st.ctx.rendezvous = &st.rendezvous;
  st.ctx.resources = session_->resources();
  if (roots_.empty()) return;
  st.outstanding.store(static_cast<int>(roots_.size()));

  std::vector<int> stack(roots_.rbegin(), roots_.rend());
  Dispatch(&st, &stack, 0);
  Process(&st, &stack);
  std::unique_lock<std::mutex> l(st.mu);
  st.cv.wait(l, [&] { return st.done; });
}

Status Executor::PrepareInputs(const NodeItem& item, Entry* in, bool* dead) {
  for (const auto& [k, t] : item.const_inputs) in[k].val = t;
  for (int k = 0; k < item.num_inputs; ++k) *dead |= in[k].dead;
  if (*dead && !item.handles_dead) return Status::OK();  // skipped: nothing is read
  for (int k = 0; k < item.num_inputs; ++k) {
    Entry& e = in[k];
    if (e.ref && !item.input_is_ref[k]) {
      Var* v = e.ref.get();
      std::lock_guard<std::mutex> l(v->mu);
      if (!v->initialized)
        return FailedPrecondition(StrCat("Attempting to use uninitialized value ", v->name()));
      e.val = v->value;
      e.ref.reset();
    }
  }
  return Status::OK();
}

void Executor::Process(Step* st, std::vector<int>* stack) {
  std::vector<Entry> outputs;
  while (!stack->empty()) {
    const int id = stack->back();
    stack->pop_back();
    const NodeItem& item = nodes_[id];
    Entry* in = st->slots.data() + item.input_start;
    outputs.assign(item.num_outputs, Entry());
    Status s;
    bool node_dead = false;
    const int64_t start_us = st->result->trace ? NowMicros() : 0;
    if (!st->aborted.load(std::memory_order_relaxed)) {
      bool dead = may_be_dead_ && st->dead_control[id].load(std::memory_order_relaxed);
      s = PrepareInputs(item, in, &dead);
      const bool skipped = s.ok() && dead && !item.handles_dead;
      if (skipped) {
        for (auto& o : outputs) o.dead = true;
        node_dead = true;
      } else if (s.ok() && item.is_async) {
        // The kernel owns its context until it calls done; done finishes the
        // node and runs what became ready on whichever thread called it.
        auto* outs = new std::vector<Entry>(std::move(outputs));
        auto* ctx = new OpKernelContext(in, item.num_inputs, outs, item.device, &st->ctx,
                                        item.device->intra_op());
        ctx->set_inputs_dead(dead);
        item.kernel->ComputeAsync(ctx, [this, st, id, ctx, outs, in, &item, start_us] {
          Status as = ctx->status();
          if (st->result->trace) Record(st, id, start_us, *outs);
          for (int k = 0; k < item.num_inputs; ++k) in[k].Clear();
          std::vector<int> s2;
          NodeDone(st, id, *outs, as, ctx->dead(), &s2);
          delete ctx;
          delete outs;
          if (!s2.empty()) Process(st, &s2);
        });
        outputs.clear();
        continue;
      } else if (s.ok()) {
        OpKernelContext ctx(in, item.num_inputs, &outputs, item.device, &st->ctx,
                            item.device->intra_op());
        ctx.set_inputs_dead(dead);
        item.kernel->Compute(&ctx);
        s = ctx.status();
        node_dead = ctx.dead();
      }
      if (st->result->trace && !skipped) Record(st, id, start_us, outputs);  // it ran
    }
    for (int k = 0; k < item.num_inputs; ++k) in[k].Clear();
    NodeDone(st, id, outputs, s, node_dead, stack);
  }
}

void Executor::NodeDone(Step* st, int id, std::vector<Entry>& outputs, const Status& s,
                        bool dead, std::vector<int>* stack) {
  const NodeItem& item = nodes_[id];
  if (!s.ok()) {
    {
      std::lock_guard<std::mutex> l(st->mu);
      if (st->result->status.ok()) {
        st->result->status = s;
        st->result->failed_node = id;
      }
    }
    st->aborted.store(true);
    st->rendezvous.StartAbort(s);
  }
  const bool ok = s.ok() && !st->aborted.load(std::memory_order_relaxed);
  if (ok) {
    for (auto [out_idx, f] : item.fetch_slots) {
      Entry& dst = st->result->fetches[f];
      dst = outputs[out_idx];
      if (dst.dead) {
        std::lock_guard<std::mutex> l(st->mu);
        if (st->result->status.ok()) {
          st->result->status = InvalidArgument(StrCat(
              "Fetched tensor ", node_names_[id], ":", out_idx, " has no value: it is dead, "
              "on the untaken side of a cond (a Switch)"));
          st->result->failed_node = id;
        }
      } else if (dst.ref) {  // fetching a variable itself: its current value
        Var* v = dst.ref.get();
        std::lock_guard<std::mutex> l(v->mu);
        if (!v->initialized) {
          std::lock_guard<std::mutex> l2(st->mu);
          if (st->result->status.ok()) {
            st->result->status =
                FailedPrecondition(StrCat("Attempting to use uninitialized value ", v->name()));
            st->result->failed_node = id;
          }
        }
        dst.val = v->value;
        dst.ref.reset();
      }
    }
  }
  int ready_before = static_cast<int>(stack->size());
  for (const OutEdge& e : item.out_edges) {
    // Each consumer holds its own reference; once outputs is cleared below, a
    // single consumer owns the buffer and may reuse it in place.
    if (e.dst_slot >= 0 && ok) st->slots[e.dst_slot] = outputs[e.output];
    if (e.dst_slot < 0 && dead && may_be_dead_)
      st->dead_control[e.dst_node].store(true, std::memory_order_relaxed);
    if (st->pending[e.dst_node].fetch_sub(1, std::memory_order_acq_rel) == 1)
      stack->push_back(e.dst_node);
  }
  outputs.clear();
  const int newly = static_cast<int>(stack->size()) - ready_before;
  // Account before dispatching: a pooled node may finish at once.
  if (st->outstanding.fetch_add(newly - 1) + newly - 1 == 0) {
    Finish(st);
    return;
  }
  Dispatch(st, stack, ready_before);
}

void Executor::Dispatch(Step* st, std::vector<int>* stack, size_t from) {
  ThreadPool* pool = session_->inter_op();
  if (!pool || stack->size() - from < 2) return;
  size_t keep = from;
  bool kept_expensive = false;
  for (size_t i = from; i < stack->size(); ++i) {
    const int id = (*stack)[i];
    const bool expensive = nodes_[id].kernel->IsExpensive();
    if (!expensive || !kept_expensive) {
      kept_expensive |= expensive;
      (*stack)[keep++] = id;
    } else {
      pool->Schedule([this, st, id] {
        std::vector<int> s{id};
        Process(st, &s);
      });
    }
  }
  stack->resize(keep);
}

void Executor::Record(Step* st, int id, int64_t start_us, const std::vector<Entry>& outputs) {
  NodeTrace t;
  t.node = id;
  t.start_us = start_us;
  t.end_us = NowMicros();
  t.thread = std::hash<std::thread::id>()(std::this_thread::get_id());
  for (const Entry& e : outputs) {
    Tensor v = e.val;
    if (e.ref) {
      std::lock_guard<std::mutex> l(e.ref->mu);
      v = e.ref->value;
    }
    t.outputs.push_back({v.dtype(), v.shape(),  // dead or uninitialized: kInvalid, 0 bytes
                         v.num_elements() * static_cast<int64_t>(DTypeSize(v.dtype()))});
  }
  std::lock_guard<std::mutex> l(st->mu);
  st->result->traces.push_back(std::move(t));
}

void Executor::Finish(Step* st) {
  std::lock_guard<std::mutex> l(st->mu);
  st->done = true;
  st->cv.notify_all();
}

}  // namespace gf
