// `titan logs NAME [-f] [-n N]`: the last lines of a host's log file (or of
// every member of a pool), then, with -f, what gets appended.
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "instance.hpp"
#include "log_tail.hpp"

namespace titan::cli {
namespace {

struct logs_args {
  std::string name;
  bool follow = false;
  std::size_t lines = 20;
};

struct log_source {
  std::string name;  // of the first process writing it
  std::string path;
};

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// The distinct log files of the processes `name` designates: a process
// name, a group (a pool: all its members) or an id.
std::vector<log_source> find_sources(const std::vector<process_info>& rows, const std::string& name) {
  const bool by_id = all_digits(name) && name.size() < 20;
  const std::uint64_t id = by_id ? std::stoull(name) : 0;
  std::vector<log_source> out;
  bool matched = false;
  for (const auto& r : rows) {
    if (r.name != name && r.group != name && !(by_id && r.id == id)) continue;
    matched = true;
    if (r.log_file.empty()) continue;
    if (std::none_of(out.begin(), out.end(), [&](const log_source& s) { return s.path == r.log_file; }))
      out.push_back({r.name, r.log_file});
  }
  if (!matched) throw Error(status_code::not_found, "no process named '" + name + "' (see titan ps)");
  if (out.empty())
    throw Error(status_code::failed_precondition,
                "the output of '" + name +
                    "' is not captured: logs are captured when the daemon runs with --log-dir DIR "
                    "(or its topology sets [manager] log_dir)");
  return out;
}

// Writes all of `text` to stdout; false when the reader is gone (EPIPE).
bool emit(const std::string& text) {
  for (std::size_t done = 0; done < text.size();) {
    ssize_t n = ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EPIPE) std::cerr << "error: writing to stdout: " << std::strerror(errno) << '\n';
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// A pipe on stdout whose reader has exited (`titan logs x -f | head`):
// noticed even while there is nothing to write.
bool stdout_closed() {
  pollfd p{STDOUT_FILENO, 0, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP)) != 0;
}

std::string format(const std::vector<std::string>& lines, const std::string& prefix) {
  std::string text;
  for (const auto& l : lines) text.append(prefix).append(l).push_back('\n');
  return text;
}

int run_logs(const common_args& common, const logs_args& a) {
  ::signal(SIGPIPE, SIG_IGN);  // a closed stdout is an EPIPE, handled
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  // Blocked before the client starts its threads, so that they inherit
  // the mask and only sigtimedwait below sees these signals.
  if (a.follow) pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::vector<log_source> sources;
  try {
    auto manager = connect_manager(common.instance, common.timeout_ms);
    sources = find_sources(manager.ps().get(), a.name);
  } catch (const std::exception& e) {
    return report_error(e);
  }

  std::size_t width = 0;
  for (const auto& s : sources) width = std::max(width, s.name.size());
  std::vector<std::string> prefixes;
  std::vector<std::unique_ptr<log_tail>> tails;
  for (const auto& s : sources) {
    // Like docker compose: each line says whose it is when there are several.
    prefixes.push_back(sources.size() > 1 ? s.name + std::string(width - s.name.size(), ' ') + " | " : "");
    tails.push_back(std::make_unique<log_tail>(s.path));
  }
  for (std::size_t i = 0; i < tails.size(); ++i)
    if (!emit(format(tails[i]->last_lines(a.lines, !a.follow), prefixes[i]))) return 0;
  if (!a.follow) return 0;

  // Poll the files' sizes; 100 ms between looks when nothing came.
  for (;;) {
    bool got = false;
    for (std::size_t i = 0; i < tails.size(); ++i) {
      auto lines = tails[i]->follow();
      got = got || !lines.empty();
      if (!emit(format(lines, prefixes[i]))) return 0;
    }
    if (!got && stdout_closed()) return 0;
    const timespec wait{0, got ? 0 : 100'000'000};
    if (::sigtimedwait(&stop_signals, nullptr, &wait) >= 0) return 0;
  }
}

}  // namespace

void add_logs_command(CLI::App& app, common_args& common, int& rc) {
  auto a = std::make_shared<logs_args>();  // kept alive by the callback
  auto* cmd = app.add_subcommand("logs", "Print a host's (or a pool's) captured output; -f follows it");
  cmd->footer(
      "\nNAME is a process name, a pool (all its members, each line prefixed with its name) or an id (see "
      "titan ps).\nOutput is captured when the daemon runs with --log-dir DIR: each host writes DIR/NAME.log.");
  cmd->add_option("name", a->name, "Process name, pool name or id")->required();
  cmd->add_flag("--follow,-f", a->follow, "Keep printing lines as they are written (until Ctrl-C)");
  cmd->add_option("--lines,-n", a->lines, "How many of the last lines to print first (default 20)");
  cmd->callback([a, &common, &rc] { rc = run_logs(common, *a); });
}

}  // namespace titan::cli
