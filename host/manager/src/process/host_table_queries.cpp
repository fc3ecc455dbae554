// host_table: what API threads read and wait for (any thread, under mu_).
#include "process/host_table.hpp"

namespace titan::detail {

std::vector<host_table::listing> host_table::list() const {
  std::lock_guard lock(mu_);
  std::vector<listing> out;
  for (const auto& [id, r] : records_) out.push_back({r->info, r->up_since});
  return out;
}

std::vector<host_table::listing> host_table::members(const std::string& group) const {
  std::lock_guard lock(mu_);
  std::vector<listing> out;
  for (const auto& [id, r] : records_)
    if (r->info.group == group && r->listed()) out.push_back({r->info, r->up_since});
  return out;
}

std::optional<host_table::listing> host_table::get(std::uint64_t id) const {
  std::lock_guard lock(mu_);
  auto it = records_.find(id);
  if (it == records_.end()) return std::nullopt;
  return listing{it->second->info, it->second->up_since};
}

bool host_table::wait_exited(std::uint64_t id, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return exited_cv_.wait_for(lock, timeout, [&] {
    auto it = records_.find(id);  // an exited record may be pruned meanwhile
    return it == records_.end() || it->second->info.state == process_state::exited;
  });
}

void host_table::wait_any_exit(clock::time_point until) {
  std::unique_lock lock(mu_);
  exited_cv_.wait_until(lock, until);
}

std::string host_table::exit_of(std::uint64_t id) const {
  std::lock_guard lock(mu_);
  auto it = records_.find(id);
  if (it == records_.end()) return "exited";
  return it->second->info.state == process_state::exited ? it->second->info.exit_reason : std::string();
}

}  // namespace titan::detail
