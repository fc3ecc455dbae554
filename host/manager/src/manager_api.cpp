#include "titan/manager_api.hpp"

#include <signal.h>

#include "titan/process_manager.hpp"
#include "titan/workflow.hpp"

namespace titan {

namespace {
// With fresh CPU and RSS figures.
process_info fresh(ProcessManager& pm, const process_info& p) { return pm.get(p.id).value_or(p); }

std::vector<process_info> fresh(ProcessManager& pm, const std::vector<process_info>& infos) {
  std::vector<process_info> out;
  for (const auto& p : infos) out.push_back(fresh(pm, p));
  return out;
}
}  // namespace

std::vector<process_info> manager_api::ps() { return fresh(pm_, pm_.list()); }

std::vector<supervision_row> manager_api::tree() { return pm_.tree(); }

process_info manager_api::spawn(std::string plugin, std::string name) {
  return fresh(pm_, pm_.spawn_host(plugin, {.name = std::move(name)}));
}

std::vector<process_info> manager_api::pool(std::string plugin, std::string name, std::uint64_t size,
                                            std::string strategy) {
  if (name.empty()) throw Error(status_code::invalid_argument, "a pool needs a name");
  if (!strategy.empty() && !balance_from_string(strategy))
    throw Error(status_code::invalid_argument, "unknown strategy '" + strategy +
                                                   "' (round-robin, least-loaded, random, consistent-hash)");
  pool_options o;
  o.name = std::move(name);
  o.size = size;
  if (!strategy.empty()) o.strategy = *balance_from_string(strategy);
  return fresh(pm_, pm_.start_pool(plugin, o));
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

std::vector<process_info> manager_api::scale(std::string name, std::uint64_t size) {
  return fresh(pm_, pm_.scale(name, size));
}

reload_report manager_api::reload(std::string name, std::string plugin, std::uint64_t probation_ms) {
  reload_options o;
  o.plugin = std::move(plugin);
  if (probation_ms > 0) o.probation = std::chrono::milliseconds(probation_ms);
  return pm_.reload(name, o);
}

std::vector<std::string> manager_api::resolve(std::string name) {
  std::vector<std::string> out;
  for (const auto& p : pm_.members(name)) out.push_back(p.endpoint);
  if (out.empty()) throw Error(status_code::not_found, "nothing is registered as '" + name + "'");
  return out;
}

std::vector<std::string> manager_api::workflows() { return pm_.workflows(); }

workflow_spec manager_api::workflow(std::string name) { return pm_.workflow(name).spec(); }

void manager_api::shutdown() {
  if (on_shutdown_) on_shutdown_();
}

}  // namespace titan
