#include "titan/process_manager.hpp"

#include <set>

#include "manager_core.hpp"
#include "titan/manager_api.hpp"
#include "titan/detail/method_call.hpp"
#include "titan/workflow.hpp"
#include "workflow/workflow_registry.hpp"

namespace titan {

std::string_view to_string(process_state s) {
  switch (s) {
    case process_state::starting: return "starting";
    case process_state::running: return "running";
    case process_state::stopping: return "stopping";
    case process_state::exited: return "exited";
  }
  return "?";
}

ProcessManager::ProcessManager() : ProcessManager(options{}) {}
ProcessManager::ProcessManager(options opts)
    : core_(std::make_unique<detail::manager_core>(std::move(opts))),
      workflows_(std::make_unique<detail::workflow_registry>(core_->control_endpoint())) {}
ProcessManager::~ProcessManager() = default;

process_info ProcessManager::spawn_host(const std::string& plugin, const spawn_options& opts,
                                        std::string_view expected_service) {
  return core_->spawn(plugin, opts, expected_service);
}

std::vector<process_info> ProcessManager::start_pool(const std::string& plugin, const pool_options& opts,
                                                     std::string_view expected_service) {
  return core_->start_pool(plugin, opts, expected_service);
}

void ProcessManager::supervise(const supervisor_spec& spec) { core_->supervise(spec); }
void ProcessManager::on_tree_exit(
    std::function<void(const std::string& name, bool escalated, const std::string& reason)> fn) {
  core_->set_tree_exit(std::move(fn));
}
std::vector<supervision_row> ProcessManager::tree() const { return core_->tree(); }

reload_report ProcessManager::reload(const std::string& name, const reload_options& opts) {
  return core_->reload(name, opts);
}

std::vector<process_info> ProcessManager::scale(const std::string& name, std::size_t size) {
  return core_->scale(name, size);
}

std::vector<process_info> ProcessManager::list() const { return core_->list(); }
std::vector<process_info> ProcessManager::members(const std::string& name) const { return core_->members(name); }
std::optional<process_info> ProcessManager::get(std::uint64_t id) const { return core_->get(id); }
bool ProcessManager::kill(std::uint64_t id, int signal) { return core_->kill(id, signal); }
bool ProcessManager::stop(std::uint64_t id, std::chrono::milliseconds timeout) {
  return core_->stop(id, timeout, false);
}
void ProcessManager::shutdown(const shutdown_options& opts) { core_->shutdown(opts); }
void ProcessManager::add_workflow(const workflow_spec& spec) {
  std::set<std::string> known;
  for (const auto& row : tree())
    if (row.kind == "service" || row.kind == "pool") known.insert(row.name);
  for (const auto& p : list())
    if (!p.group.empty()) known.insert(p.group);
  check(spec, known);
  workflows_->add(spec);
}

workflow_runner ProcessManager::workflow(const std::string& name) const {
  auto spec = workflows_->find(name);
  if (!spec) {
    std::string known;
    for (const auto& n : workflows_->names()) known += (known.empty() ? "" : ", ") + n;
    throw Error(status_code::not_found,
                "no workflow named '" + name + "' (known: " + (known.empty() ? "none" : known) + ")");
  }
  return workflow_runner(std::move(spec), workflows_->clients());
}

std::vector<std::string> ProcessManager::workflows() const { return workflows_->names(); }

void ProcessManager::serve_api(std::function<void()> on_shutdown) {
  // Shared by the handler; lives as long as the manager core keeps it.
  auto api = std::make_shared<manager_api>(*this, std::move(on_shutdown));
  static constexpr auto table = detail::method_table<manager_api>();
  // The same dispatch as titan-host's (detail/method_call.hpp), on the C
  // method table that TITAN_SERVICE made for manager_api.
  core_->set_service_handler([api](std::string_view method, const char* body, std::size_t size) -> std::string {
    const titan_method* m = detail::find_method(table.data(), table.size(), method);
    if (m == nullptr) throw Error(status_code::unimplemented, "titan.manager has no method '" + std::string(method) + "'");
    msgpack::sbuffer out;
    status_code code = detail::call_method(*m, api.get(), body, size, out);
    if (code == status_code::ok) return std::string(out.data(), out.size());
    throw Error(code, std::string(method) + ": " + std::string(out.data(), out.size()));
  });
}

const std::string& ProcessManager::control_endpoint() const { return core_->control_endpoint(); }
const std::string& ProcessManager::runtime_dir() const { return core_->runtime_path(); }

}  // namespace titan
