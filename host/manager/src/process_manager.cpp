#include "titan/process_manager.hpp"

#include "manager_core.hpp"

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
ProcessManager::ProcessManager(options opts) : core_(std::make_unique<detail::manager_core>(std::move(opts))) {}
ProcessManager::~ProcessManager() = default;

process_info ProcessManager::spawn_host(const std::string& plugin, const spawn_options& opts,
                                        std::string_view expected_service) {
  return core_->spawn(plugin, opts, expected_service);
}

std::vector<process_info> ProcessManager::start_pool(const std::string& plugin, const pool_options& opts,
                                                     std::string_view expected_service) {
  return core_->start_pool(plugin, opts, expected_service);
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
const std::string& ProcessManager::control_endpoint() const { return core_->control_endpoint(); }
const std::string& ProcessManager::runtime_dir() const { return core_->runtime_path(); }

}  // namespace titan
