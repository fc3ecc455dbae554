// A plugin written in plain C against titan/plugin_abi.h alone
// (tests/plugins/c_plugin), served by titan-host and called with the C++
// client: typed results, errors with their codes and messages, the config
// and instance name it was handed, its log line, $describe from its
// schemas, both kinds of stream, and its health hook.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <titan/titan.hpp>

#include "describe_reply.hpp"
#include "expect_error.hpp"
#include "host_process.hpp"
#include "ready_host.hpp"

using namespace std::chrono_literals;
using titan::status_code;
using titan::test::describe_info;
using titan::test::method_info;
using titan::test::expect_error;
using titan::test::host_process;
using titan::test::temp_dir;
using titan::test::test_plugin_path;

namespace {

// The C plugin as instance "c-1", with `greeting` in its config.
struct c_host {
  temp_dir config_dir;
  titan::test::ready_host h;
  titan::Client client;

  explicit c_host(const std::string& greeting = "hi there")
      : h(test_plugin_path("c_plugin"),
          {"--name", "c-1", "--config",
           config_dir.write_file("c.toml", "greeting = \"" + greeting + "\"\n[other]\nx = [1, 2]\n").string()}),
        client(titan::Client::connect(h.host.endpoint())) {}
};

std::string packed_empty_args() {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer>(buf).pack_array(0);
  return std::string(buf.data(), buf.size());
}

}  // namespace

TEST_CASE("a C plugin serves typed calls", "[host][c_plugin]") {
  c_host c;
  CHECK(c.client.call<std::int64_t>("add", 2, 3).get() == 5);
  CHECK(c.client.call<std::int64_t>("add", -7, 2).get() == -5);
  CHECK(c.client.call<std::int64_t>("add", std::int64_t{1} << 40, 1).get() == (std::int64_t{1} << 40) + 1);
  CHECK(c.client.call<std::string>("echo", "hello").get() == "hello");
  const std::string long_text(70000, 'x');  // a str32 both ways
  CHECK(c.client.call<std::string>("echo", long_text).get() == long_text);
}

TEST_CASE("a C plugin's errors keep their code and message", "[host][c_plugin]") {
  c_host c;
  auto err = expect_error([&] { return c.client.call("fail", "widget").get(); });
  REQUIRE(err);
  CHECK(err->code() == status_code::not_found);
  CHECK(err->message() == "no such thing: widget");

  // INVALID_ARGUMENT gets the method's name from the host, as for a C++ plugin.
  err = expect_error([&] { return c.client.call("add", "two", 3).get(); });
  REQUIRE(err);
  CHECK(err->code() == status_code::invalid_argument);
  CHECK(err->message() == "add: argument 1: expected int, got string");
  err = expect_error([&] { return c.client.call("add", 1).get(); });
  REQUIRE(err);
  CHECK(err->message() == "add: expected 2 arguments (int, int), got 1");

  // An unknown method is the host's answer, naming the C plugin's methods.
  err = expect_error([&] { return c.client.call("nope").get(); });
  REQUIRE(err);
  CHECK(err->code() == status_code::unimplemented);
  CHECK_THAT(err->message(), Catch::Contains("'c-plugin' has no method 'nope'") && Catch::Contains("add, echo, fail"));
  CHECK(c.client.call<std::int64_t>("add", 1, 1).get() == 2);  // still serving
}

TEST_CASE("a C plugin gets its instance name, config and the host's log", "[host][c_plugin]") {
  c_host c;
  auto who = c.client.call<std::map<std::string, std::string>>("whoami").get();
  CHECK(who == std::map<std::string, std::string>{{"name", "c-1"}, {"greeting", "hi there"}});
  // The line goes through the host's logger, with the instance's name in front.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (c.h.host.stderr_text().find("whoami was called") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  const std::string log = c.h.host.stderr_text();
  CHECK_THAT(log, Catch::Contains("[c-1:") && Catch::Contains("[info] c_plugin: whoami was called"));
}

TEST_CASE("$describe shows a C plugin's descriptor and schemas", "[host][c_plugin]") {
  c_host c;
  auto d = c.client.call<describe_info>("$describe").get();
  CHECK(d.service == "c-plugin");
  CHECK(d.version == "1.2.3");
  CHECK(d.sdk_version == "c");
  CHECK(d.abi == TITAN_ABI_VERSION);
  CHECK(d.name == "c-1");
  REQUIRE(d.methods.size() == 7);
  std::map<std::string, method_info> by_name;
  for (const auto& m : d.methods) by_name[m.name] = m;
  CHECK(d.methods[0].name == "add");
  CHECK(by_name["add"].args == std::vector<std::string>{"int", "int"});
  CHECK(by_name["add"].result == "int");
  CHECK(by_name["add"].idempotent);
  CHECK(by_name["echo"].result == "string");
  CHECK_FALSE(by_name["fail"].idempotent);
  CHECK(by_name["whoami"].args.empty());
  CHECK(by_name["count"].result == "stream<int>");
  CHECK(by_name["sum"].args == std::vector<std::string>{"stream<int>"});
}

TEST_CASE("a C plugin streams results and reads an input stream", "[host][c_plugin][stream]") {
  c_host c;
  std::vector<std::int64_t> got;
  for (std::int64_t v : c.client.stream<std::int64_t>("count", 300)) got.push_back(v);
  REQUIRE(got.size() == 300);
  for (std::int64_t i = 0; i < 300; ++i) CHECK(got[static_cast<std::size_t>(i)] == i);

  const std::string args = packed_empty_args();
  titan::input<std::int64_t> numbers{1, 2, 3, 4};
  CHECK(c.client.call_with_input<std::int64_t>("sum", args.data(), args.size(), {}, numbers.source()).get() == 10);

  titan::input<std::string> words{"one"};
  auto err = expect_error(
      [&] { return c.client.call_with_input<std::int64_t>("sum", args.data(), args.size(), {}, words.source()).get(); });
  REQUIRE(err);
  CHECK(err->code() == status_code::invalid_argument);
  CHECK(err->message() == "sum: input item 1: expected int, got string");

  // A streaming method called as a unary call is refused by the host.
  err = expect_error([&] { return c.client.call("count", 3).get(); });
  REQUIRE(err);
  CHECK(err->code() == status_code::failed_precondition);
}

TEST_CASE("a C plugin stops producing when the reader cancels", "[host][c_plugin][stream]") {
  c_host c;
  {
    auto r = c.client.stream<std::int64_t>("count", std::int64_t{1} << 40);  // endless, in practice
    for (std::int64_t v : r)
      if (v == 10) break;  // leaving the loop cancels the stream
  }
  // The host is free again once the C method saw CANCELLED from write().
  CHECK(c.client.call<std::int64_t>("add", 20, 22).get() == 42);
}

TEST_CASE("a C plugin's health hook feeds $health", "[host][c_plugin]") {
  c_host c;
  using health = std::map<std::string, std::string>;
  CHECK(c.client.call<health>("$health").get() == health{{"status", "SERVING"}});
  c.client.call("break_health").get();
  CHECK(c.client.call<health>("$health").get() == health{{"status", "NOT_SERVING"}, {"reason", "broken on request"}});
}

TEST_CASE("a C plugin whose create fails exits 7 with its reason", "[host][c_plugin]") {
  temp_dir dir;
  const auto config = dir.write_file("c.toml", "greeting = \"refuse\"\n");
  host_process host(host_process::args_for(test_plugin_path("c_plugin"), dir, {"--config", config.string()}));
  auto status = host.wait_exit();
  REQUIRE(status);
  CHECK(status->code == 7);
  CHECK_THAT(host.stderr_text(), Catch::Contains("the constructor of service 'c-plugin' threw: "
                                                 "the greeting 'refuse' refuses to start"));
}
