// balancer (plugin-sdk/src/balancer.cpp): which member of a pool a call goes
// to, by strategy, and what it avoids (removed, refusing, the member a call
// is moving away from). Members are links to inproc endpoints nobody binds:
// no process, no connection; the tests set `connected` themselves.
#include "balancer.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>

using titan::balance;
using titan::detail::balancer;
using titan::detail::member_link;
using titan::detail::stable_hash;

namespace {

struct members {
  zmq::context_t ctx;
  std::vector<std::unique_ptr<member_link>> links;

  explicit members(int n, bool connected = true) {
    for (int i = 0; i < n; ++i) add("host-" + std::to_string(i), connected);
  }
  member_link& add(const std::string& key, bool connected = true) {
    links.push_back(std::make_unique<member_link>(ctx, key, "inproc://balancer-test-" + key));
    links.back()->connected = connected;
    links.back()->ever_connected = connected;
    return *links.back();
  }
  member_link& operator[](std::size_t i) { return *links[i]; }
  std::size_t index_of(const member_link* m) const {
    for (std::size_t i = 0; i < links.size(); ++i)
      if (links[i].get() == m) return i;
    return links.size();
  }
};

std::uint64_t key_hash(const std::string& key) { return stable_hash(key.data(), key.size()); }

}  // namespace

TEST_CASE("stable_hash is 64-bit FNV-1a: the same in every process and run", "[balancer]") {
  CHECK(stable_hash("", 0) == 14695981039346656037ull);  // the offset basis
  CHECK(stable_hash("a", 1) == 0xaf63dc4c8601ec8cull);
  CHECK(stable_hash("foobar", 6) == 0x85944171f73967e8ull);
}

TEST_CASE("round-robin takes each member in turn, from a random start", "[balancer]") {
  members m(4);
  balancer b(balance::round_robin);
  std::vector<std::size_t> picks;
  for (int i = 0; i < 8; ++i) picks.push_back(m.index_of(b.pick(m.links, std::nullopt)));
  for (std::size_t i = 1; i < picks.size(); ++i) CHECK(picks[i] == (picks[i - 1] + 1) % 4);
  // Many clients do not all begin with the first member.
  std::set<std::size_t> firsts;
  for (int i = 0; i < 64; ++i) {
    balancer fresh(balance::round_robin);
    firsts.insert(m.index_of(fresh.pick(m.links, std::nullopt)));
  }
  CHECK(firsts.size() > 1);
}

TEST_CASE("a member that is removed or refusing takes no new calls", "[balancer]") {
  const auto strategy =
      GENERATE(balance::round_robin, balance::least_loaded, balance::random, balance::consistent_hash);
  members m(3);
  m[0].removed = true;
  m[2].refusing = true;
  balancer b(strategy);
  b.rebuild(m.links);
  for (int i = 0; i < 50; ++i) CHECK(b.pick(m.links, key_hash("k" + std::to_string(i))) == &m[1]);
  m[1].removed = true;
  b.rebuild(m.links);
  CHECK(b.pick(m.links, key_hash("k")) == nullptr);
  CHECK(b.pick(m.links, std::nullopt) == nullptr);
}

TEST_CASE("connected members come first, one not yet connected is used when none is", "[balancer]") {
  const auto strategy = GENERATE(balance::round_robin, balance::least_loaded, balance::random);
  members m(3, false);
  m[1].connected = m[1].ever_connected = true;
  balancer b(strategy);
  for (int i = 0; i < 20; ++i) CHECK(b.pick(m.links, std::nullopt) == &m[1]);
  m[1].connected = false;
  // Its outbox waits for the connection.
  CHECK(b.pick(m.links, std::nullopt) != nullptr);
}

TEST_CASE("`avoid` is picked only when nothing else is left", "[balancer]") {
  const auto strategy =
      GENERATE(balance::round_robin, balance::least_loaded, balance::random, balance::consistent_hash);
  members m(2);
  balancer b(strategy);
  b.rebuild(m.links);
  for (int i = 0; i < 20; ++i) CHECK(b.pick(m.links, key_hash("k" + std::to_string(i)), &m[0]) == &m[1]);
  m[1].removed = true;
  b.rebuild(m.links);
  CHECK(b.pick(m.links, key_hash("k"), &m[0]) == &m[0]);
  m[0].refusing = true;
  CHECK(b.pick(m.links, key_hash("k"), &m[0]) == nullptr);
}

TEST_CASE("one member: it, while it takes calls", "[balancer]") {
  members m(1);
  balancer b(balance::least_loaded);
  CHECK(b.pick(m.links, std::nullopt) == &m[0]);
  m[0].refusing = true;
  CHECK(b.pick(m.links, std::nullopt) == nullptr);
  members none(0);
  CHECK(b.pick(none.links, std::nullopt) == nullptr);
}

TEST_CASE("least-loaded picks the member with the fewest calls in flight", "[balancer]") {
  members m(4);
  m[0].in_flight = 5;
  m[1].in_flight = 2;
  m[2].in_flight = 7;
  m[3].in_flight = 3;
  balancer b(balance::least_loaded);
  for (int i = 0; i < 10; ++i) CHECK(b.pick(m.links, std::nullopt) == &m[1]);
  m[1].connected = false;  // fewer in flight, but a connected member comes first
  for (int i = 0; i < 10; ++i) CHECK(b.pick(m.links, std::nullopt) == &m[3]);
  // Ties go round: every tied member is picked in turn.
  members even(3);
  std::set<member_link*> seen;
  for (int i = 0; i < 3; ++i) seen.insert(b.pick(even.links, std::nullopt));
  CHECK(seen.size() == 3);
}

TEST_CASE("random spreads over every member", "[balancer]") {
  members m(4);
  balancer b(balance::random);
  std::map<std::size_t, int> count;
  for (int i = 0; i < 4000; ++i) ++count[m.index_of(b.pick(m.links, std::nullopt))];
  REQUIRE(count.size() == 4);
  for (auto& [i, n] : count) CHECK(n > 700);  // 1000 expected each
}

TEST_CASE("consistent-hash: a key always reaches the same member, and keys spread evenly", "[balancer]") {
  members m(4);
  balancer b(balance::consistent_hash);
  b.rebuild(m.links);
  std::map<std::size_t, int> count;
  for (int i = 0; i < 4000; ++i) {
    const auto h = key_hash("user-" + std::to_string(i));
    member_link* first = b.pick(m.links, h);
    CHECK(b.pick(m.links, h) == first);
    ++count[m.index_of(first)];
  }
  REQUIRE(count.size() == 4);
  for (auto& [i, n] : count) {
    INFO("member " << i << ": " << n << " keys");
    CHECK(n > 600);  // 1000 expected each; 64 points per member keep it near
    CHECK(n < 1400);
  }
  // Without a key it goes round like round-robin.
  std::set<member_link*> seen;
  for (int i = 0; i < 4; ++i) seen.insert(b.pick(m.links, std::nullopt));
  CHECK(seen.size() == 4);
}

TEST_CASE("consistent-hash: when a member leaves only its keys move, they come back with it", "[balancer]") {
  members m(4);
  balancer b(balance::consistent_hash);
  b.rebuild(m.links);
  std::vector<member_link*> before;
  for (int i = 0; i < 2000; ++i) before.push_back(b.pick(m.links, key_hash("k" + std::to_string(i))));

  m[2].removed = true;
  b.rebuild(m.links);
  int moved = 0;
  for (int i = 0; i < 2000; ++i) {
    member_link* now = b.pick(m.links, key_hash("k" + std::to_string(i)));
    CHECK(now != &m[2]);
    if (before[static_cast<std::size_t>(i)] != &m[2]) CHECK(now == before[static_cast<std::size_t>(i)]);
    moved += now != before[static_cast<std::size_t>(i)];
  }
  CHECK(moved > 0);

  m[2].removed = false;
  b.rebuild(m.links);
  for (int i = 0; i < 2000; ++i)
    CHECK(b.pick(m.links, key_hash("k" + std::to_string(i))) == before[static_cast<std::size_t>(i)]);
}

TEST_CASE("consistent-hash: a key whose member lost its connection goes to the next one meanwhile", "[balancer]") {
  members m(3);
  balancer b(balance::consistent_hash);
  b.rebuild(m.links);
  const auto h = key_hash("session-42");
  member_link* owner = b.pick(m.links, h);
  owner->connected = false;  // was connected: a lost connection
  member_link* meanwhile = b.pick(m.links, h);
  CHECK(meanwhile != owner);
  CHECK(meanwhile->connected);
  for (auto& l : m.links) l->connected = false;
  CHECK(b.pick(m.links, h) == owner);  // nothing connected: its own member after all
  owner->connected = true;
  CHECK(b.pick(m.links, h) == owner);
}
