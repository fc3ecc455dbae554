// host_spec::watch end to end: overwriting a watched kv plugin file (as a
// linker does, in several writes) reloads kv once, with its state; a
// rebuild that cannot load is rolled back and the next one still reloads.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <titan/process_manager.hpp>

#include "host_process.hpp"
#include "manager_support.hpp"
#include "kv.hpp"
#include "titan/detail/unique_fd.hpp"

using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

using clock_type = std::chrono::steady_clock;

// Writes `bytes` over `path` in place, as a linker does: one open, several
// flushed writes with short pauses (far below the settle time), one close.
void write_like_a_linker(const fs::path& path, const std::string& bytes, int chunks = 8) {
  const titan::detail::unique_fd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  REQUIRE(fd.get() >= 0);
  const std::size_t step = bytes.size() / static_cast<std::size_t>(chunks) + 1;
  for (std::size_t off = 0; off < bytes.size(); off += step) {
    const std::size_t n = std::min(step, bytes.size() - off);
    REQUIRE(::write(fd.get(), bytes.data() + off, n) == static_cast<ssize_t>(n));
    ::fsync(fd.get());
    std::this_thread::sleep_for(5ms);  // the workload: a slow writer, not a wait
  }
}  // closed here: the one close

std::string contents(const fs::path& path) {
  std::string text = titan::test::read_file(path);
  REQUIRE_FALSE(text.empty());
  return text;
}

// Every host the manager has had for `name` (exited ones stay listed), by id.
std::map<std::uint64_t, titan::process_info> hosts_of(titan::ProcessManager& pm, const std::string& name) {
  std::map<std::uint64_t, titan::process_info> out;
  for (auto& p : pm.list())
    if (p.group == name) out[p.id] = p;
  return out;
}

// The reload to `version` has committed: a host of it runs, and no host of
// another version is still alive.
bool reloaded_to(titan::ProcessManager& pm, const std::string& name, const std::string& version) {
  bool found = false;
  for (const auto& [id, p] : hosts_of(pm, name)) {
    if (p.state == titan::process_state::exited) continue;
    if (p.version != version) return false;
    found = found || p.state == titan::process_state::running;
  }
  return found;
}

struct watched_kv {
  titan::test::temp_dir dir;
  fs::path so = dir / "kv.so";
  titan::ProcessManager pm{titan::test::manager_options("watch-test")};

  watched_kv() {
    fs::copy_file(titan::test::plugin_path("kv"), so);
    titan::host_spec h;
    h.plugin = so.string();
    h.watch = true;
    h.log_level = std::getenv("TITAN_TEST_VERBOSE") ? "info" : "off";
    titan::supervisor_spec spec;
    spec.name = "top";
    spec.children.push_back(titan::service_child("kv", h.plugin, h));
    pm.supervise(spec);
  }
};

}  // namespace

TEST_CASE("watch: a rebuilt plugin is reloaded once, its state kept") {
  watched_kv w;
  auto kv = w.pm.discover<KvStore>("kv");
  kv.put("a", "1").get();
  REQUIRE(kv.version().get() == "1.0.0");
  const auto before = hosts_of(w.pm, "kv");
  REQUIRE(before.size() == 1);

  write_like_a_linker(w.so, contents(titan::test::test_plugin_path("kv_v2")));

  REQUIRE(titan::test::poll_until([&] { return reloaded_to(w.pm, "kv", "2.0.0"); }, 60s));
  CHECK(kv.get("a").get() == std::optional<std::string>("1"));
  CHECK(kv.version().get() == "2.0.0");
  // Exactly one reload: a second one would start another host. Give it a
  // few settle times to show up.
  const auto until = clock_type::now() + 3 * titan::ProcessManager::options{}.watch_settle + 1s;
  std::set<std::uint64_t> seen;
  while (clock_type::now() < until) {
    for (const auto& [id, p] : hosts_of(w.pm, "kv")) seen.insert(id);
    std::this_thread::sleep_for(20ms);
  }
  INFO("kv hosts seen: " << seen.size());
  CHECK(seen.size() == 2);  // the first host, and the one that took over
  CHECK(seen.count(before.begin()->first) == 1);
}

TEST_CASE("watch: a rebuild that does not load is rolled back - the next rebuild reloads") {
  watched_kv w;
  auto kv = w.pm.discover<KvStore>("kv");
  kv.put("a", "1").get();

  write_like_a_linker(w.so, std::string(64 * 1024, '\0'));  // not a shared library
  // The failed attempt: a new host was tried, and the old one still serves.
  REQUIRE(titan::test::poll_until([&] { return hosts_of(w.pm, "kv").size() >= 2; }, 60s));
  REQUIRE(titan::test::poll_until([&] {
    auto hosts = hosts_of(w.pm, "kv");
    return hosts.rbegin()->second.state == titan::process_state::exited;
  }, 60s));
  CHECK(kv.version().get() == "1.0.0");

  write_like_a_linker(w.so, contents(titan::test::test_plugin_path("kv_v2")));
  REQUIRE(titan::test::poll_until([&] { return reloaded_to(w.pm, "kv", "2.0.0"); }, 60s));
  CHECK(kv.get("a").get() == std::optional<std::string>("1"));
}
