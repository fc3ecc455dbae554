#include "workflow_run.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "call_attempts.hpp"
#include "titan/workflow_msgpack.hpp"

namespace titan::wf {
namespace {

using steady = std::chrono::steady_clock;

Error as_error(const std::exception& e) {
  if (const auto* te = dynamic_cast<const Error*>(&e)) return *te;
  return Error(status_code::internal, e.what());
}

retry_policy policy_of(const workflow_stage& s) { return {s.timeout, s.retries, s.backoff}; }

}  // namespace

std::string pack_args(const workflow_value& args) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> packer(buf);
  pack_value(packer, args);
  return std::string(buf.data(), buf.size());
}

workflow_run::workflow_run(const workflow_spec& spec, detail::service_clients& clients, const progress_fn& progress)
    : spec_(spec), clients_(clients), progress_(progress), slots_(spec.stages.size()) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < spec_.stages.size(); ++i) index.emplace(spec_.stages[i].name, i);
  for (std::size_t i = 0; i < spec_.stages.size(); ++i)
    for (const auto& d : spec_.stages[i].depends_on) slots_[i].deps.push_back(index.at(d));
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    std::set<std::size_t> seen;
    std::vector<std::size_t> todo = slots_[i].deps;
    while (!todo.empty()) {
      std::size_t k = todo.back();
      todo.pop_back();
      if (seen.insert(k).second) todo.insert(todo.end(), slots_[k].deps.begin(), slots_[k].deps.end());
    }
    slots_[i].ancestors.assign(seen.begin(), seen.end());
  }
}

workflow_run::~workflow_run() {
  for (auto& s : slots_)
    if (s.thread.joinable()) s.thread.join();
}

void workflow_run::emit(workflow_event::kind what, std::size_t stage,
                        const std::function<void(workflow_event&)>& fill) {
  if (!progress_) return;
  workflow_event e;
  e.what = what;
  e.stage = spec_.stages[stage].name;
  e.at = steady::now();
  if (fill) fill(e);
  try {
    progress_(e);
  } catch (...) {
    // A progress display must not change the outcome of a run.
  }
}

template_scope workflow_run::scope_for(std::size_t i) const {
  template_scope scope;
  scope.input = &input_;
  for (std::size_t a : slots_[i].ancestors) scope.stages.emplace(spec_.stages[a].name, &report_.stages[a].output);
  return scope;
}

std::optional<std::size_t> workflow_run::start_ready() {
  std::vector<std::size_t> ready;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const slot& s = slots_[i];
    if (s.running || s.done) continue;
    if (std::all_of(s.deps.begin(), s.deps.end(), [&](std::size_t d) {
          return slots_[d].done && report_.stages[d].state == stage_state::ran;
        }))
      ready.push_back(i);
  }
  for (std::size_t i : ready) {
    slots_[i].running = true;
    ++running_;
    report_.stages[i].started = true;
    report_.stages[i].started_at = steady::now();
  }
  // The only stage that can run now: nothing else can end meanwhile, so
  // the caller runs it itself (a chain of stages needs no thread).
  if (ready.size() == 1 && running_ == 1) return ready.front();
  // The outputs they may name are final: their stages are done.
  for (std::size_t i : ready) slots_[i].thread = std::thread(&workflow_run::run_stage, this, i, scope_for(i));
  return std::nullopt;
}

bool workflow_run::backoff_wait(std::chrono::milliseconds delay) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, delay, [&] { return stopping_; });
}

void workflow_run::run_stage(std::size_t i, template_scope scope) {
  const workflow_stage& s = spec_.stages[i];
  std::optional<call_attempts> calls;
  try {
    std::vector<std::string> bodies;
    const bool fan_out = !s.for_each.is_nil();
    if (fan_out) {
      workflow_value list = expand(s.for_each, scope, "for_each");
      const auto* items = list.if_array();
      if (!items)
        throw Error(status_code::invalid_argument, "for_each: " + *s.for_each.if_string() + " is " +
                                                       std::string(type_name(list.type())) + ", not an array");
      for (std::size_t k = 0; k < items->size(); ++k) {
        scope.item = &(*items)[k];
        bodies.push_back(pack_args(expand(s.call.args, scope, "args (item " + std::to_string(k) + ")")));
      }
      scope.item = nullptr;
    } else {
      bodies.push_back(pack_args(expand(s.call.args, scope, "args")));
    }
    {
      std::lock_guard lock(mu_);
      report_.stages[i].items = fan_out ? bodies.size() : 0;
      emit(workflow_event::kind::started, i, [&](workflow_event& e) { e.items = report_.stages[i].items; });
    }
    const call_target target = *split_call(s.call.call);
    calls.emplace(clients_.get(target.service), target.method, policy_of(s));
    auto on_retry = [&](unsigned attempt, std::chrono::milliseconds delay, const Error& last) {
      std::lock_guard lock(mu_);
      emit(workflow_event::kind::retrying, i, [&](workflow_event& e) {
        e.attempt = attempt, e.delay = delay, e.code = last.code(), e.message = last.message();
      });
    };
    auto results = calls->run(
        bodies, fan_out, [this](std::chrono::milliseconds d) { return backoff_wait(d); }, on_retry);
    end_stage(i, std::move(results), calls->attempts(), nullptr);
  } catch (const std::exception& e) {
    const Error error = as_error(e);
    end_stage(i, {}, calls ? calls->attempts() : 0, &error);
  }
}

void workflow_run::end_stage(std::size_t i, std::vector<workflow_value> results, unsigned attempts,
                             const Error* error) {
  std::lock_guard lock(mu_);
  stage_report& r = report_.stages[i];
  r.ended_at = steady::now();
  r.attempts = attempts;
  if (error) {
    r.state = stage_state::failed;
    r.code = error->code();
    r.message = error->message();
    if (!stopping_) {
      stopping_ = true;
      report_.failed_stage = r.name;
      report_.code = r.code;
      report_.message = r.message;
    }
    emit(workflow_event::kind::failed, i, [&](workflow_event& e) {
      e.attempt = attempts, e.code = r.code, e.message = r.message;
    });
  } else {
    r.state = stage_state::ran;
    if (spec_.stages[i].for_each.is_nil())
      r.output = std::move(results.front());
    else
      r.output =
          workflow_value::array(std::make_move_iterator(results.begin()), std::make_move_iterator(results.end()));
    report_.completed.push_back(r.name);
    completion_order_.push_back(i);
    emit(workflow_event::kind::ran, i, [&](workflow_event& e) { e.attempt = attempts, e.items = r.items; });
  }
  slots_[i].running = false;
  slots_[i].done = true;
  --running_;
  cv_.notify_all();
}

void workflow_run::compensate(std::size_t i) {
  const workflow_stage& s = spec_.stages[i];
  stage_report& r = report_.stages[i];
  {
    std::lock_guard lock(mu_);
    emit(workflow_event::kind::compensating, i);
  }
  r.compensation_started_at = steady::now();
  std::optional<call_attempts> calls;
  try {
    template_scope scope = scope_for(i);
    scope.self = &r.output;
    const std::string body = pack_args(expand(s.compensate->args, scope, "compensate.args"));
    const call_target target = *split_call(s.compensate->call);
    calls.emplace(clients_.get(target.service), target.method, policy_of(s));
    auto on_retry = [&](unsigned attempt, std::chrono::milliseconds delay, const Error& last) {
      std::lock_guard lock(mu_);
      emit(workflow_event::kind::retrying, i, [&](workflow_event& e) {
        e.attempt = attempt, e.delay = delay, e.code = last.code(), e.message = "compensation: " + last.message();
      });
    };
    // A backoff, not a wait for a condition: compensations run one after another.
    auto sleep = [](std::chrono::milliseconds d) {
      std::this_thread::sleep_for(d);
      return true;
    };
    calls->run({body}, false, sleep, on_retry);
    r.state = stage_state::compensated;
  } catch (const std::exception& e) {
    const Error error = as_error(e);
    r.state = stage_state::compensation_failed;
    r.compensation_code = error.code();
    r.compensation_message = error.message();
  }
  r.compensation_attempts = calls ? calls->attempts() : 0;
  r.compensation_ended_at = steady::now();
  report_.compensated.push_back(r.name);
  std::lock_guard lock(mu_);
  if (r.state == stage_state::compensated) {
    emit(workflow_event::kind::compensated, i, [&](workflow_event& e) { e.attempt = r.compensation_attempts; });
  } else {
    emit(workflow_event::kind::compensation_failed, i, [&](workflow_event& e) {
      e.attempt = r.compensation_attempts, e.code = r.compensation_code, e.message = r.compensation_message;
    });
  }
}

void workflow_run::finish_output() {
  try {
    if (!spec_.output.is_nil()) {
      template_scope scope;
      scope.input = &input_;
      for (std::size_t i = 0; i < slots_.size(); ++i)
        scope.stages.emplace(spec_.stages[i].name, &report_.stages[i].output);
      report_.output = expand(spec_.output, scope, "output");
      return;
    }
    // Each stage no other stage depends on.
    std::vector<bool> needed(slots_.size(), false);
    for (const auto& s : slots_)
      for (std::size_t d : s.deps) needed[d] = true;
    workflow_value::object out;
    for (std::size_t i = 0; i < slots_.size(); ++i)
      if (!needed[i]) out.emplace_back(spec_.stages[i].name, report_.stages[i].output);
    report_.output = std::move(out);
  } catch (const Error& e) {
    std::lock_guard lock(mu_);
    stopping_ = true;
    report_.code = e.code();
    report_.message = e.message();
  }
}

workflow_report workflow_run::run(const workflow_value& input) {
  input_ = input;
  report_.workflow = spec_.name;
  report_.started = std::chrono::system_clock::now();
  report_.started_at = steady::now();
  report_.stages.resize(spec_.stages.size());
  for (std::size_t i = 0; i < spec_.stages.size(); ++i) report_.stages[i].name = spec_.stages[i].name;
  {
    std::unique_lock lock(mu_);
    for (;;) {
      if (!stopping_) {
        if (const auto only = start_ready()) {
          template_scope scope = scope_for(*only);
          lock.unlock();
          run_stage(*only, std::move(scope));
          lock.lock();
          continue;
        }
      }
      if (running_ == 0) break;  // everything ran, or nothing more may start
      cv_.wait(lock);
    }
    for (std::size_t i = 0; i < slots_.size(); ++i)
      if (!report_.stages[i].started) emit(workflow_event::kind::skipped, i);
  }
  for (auto& s : slots_)
    if (s.thread.joinable()) s.thread.join();
  if (!stopping_) finish_output();
  if (stopping_) {
    report_.output = {};
    for (auto it = completion_order_.rbegin(); it != completion_order_.rend(); ++it)
      if (spec_.stages[*it].compensate) compensate(*it);
  }
  report_.ok = !stopping_;
  report_.ended_at = steady::now();
  return std::move(report_);
}

}  // namespace titan::wf
