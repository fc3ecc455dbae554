// titan-host against plugins that fail: at load time (each failure has its
// own exit code, see titan/control.hpp) and inside calls.
#include <signal.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "faulty.hpp"
#include "host_process.hpp"
#include "ready_host.hpp"

using namespace std::chrono_literals;
using titan::status_code;
using titan::test::expect_error;
using titan::test::host_process;
using titan::test::temp_dir;
using titan::test::test_plugin_path;

namespace {

struct start_failure {
  std::string what;
  std::vector<std::string> args;  // before --endpoint-file
  int exit_code;
  std::vector<std::string> stderr_has;
};

// A running faulty host for one test.
struct faulty_host : titan::test::ready_host {
  explicit faulty_host(std::vector<std::string> extra = {}) : ready_host(test_plugin_path("faulty"), std::move(extra)) {}
};

}  // namespace

TEST_CASE("a host that cannot start exits with its documented code and says why", "[host][faults]") {
  temp_dir dir;
  const std::string not_elf = dir.write_file("text.so", "this is not an ELF file\n").string();
  const std::string missing = (dir / "missing.so").string();
  const std::string echo = titan::test::plugin_path("echo");
  const std::string bind = dir.ipc_endpoint("x.sock");
  auto plugin = [&](const std::string& p) { return std::vector<std::string>{"--plugin", p, "--bind", bind}; };

  const std::vector<start_failure> cases{
      {"no --bind", {"--plugin", echo}, 2, {"--bind"}},
      {"unknown option", {"--plugin", echo, "--bind", bind, "--frobnicate"}, 2, {"frobnicate"}},
      {"concurrency 0", {"--plugin", echo, "--bind", bind, "--concurrency", "0"}, 2, {"concurrency"}},
      {"no such file", plugin(missing), 3, {"plugin not found", missing}},
      {"not a shared library", plugin(not_elf), 4, {"cannot load plugin", not_elf}},
      {"missing symbol", plugin(test_plugin_path("missing_symbol")), 4,
       {"cannot load plugin", "undefined symbol: titan_test_symbol_nobody_defines"}},
      {"no descriptor", plugin(test_plugin_path("no_descriptor")), 5,
       {"not a Titan plugin", test_plugin_path("no_descriptor"), "TITAN_PLUGIN"}},
      {"wrong ABI", plugin(test_plugin_path("wrong_abi")), 6, {"ABI mismatch", "ABI 999", "ABI 3"}},
      {"constructor throws", plugin(test_plugin_path("throwing_ctor")), 7,
       {"constructor of service 'throwing-ctor' threw", "database unreachable"}},
      {"bind fails", {"--plugin", echo, "--bind", "ipc://" + (dir / "no" / "such" / "dir.sock").string()}, 8,
       {"cannot bind"}},
      {"bad tcp address", {"--plugin", echo, "--bind", "tcp://not an address:*"}, 8, {"cannot bind"}},
  };
  for (const auto& c : cases) {
    SECTION(c.what) {
      host_process host(c.args);
      INFO(host.describe());
      auto status = host.wait_exit();
      REQUIRE(status);
      CHECK(status->exited());
      CHECK(status->code == c.exit_code);
      for (const auto& text : c.stderr_has) CHECK_THAT(host.stderr_text() + host.stdout_text(), Catch::Contains(text));
      CHECK_FALSE(std::filesystem::exists(host.dir() / "endpoints"));
    }
  }
}

TEST_CASE("a method that throws is INTERNAL and the host keeps serving", "[host][faults]") {
  faulty_host h;
  auto faulty = titan::connect<FaultyService>(h.host.endpoint());
  for (int i = 0; i < 3; ++i) {
    auto err = expect_error([&] { return faulty.fail().get(); });
    REQUIRE(err);
    CHECK(err->code() == status_code::internal);
    CHECK(err->message() == "fail: something broke");
    CHECK(faulty.value().get() == 42);
  }
  CHECK(h.host.running());
}

TEST_CASE("a titan::Error thrown by a method keeps its code", "[host][faults]") {
  faulty_host h;
  auto faulty = titan::connect<FaultyService>(h.host.endpoint());
  auto err = expect_error([&] { return faulty.fail_with("NOT_FOUND").get(); });
  REQUIRE(err);
  CHECK(err->code() == status_code::not_found);
  CHECK(err->message() == "fail_with(NOT_FOUND)");

  err = expect_error([&] { return faulty.fail_with("FAILED_PRECONDITION").get(); });
  REQUIRE(err);
  CHECK(err->code() == status_code::failed_precondition);
  CHECK(faulty.value().get() == 42);
}

TEST_CASE("a host that aborts mid-call fails the call UNAVAILABLE, not at its deadline", "[host][faults]") {
  faulty_host h;
  // A long deadline: if the client missed the lost connection it would say
  // DEADLINE_EXCEEDED after 60 s instead of UNAVAILABLE now.
  auto faulty = titan::connect<FaultyService>(h.host.endpoint(), {.timeout = 60s, .max_message_size = 1 << 20});
  REQUIRE(faulty.value().get() == 42);  // connected
  auto aborting = faulty.abort_now();
  auto behind = faulty.value();  // queued behind the crash
  auto err = expect_error([&] { return aborting.get(); });
  REQUIRE(err);
  CHECK(err->code() == status_code::unavailable);
  CHECK_THAT(err->message(), Catch::Contains("abort_now") && Catch::Contains("lost"));
  err = expect_error([&] { return behind.get(); });
  REQUIRE(err);
  CHECK(err->code() == status_code::unavailable);

  auto status = h.host.wait_exit();
  REQUIRE(status);
  CHECK(status->signal == SIGABRT);

  // With the host gone a new call cannot even be sent: UNAVAILABLE at its deadline.
  auto after = expect_error([&] { return titan::with_timeout(faulty, 300ms).value().get(); });
  REQUIRE(after);
  CHECK(after->code() == status_code::unavailable);
}
