// A pool heals itself: members killed with SIGKILL are replaced, idempotent
// calls in flight are retried elsewhere, the others fail UNAVAILABLE, and
// nothing is lost or left hanging (issue 3).
#include <signal.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "pool_support.hpp"

using namespace titan::test::pool;
using titan::test::plugin_path;

namespace {

// What a stream of calls ended with. Written by the streaming thread only
// (Catch2's assertions are not thread-safe); read after it has joined.
struct tally {
  int sent = 0;
  int idempotent_ok = 0;
  int idempotent_failed = 0;
  int plain_ok = 0;
  int plain_unavailable = 0;
  int plain_other = 0;  // any other error: DEADLINE_EXCEEDED would mean a call hung
  std::vector<std::string> unexpected;
  std::set<std::int64_t> answered_by;
};

// Sends batches of 20 pipelined calls, half idempotent (whoami), half not
// (sleep_ms(1)), until stopped; counts how each call ended.
class streamer {
 public:
  explicit streamer(titan::Proxy<ComputeService> pool) : pool_(std::move(pool)), thread_([this] { run(); }) {}
  ~streamer() { finish(); }

  int batches() const { return batches_.load(); }
  // Waits for `n` more batches; false if the stream stalled.
  bool advance(int n) {
    const int target = batches() + n;
    return poll_until([&] { return batches() >= target; });
  }
  const tally& finish() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return tally_;
  }

 private:
  void run() {
    while (!stop_) {
      std::vector<std::pair<bool, titan::Future<Worker>>> batch;
      for (int i = 0; i < 20; ++i) {
        const bool idempotent = i % 2 == 0;
        batch.emplace_back(idempotent, idempotent ? pool_.whoami() : pool_.sleep_ms(1));
        ++tally_.sent;
      }
      for (auto& [idempotent, f] : batch) {
        try {
          tally_.answered_by.insert(f.get().pid);
          ++(idempotent ? tally_.idempotent_ok : tally_.plain_ok);
        } catch (const titan::Error& e) {
          if (idempotent) {
            ++tally_.idempotent_failed;
            tally_.unexpected.push_back(std::string("whoami: ") + e.what());
          } else if (e.code() == titan::status_code::unavailable) {
            ++tally_.plain_unavailable;
          } else {
            ++tally_.plain_other;
            tally_.unexpected.push_back(std::string("sleep_ms: ") + e.what());
          }
        }
      }
      ++batches_;
    }
  }

  titan::Proxy<ComputeService> pool_;
  tally tally_;
  std::atomic<bool> stop_{false};
  std::atomic<int> batches_{0};
  std::thread thread_;
};

// Waits until the member of `slot_name` runs in a process other than `old_pid`.
std::optional<titan::process_info> replacement_of(const titan::ProcessManager& pm, const std::string& pool,
                                                  const std::string& slot_name, pid_t old_pid) {
  std::optional<titan::process_info> r;
  poll_until([&] {
    r = member_named(pm, pool, slot_name);
    return r && r->pid != old_pid;
  });
  return r && r->pid != old_pid ? r : std::nullopt;
}

// Direct clients to each member; the one whose host has a call in flight.
std::optional<titan::process_info> member_running_a_call(const titan::ProcessManager& pm, const std::string& pool) {
  const auto members = pm.members(pool);
  std::vector<titan::Client> direct;
  for (const auto& m : members) direct.push_back(titan::Client::connect(m.endpoint, {.timeout = 2s}));
  std::optional<titan::process_info> busy;
  poll_until([&] {
    for (std::size_t i = 0; i < members.size(); ++i)
      if (host_in_flight(direct[i]) > 0) busy = members[i];
    return busy.has_value();
  });
  return busy;
}

}  // namespace

TEST_CASE("kill -9 of pool members under a steady stream of pipelined calls", "[pool][failover]") {
  titan::ProcessManager pm(manager_options());
  auto pool = pm.pool<ComputeService>(plugin_path("compute"), pool_opts("stream", 3));
  REQUIRE(answer_from(pool, 3).size() == 3);

  streamer stream(titan::with_timeout(pool, 5s));  // the deadline of every call
  REQUIRE(stream.advance(5));
  std::set<std::int64_t> replacements;
  for (const std::string& slot : std::vector<std::string>{"stream-0", "stream-1", "stream-2"}) {
    const auto victim = member_named(pm, "stream", slot);
    REQUIRE(victim.has_value());
    REQUIRE(pm.kill(victim->id, SIGKILL));
    const auto replacement = replacement_of(pm, "stream", slot, victim->pid);
    REQUIRE(replacement.has_value());
    replacements.insert(replacement->pid);
    CHECK(stream.advance(5));  // the stream goes on (a stall is reported below)
  }
  const tally& t = stream.finish();

  INFO("sent " << t.sent << ": whoami " << t.idempotent_ok << " ok, " << t.idempotent_failed << " failed; sleep_ms "
               << t.plain_ok << " ok, " << t.plain_unavailable << " UNAVAILABLE, " << t.plain_other << " other");
  std::string first_errors;
  for (std::size_t i = 0; i < std::min<std::size_t>(t.unexpected.size(), 5); ++i) first_errors += t.unexpected[i] + "\n";
  INFO(first_errors);
  CHECK(t.idempotent_failed == 0);  // retried on another member
  CHECK(t.plain_other == 0);        // never DEADLINE_EXCEEDED: nothing hung, nothing was dropped
  CHECK(t.idempotent_ok + t.idempotent_failed + t.plain_ok + t.plain_unavailable + t.plain_other == t.sent);
  CHECK(t.plain_ok > 0);
  // The stream carried on with the replacements.
  for (auto pid : replacements) CHECK(t.answered_by.count(pid) == 1);
}

TEST_CASE("a pool heals: a killed member is replaced and takes calls", "[pool][failover]") {
  titan::ProcessManager pm(manager_options());
  auto pool = pm.pool<ComputeService>(plugin_path("compute"), pool_opts("heal", 3));
  const auto before = pm.members("heal");
  REQUIRE(before.size() == 3);
  REQUIRE(answer_from(pool, 3).size() == 3);
  const titan::process_info victim = before[1];
  CHECK(victim.restarts == 0);

  REQUIRE(pm.kill(victim.id, SIGKILL));
  const auto replacement = replacement_of(pm, "heal", victim.name, victim.pid);
  REQUIRE(replacement.has_value());
  REQUIRE(poll_until([&] { return pm.members("heal").size() == 3; }));

  CHECK(replacement->id != victim.id);
  CHECK(replacement->restarts == 1);
  CHECK(replacement->state == titan::process_state::running);
  CHECK(replacement->endpoint != victim.endpoint);
  // The others were not touched.
  const auto now = pids_of(pm.members("heal"));
  CHECK(now.count(before[0].pid) == 1);
  CHECK(now.count(before[2].pid) == 1);
  CHECK(now.count(victim.pid) == 0);
  // The dead one is reported as such, and was reaped.
  const auto old = pm.get(victim.id);
  REQUIRE(old.has_value());
  CHECK(old->state == titan::process_state::exited);
  CHECK_THAT(old->exit_reason, Catch::Contains("SIGKILL"));
  CHECK_FALSE(is_our_zombie(victim.pid));

  CHECK(reaches(pool, replacement->pid));
}

TEST_CASE("an idempotent call in flight on a killed member is retried on another", "[pool][failover]") {
  titan::ProcessManager pm(manager_options());
  auto pool = pm.pool<ComputeService>(plugin_path("compute"), pool_opts("retry", 2));
  REQUIRE(answer_from(pool, 2).size() == 2);

  // About half a second of CPU: still running when the host is killed.
  auto primes = titan::with_timeout(pool, 60s).count_primes(0, 2'000'000);
  const auto victim = member_running_a_call(pm, "retry");
  REQUIRE(victim.has_value());
  REQUIRE(pm.kill(victim->id, SIGKILL));
  CHECK(primes.get() == 148'933);  // pi(2e6), computed again by the other member
}

TEST_CASE("a non-idempotent call in flight on a killed member fails UNAVAILABLE", "[pool][failover]") {
  titan::ProcessManager pm(manager_options());
  auto pool = pm.pool<ComputeService>(plugin_path("compute"), pool_opts("once", 2));
  REQUIRE(answer_from(pool, 2).size() == 2);

  auto slow = titan::with_timeout(pool, 60s).sleep_ms(20'000);
  const auto victim = member_running_a_call(pm, "once");
  REQUIRE(victim.has_value());
  REQUIRE(pm.kill(victim->id, SIGKILL));
  try {
    slow.get();
    FAIL("sleep_ms succeeded although its host was killed");
  } catch (const titan::Error& e) {
    INFO(e.what());
    CHECK(e.code() == titan::status_code::unavailable);  // at once, not DEADLINE_EXCEEDED after 60 s
  }
}

// Found by this suite and fixed in ea34b46: a CPU-bound call longer than
// the standby takeover (2 ms) on a host of concurrency 1 never got its
// reply (the standby retook the socket after handing it back), and that
// host never drained either.
TEST_CASE("a pool member of default concurrency answers a long CPU-bound call", "[pool][failover]") {
  titan::ProcessManager pm(manager_options());
  auto pool = pm.pool<ComputeService>(plugin_path("compute"), pool_opts("long", 1));
  CHECK(titan::with_timeout(pool, 20s).count_primes(0, 1'000'000).get() == 78'498);
  // The host still drains and exits on SIGTERM (not after the 5 s SIGKILL).
  pm.shutdown();
  const auto all = pm.list();
  REQUIRE(all.size() == 1);
  CHECK(all[0].exit_reason == "exited with code 0");
}
