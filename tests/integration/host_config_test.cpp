// titan-host --config: a TOML file whose table the service receives
// through titan::Context, and the errors a broken one gives.
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "faulty.hpp"
#include "host_process.hpp"
#include "users.hpp"

using titan::test::host_process;
using titan::test::temp_dir;

TEST_CASE("the --config TOML table reaches the service", "[host][config]") {
  temp_dir dir;
  auto config = dir.write_file("users.toml", "# users\nid_prefix = \"acct-\"\n[extra]\nlist = [1, 2]\n");
  host_process host(host_process::args_for(titan::test::plugin_path("users"), dir, {"--config", config.string()}));
  INFO(host.describe());
  REQUIRE(host.wait_ready());
  auto users = titan::connect<UserService>(host.endpoint());
  User u = users.create_user("John").get();
  CHECK(u.id == "acct-1");
  CHECK(u.name == "John");
  auto found = users.get_user("acct-1").get();
  REQUIRE(found);
  CHECK(found->name == "John");
}

TEST_CASE("TOML values reach the service as msgpack", "[host][config]") {
  temp_dir dir;
  auto config = dir.write_file("faulty.toml", R"(name = "x"
count = -3
ratio = 0.5
enabled = true
list = [1, 2, 3]
when = 1979-05-27
[db]
host = "localhost"
ports = [8000, 8001]
)");
  host_process host(
      host_process::args_for(titan::test::test_plugin_path("faulty"), dir, {"--config", config.string()}));
  INFO(host.describe());
  REQUIRE(host.wait_ready());
  msgpack::object_handle oh = titan::Client::connect(host.endpoint()).call("config").get();
  auto table = oh.get().as<std::map<std::string, msgpack::object>>();
  CHECK(table.size() == 7);
  CHECK(table.at("name").as<std::string>() == "x");
  CHECK(table.at("count").as<std::int64_t>() == -3);
  CHECK(table.at("ratio").as<double>() == 0.5);
  CHECK(table.at("enabled").as<bool>());
  CHECK(table.at("list").as<std::vector<int>>() == std::vector<int>{1, 2, 3});
  CHECK(table.at("when").as<std::string>() == "1979-05-27");
  auto db = table.at("db").as<std::map<std::string, msgpack::object>>();
  CHECK(db.at("host").as<std::string>() == "localhost");
  CHECK(db.at("ports").as<std::vector<int>>() == std::vector<int>{8000, 8001});
}

TEST_CASE("without --config the service sees its defaults", "[host][config]") {
  temp_dir dir;
  host_process host(host_process::args_for(titan::test::plugin_path("users"), dir));
  INFO(host.describe());
  REQUIRE(host.wait_ready());
  CHECK(titan::connect<UserService>(host.endpoint()).create_user("Ann").get().id == "u1");

  temp_dir faulty_dir;
  host_process faulty(host_process::args_for(titan::test::test_plugin_path("faulty"), faulty_dir));
  REQUIRE(faulty.wait_ready());
  msgpack::object_handle oh = titan::Client::connect(faulty.endpoint()).call("config").get();
  CHECK(oh.get().type == msgpack::type::MAP);  // an empty map, not nil
  CHECK(oh.get().via.map.size == 0);
}

TEST_CASE("a broken --config exits 9 naming file, line and column", "[host][config]") {
  temp_dir dir;
  auto config = dir.write_file("broken.toml", "id_prefix = \"acct-\"\nbroken = = 3\n");
  host_process host(host_process::args_for(titan::test::plugin_path("users"), dir, {"--config", config.string()}));
  auto status = host.wait_exit();
  REQUIRE(status);
  CHECK(status->code == 9);
  CHECK_THAT(host.stderr_text(), Catch::Contains(config.string() + ":2:"));
  CHECK_FALSE(std::filesystem::exists(host.dir() / "endpoints"));
}

TEST_CASE("a missing --config file exits 9 naming it", "[host][config]") {
  temp_dir dir;
  const std::string missing = (dir / "nope.toml").string();
  host_process host(host_process::args_for(titan::test::plugin_path("users"), dir, {"--config", missing}));
  auto status = host.wait_exit();
  REQUIRE(status);
  CHECK(status->code == 9);
  CHECK_THAT(host.stderr_text(), Catch::Contains(missing));
}

TEST_CASE("a config value of the wrong type fails the constructor (exit 7)", "[host][config]") {
  temp_dir dir;
  auto config = dir.write_file("users.toml", "id_prefix = 5\n");
  host_process host(host_process::args_for(titan::test::plugin_path("users"), dir, {"--config", config.string()}));
  auto status = host.wait_exit();
  REQUIRE(status);
  CHECK(status->code == 7);
  CHECK_THAT(host.stderr_text(), Catch::Contains("config key 'id_prefix' has the wrong type"));
}
