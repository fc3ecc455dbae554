// State handover (kv's snapshot formats), plugin files rebuilt in place, and
// what list() and tree() show of a reload.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <future>
#include <set>

#include "host_process.hpp"
#include "reload_support.hpp"

using namespace titan::test::reload;
using titan::test::plugin_path;
using titan::test::test_plugin_path;

namespace {

ino_t inode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_ino;
}

void put_keys(titan::Proxy<KvStore>& kv, int from, int to) {
  for (int i = from; i < to; ++i) kv.put("key-" + std::to_string(i), "value-" + std::to_string(i)).get();
}

// Every key put_keys(0, n) wrote reads back, and nothing else is there.
void check_keys(titan::Proxy<KvStore>& kv, int n) {
  CHECK(kv.size().get() == static_cast<std::uint64_t>(n));
  std::vector<titan::Future<std::optional<std::string>>> values;  // pipelined: one deadline for all
  for (int i = 0; i < n; ++i) values.push_back(kv.get("key-" + std::to_string(i)));
  int wrong = 0;
  for (int i = 0; i < n; ++i) wrong += values[i].get() == std::optional<std::string>("value-" + std::to_string(i)) ? 0 : 1;
  CHECK(wrong == 0);
}

// The old host still serves after a refused reload: same host, same pid,
// taking calls, the only one alive under `name`.
void check_old_serves(titan::ProcessManager& pm, const std::string& name, const titan::process_info& old,
                      const std::string& version) {
  CHECK(member_ids(pm, name) == std::vector<std::uint64_t>{old.id});
  auto now = pm.get(old.id);
  REQUIRE(now);
  CHECK(now->pid == old.pid);
  CHECK(now->state == titan::process_state::running);
  CHECK(version_at(old.endpoint) == version);
  const auto live = live_hosts(pm, name);
  REQUIRE(live.size() == 1);
  CHECK(live.front().id == old.id);
  auto row = row_of(pm, name);
  REQUIRE(row);
  CHECK(row->state == "running");
  CHECK(row->host == old.id);
}

}  // namespace

TEST_CASE("kv's data survives reloads - a snapshot the new version cannot read is refused", "[reload][state]") {
  titan::ProcessManager pm(manager_options());
  supervise_kv(pm, "kv", plugin_path("kv"));
  auto kv = kv_client(pm, "kv");
  put_keys(kv, 0, 50);
  REQUIRE(kv.version().get() == "1.0.0");

  // 1.0.0 -> 3.0.0: v3 reads format 3 only, v1 writes format 1.
  auto v1 = pm.members("kv").at(0);
  auto error = reload_error(pm, "kv", reload_to(test_plugin_path("kv_v3_strict")));
  REQUIRE(error);
  CHECK(error->code() == titan::status_code::failed_precondition);
  CHECK_THAT(error->message(), Catch::Contains("rolled back") && Catch::Contains("refused the state") &&
                                   Catch::Contains("restore() refused the snapshot (version 1)") &&
                                   Catch::Contains("not format 1") &&
                                   Catch::Contains("the old version (1.0.0) keeps serving"));
  check_old_serves(pm, "kv", v1, "1.0.0");
  CHECK(kv.version().get() == "1.0.0");
  check_keys(kv, 50);

  // 1.0.0 -> 2.0.0: v2 reads format 1.
  auto report = pm.reload("kv", reload_to(test_plugin_path("kv_v2")));
  CHECK(report.previous_version == "1.0.0");
  CHECK(report.version == "2.0.0");
  CHECK(report.state_bytes > 0);
  CHECK(report.replaced == std::vector<std::uint64_t>{v1.id});
  CHECK(kv.version().get() == "2.0.0");
  check_keys(kv, 50);
  put_keys(kv, 50, 60);

  // 2.0.0 -> 3.0.0 (format 2) and 2.0.0 -> 1.0.0 (a downgrade: v1 reads
  // format 1 only) are both refused, and 2.0.0 keeps its 60 keys.
  auto v2 = pm.members("kv").at(0);
  CHECK(v2.id == report.hosts.at(0));
  error = reload_error(pm, "kv", reload_to(test_plugin_path("kv_v3_strict")));
  REQUIRE(error);
  CHECK(error->code() == titan::status_code::failed_precondition);
  CHECK_THAT(error->message(), Catch::Contains("refused the state") &&
                                   Catch::Contains("restore() refused the snapshot (version 2)") &&
                                   Catch::Contains("kv 3.0.0 reads snapshot formats 3 to 3, not format 2") &&
                                   Catch::Contains("the old version (2.0.0) keeps serving"));
  check_old_serves(pm, "kv", v2, "2.0.0");
  error = reload_error(pm, "kv", reload_to(plugin_path("kv")));
  REQUIRE(error);
  CHECK_THAT(error->message(), Catch::Contains("kv 1.0.0 reads snapshot formats 1 to 1, not format 2"));
  check_old_serves(pm, "kv", v2, "2.0.0");
  CHECK(kv.version().get() == "2.0.0");
  check_keys(kv, 60);

  // And it can still be reloaded (nothing was left half done): 2.0.0 -> 2.0.0.
  report = pm.reload("kv", reload_to(""));
  CHECK(report.version == "2.0.0");
  check_keys(kv, 60);
}

TEST_CASE("overwriting the plugin file in place never disturbs the host running it - reload picks it up",
          "[reload][file]") {
  titan::test::temp_dir dir;
  const std::string path = copy_to(dir, plugin_path("kv"), "kv.so");
  const auto inode = inode_of(path);
  titan::ProcessManager pm(manager_options());
  supervise_kv(pm, "kv", path);
  auto kv = kv_client(pm, "kv");
  put_keys(kv, 0, 10);
  const auto host = pm.members("kv").at(0);

  // Garbage first, then half of another build, then the whole of it: the
  // running host keeps its own copy of the code it loaded.
  const std::string v2 = read_bytes(test_plugin_path("kv_v2"));
  for (const std::string& bytes : {std::string(4096, '\x5a'), half_written(v2), v2}) {
    write_in_place(path, bytes);
    REQUIRE(inode_of(path) == inode);  // the very file the host was started from
    for (int i = 0; i < 20; ++i) CHECK(kv.swap("k", std::to_string(i)).get() == (i == 0 ? "" : std::to_string(i - 1)));
    kv.erase("k").get();
    CHECK(kv.version().get() == "1.0.0");
    check_keys(kv, 10);
    auto now = pm.get(host.id);
    REQUIRE(now);
    CHECK(now->state == titan::process_state::running);
    CHECK(now->pid == host.pid);
    if (bytes != v2) {
      // A reload of the broken file is refused; the old version serves on.
      auto error = reload_error(pm, "kv", reload_to(""));
      REQUIRE(error);
      CHECK(error->code() == titan::status_code::failed_precondition);
      CHECK_THAT(error->message(), Catch::Contains("could not start") && Catch::Contains(path));
      check_old_serves(pm, "kv", host, "1.0.0");
    }
  }
  // A reload with no plugin given loads the file as it is now.
  auto report = pm.reload("kv", reload_to(""));
  CHECK(report.version == "2.0.0");
  CHECK(kv.version().get() == "2.0.0");
  check_keys(kv, 10);
}

TEST_CASE("list() and tree() show the new host's version and build id, during and after a reload",
          "[reload][ps]") {
  titan::ProcessManager pm(manager_options());
  supervise_kv(pm, "kv", plugin_path("kv"));
  auto kv = kv_client(pm, "kv");
  kv.put("a", "1").get();
  const auto old = pm.members("kv").at(0);
  CHECK(old.version == "1.0.0");
  REQUIRE(!old.build_id.empty());
  CHECK(old.build_id.find_first_not_of("0123456789abcdef") == std::string::npos);
  auto row = row_of(pm, "kv");
  REQUIRE(row);
  CHECK(row->host == old.id);
  CHECK(row->kind == "service");
  CHECK(row->parent == "kv-sup");

  auto reload = std::async(std::launch::async, [&] { return pm.reload("kv", reload_to(test_plugin_path("kv_v2"), 1000ms)); });
  // During: the new host is listed with its version; the child shows as reloading.
  std::optional<titan::process_info> spare;
  CHECK(poll_until([&] {
    for (const auto& p : pm.list())
      if (p.group == "kv" && p.id != old.id && p.state == titan::process_state::running) spare = p;
    return spare.has_value();
  }));
  REQUIRE(spare);
  CHECK(spare->version == "2.0.0");
  CHECK(spare->name == old.name);
  CHECK(!spare->build_id.empty());
  CHECK(spare->build_id != old.build_id);
  CHECK(spare->supervisor == old.supervisor);
  row = row_of(pm, "kv");
  REQUIRE(row);
  CHECK(row->state == "reloading");
  CHECK(row->host == old.id);  // the engine learns of the new host at commit

  const auto report = reload.get();
  CHECK(report.hosts == std::vector<std::uint64_t>{spare->id});
  CHECK(report.version == "2.0.0");
  CHECK(report.build_id == spare->build_id);
  CHECK(report.previous_build_id == old.build_id);
  // After: the child runs on the new host; the old one stops.
  row = row_of(pm, "kv");
  REQUIRE(row);
  CHECK(row->state == "running");
  CHECK(row->host == spare->id);
  CHECK(row->restarts == 0);
  auto info = pm.get(spare->id);
  REQUIRE(info);
  CHECK(info->version == "2.0.0");
  CHECK(info->build_id == spare->build_id);
  CHECK(info->plugin == test_plugin_path("kv_v2"));
  CHECK(info->supervisor == "kv-sup");
  CHECK(member_ids(pm, "kv") == std::vector<std::uint64_t>{spare->id});
  CHECK(poll_until([&] { return pm.get(old.id)->state == titan::process_state::exited; }));
  CHECK(pm.get(old.id)->version == "1.0.0");
  CHECK(kv.get("a").get() == std::optional<std::string>("1"));
}
