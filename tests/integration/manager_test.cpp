// titan::ProcessManager against real titan-host processes.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include <titan/process_manager.hpp>

#include "echo.hpp"
#include "faulty/faulty.hpp"
#include "host_process.hpp"
#include "temp_dir.hpp"
#include "users.hpp"

using namespace std::chrono_literals;
using titan::test::plugin_path;
using titan::test::test_plugin_path;

namespace {

titan::ProcessManager::options quiet() {
  titan::ProcessManager::options o;
  o.host_binary = titan::test::host_binary();
  return o;
}

// True while `pid` exists as a process that is not a zombie.
bool alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return false;
  std::string pid_text, comm, state;
  stat >> pid_text >> comm >> state;
  return state != "Z";
}

bool exists(pid_t pid) { return ::access(("/proc/" + std::to_string(pid)).c_str(), F_OK) == 0; }

titan::status_code spawn_error(titan::ProcessManager& pm, const std::string& plugin, std::string& message) {
  try {
    pm.spawn_host(plugin);
  } catch (const titan::Error& e) {
    message = e.message();
    return e.code();
  }
  FAIL("spawn of " << plugin << " succeeded");
  return titan::status_code::ok;
}

}  // namespace

TEST_CASE("spawn returns a typed proxy once the host is ready", "[manager]") {
  titan::ProcessManager pm(quiet());
  auto users = pm.spawn<UserService>(plugin_path("users"));
  User u = users.create_user("John").get();
  CHECK(u.name == "John");
  auto found = users.get_user(u.id).get();
  REQUIRE(found.has_value());
  CHECK(found->name == "John");
  CHECK_FALSE(users.get_user("nobody").get().has_value());

  auto list = pm.list();
  REQUIRE(list.size() == 1);
  const titan::process_info& info = list.front();
  CHECK(info.service == "user-service");
  CHECK(info.version == "1.0.0");
  CHECK(info.state == titan::process_state::running);
  CHECK(alive(info.pid));
  CHECK(info.endpoint.rfind("ipc://" + pm.runtime_dir(), 0) == 0);
  REQUIRE(pm.get(info.id).has_value());
  CHECK(pm.get(info.id)->pid == info.pid);
  CHECK_FALSE(pm.get(info.id + 100).has_value());
}

TEST_CASE("the runtime directory is private and removed at shutdown", "[manager]") {
  std::string dir;
  {
    titan::ProcessManager pm(quiet());
    dir = pm.runtime_dir();
    struct stat st{};
    REQUIRE(::stat(dir.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    pm.spawn<EchoService>(plugin_path("echo"));
  }
  CHECK(::access(dir.c_str(), F_OK) != 0);
}

TEST_CASE("spawn over tcp and a config file", "[manager]") {
  titan::test::temp_dir tmp;
  auto config = tmp.write_file("users.toml", "id_prefix = \"user-\"\n");
  titan::ProcessManager pm(quiet());
  auto users = pm.spawn<UserService>(plugin_path("users"), {.name = "users-1", .config_file = config.string(),
                                                            .transport = "tcp"});
  CHECK(users.create_user("Ann").get().id == "user-1");
  auto info = pm.list().front();
  CHECK(info.name == "users-1");
  CHECK(info.endpoint.rfind("tcp://127.0.0.1:", 0) == 0);
}

TEST_CASE("a host that cannot start makes spawn throw the host's reason", "[manager]") {
  titan::ProcessManager pm(quiet());
  std::string msg;
  CHECK(spawn_error(pm, "/nonexistent/plugin.so", msg) == titan::status_code::not_found);
  CHECK_THAT(msg, Catch::Contains("plugin not found") && Catch::Contains("/nonexistent/plugin.so"));
  CHECK(spawn_error(pm, test_plugin_path("no_descriptor"), msg) == titan::status_code::failed_precondition);
  CHECK_THAT(msg, Catch::Contains("not a Titan plugin"));
  CHECK(spawn_error(pm, test_plugin_path("wrong_abi"), msg) == titan::status_code::failed_precondition);
  CHECK_THAT(msg, Catch::Contains("ABI mismatch"));
  CHECK(spawn_error(pm, test_plugin_path("throwing_ctor"), msg) == titan::status_code::failed_precondition);
  CHECK_THAT(msg, Catch::Contains("database unreachable"));
  CHECK(spawn_error(pm, test_plugin_path("missing_symbol"), msg) == titan::status_code::failed_precondition);
  CHECK_THAT(msg, Catch::Contains("undefined symbol"));
  // Failed hosts are reaped, not left as zombies.
  for (const auto& p : pm.list()) {
    CHECK(p.state == titan::process_state::exited);
    CHECK_FALSE(exists(p.pid));
  }
}

TEST_CASE("spawn checks that the plugin serves the proxy's service", "[manager]") {
  titan::ProcessManager pm(quiet());
  try {
    pm.spawn<EchoService>(plugin_path("users"));
    FAIL("spawn<EchoService> of users.so succeeded");
  } catch (const titan::Error& e) {
    CHECK(e.code() == titan::status_code::invalid_argument);
    CHECK_THAT(e.message(), Catch::Contains("user-service") && Catch::Contains("echo"));
  }
}

TEST_CASE("a host killed mid-call fails the call with UNAVAILABLE, not at its deadline", "[manager]") {
  titan::ProcessManager pm(quiet());
  auto faulty = pm.spawn<FaultyService>(test_plugin_path("faulty"), {.client = {.timeout = 60s}});
  auto info = pm.list().front();
  REQUIRE(faulty.value().get() == 42);  // connected
  auto slow = faulty.sleep_ms(30000);
  auto value = faulty.value();  // queued behind the sleep
  // Wait until the host has the call (it is sleeping), then kill it.
  REQUIRE(pm.kill(info.id, SIGKILL));
  try {
    slow.get();
    FAIL("the call succeeded");
  } catch (const titan::Error& e) {
    CHECK(e.code() == titan::status_code::unavailable);
  }
  CHECK_THROWS_AS(value.get(), titan::Error);
  // The manager reaps it.
  for (auto deadline = std::chrono::steady_clock::now() + 10s;
       pm.get(info.id)->state != titan::process_state::exited && std::chrono::steady_clock::now() < deadline;)
    std::this_thread::sleep_for(5ms);
  CHECK(pm.get(info.id)->state == titan::process_state::exited);
  CHECK_THAT(pm.get(info.id)->exit_reason, Catch::Contains("SIGKILL"));
  CHECK_FALSE(exists(info.pid));
}

TEST_CASE("stop drains: calls in flight are answered before the host exits", "[manager]") {
  titan::ProcessManager pm(quiet());
  auto faulty = pm.spawn<FaultyService>(test_plugin_path("faulty"));
  auto info = pm.list().front();
  auto slow = faulty.sleep_ms(300);
  auto after = faulty.value();
  // Make sure both calls reached the host before it is told to stop.
  auto probe = faulty.client().call<std::string>("$ping");
  CHECK(probe.get() == "pong");
  REQUIRE(pm.stop(info.id, 10s));
  CHECK(slow.get() == 300);
  CHECK(after.get() == 42);
  CHECK(pm.get(info.id)->exit_reason == "exited with code 0");
  CHECK_FALSE(exists(info.pid));
}

TEST_CASE("a host spawned from a short-lived thread outlives that thread", "[manager]") {
  // PR_SET_PDEATHSIG fires when the spawning *thread* exits; the manager
  // spawns from its own thread so this must not kill the host.
  titan::ProcessManager pm(quiet());
  std::optional<titan::Proxy<EchoService>> echo;
  std::thread([&] { echo.emplace(pm.spawn<EchoService>(plugin_path("echo"))); }).join();
  REQUIRE(echo);
  CHECK(echo->add(40, 2).get() == 42);
  CHECK(alive(pm.list().front().pid));
}

TEST_CASE("shutdown stops every host and leaves no process behind", "[manager]") {
  std::vector<pid_t> pids;
  titan::ProcessManager pm(quiet());
  for (int i = 0; i < 4; ++i) pm.spawn<EchoService>(plugin_path("echo"), {.name = "echo-" + std::to_string(i)});
  for (const auto& p : pm.list()) pids.push_back(p.pid);
  pm.shutdown({.timeout = 5s});
  for (pid_t pid : pids) CHECK_FALSE(exists(pid));
  for (const auto& p : pm.list()) CHECK(p.exit_reason == "exited with code 0");
  CHECK_THROWS_AS(pm.spawn<EchoService>(plugin_path("echo")), titan::Error);
}

TEST_CASE("destroying the manager stops its hosts", "[manager]") {
  std::vector<pid_t> pids;
  {
    titan::ProcessManager pm(quiet());
    pm.spawn<EchoService>(plugin_path("echo"));
    pm.spawn<UserService>(plugin_path("users"));
    for (const auto& p : pm.list()) pids.push_back(p.pid);
  }
  for (pid_t pid : pids) CHECK_FALSE(exists(pid));
}

TEST_CASE("calls longer than the standby takeover time all complete", "[manager][host]") {
  // Each call outlives the 2 ms after which the standby thread serves the
  // socket, so every one hands the socket over and back (a race here once
  // left both threads waiting for each other).
  titan::ProcessManager pm(quiet());
  auto faulty = pm.spawn<FaultyService>(test_plugin_path("faulty"), {.client = {.timeout = 60s}});
  for (int round = 0; round < 3; ++round) {
    std::vector<titan::Future<std::int64_t>> calls;
    for (int i = 0; i < 100; ++i) calls.push_back(faulty.sleep_ms(3));
    for (auto& c : calls) CHECK(c.get() == 3);
  }
  for (int i = 0; i < 50; ++i) CHECK(faulty.sleep_ms(3).get() == 3);
}

TEST_CASE("a supervised service's call_timeout is the default deadline of clients that discover it", "[manager]") {
  titan::ProcessManager pm(quiet());
  titan::host_spec host{.plugin = test_plugin_path("faulty"), .call_timeout = 300ms};
  pm.supervise({.name = "root", .children = {titan::service_child("slow", host.plugin, host)}});
  auto slow = pm.discover<FaultyService>("slow");
  CHECK(slow.client().timeout() == 300ms);
  // A call longer than that ends DEADLINE_EXCEEDED; with its own deadline it succeeds.
  try {
    slow.sleep_ms(1500).get();
    FAIL("the call outlived its 300 ms deadline");
  } catch (const titan::Error& e) {
    CHECK(e.code() == titan::status_code::deadline_exceeded);
  }
  CHECK(titan::with_timeout(slow, 10s).value().get() == 42);
  // Without an announced call_timeout (a plain pool), the SDK's default applies.
  titan::pool_options o;
  o.name = "plain";
  o.size = 1;
  auto plain = pm.pool<FaultyService>(test_plugin_path("faulty"), o);
  CHECK(plain.client().timeout() == titan::default_call_timeout);
  pm.shutdown();
}
