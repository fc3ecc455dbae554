// Helpers shared by the pool tests: a quiet manager, polling with a
// deadline (never a fixed sleep), "which hosts answered", and /proc probes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <titan/process_manager.hpp>

#include "compute.hpp"
#include "host_process.hpp"

namespace titan::test::pool {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

// Generous bound for anything the tests wait for (a host start, a restart,
// a membership push); only reached when the behaviour is broken.
constexpr auto patience = 20s;

// A ProcessManager running the titan-host under test.
titan::ProcessManager::options manager_options();

// Options for pool `name`; members log warnings only.
titan::pool_options pool_opts(const std::string& name, std::size_t size,
                              titan::balance strategy = titan::balance::round_robin, unsigned concurrency = 1);

// Polls `done` every few milliseconds until it returns true (true) or
// `timeout` passes (false). For conditions, never for fixed waits.
bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = patience);

// Calls whoami until `n` distinct hosts have answered (errors, e.g. from a
// member that is being replaced, are retried); their pids, or fewer when the
// deadline passed.
std::set<std::int64_t> answer_from(const titan::Proxy<ComputeService>& proxy, std::size_t n,
                                   std::chrono::milliseconds timeout = patience);

// Polls whoami until `pid` answers; false after `timeout`.
bool reaches(const titan::Proxy<ComputeService>& proxy, std::int64_t pid, std::chrono::milliseconds timeout = patience);

// Polls until the proxy's own view of the membership has `n` endpoints.
bool client_sees(const titan::Proxy<ComputeService>& proxy, std::size_t n, std::chrono::milliseconds timeout = patience);

// pid -> calls answered, for `calls` whoami calls, sequential or pipelined.
std::map<std::int64_t, int> whoami_counts(const titan::Proxy<ComputeService>& proxy, int calls, bool pipelined);

// Calls received and not yet answered by the host behind `direct` (a
// client connected straight to one member), from its $metrics.
std::uint64_t host_in_flight(const titan::Client& direct);

std::set<std::int64_t> pids_of(const std::vector<titan::process_info>& members);

// The pool member (by instance name) currently running, if any.
std::optional<titan::process_info> member_named(const titan::ProcessManager& pm, const std::string& pool,
                                                const std::string& name);

// /proc/PID/stat: state letter ('R', 'S', 'Z', ...), parent and process group.
struct proc_stat {
  char state = '?';
  pid_t ppid = 0;
  pid_t pgrp = 0;
  std::string comm;
};
std::optional<proc_stat> read_proc_stat(pid_t pid);

// A zombie whose parent is this test process: a child nobody reaped.
bool is_our_zombie(pid_t pid);

// Every titan-host process (live or zombie) whose parent is this process.
std::vector<pid_t> our_titan_host_children();

// Every titan-host process that is in one of `groups` (process groups of
// hosts we started: a host leads its own group), whoever its parent is.
std::vector<pid_t> titan_hosts_in_groups(const std::set<pid_t>& groups);

}  // namespace titan::test::pool
