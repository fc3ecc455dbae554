// check_plugins(): each distinct plugin loaded by `titan-host --check`, all
// at once, each in its own process (a plugin that crashes on load takes
// only its checker down).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "process/child_spawn.hpp"
#include "process/host_binary.hpp"
#include "titan/detail/unique_fd.hpp"
#include "titan/status.hpp"
#include "titan/topology.hpp"

namespace titan {
namespace {

struct plugin_use {
  std::string plugin;
  std::string child;  // the first service or pool using it, in tree order
};

void collect(const supervisor_spec& s, std::vector<plugin_use>& uses) {
  for (const child_spec& c : s.children) {
    if (c.kind == child_kind::supervisor) {
      if (c.supervisor) collect(*c.supervisor, uses);
      continue;
    }
    bool seen = false;
    for (const auto& u : uses) seen = seen || u.plugin == c.host.plugin;
    if (!seen && !c.host.plugin.empty()) uses.push_back({c.host.plugin, c.name});
  }
}

constexpr std::chrono::milliseconds check_timeout{10000};

struct checker {
  pid_t pid = -1;
  detail::unique_fd err_fd;  // the read end of its stderr
  std::string spawn_error;
};

checker start(const std::string& host, const std::string& plugin) {
  checker c;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    c.spawn_error = std::string("cannot make a pipe: ") + std::strerror(errno);
    return c;
  }
  detail::unique_fd read_end(fds[0]), write_end(fds[1]);
  // stdout to /dev/null (it prints SERVICE VERSION there), stderr to us.
  // In our process group: a ^C of titan check stops the checkers too.
  detail::child_options o;
  o.stderr_fd = write_end.get();
  o.own_group = false;
  try {
    c.pid = detail::spawn_child(host, {"--plugin", plugin, "--check"}, o);
  } catch (const Error& e) {
    c.spawn_error = e.message();
    return c;
  }
  c.err_fd = std::move(read_end);
  return c;
}

// Reads its stderr to the end, reaps it; "" when the plugin passed, else the
// host's reason (the last line it printed).
// A plugin whose load-time code hangs is killed at `deadline`.
std::string finish(checker& c, std::chrono::steady_clock::time_point deadline) {
  if (c.pid < 0) return c.spawn_error;
  std::string err;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{c.err_fd.get(), POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::max<long>(0, left.count())));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      ::kill(c.pid, SIGKILL);
      c.err_fd.reset();
      while (::waitpid(c.pid, nullptr, 0) < 0 && errno == EINTR) {
      }
      return "the plugin did not finish loading within " + std::to_string(check_timeout.count() / 1000) +
             " s (titan-host --check)";
    }
    ssize_t n = ::read(c.err_fd.get(), buf, sizeof buf);
    if (n > 0)
      err.append(buf, static_cast<std::size_t>(n));
    else if (n == 0 || errno != EINTR)
      break;
  }
  c.err_fd.reset();
  int status = 0;
  while (::waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
  if (auto nl = err.rfind('\n'); nl != std::string::npos) err.erase(0, nl + 1);
  if (!err.empty()) return err;
  if (WIFSIGNALED(status)) return "titan-host --check died of signal " + std::to_string(WTERMSIG(status));
  return "titan-host --check failed with exit code " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

std::vector<topology_error> check_plugins(const topology& t, const std::string& host_binary) {
  std::vector<plugin_use> uses;
  collect(t.root, uses);
  if (uses.empty()) return {};
  std::string host;
  try {
    host = detail::find_host_binary(host_binary);
  } catch (const Error& e) {
    return {{t.file, {}, "", "cannot check the plugins: " + e.message()}};
  }
  std::vector<checker> checkers;
  for (const auto& u : uses) checkers.push_back(start(host, u.plugin));
  std::vector<topology_error> errors;
  const auto deadline = std::chrono::steady_clock::now() + check_timeout;
  for (std::size_t i = 0; i < uses.size(); ++i) {
    std::string reason = finish(checkers[i], deadline);
    if (reason.empty()) continue;
    auto table = t.tables.find(uses[i].child);
    std::string key = table == t.tables.end() ? uses[i].child + ".plugin" : table->second + ".plugin";
    auto where = t.positions.find(key);
    errors.push_back({t.file, where == t.positions.end() ? source_position{} : where->second, key, reason});
  }
  return errors;
}

}  // namespace titan
