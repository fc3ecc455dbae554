// How titan-host reads a plugin's C descriptor (plugin-sdk/PLUGIN_ABI.md):
// the old C++ descriptor of SDK 0.1 (ABI 1 and 2) is refused as an ABI
// mismatch, a descriptor from a later SDK (longer structs) is served, and a
// malformed one is refused as not a plugin.
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <titan/titan.hpp>

#include "host_process.hpp"
#include "ready_host.hpp"

using titan::test::host_process;
using titan::test::temp_dir;
using titan::test::test_plugin_path;

namespace {

struct refusal {
  std::string plugin;
  int exit_code;
  std::vector<std::string> stderr_has;
};

void check_refused(const refusal& r, bool check_only) {
  temp_dir dir;
  std::vector<std::string> args{"--plugin", test_plugin_path(r.plugin)};
  if (check_only)
    args.push_back("--check");
  else
    args.insert(args.end(), {"--bind", dir.ipc_endpoint()});
  host_process host(args);
  INFO(host.describe());
  auto status = host.wait_exit();
  REQUIRE(status);
  CHECK(status->exited());
  CHECK(status->code == r.exit_code);
  for (const auto& text : r.stderr_has) CHECK_THAT(host.stderr_text(), Catch::Contains(text));
  CHECK(host.stdout_text().empty());  // neither endpoints nor "SERVICE VERSION"
}

}  // namespace

TEST_CASE("a plugin of the old C++ ABI is refused as an ABI mismatch", "[host][abi]") {
  const std::vector<refusal> cases{
      {"old_abi_1", 6, {"ABI mismatch: " + test_plugin_path("old_abi_1"), "built for Titan SDK ABI 1 (the C++ descriptor",
                        "this host speaks ABI 3", "rebuild the plugin"}},
      {"old_abi_2", 6, {"ABI mismatch: " + test_plugin_path("old_abi_2"), "built for Titan SDK ABI 2 (the C++ descriptor",
                        "this host speaks ABI 3"}},
  };
  for (const auto& c : cases) {
    SECTION(c.plugin + ", serving") { check_refused(c, false); }
    SECTION(c.plugin + ", --check") { check_refused(c, true); }
  }
}

TEST_CASE("a malformed C descriptor is not a plugin", "[host][abi]") {
  const std::vector<refusal> cases{
      {"abi_short_descriptor", 5, {"not a Titan plugin", "malformed descriptor", "struct_size 16 is below ABI 3's"}},
      {"abi_null_invoke", 5, {"not a Titan plugin", "method 1 has no name, invoke or describe"}},
  };
  for (const auto& c : cases) {
    SECTION(c.plugin) { check_refused(c, false); }
  }
}

TEST_CASE("a descriptor with fields appended after ABI 3 is read by its sizes and served", "[host][abi]") {
  titan::test::ready_host h(test_plugin_path("abi_future"));
  auto client = titan::Client::connect(h.host.endpoint());
  CHECK(client.call<std::int64_t>("twice", 21).get() == 42);
  CHECK(client.call<std::string>("name").get() == "variant");
  auto d = client.call<std::map<std::string, msgpack::object>>("$describe").get();
  CHECK(d.at("service").as<std::string>() == "abi-variant");
  CHECK(d.at("version").as<std::string>() == "3.1.0");
  auto methods = d.at("methods").as<std::vector<std::map<std::string, msgpack::object>>>();
  REQUIRE(methods.size() == 2);
  CHECK(methods[1].at("name").as<std::string>() == "name");
  CHECK(methods[1].at("idempotent").as<bool>());
  CHECK(methods[0].at("args").as<std::vector<std::string>>() == std::vector<std::string>{"int"});
}
