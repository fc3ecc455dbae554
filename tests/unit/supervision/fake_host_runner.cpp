#include "fake_host_runner.hpp"

#include <titan/status.hpp>

namespace titan::test::engine {

bool fake_host_runner::start_fails(const std::string& name) {
  if (auto it = fail_until_.find(name); it != fail_until_.end() && clock_.now() < it->second) return true;
  auto it = fail_count_.find(name);
  if (it == fail_count_.end() || it->second == 0) return false;
  if (it->second != UINT_MAX) --it->second;
  return true;
}

std::uint64_t fake_host_runner::start_host(const titan::detail::host_request& r) {
  requests_.push_back({r.name, r.group, r.slot, r.supervisor, r.restarts, r.host.plugin});
  if (refuse_.count(r.name)) {
    note("fail", r.name);
    throw titan::Error(titan::status_code::internal, "cannot spawn titan-host for '" + r.name + "'");
  }
  const std::uint64_t id = next_id_++;
  if (start_fails(r.name)) {
    note("fail", r.name);
    hosts_[id] = {r.name, false};
    outcomes_.push_back({host_outcome::kind::start_failed, id, false, false,
                         "titan-host exited with code 7 before it was ready (the service's constructor threw)"});
    return id;
  }
  note("start", r.name);
  hosts_[id] = {r.name, true};
  if (!hang_start_.count(r.name)) outcomes_.push_back({host_outcome::kind::ready, id});
  return id;
}

void fake_host_runner::stop_host(std::uint64_t id, bool brutal) {
  auto it = hosts_.find(id);
  if (it == hosts_.end() || !it->second.alive) return;  // dead already: its exit is on its way
  note(brutal ? "brutal_kill" : "stop", it->second.name);
  if (!brutal && hang_stop_.count(it->second.name)) return;
  it->second.alive = false;
  outcomes_.push_back(
      {host_outcome::kind::exited, id, true, true, brutal ? "killed by SIGKILL" : "exited with code 0"});
}

void fake_host_runner::kill_host(std::uint64_t id) {
  auto it = hosts_.find(id);
  if (it == hosts_.end() || !it->second.alive) return;
  note("kill", it->second.name);
  it->second.alive = false;
  // A stop by the manager that had to SIGKILL: still the manager's stop.
  outcomes_.push_back({host_outcome::kind::exited, id, true, true, "killed by SIGKILL"});
}

void fake_host_runner::abandon_start(std::uint64_t id, const std::string& reason) {
  auto it = hosts_.find(id);
  if (it == hosts_.end() || !it->second.alive) return;
  note("abandon", it->second.name);
  it->second.alive = false;
  outcomes_.push_back({host_outcome::kind::start_failed, id, false, false, reason});
}

std::uint64_t fake_host_runner::host_of(const std::string& name) const {
  for (auto it = hosts_.rbegin(); it != hosts_.rend(); ++it)
    if (it->second.alive && it->second.name == name) return it->first;
  return 0;
}

bool fake_host_runner::end(const std::string& name, bool normal, const std::string& reason, bool by_manager) {
  const std::uint64_t id = host_of(name);
  if (id == 0) return false;
  hosts_[id].alive = false;
  outcomes_.push_back({host_outcome::kind::exited, id, normal, by_manager, reason});
  return true;
}

std::optional<host_outcome> fake_host_runner::next_outcome() {
  if (outcomes_.empty()) return std::nullopt;
  host_outcome o = std::move(outcomes_.front());
  outcomes_.pop_front();
  return o;
}

void fake_host_runner::note(std::string what, std::string name) {
  journal_.push_back({std::move(what), std::move(name), clock_.elapsed_ms()});
}

std::vector<std::string> fake_host_runner::journal(std::size_t from) const {
  std::vector<std::string> out;
  for (std::size_t i = from; i < journal_.size(); ++i) out.push_back(journal_[i].what + " " + journal_[i].name);
  return out;
}

std::size_t fake_host_runner::attempts(const std::string& name) const { return attempt_times(name).size(); }

std::vector<long> fake_host_runner::attempt_times(const std::string& name) const {
  std::vector<long> out;
  for (const auto& e : journal_)
    if (e.name == name && (e.what == "start" || e.what == "fail")) out.push_back(e.at_ms);
  return out;
}

}  // namespace titan::test::engine
