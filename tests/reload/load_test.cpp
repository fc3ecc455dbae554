// Reloads under a steady load of pipelined calls from several clients: a
// service reloaded 20 times in a row, a pool of 4 rolled member by member,
// and a pool rolled back when its new version dies within the probation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include "echo.hpp"
#include "host_process.hpp"
#include "reload_support.hpp"

using namespace titan::test::reload;
using titan::test::plugin_path;
using titan::test::test_plugin_path;

namespace {

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// Samples, until stopped, how many members the manager runs under `name`
// and how many a discovering client may send calls to; keeps the fewest.
class membership_sampler {
 public:
  membership_sampler(titan::ProcessManager& pm, const std::string& name) : client_(kv_client(pm, name)) {
    client_.version().get();  // it has heard the membership
    thread_ = std::thread([this, &pm, name] {
      while (!stop_) {
        min_running_ = std::min(min_running_.load(), pm.members(name).size());
        min_listed_ = std::min(min_listed_.load(), client_.client().members().size());
        std::this_thread::sleep_for(1ms);
      }
    });
  }
  ~membership_sampler() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::size_t min_running() const { return min_running_; }
  std::size_t min_listed() const { return min_listed_; }

 private:
  titan::Proxy<KvStore> client_;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> min_running_{1000}, min_listed_{1000};
  std::thread thread_;
};

}  // namespace

// kv 1.0.0 cannot read the format 2 snapshots that kv_v2 writes (a
// downgrade is refused: see state_test.cpp), so the two builds alternated
// here are kv_v2 (2.0.0) and kv_v2_1 (2.1.0), which both read format 2.
TEST_CASE("20 reloads in a row under pipelined load: no call lost or failed, no write lost, doubled or reordered",
          "[reload][load]") {
  titan::test::temp_dir dir;
  const std::string a = copy_to(dir, test_plugin_path("kv_v2"), "kv-a.so");
  const std::string b = copy_to(dir, test_plugin_path("kv_v2_1"), "kv-b.so");
  titan::ProcessManager pm(manager_options());
  supervise_kv(pm, "kv", a);

  load l(pm, {.name = "kv"});
  REQUIRE(l.wait_progress());
  REQUIRE(l.wait_version("2.0.0"));
  std::set<std::uint64_t> hosts_seen;
  for (int i = 0; i < 20; ++i) {
    INFO("reload " << i + 1 << "; the load's errors so far:\n" << joined(l.errors()));
    const bool to_b = i % 2 == 0;
    const std::string version = to_b ? "2.1.0" : "2.0.0", previous = to_b ? "2.0.0" : "2.1.0";
    const auto before = member_ids(pm, "kv");
    REQUIRE(before.size() == 1);
    const auto report = pm.reload("kv", reload_to(to_b ? b : a));
    CHECK(report.version == version);
    CHECK(report.previous_version == previous);
    CHECK(report.replaced == before);
    REQUIRE(report.hosts.size() == 1);
    CHECK(hosts_seen.insert(report.hosts[0]).second);  // a new host every time
    CHECK(report.state_bytes > 0);
    // The new version answers calls sent after the reload returned.
    REQUIRE(l.wait_version(version));
    CHECK(member_ids(pm, "kv") == report.hosts);
  }
  REQUIRE(l.wait_progress());
  l.stop();

  INFO("sent " << l.sent() << ", answered " << l.replied() << ", failed " << l.failed() << "; first errors:\n"
               << joined(l.errors()));
  CHECK(l.failed() == 0);
  CHECK(l.replied() == l.sent());
  CHECK(l.writes() > 0);
  CHECK(l.write_history_problems() == "");
  // Each client's writes also ran in the order it sent them.
  INFO("out of order:\n" << l.out_of_order_examples());
  CHECK(l.out_of_order() == 0);
  CHECK(l.versions_seen() == std::set<std::string>{"2.0.0", "2.1.0"});
  // The old hosts all stopped: one host is left.
  CHECK(poll_until([&] { return live_hosts(pm, "kv").size() == 1; }));
}

TEST_CASE("a pool of 4 reloads member by member under load", "[reload][load][pool]") {
  titan::ProcessManager pm(manager_options());
  titan::pool_options po;
  po.name = "kvpool";
  po.size = 4;
  po.host.log_level = host_log_level();
  auto pool = pm.pool<KvStore>(plugin_path("kv"), po);
  const auto old_ids = member_ids(pm, "kvpool");
  REQUIRE(old_ids.size() == 4);
  const std::string old_build = pm.members("kvpool").front().build_id;

  // Each member keeps its own data, so the clients' write histories span 4
  // stores: only calls are counted here.
  load l(pm, {.name = "kvpool"});
  REQUIRE(l.wait_progress());
  membership_sampler sampler(pm, "kvpool");
  const auto report = pm.reload("kvpool", reload_to(test_plugin_path("kv_v2")));
  sampler.stop();
  REQUIRE(l.wait_version("2.0.0"));
  REQUIRE(l.wait_progress());
  l.stop();

  INFO("sent " << l.sent() << ", answered " << l.replied() << "; first errors:\n" << joined(l.errors()));
  CHECK(l.failed() == 0);
  CHECK(l.replied() == l.sent());
  CHECK(report.version == "2.0.0");
  CHECK(report.previous_version == "1.0.0");
  CHECK(report.replaced == old_ids);
  CHECK(report.hosts.size() == 4);
  // Never fewer than 4 members running, nor fewer than 4 to send calls to.
  CHECK(sampler.min_running() >= 4);
  CHECK(sampler.min_listed() >= 4);

  const auto members = pm.members("kvpool");
  REQUIRE(members.size() == 4);
  for (const auto& m : members) {
    INFO(m.name << " (host " << m.id << ")");
    CHECK(std::find(old_ids.begin(), old_ids.end(), m.id) == old_ids.end());
    CHECK(m.version == "2.0.0");
    CHECK(m.build_id == report.build_id);
    CHECK(m.build_id != old_build);
    CHECK(version_at(m.endpoint) == "2.0.0");
  }
  CHECK(pool.client().members().size() == 4);
  CHECK(poll_until([&] { return live_hosts(pm, "kvpool").size() == 4; }));
  // Members added later start from the new file.
  pm.scale("kvpool", 5);
  for (const auto& m : pm.members("kvpool")) CHECK(m.version == "2.0.0");
}

// Reads only: a call in flight on a host that dies cannot be answered
// unless it may be re-sent (idempotent).
TEST_CASE("a pool of 4 whose new version dies within the probation is rolled back under load",
          "[reload][load][pool]") {
  titan::ProcessManager pm(manager_options());
  titan::supervisor_spec spec;
  spec.name = "pools";
  titan::host_spec h;
  h.log_level = host_log_level();
  spec.children.push_back(titan::pool_child("kvpool", plugin_path("kv"), 4, titan::balance::round_robin, h));
  pm.supervise(spec);
  auto pool = kv_client(pm, "kvpool");
  const auto old = pm.members("kvpool");
  const auto old_ids = member_ids(pm, "kvpool");
  REQUIRE(old_ids.size() == 4);

  load l(pm, {.name = "kvpool", .writes = false});
  REQUIRE(l.wait_progress());
  auto error = reload_error(pm, "kvpool", reload_to(test_plugin_path("kv_crashy"), 1000ms));
  REQUIRE(error);
  CHECK(error->code() == titan::status_code::failed_precondition);
  CHECK_THAT(error->message(), Catch::Contains("rolled back") && Catch::Contains("died within the probation") &&
                                   Catch::Contains("the old version (1.0.0) keeps serving"));
  REQUIRE(l.wait_progress());
  l.stop();
  INFO("sent " << l.sent() << ", answered " << l.replied() << "; first errors:\n" << joined(l.errors()));
  CHECK(l.failed() == 0);
  CHECK(l.replied() == l.sent());
  CHECK(l.versions_seen().count("1.0.0") == 1);

  // All 4 old members serve again (each takes calls: none is left handing over).
  CHECK(member_ids(pm, "kvpool") == old_ids);
  for (const auto& m : old) {
    INFO(m.name << " (host " << m.id << ")");
    CHECK(version_at(m.endpoint) == "1.0.0");
    CHECK(pm.get(m.id)->pid == m.pid);
  }
  CHECK(live_hosts(pm, "kvpool").size() == 4);
  std::vector<std::string> endpoints = pool.client().members(), expected;
  for (const auto& m : old) expected.push_back(m.endpoint);
  std::sort(endpoints.begin(), endpoints.end());
  std::sort(expected.begin(), expected.end());
  CHECK(endpoints == expected);
  auto row = row_of(pm, "kvpool");
  REQUIRE(row);
  CHECK(row->state == "running");
}

// echo has no snapshot(): the membership switches before the old host stops
// taking calls, so nothing waits; none of its non-idempotent calls fails.
TEST_CASE("a service without state hooks is reloaded under pipelined load", "[reload][load]") {
  titan::ProcessManager pm(manager_options());
  titan::supervisor_spec spec;
  spec.name = "echo-sup";
  titan::host_spec h;
  h.log_level = host_log_level();
  spec.children.push_back(titan::service_child("echo", plugin_path("echo"), h));
  pm.supervise(spec);

  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> sent{0}, right{0}, failed{0};
  std::mutex mu;
  std::vector<std::string> errors;
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c)
    clients.emplace_back([&, c] {
      titan::client_options co;
      co.timeout = 5s;
      auto echo = pm.discover<EchoService>("echo", co);
      std::deque<std::pair<double, titan::Future<double>>> in_flight;
      for (std::uint64_t i = 0; !stop || !in_flight.empty();) {
        while (!stop && in_flight.size() < 16) {
          const double n = static_cast<double>(c * 1000000 + ++i);
          in_flight.emplace_back(n + 1, echo.sum(std::vector<double>{n, 1}));  // sum: not idempotent
          ++sent;
        }
        auto [expected, reply] = std::move(in_flight.front());
        in_flight.pop_front();
        try {
          if (reply.get() == expected) ++right;
        } catch (const std::exception& e) {
          ++failed;
          std::lock_guard lock(mu);
          if (errors.size() < 5) errors.push_back(e.what());
        }
      }
    });
  REQUIRE(poll_until([&] { return right > 200; }));
  for (int i = 0; i < 5; ++i) {
    const auto before = right.load();
    const auto report = pm.reload("echo", reload_to(""));
    CHECK(report.state_bytes == 0);
    CHECK(member_ids(pm, "echo") == report.hosts);
    CHECK(poll_until([&] { return right > before + 200; }));
  }
  stop = true;
  for (auto& t : clients) t.join();
  INFO("sent " << sent << ", right " << right << ", failed " << failed << "; first errors:\n" << joined(errors));
  CHECK(failed == 0);
  CHECK(right == sent);
  CHECK(poll_until([&] { return live_hosts(pm, "echo").size() == 1; }));
}
