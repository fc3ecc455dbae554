// plugin_watcher: one report per rebuild, however the file is written
// (in place in many writes, renamed over, unlinked and created again), none
// for other files, and a prompt stop. Waits are polls with a deadline; "only
// once" is checked by waiting a bounded window (3 settles) for a second one.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "watch/plugin_watcher.hpp"
#include "temp_dir.hpp"
#include "titan/detail/unique_fd.hpp"

using namespace std::chrono_literals;
using titan::detail::plugin_watcher;
using titan::detail::unique_fd;
namespace fs = std::filesystem;

namespace {

using clock_type = std::chrono::steady_clock;
constexpr auto settle = 150ms;
constexpr auto quiet_window = 3 * settle;  // no second report within it: there is none
constexpr auto deadline = 10s;             // for what must happen

std::shared_ptr<spdlog::logger> test_logger() {
  auto log = std::make_shared<spdlog::logger>("watch-test", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  log->set_level(std::getenv("TITAN_TEST_VERBOSE") ? spdlog::level::debug : spdlog::level::off);
  return log;
}

struct report {
  std::string name;
  std::string path;
  clock_type::time_point at;
};

// Collects the watcher's reports.
class recorder {
 public:
  plugin_watcher::callback callback() {
    return [this](const std::string& name, const std::string& path) {
      std::lock_guard lock(mu_);
      reports_.push_back({name, path, clock_type::now()});
      cv_.notify_all();
    };
  }
  // Waits until at least `n` reports came; false after `within`.
  bool wait_for(std::size_t n, std::chrono::milliseconds within = deadline) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, within, [&] { return reports_.size() >= n; });
  }
  std::vector<report> reports() {
    std::lock_guard lock(mu_);
    return reports_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<report> reports_;
};

// Writes `size` bytes to `path` as a linker does: `chunks` writes, each
// flushed, with a short pause between them (a fraction of the settle time:
// together they last longer than one settle).
void write_in_chunks(const fs::path& path, std::size_t size, int chunks, int flags = O_WRONLY | O_CREAT | O_TRUNC,
                     std::chrono::milliseconds pause = 10ms) {
  const unique_fd fd(::open(path.c_str(), flags | O_CLOEXEC, 0755));
  REQUIRE(fd.get() >= 0);
  const std::string chunk(size / static_cast<std::size_t>(chunks), 'x');
  for (int i = 0; i < chunks; ++i) {
    REQUIRE(::write(fd.get(), chunk.data(), chunk.size()) == static_cast<ssize_t>(chunk.size()));
    ::fsync(fd.get());
    if (i + 1 < chunks) std::this_thread::sleep_for(pause);  // the workload: a slow writer, not a wait
  }
}  // closed here: IN_CLOSE_WRITE

void write_whole(const fs::path& path, const std::string& text) {
  const unique_fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  REQUIRE(fd.get() >= 0);
  REQUIRE(::write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size()));
}

}  // namespace

TEST_CASE("plugin_watcher: a file rewritten in place in many writes is reported once, after the last", "[watch]") {
  titan::test::temp_dir dir;
  const fs::path so = dir / "kv.so";
  write_whole(so, "version 1");
  recorder rec;
  plugin_watcher w(rec.callback(), settle, test_logger());
  w.watch("kv", so.string());

  write_in_chunks(so, 64 * 1024, 40);  // ~400 ms of writes, a pause of 10 ms between two
  const auto last_write = clock_type::now();

  REQUIRE(rec.wait_for(1));
  CHECK_FALSE(rec.wait_for(2, quiet_window));
  auto reports = rec.reports();
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].name == "kv");
  CHECK(reports[0].path == so.string());
  CHECK(reports[0].at >= last_write);
}

TEST_CASE("plugin_watcher: a temp file renamed over the plugin is reported once", "[watch]") {
  titan::test::temp_dir dir;
  const fs::path so = dir / "kv.so";
  write_whole(so, "version 1");
  recorder rec;
  plugin_watcher w(rec.callback(), settle, test_logger());
  w.watch("kv", so.string());

  write_in_chunks(dir / "kv.so.tmp123", 32 * 1024, 8);
  fs::rename(dir / "kv.so.tmp123", so);

  REQUIRE(rec.wait_for(1));
  CHECK_FALSE(rec.wait_for(2, quiet_window));
  CHECK(rec.reports().at(0).name == "kv");
}

TEST_CASE("plugin_watcher: a plugin unlinked, then created and written again, is reported once", "[watch]") {
  titan::test::temp_dir dir;
  const fs::path so = dir / "kv.so";
  write_whole(so, "version 1");
  recorder rec;
  plugin_watcher w(rec.callback(), settle, test_logger());
  w.watch("kv", so.string());

  fs::remove(so);
  write_in_chunks(so, 16 * 1024, 8, O_WRONLY | O_CREAT | O_EXCL);

  REQUIRE(rec.wait_for(1));
  CHECK_FALSE(rec.wait_for(2, quiet_window));
}

TEST_CASE("plugin_watcher: two watched files in one directory are reported once each", "[watch]") {
  titan::test::temp_dir dir;
  write_whole(dir / "a.so", "a1");
  write_whole(dir / "b.so", "b1");
  recorder rec;
  plugin_watcher w(rec.callback(), settle, test_logger());
  w.watch("a", (dir / "a.so").string());
  w.watch("b", (dir / "b.so").string());

  write_in_chunks(dir / "a.so", 8 * 1024, 4);
  write_in_chunks(dir / "b.so", 8 * 1024, 4);

  REQUIRE(rec.wait_for(2));
  CHECK_FALSE(rec.wait_for(3, quiet_window));
  std::multiset<std::string> names;
  for (const auto& r : rec.reports()) names.insert(r.name);
  CHECK(names == std::multiset<std::string>{"a", "b"});
}

TEST_CASE("plugin_watcher: every name watching one file is reported", "[watch]") {
  titan::test::temp_dir dir;
  write_whole(dir / "kv.so", "v1");
  recorder rec;
  plugin_watcher w(rec.callback(), settle, test_logger());
  w.watch("kv", (dir / "kv.so").string());
  w.watch("kv-pool", (dir / "kv.so").string());

  write_whole(dir / "kv.so", "v2");

  REQUIRE(rec.wait_for(2));
  CHECK_FALSE(rec.wait_for(3, quiet_window));
  std::multiset<std::string> names;
  for (const auto& r : rec.reports()) names.insert(r.name);
  CHECK(names == std::multiset<std::string>{"kv", "kv-pool"});
}

TEST_CASE("plugin_watcher: other files in the directory are not reported", "[watch]") {
  titan::test::temp_dir dir;
  write_whole(dir / "kv.so", "v1");
  recorder rec;
  plugin_watcher w(rec.callback(), settle, test_logger());
  w.watch("kv", (dir / "kv.so").string());

  write_in_chunks(dir / "other.so", 8 * 1024, 4);
  write_whole(dir / "kv.so.tmp", "not renamed");
  fs::rename(dir / "other.so", dir / "renamed.so");
  fs::remove(dir / "renamed.so");
  write_whole(dir / "kv.so~", "an editor's backup");
  CHECK_FALSE(rec.wait_for(1, quiet_window));

  // The watcher did see the directory all along: the plugin itself is reported.
  write_whole(dir / "kv.so", "v2");
  REQUIRE(rec.wait_for(1));
  CHECK(rec.reports().at(0).name == "kv");
}

TEST_CASE("plugin_watcher: a file closed after writing without a change is not reported", "[watch]") {
  titan::test::temp_dir dir;
  write_whole(dir / "kv.so", "v1");
  recorder rec;
  plugin_watcher w(rec.callback(), settle, test_logger());
  w.watch("kv", (dir / "kv.so").string());

  unique_fd fd(::open((dir / "kv.so").c_str(), O_WRONLY | O_CLOEXEC));  // IN_CLOSE_WRITE, same mtime and size
  REQUIRE(fd.get() >= 0);
  fd.reset();
  CHECK_FALSE(rec.wait_for(1, quiet_window));
}

TEST_CASE("plugin_watcher: a callback that throws does not end the watch", "[watch]") {
  titan::test::temp_dir dir;
  write_whole(dir / "kv.so", "v1");
  recorder rec;
  auto record = rec.callback();
  plugin_watcher w(
      [&](const std::string& name, const std::string& path) {
        record(name, path);
        throw std::runtime_error("the reload failed");
      },
      settle, test_logger());
  w.watch("kv", (dir / "kv.so").string());

  write_whole(dir / "kv.so", "v2, broken");
  REQUIRE(rec.wait_for(1));
  write_whole(dir / "kv.so", "v3, fixed");
  REQUIRE(rec.wait_for(2));
}

TEST_CASE("plugin_watcher: unwatch stops the reports for that name only", "[watch]") {
  titan::test::temp_dir dir;
  write_whole(dir / "a.so", "a1");
  write_whole(dir / "b.so", "b1");
  recorder rec;
  plugin_watcher w(rec.callback(), settle, test_logger());
  w.watch("a", (dir / "a.so").string());
  w.watch("b", (dir / "b.so").string());
  w.unwatch("a");

  write_whole(dir / "a.so", "a2");
  write_whole(dir / "b.so", "b2");
  REQUIRE(rec.wait_for(1));
  CHECK_FALSE(rec.wait_for(2, quiet_window));
  CHECK(rec.reports().at(0).name == "b");
}

TEST_CASE("plugin_watcher: a directory removed and made again is watched again", "[watch]") {
  titan::test::temp_dir dir;
  const fs::path plugins = dir / "plugins";
  fs::create_directory(plugins);
  write_whole(plugins / "kv.so", "v1");
  recorder rec;
  plugin_watcher w(rec.callback(), settle, test_logger());
  w.watch("kv", (plugins / "kv.so").string());

  fs::remove_all(plugins);  // a clean build
  fs::create_directory(plugins);
  write_whole(plugins / "kv.so", "v2, rebuilt");

  REQUIRE(rec.wait_for(1));
  CHECK_FALSE(rec.wait_for(2, quiet_window));
  CHECK(rec.reports().at(0).path == (plugins / "kv.so").string());
}

TEST_CASE("plugin_watcher: the destructor returns promptly with a change still settling", "[watch]") {
  titan::test::temp_dir dir;
  write_whole(dir / "kv.so", "v1");
  recorder rec;
  auto w = std::make_unique<plugin_watcher>(rec.callback(), std::chrono::minutes(10), test_logger());
  w->watch("kv", (dir / "kv.so").string());
  write_in_chunks(dir / "kv.so", 8 * 1024, 4);  // pending for ten minutes

  auto destroyed = std::async(std::launch::async, [&] { w.reset(); });
  REQUIRE(destroyed.wait_for(deadline) == std::future_status::ready);
  CHECK(rec.reports().empty());
}
