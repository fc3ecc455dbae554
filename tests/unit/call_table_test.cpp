// call_table (plugin-sdk/src/call_table.hpp): calls in flight by id in a
// power-of-two ring that doubles when an id lands on a taken slot.
#include "call_table.hpp"

#include <catch2/catch.hpp>
#include <set>

using titan::detail::call_state;
using titan::detail::call_table;

namespace {

std::size_t live(call_table& t) {
  std::size_t n = 0;
  t.for_each([&](titan::detail::call_slot&) { ++n; });
  return n;
}

}  // namespace

TEST_CASE("call_table: a call is found by its id until it is erased", "[call_table]") {
  call_table t;
  auto& s = t.insert(7);
  s.method = "get";
  CHECK(t.find(7) == &s);
  CHECK(t.find(7)->method == "get");
  CHECK(t.find(8) == nullptr);
  CHECK(t.find(7 + 64) == nullptr);  // the same slot, another id
  t.erase(s);
  CHECK(t.find(7) == nullptr);
  CHECK(live(t) == 0);
}

TEST_CASE("call_table: insert starts a call afresh, erase lets go of what it held", "[call_table]") {
  call_table t;
  auto& s = t.insert(1);
  s.state = call_state::failed;
  s.code = titan::status_code::unavailable;
  s.error = "gone";
  s.body.rebuild(100);
  s.retry_body.rebuild(50);
  s.stream = std::make_unique<titan::detail::stream_state>();
  t.erase(s);
  CHECK(s.id == 0);
  CHECK(s.error.empty());
  CHECK(s.body.size() == 0);
  CHECK(s.retry_body.size() == 0);
  CHECK(s.stream == nullptr);
  CHECK(s.member == nullptr);
  auto& again = t.insert(65);  // the same slot, reused
  CHECK(&again == &s);
  CHECK(again.state == call_state::unsent);
  CHECK(again.code == titan::status_code::ok);
}

TEST_CASE("call_table: ids in sequence share the ring without growing it", "[call_table]") {
  call_table t;
  std::set<titan::detail::call_slot*> slots;
  for (std::uint64_t id = 1; id <= 64; ++id) slots.insert(&t.insert(id));
  CHECK(slots.size() == 64);
  // A ring of 64: erase the oldest and the next id takes its place.
  auto* first = t.find(1);
  t.erase(*first);
  CHECK(&t.insert(65) == first);
  for (std::uint64_t id = 2; id <= 65; ++id) CHECK(t.find(id) != nullptr);
}

TEST_CASE("call_table: an id on a taken slot grows the ring, keeping every call", "[call_table]") {
  call_table t;
  for (std::uint64_t id : {1u, 65u}) t.insert(id).method = "m" + std::to_string(id);
  CHECK(t.find(1)->method == "m1");
  CHECK(t.find(65)->method == "m65");
  CHECK(live(t) == 2);
}

TEST_CASE("call_table: the ring grows as far as every live call needs a slot of its own", "[call_table]") {
  call_table t;
  // 1, 129 and 257 collide in rings of 64, 128 and 256: only 512 holds them.
  for (std::uint64_t id : {1u, 129u, 257u}) t.insert(id).method = "m" + std::to_string(id);
  for (std::uint64_t id : {1u, 129u, 257u}) {
    INFO(id);
    REQUIRE(t.find(id) != nullptr);
    CHECK(t.find(id)->method == "m" + std::to_string(id));
    CHECK(t.find(id)->id == id);
  }
  CHECK(live(t) == 3);
}

TEST_CASE("call_table: many calls in flight, some long-lived", "[call_table]") {
  call_table t;
  std::set<std::uint64_t> open;
  for (std::uint64_t id = 1; id <= 5000; ++id) {
    t.insert(id);
    open.insert(id);
    // Most calls end soon; every hundredth stays open (a slow call).
    if (id > 3 && (id - 3) % 100 != 0) {
      t.erase(*t.find(id - 3));
      open.erase(id - 3);
    }
  }
  for (std::uint64_t id : open) CHECK(t.find(id) != nullptr);
  CHECK(live(t) == open.size());
  std::set<std::uint64_t> seen;
  t.for_each([&](titan::detail::call_slot& s) { seen.insert(s.id); });
  CHECK(seen == open);
}
