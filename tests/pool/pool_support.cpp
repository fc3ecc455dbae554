#include "pool_support.hpp"

#include "manager_support.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace titan::test::pool {

titan::ProcessManager::options manager_options() {
  titan::ProcessManager::options o;
  o.host_binary = titan::test::host_binary();
  return o;
}

titan::pool_options pool_opts(const std::string& name, std::size_t size, titan::balance strategy,
                              unsigned concurrency) {
  titan::pool_options o;
  o.name = name;
  o.size = size;
  o.strategy = strategy;
  o.host.concurrency = concurrency;
  o.host.log_level = "warn";
  return o;
}

bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  return titan::test::poll_until(done, timeout);
}

std::set<std::int64_t> answer_from(const titan::Proxy<ComputeService>& proxy, std::size_t n,
                                   std::chrono::milliseconds timeout) {
  std::set<std::int64_t> seen;
  auto quick = titan::with_timeout(proxy, 2s);
  poll_until(
      [&] {
        try {
          seen.insert(quick.whoami().get().pid);
        } catch (const titan::Error&) {
        }
        return seen.size() >= n;
      },
      timeout);
  return seen;
}

bool reaches(const titan::Proxy<ComputeService>& proxy, std::int64_t pid, std::chrono::milliseconds timeout) {
  auto quick = titan::with_timeout(proxy, 2s);
  return poll_until(
      [&] {
        try {
          return quick.whoami().get().pid == pid;
        } catch (const titan::Error&) {
          return false;
        }
      },
      timeout);
}

bool client_sees(const titan::Proxy<ComputeService>& proxy, std::size_t n, std::chrono::milliseconds timeout) {
  return poll_until([&] { return proxy.client().members().size() == n; }, timeout);
}

std::map<std::int64_t, int> whoami_counts(const titan::Proxy<ComputeService>& proxy, int calls, bool pipelined) {
  std::map<std::int64_t, int> counts;
  if (pipelined) {
    std::vector<titan::Future<Worker>> inflight;
    inflight.reserve(static_cast<std::size_t>(calls));
    for (int i = 0; i < calls; ++i) inflight.push_back(proxy.whoami());
    for (auto& f : inflight) ++counts[f.get().pid];
  } else {
    for (int i = 0; i < calls; ++i) ++counts[proxy.whoami().get().pid];
  }
  return counts;
}

std::uint64_t host_in_flight(const titan::Client& direct) {
  auto metrics = direct.call("$metrics").get();
  return metrics.get().as<std::map<std::string, std::uint64_t>>().at("in_flight");
}

std::set<std::int64_t> pids_of(const std::vector<titan::process_info>& members) {
  std::set<std::int64_t> out;
  for (const auto& m : members) out.insert(m.pid);
  return out;
}

std::optional<titan::process_info> member_named(const titan::ProcessManager& pm, const std::string& pool,
                                                const std::string& name) {
  for (auto& m : pm.members(pool))
    if (m.name == name) return m;
  return std::nullopt;
}

std::optional<proc_stat> read_proc_stat(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(f, line)) return std::nullopt;
  // "PID (COMM) STATE PPID PGRP ...": COMM may hold spaces and parentheses.
  const auto open = line.find('('), close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  proc_stat st;
  st.comm = line.substr(open + 1, close - open - 1);
  std::istringstream rest(line.substr(close + 1));
  rest >> st.state >> st.ppid >> st.pgrp;
  if (!rest) return std::nullopt;
  return st;
}

bool is_our_zombie(pid_t pid) {
  auto st = read_proc_stat(pid);
  return st && st->state == 'Z' && st->ppid == ::getpid();
}

namespace {

template <class Keep>
std::vector<pid_t> titan_hosts_where(Keep keep) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& d : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = d.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    auto st = read_proc_stat(pid);
    if (st && st->comm == "titan-host" && keep(*st)) out.push_back(pid);
  }
  return out;
}

}  // namespace

std::vector<pid_t> our_titan_host_children() {
  const pid_t self = ::getpid();
  return titan_hosts_where([&](const proc_stat& st) { return st.ppid == self; });
}

std::vector<pid_t> titan_hosts_in_groups(const std::set<pid_t>& groups) {
  return titan_hosts_where([&](const proc_stat& st) { return groups.count(st.pgrp) > 0; });
}

}  // namespace titan::test::pool
