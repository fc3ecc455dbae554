#include "titan/manager_api.hpp"

#include <signal.h>

#include "titan/process_manager.hpp"
#include "titan/workflow.hpp"

namespace titan {

process_record to_record(const process_info& p) {
  process_record r;
  r.id = p.id;
  r.group = p.group;
  r.name = p.name;
  r.service = p.service;
  r.version = p.version;
  r.plugin = p.plugin;
  r.endpoint = p.endpoint;
  r.pid = p.pid;
  r.state = std::string(to_string(p.state));
  r.started_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(p.started.time_since_epoch()).count();
  r.restarts = p.restarts;
  r.adopted = p.adopted;
  r.cpu_percent = p.cpu_percent;
  r.rss_bytes = p.rss_bytes;
  r.exit_reason = p.exit_reason;
  r.log_file = p.log_file;
  r.calls = p.calls;
  r.supervisor = p.supervisor;
  r.build_id = p.build_id;
  return r;
}

namespace {
// With fresh CPU and RSS figures.
process_record fresh(ProcessManager& pm, const process_info& p) { return to_record(pm.get(p.id).value_or(p)); }

std::vector<process_record> records(ProcessManager& pm, const std::vector<process_info>& infos) {
  std::vector<process_record> out;
  for (const auto& p : infos) out.push_back(fresh(pm, p));
  return out;
}
}  // namespace

std::vector<process_record> manager_api::ps() { return records(pm_, pm_.list()); }

std::vector<tree_record> manager_api::tree() {
  std::vector<tree_record> out;
  for (const auto& r : pm_.tree())
    out.push_back({r.name, r.kind, r.depth, r.parent, r.state, r.restarts, r.reason, r.restart_type, r.detail, r.host});
  return out;
}

process_record manager_api::spawn(std::string plugin, std::string name) {
  return fresh(pm_, pm_.spawn_host(plugin, {.name = std::move(name)}));
}

std::vector<process_record> manager_api::pool(std::string plugin, std::string name, std::uint64_t size,
                                              std::string strategy) {
  if (name.empty()) throw Error(status_code::invalid_argument, "a pool needs a name");
  if (!strategy.empty() && !balance_from_string(strategy))
    throw Error(status_code::invalid_argument, "unknown strategy '" + strategy +
                                                   "' (round-robin, least-loaded, random, consistent-hash)");
  pool_options o;
  o.name = std::move(name);
  o.size = size;
  if (!strategy.empty()) o.strategy = *balance_from_string(strategy);
  return records(pm_, pm_.start_pool(plugin, o));
}

bool manager_api::kill(std::uint64_t id, std::int64_t signal) {
  if (signal <= 0 || signal >= NSIG) throw Error(status_code::invalid_argument, "no signal " + std::to_string(signal));
  if (!pm_.get(id)) throw Error(status_code::not_found, "no process with id " + std::to_string(id));
  return pm_.kill(id, static_cast<int>(signal));
}

bool manager_api::stop(std::uint64_t id, std::uint64_t timeout_ms) {
  if (!pm_.get(id)) throw Error(status_code::not_found, "no process with id " + std::to_string(id));
  return pm_.stop(id, std::chrono::milliseconds(timeout_ms == 0 ? 5000 : timeout_ms));
}

std::vector<process_record> manager_api::scale(std::string name, std::uint64_t size) {
  return records(pm_, pm_.scale(name, size));
}

reload_record manager_api::reload(std::string name, std::string plugin, std::uint64_t probation_ms) {
  reload_options o;
  o.plugin = std::move(plugin);
  if (probation_ms > 0) o.probation = std::chrono::milliseconds(probation_ms);
  const reload_report r = pm_.reload(name, o);
  return {r.name,
          r.version,
          r.build_id,
          r.previous_version,
          r.previous_build_id,
          r.replaced,
          r.hosts,
          r.state_bytes,
          static_cast<std::uint64_t>(r.took.count()),
          static_cast<std::uint64_t>(r.switched.count())};
}

std::vector<std::string> manager_api::resolve(std::string name) {
  std::vector<std::string> out;
  for (const auto& p : pm_.members(name)) out.push_back(p.endpoint);
  if (out.empty()) throw Error(status_code::not_found, "nothing is registered as '" + name + "'");
  return out;
}

workflow_record to_record(const workflow_spec& spec) {
  workflow_record r{spec.name, {}, spec.output};
  for (const auto& s : spec.stages) {
    workflow_stage_record st;
    st.name = s.name;
    st.call = s.call.call;
    st.args = s.call.args;
    st.depends_on = s.depends_on;
    st.for_each = s.for_each;
    st.timeout_ms = s.timeout ? static_cast<std::uint64_t>(s.timeout->count()) : 0;
    st.retries = s.retries;
    st.backoff_base_ms = static_cast<std::uint64_t>(s.backoff.base.count());
    st.backoff_factor = s.backoff.factor;
    st.backoff_max_ms = static_cast<std::uint64_t>(s.backoff.max.count());
    st.has_compensate = s.compensate.has_value();
    if (s.compensate) {
      st.compensate_call = s.compensate->call;
      st.compensate_args = s.compensate->args;
    }
    r.stages.push_back(std::move(st));
  }
  return r;
}

workflow_spec from_record(const workflow_record& r) {
  workflow_spec spec{r.name, {}, r.output};
  for (const auto& st : r.stages) {
    workflow_stage s;
    s.name = st.name;
    s.call = {st.call, st.args};
    s.depends_on = st.depends_on;
    s.for_each = st.for_each;
    if (st.timeout_ms > 0) s.timeout = std::chrono::milliseconds(st.timeout_ms);
    s.retries = static_cast<unsigned>(st.retries);
    s.backoff.base = std::chrono::milliseconds(st.backoff_base_ms);
    s.backoff.factor = st.backoff_factor;
    s.backoff.max = std::chrono::milliseconds(st.backoff_max_ms);
    if (st.has_compensate) s.compensate = workflow_call{st.compensate_call, st.compensate_args};
    spec.stages.push_back(std::move(s));
  }
  return spec;
}

std::vector<std::string> manager_api::workflows() { return pm_.workflows(); }

workflow_record manager_api::workflow(std::string name) { return to_record(pm_.workflow(name).spec()); }

void manager_api::shutdown() {
  if (on_shutdown_) on_shutdown_();
}

}  // namespace titan
