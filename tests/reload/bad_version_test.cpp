// Every kind of bad new version, each reloaded under load: the reload
// throws FAILED_PRECONDITION naming the cause, the old version keeps
// serving on the same host with its data, no call fails, and only the old
// host is left alive under the name. A good reload works afterwards.
#include <catch2/catch.hpp>

#include <functional>

#include "host_process.hpp"
#include "reload_support.hpp"

using namespace titan::test::reload;
using titan::test::plugin_path;
using titan::test::test_plugin_path;

namespace {

struct bad_version {
  std::string what;
  // The plugin to reload to, made in the test's directory if need be.
  std::function<std::string(const titan::test::temp_dir&)> plugin;
  std::vector<std::string> reason;  // parts of the error message
  std::chrono::milliseconds probation{50};
  bool writes = true;  // false: the new host takes calls, then dies with some in flight
};

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

std::vector<bad_version> bad_versions() {
  auto test_plugin = [](std::string name) {
    return [name](const titan::test::temp_dir&) { return test_plugin_path(name); };
  };
  return {
      {"a missing file", [](const titan::test::temp_dir& d) { return (d / "no-such-kv.so").string(); },
       {"could not start", "not found", "no-such-kv.so"}},
      {"a missing symbol", test_plugin("missing_symbol"),
       {"could not start", "undefined symbol: titan_test_symbol_nobody_defines"}},
      {"the wrong ABI", test_plugin("wrong_abi"), {"could not start", "ABI mismatch"}},
      {"no descriptor", test_plugin("no_descriptor"), {"could not start", "not a Titan plugin"}},
      {"a constructor that throws", test_plugin("throwing_ctor"), {"could not start", "database unreachable"}},
      {"a half-written file",
       [](const titan::test::temp_dir& d) {
         const std::string path = (d / "half-kv.so").string();
         write_in_place(path, half_written(read_bytes(test_plugin_path("kv_v2"))));
         return path;
       },
       {"could not start", "half-kv.so", "truncated"}},
      {"another service", [](const titan::test::temp_dir&) { return plugin_path("echo"); }, {"serves 'echo', not 'kv'"}},
      {"a snapshot it cannot read", test_plugin("kv_v3_strict"),
       {"refused the state", "kv 3.0.0 reads snapshot formats 3 to 3, not format 1"}},
      {"an unhealthy version", test_plugin("kv_unhealthy"), {"failed its first health check", "NOT_SERVING"}},
      {"a version that dies within the probation", test_plugin("kv_crashy"),
       {"died within the probation window", "SIGABRT"}, 1000ms, false},
  };
}

}  // namespace

TEST_CASE("a bad new version never takes over - the old one serves on, under load", "[reload][rollback]") {
  auto all = bad_versions();
  const std::size_t index = GENERATE_COPY(range(std::size_t(0), all.size()));
  const bad_version& bad = all[index];
  DYNAMIC_SECTION("bad version: " << bad.what) {
    titan::test::temp_dir dir;
    titan::ProcessManager pm(manager_options());
    supervise_kv(pm, "kv", plugin_path("kv"));
    auto kv = kv_client(pm, "kv");
    kv.put("a", "1").get();
    const auto old = pm.members("kv").at(0);

    load l(pm, {.name = "kv", .writes = bad.writes});
    REQUIRE(l.wait_progress());
    const std::string plugin = bad.plugin(dir);
    auto error = reload_error(pm, "kv", reload_to(plugin, bad.probation));
    REQUIRE(error);
    INFO(error->message());
    CHECK(error->code() == titan::status_code::failed_precondition);
    CHECK_THAT(error->message(), Catch::StartsWith("reload of 'kv' rolled back: ") &&
                                     Catch::EndsWith("; the old version (1.0.0) keeps serving"));
    for (const auto& part : bad.reason) CHECK_THAT(error->message(), Catch::Contains(part));

    // The old version answers calls sent after the rollback.
    REQUIRE(l.wait_version("1.0.0"));
    REQUIRE(l.wait_progress());
    l.stop();
    INFO("sent " << l.sent() << ", answered " << l.replied() << "; first errors:\n" << joined(l.errors()));
    CHECK(l.failed() == 0);
    CHECK(l.replied() == l.sent());
    CHECK(l.write_history_problems() == "");
    INFO("out of order:\n" << l.out_of_order_examples());
    CHECK(l.out_of_order() == 0);

    // Same host, same pid, same data; nothing else alive under the name.
    CHECK(member_ids(pm, "kv") == std::vector<std::uint64_t>{old.id});
    CHECK(pm.get(old.id)->pid == old.pid);
    CHECK(version_at(old.endpoint) == "1.0.0");
    CHECK(kv.version().get() == "1.0.0");
    CHECK(kv.get("a").get() == std::optional<std::string>("1"));
    const auto live = live_hosts(pm, "kv");
    CHECK(live.size() == 1);
    for (const auto& p : live) CHECK(p.id == old.id);
    auto row = row_of(pm, "kv");
    REQUIRE(row);
    CHECK(row->state == "running");
    CHECK(row->host == old.id);
    CHECK(row->restarts == 0);

    // Nothing was left half done: a good version can be reloaded next, and
    // takes over the data.
    auto report = pm.reload("kv", reload_to(test_plugin_path("kv_v2")));
    CHECK(report.version == "2.0.0");
    CHECK(kv.get("a").get() == std::optional<std::string>("1"));
  }
}
