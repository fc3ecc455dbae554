// titan::Client and titan::Future against real hosts: lost and missing
// hosts, reconnection, sharing between threads, reply types.
#include <signal.h>

#include <catch2/catch.hpp>
#include <atomic>
#include <map>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "echo.hpp"
#include "expect_error.hpp"
#include "faulty.hpp"
#include "host_process.hpp"
#include "ready_host.hpp"

using namespace std::chrono_literals;
using titan::status_code;
using titan::test::expect_error;
using titan::test::host_process;
using titan::test::temp_dir;

namespace {

using clock_type = std::chrono::steady_clock;

struct echo_host : titan::test::ready_host {
  echo_host() : ready_host(titan::test::plugin_path("echo")) {}
};

}  // namespace

TEST_CASE("a call to an endpoint nobody serves is UNAVAILABLE at its deadline", "[client]") {
  temp_dir dir;
  auto echo = titan::connect<EchoService>(dir.ipc_endpoint("nobody.sock"), {.timeout = 200ms, .max_message_size = 1 << 20});
  auto err = expect_error([&] { return echo.add(1, 2).get(); });
  REQUIRE(err);
  CHECK(err->code() == status_code::unavailable);
  CHECK_THAT(err->message(), Catch::Contains("add") && Catch::Contains("never connected"));
}

TEST_CASE("an endpoint that is not one is INVALID_ARGUMENT at connect", "[client]") {
  auto err = expect_error([] { return titan::Client::connect("nonsense://x"); });
  REQUIRE(err);
  CHECK(err->code() == status_code::invalid_argument);
  CHECK_THAT(err->message(), Catch::Contains("nonsense://x"));
}

TEST_CASE("a Future is used once", "[client]") {
  echo_host h;
  auto echo = titan::connect<EchoService>(h.host.endpoint());
  auto f = echo.add(1, 2);
  CHECK(f.valid());
  CHECK(f.get() == 3);
  CHECK_FALSE(f.valid());
  auto err = expect_error([&] { return f.get(); });
  REQUIRE(err);
  CHECK(err->code() == status_code::failed_precondition);

  titan::Future<std::int64_t> moved = echo.add(2, 2);
  auto target = std::move(moved);
  CHECK_FALSE(moved.valid());  // NOLINT(bugprone-use-after-move): that is the point
  CHECK(target.get() == 4);
}

TEST_CASE("ready() turns true once the reply is in, without blocking", "[client]") {
  echo_host h;
  auto echo = titan::connect<EchoService>(h.host.endpoint());
  auto f = echo.echo("x");
  const auto deadline = clock_type::now() + 20s;
  while (!f.ready() && clock_type::now() < deadline) std::this_thread::yield();
  REQUIRE(f.ready());
  CHECK(f.get() == "x");
}

TEST_CASE("dropping a Future does not disturb the other calls", "[client]") {
  echo_host h;
  auto echo = titan::connect<EchoService>(h.host.endpoint());
  for (int i = 0; i < 50; ++i) (void)echo.add(i, i);  // never waited for
  std::vector<titan::Future<std::uint64_t>> counts;
  for (int i = 0; i < 50; ++i) counts.push_back(echo.calls());
  for (std::size_t i = 0; i < counts.size(); ++i) CHECK(counts[i].get() == i + 1);
}

TEST_CASE("a reply of another type than expected is INTERNAL", "[client]") {
  echo_host h;
  auto client = titan::Client::connect(h.host.endpoint());
  auto err = expect_error([&] { return client.call<std::string>("add", 1, 2).get(); });
  REQUIRE(err);
  CHECK(err->code() == status_code::internal);
  CHECK_THAT(err->message(), Catch::Contains("expected string, got uint"));
  CHECK(client.call<std::int64_t>("add", 1, 2).get() == 3);
}

TEST_CASE("one Client shared by several threads", "[client]") {
  echo_host h;
  auto echo = titan::connect<EchoService>(h.host.endpoint());
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<titan::Future<std::int64_t>> fs;
      for (int i = 0; i < 200; ++i) fs.push_back(echo.add(t * 1000, i));
      for (int i = 0; i < 200; ++i) {
        try {
          if (fs[i].get() != t * 1000 + i) ++wrong;
        } catch (const std::exception&) {
          ++wrong;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(wrong == 0);
  CHECK(echo.calls().get() == 1);
}

TEST_CASE("a client reconnects to a host restarted on the same endpoint", "[client]") {
  temp_dir dir;
  auto args = host_process::args_for(titan::test::plugin_path("echo"), dir);
  auto echo = titan::connect<EchoService>(dir.ipc_endpoint(), {.timeout = 500ms, .max_message_size = 1 << 20});
  {
    host_process first(args);
    INFO(first.describe());
    REQUIRE(first.wait_ready());
    CHECK(echo.calls().get() == 1);
    first.send_signal(SIGTERM);
    REQUIRE(first.wait_exit());
  }
  host_process second(args);
  INFO(second.describe());
  REQUIRE(second.wait_ready());
  // Calls fail UNAVAILABLE until the client has reconnected, then succeed.
  std::optional<std::uint64_t> n;
  const auto deadline = clock_type::now() + 20s;
  while (!n && clock_type::now() < deadline) {
    try {
      n = echo.calls().get();
    } catch (const titan::Error& e) {
      REQUIRE(e.code() == status_code::unavailable);
      std::this_thread::sleep_for(5ms);  // poll interval
    }
  }
  REQUIRE(n);
  CHECK(*n == 1);  // a new instance
}

TEST_CASE("a call above the host's --max-message-size fails, and later calls succeed", "[client]") {
  temp_dir dir;
  host_process host(host_process::args_for(titan::test::plugin_path("echo"), dir, {"--max-message-size", "4096"}));
  INFO(host.describe());
  REQUIRE(host.wait_ready());
  auto echo = titan::connect<EchoService>(host.endpoint(), {.timeout = 5s, .max_message_size = 1 << 20});
  REQUIRE(echo.echo("small").get() == "small");
  // The host's socket drops the connection: the call fails as soon as it is
  // lost, before its deadline, and the client connects again by itself.
  auto err = expect_error([&] { return echo.echo(std::string(64 * 1024, 'a')).get(); });
  REQUIRE(err);
  CHECK(err->code() == status_code::unavailable);
  std::optional<std::string> ok;
  const auto deadline = clock_type::now() + 20s;
  while (!ok && clock_type::now() < deadline) {
    try {
      ok = titan::with_timeout(echo, 500ms).echo("again").get();
    } catch (const titan::Error& e) {
      REQUIRE(e.code() == status_code::unavailable);
      std::this_thread::sleep_for(5ms);  // poll interval
    }
  }
  CHECK(ok == std::optional<std::string>("again"));
  CHECK(host.running());
}

// Found by this test, fixed in 763b28b: an oversized reply used to make
// libzmq drop the connection for good, so every later call failed too.
TEST_CASE("a reply above the client's max_message_size fails the call, not the client", "[client]") {
  echo_host h;
  auto echo = titan::connect<EchoService>(h.host.endpoint(), {.timeout = 5s, .max_message_size = 4096});
  CHECK(echo.echo(std::string(100, 'a')).get().size() == 100);
  auto err = expect_error([&] { return echo.echo(std::string(64 * 1024, 'a')).get(); });
  REQUIRE(err);
  INFO("the oversized reply: " << err->what());
  CHECK(err->code() == status_code::resource_exhausted);
  CHECK_THAT(err->message(), Catch::Contains("max_message_size"));
  // The connection comes back for small calls.
  std::optional<std::string> ok;
  std::string last_error;
  const auto deadline = clock_type::now() + 20s;
  while (!ok && clock_type::now() < deadline) {
    try {
      ok = titan::with_timeout(echo, 500ms).echo("small").get();
    } catch (const titan::Error& e) {
      last_error = e.what();
      std::this_thread::sleep_for(5ms);  // poll interval
    }
  }
  INFO("the last small call: " << last_error);
  CHECK(ok == std::optional<std::string>("small"));
}

// Found by this test, fixed in 763b28b: clock::now() + milliseconds::max()
// overflowed into the past and the call failed at once.
TEST_CASE("a client timeout of milliseconds::max() waits for the reply", "[client]") {
  echo_host h;
  auto echo = titan::connect<EchoService>(h.host.endpoint());
  REQUIRE(echo.add(1, 1).get() == 2);  // connected
  auto patient = titan::with_timeout(echo, std::chrono::milliseconds::max());
  auto err = expect_error([&] { return patient.add(2, 3).get(); });
  INFO("error: " << (err ? err->what() : ""));
  CHECK_FALSE(err);
}

// A method returning msgpack::object ("any") gives an object_handle through
// the typed proxy: it owns the memory the object points into, so the next
// reply cannot overwrite it. (Found by this test: the first version returned
// a msgpack::object pointing into the thread's cleared reply zone.)
TEST_CASE("a typed msgpack::object result stays valid after the next call", "[client]") {
  temp_dir dir;
  host_process host(host_process::args_for(titan::test::test_plugin_path("faulty"), dir));
  INFO(host.describe());
  REQUIRE(host.wait_ready());
  auto faulty = titan::connect<FaultyService>(host.endpoint());
  msgpack::zone zone;
  msgpack::object_handle first =
      faulty.echo_any(msgpack::object(std::vector<std::string>{"alpha", "beta"}, zone)).get();
  msgpack::object_handle second = faulty.echo_any(msgpack::object(std::vector<int>{7, 8, 9}, zone)).get();
  CHECK(second->as<std::vector<int>>() == std::vector<int>{7, 8, 9});
  REQUIRE(first->type == msgpack::type::ARRAY);
  CHECK(first->as<std::vector<std::string>>() == std::vector<std::string>{"alpha", "beta"});
}

TEST_CASE("Client::call without a result type returns a self-contained handle", "[client]") {
  temp_dir dir;
  host_process host(host_process::args_for(titan::test::test_plugin_path("faulty"), dir));
  INFO(host.describe());
  REQUIRE(host.wait_ready());
  auto client = titan::Client::connect(host.endpoint());
  msgpack::object_handle first = client.call("echo_any", std::vector<std::string>{"alpha", "beta"}).get();
  msgpack::object_handle second = client.call("echo_any", std::vector<int>{7, 8, 9}).get();
  CHECK(second->as<std::vector<int>>() == std::vector<int>{7, 8, 9});
  CHECK(first->as<std::vector<std::string>>() == std::vector<std::string>{"alpha", "beta"});
}

// Found by this test, fixed in c0fb029: with ZMQ_IMMEDIATE libzmq tore down
// the DEALER's pipe when the connection dropped, discarding replies that had
// arrived but were not read yet, so a client that was not inside get() while
// its host drained and exited lost the answers the host did send.
TEST_CASE("replies that reached the client before its host exited are not lost", "[client]") {
  temp_dir dir;
  host_process host(host_process::args_for(titan::test::test_plugin_path("faulty"), dir));
  INFO(host.describe());
  REQUIRE(host.wait_ready());
  auto faulty = titan::connect<FaultyService>(host.endpoint(), {.timeout = 20s, .max_message_size = 1 << 20});
  std::vector<titan::Future<std::int64_t>> calls;
  for (std::int64_t i = 0; i < 4; ++i) calls.push_back(faulty.sleep_ms(100 + i));
  auto metrics = faulty.client().call<std::map<std::string, std::uint64_t>>("$metrics").get();
  REQUIRE(metrics["in_flight"] >= 1);  // answered after the four calls: the host holds them

  host.send_signal(SIGTERM);
  auto status = host.wait_exit();  // nobody reads the socket meanwhile
  REQUIRE(status);
  REQUIRE(status->code == 0);
  for (std::int64_t i = 0; i < 4; ++i) {
    auto err = expect_error([&] { return calls[i].get(); });
    INFO("call " << i << ": " << (err ? err->what() : "ok"));
    CHECK_FALSE(err);
  }
}
