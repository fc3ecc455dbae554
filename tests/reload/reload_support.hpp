// Helpers for the hot reload tests: a quiet manager, kv services and pools,
// plugin files in a private directory, polling with a deadline (never a
// fixed sleep), and `load`: clients keeping pipelined calls in flight while
// a test reloads, counting every call sent, answered and failed, and
// recording what each write replaced so that no write can go missing or be
// applied twice unnoticed.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <titan/process_manager.hpp>
#include <titan/status.hpp>
#include <titan/supervisor_spec.hpp>

#include "kv.hpp"
#include "temp_dir.hpp"

namespace titan::test::reload {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

// Generous bound for anything a test waits for; only reached when the
// behaviour is broken.
constexpr auto patience = 20s;

// Polls `done` every few milliseconds until it returns true (true) or
// `timeout` passes (false).
bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = patience);

// A manager running the titan-host under test; its log and the hosts' are
// off unless TITAN_TEST_VERBOSE is set.
titan::ProcessManager::options manager_options();
std::string host_log_level();

// A kv service child (quick backoff) and a top-level tree "NAME-sup"
// holding it; returns once it runs.
titan::child_spec kv_child(const std::string& name, const std::string& plugin);
void supervise_kv(titan::ProcessManager& pm, const std::string& name, const std::string& plugin);

// Reload options: `plugin` (empty: the file the hosts run), a short probation.
titan::reload_options reload_to(const std::string& plugin, std::chrono::milliseconds probation = 50ms);

// The error reload() threw; nullopt when it returned.
std::optional<titan::Error> reload_error(titan::ProcessManager& pm, const std::string& name,
                                         const titan::reload_options& opts);

// Hosts registered under `group` that are not (yet) seen as exited, or
// whose process is still a titan-host child of this process.
std::vector<titan::process_info> live_hosts(const titan::ProcessManager& pm, const std::string& group);
// Ids of pm.members(name), sorted.
std::vector<std::uint64_t> member_ids(const titan::ProcessManager& pm, const std::string& name);
// True when no titan-host child of this process has pid `pid`.
bool pid_gone(pid_t pid);

// The tree row named `name`, if the tree shows it.
std::optional<titan::supervision_row> row_of(const titan::ProcessManager& pm, const std::string& name);

// Client options for a test's own proxies: a call that is never answered
// fails after 5 s (instead of 30), so that a broken reload fails fast.
titan::client_options quick();
// A discovering proxy to `name` with quick().
titan::Proxy<KvStore> kv_client(titan::ProcessManager& pm, const std::string& name);

// version() straight to one host, bypassing discovery: throws if that host
// refuses calls (still handing over) or is gone.
std::string version_at(const std::string& endpoint);

// Files.
std::string read_bytes(const std::string& path);
// Writes `bytes` over `path` in place (same inode, truncated first), as a
// linker rebuilding a plugin does.
void write_in_place(const std::string& path, const std::string& bytes);
std::string copy_to(const titan::test::temp_dir& dir, const std::string& from, const std::string& name);
// The first half of what a loader maps from the shared object `elf` (its
// PT_LOAD segments; the debug info after them is not needed to load it): a
// plugin the linker is still writing.
std::string half_written(const std::string& elf);

bool contains(const std::string& text, const std::string& part);

// Clients calling service `name`, each with its own discovering proxy and
// `depth` calls in flight. With `writes`, three calls in four are
// swap(KEY, KEY#SEQ) on a key of the client's own, the fourth version();
// without, every call is version() (idempotent: it may be re-sent after a
// host died with it in flight; a non-idempotent call cannot).
struct load_options {
  std::string name;
  unsigned clients = 4;
  unsigned depth = 16;
  bool writes = true;
  std::chrono::milliseconds timeout{5000};  // per call: a lost call fails after it
};

class load {
 public:
  load(titan::ProcessManager& pm, load_options opts);
  ~load();  // stop()
  load(const load&) = delete;
  load& operator=(const load&) = delete;

  // Stops sending, collects every call in flight, reads each client's key
  // once more, and joins. Idempotent.
  void stop();

  std::uint64_t sent() const { return sent_; }
  std::uint64_t replied() const { return replied_; }
  std::uint64_t failed() const { return failed_; }
  // The first few errors, for failure messages.
  std::vector<std::string> errors() const;
  std::set<std::string> versions_seen() const;

  // Polls until `n` more calls than now have been answered.
  bool wait_progress(std::uint64_t n = 200, std::chrono::milliseconds timeout = patience);
  // Polls until a version() call sent after this one was answered `version`.
  bool wait_version(const std::string& version, std::chrono::milliseconds timeout = patience);

  // After stop(): "" when, for every client, the previous values its swaps
  // returned (and its final read) make one history in which each of its
  // writes appears exactly once; otherwise what is wrong.
  std::string write_history_problems() const;
  // After stop(): writes whose previous value was not the client's previous
  // write in send order (their replies came back in another order).
  std::uint64_t out_of_order() const;
  // A few of them: "wrote V, replaced P (the write before it: W)".
  std::string out_of_order_examples() const;
  std::uint64_t writes() const;

 private:
  struct client_log {
    std::vector<std::pair<std::string, std::string>> writes;  // (value, previous), in send order
    std::optional<std::string> final_value;                   // get(key) after the last reply
    bool final_read = false;
  };
  void run(unsigned c);
  void error(const std::string& what);

  titan::ProcessManager& pm_;
  load_options opts_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> sent_{0}, replied_{0}, failed_{0};
  mutable std::mutex mu_;
  std::vector<std::string> errors_;
  std::map<std::string, std::uint64_t> latest_send_of_version_;  // version -> latest send index answered with it
  std::vector<client_log> logs_;
  std::vector<std::thread> threads_;
  bool stopped_ = false;
};

}  // namespace titan::test::reload
