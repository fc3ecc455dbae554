#include "supervision_support.hpp"

#include "manager_support.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <ostream>
#include <sstream>
#include <thread>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "host_process.hpp"

namespace titan::test::supervision {
namespace {

bool verbose() {
  const char* v = std::getenv("TITAN_TEST_VERBOSE");
  return v != nullptr && *v != '\0';
}

// "/proc/PID/stat": its state letter, parent and command, if it exists.
struct proc_entry {
  char state = '?';
  pid_t ppid = 0;
  std::string comm;
};

std::optional<proc_entry> read_proc(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(f, line)) return std::nullopt;
  const auto open = line.find('('), close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  proc_entry e;
  e.comm = line.substr(open + 1, close - open - 1);
  std::istringstream rest(line.substr(close + 1));
  rest >> e.state >> e.ppid;
  if (!rest) return std::nullopt;
  return e;
}

}  // namespace

bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  return titan::test::poll_until(done, timeout);
}

titan::ProcessManager::options manager_options() { return titan::test::manager_options("supervision-test"); }

std::ostream& operator<<(std::ostream& os, const journal_line& l) {
  return os << l.what << ' ' << l.name << ' ' << l.pid;
}

world::world(titan::ProcessManager::options opts) : journal_path_(dir_.write_file("journal", "").string()) {
  pm_ = std::make_unique<titan::ProcessManager>(std::move(opts));
  pm_->on_tree_exit([this](const std::string& name, bool escalated, const std::string& reason) {
    std::lock_guard lock(mu_);
    exits_.push_back({name, escalated, reason});
  });
}

world::~world() { pm_.reset(); }

std::string world::config(const std::string& fail_file) const {
  std::string text = "journal = " + toml_string(journal_path_) + "\n";
  if (!fail_file.empty()) text += "fail_start_if_exists = " + toml_string(fail_file) + "\n";
  return text;
}

titan::child_spec world::child(const std::string& name, titan::restart_type restart,
                               const std::string& fail_file) const {
  titan::host_spec h;
  h.config = config(fail_file);
  h.log_level = verbose() ? "info" : "off";
  titan::child_spec c = titan::service_child(name, titan::test::test_plugin_path("lifecycle"), h);
  c.restart = restart;
  c.backoff.base = 10ms;
  c.backoff.max = 50ms;
  c.shutdown.timeout = 10s;
  return c;
}

std::vector<journal_line> world::journal() const {
  std::vector<journal_line> out;
  std::istringstream in(titan::test::read_file(journal_path_));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    journal_line l;
    words >> l.what >> l.name >> l.pid;
    out.push_back(l);
  }
  return out;
}

std::vector<journal_line> world::journal_since(std::size_t from) const {
  auto all = journal();
  if (from >= all.size()) return {};
  return {all.begin() + static_cast<std::ptrdiff_t>(from), all.end()};
}

std::vector<tree_exit> world::tree_exits() const {
  std::lock_guard lock(mu_);
  return exits_;
}

std::optional<tree_exit> world::wait_tree_exit(std::chrono::milliseconds timeout) const {
  std::optional<tree_exit> out;
  poll_until(
      [&] {
        std::lock_guard lock(mu_);
        if (!exits_.empty()) out = exits_.front();
        return out.has_value();
      },
      timeout);
  return out;
}

titan::supervisor_spec supervisor(const std::string& name, titan::supervisor_strategy strategy, unsigned intensity,
                                  std::chrono::milliseconds period, std::vector<titan::child_spec> children) {
  titan::supervisor_spec s;
  s.name = name;
  s.flags.strategy = strategy;
  s.flags.intensity = intensity;
  s.flags.period = period;
  s.children = std::move(children);
  return s;
}

std::optional<titan::supervision_row> row_of(const titan::ProcessManager& pm, const std::string& name) {
  for (auto& r : pm.tree())
    if (r.name == name) return r;
  return std::nullopt;
}

std::optional<titan::process_info> wait_running(const titan::ProcessManager& pm, const std::string& name,
                                                std::uint64_t not_host, std::chrono::milliseconds timeout) {
  std::optional<titan::process_info> out;
  poll_until(
      [&] {
        auto r = row_of(pm, name);
        if (!r || r->state != "running" || r->host == 0 || r->host == not_host) return false;
        auto info = pm.get(r->host);
        if (!info || info->state != titan::process_state::running) return false;
        out = info;
        return true;
      },
      timeout);
  return out;
}

std::optional<titan::supervision_row> wait_state(const titan::ProcessManager& pm, const std::string& name,
                                                 const std::string& state, std::chrono::milliseconds timeout) {
  std::optional<titan::supervision_row> out;
  poll_until(
      [&] {
        auto r = row_of(pm, name);
        if (r && r->state == state) out = r;
        return out.has_value();
      },
      timeout);
  return out;
}

bool wait_no_row(const titan::ProcessManager& pm, const std::string& name, std::chrono::milliseconds timeout) {
  return poll_until([&] { return !row_of(pm, name).has_value(); }, timeout);
}

std::optional<titan::process_info> wait_exited(const titan::ProcessManager& pm, std::uint64_t id,
                                               std::chrono::milliseconds timeout) {
  std::optional<titan::process_info> out;
  poll_until(
      [&] {
        auto info = pm.get(id);
        if (info && info->state == titan::process_state::exited) out = info;
        return out.has_value();
      },
      timeout);
  return out;
}

bool pid_gone(pid_t pid) {
  auto e = read_proc(pid);
  return !e || e->ppid != ::getpid() || e->comm != "titan-host";
}

bool wait_gone(pid_t pid, std::chrono::milliseconds timeout) {
  return poll_until([&] { return pid_gone(pid); }, timeout);
}

std::vector<titan::process_info> live_hosts(const titan::ProcessManager& pm) {
  std::vector<titan::process_info> out;
  for (auto& p : pm.list())
    if (p.state != titan::process_state::exited || !pid_gone(p.pid)) out.push_back(p);
  return out;
}

titan::Proxy<LifecycleService> proxy_to(const titan::process_info& info, std::chrono::milliseconds timeout) {
  titan::client_options o;
  o.timeout = timeout;
  return titan::connect<LifecycleService>(info.endpoint, o);
}

void exit_host(const titan::process_info& info, int code) {
  auto host = proxy_to(info);
  try {
    host.exit_now(code).get();
  } catch (const titan::Error&) {
    // The host went away mid-call: UNAVAILABLE (or its deadline).
  }
}

std::vector<pid_t> pids_of(const titan::ProcessManager& pm, const std::vector<std::string>& names) {
  std::vector<pid_t> out;
  for (const auto& n : names) {
    auto r = row_of(pm, n);
    std::optional<titan::process_info> info;
    if (r && r->state == "running" && r->host != 0) info = pm.get(r->host);
    out.push_back(info && info->state == titan::process_state::running ? info->pid : 0);
  }
  return out;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<std::string> names_of(const std::vector<journal_line>& lines, const std::string& what) {
  std::vector<std::string> out;
  for (const auto& l : lines)
    if (l.what == what) out.push_back(l.name);
  return out;
}

}  // namespace titan::test::supervision
