// titan/control.hpp: what decoding the control plane's messages tolerates
// and refuses: optionals left out or sent as nil, unknown and missing keys,
// keys of the wrong type, and bodies that are not [map] (nullopt, never a
// throw). Helpers: control_fixture.hpp.
#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <titan/control.hpp>

#include "control_fixture.hpp"

using namespace titan::test::control_fixture;
namespace control = titan::control;

TEST_CASE("an empty optional is left out of the map, not packed as nil", "[control]") {
  control::membership_update m;
  m.name = "solo";
  m.version = 1;
  const std::string item = packed(m);
  CHECK(keys(shape(item)) == std::set<std::string>{"name", "version", "members"});
  // Byte for byte: a 3-entry fixmap, and no nil (0xc0) anywhere.
  CHECK(static_cast<unsigned char>(item[0]) == 0x83);
  CHECK(item.find('\xc0') == std::string::npos);
  auto d = decode_map_bytes<control::membership_update>(item);
  REQUIRE(d);
  CHECK_FALSE(d->call_timeout_ms);

  control::health_report h;
  h.status = "SERVING";
  const std::string health = packed(h);
  CHECK(keys(shape(health)) == std::set<std::string>{"status"});
  CHECK(health.find('\xc0') == std::string::npos);
  auto dh = decode_map_bytes<control::health_report>(health);
  REQUIRE(dh);
  CHECK(dh->status == "SERVING");
  CHECK_FALSE(dh->reason);
}

TEST_CASE("an optional sent as nil (an older sender) decodes as absent", "[control]") {
  const auto item = by_hand([](auto& p) {
    p.pack_map(2);
    p.pack("name"), p.pack("x");
    p.pack("call_timeout_ms"), p.pack_nil();
  });
  auto d = decode_map_bytes<control::membership_update>(item);
  REQUIRE(d);
  CHECK(d->name == "x");
  CHECK_FALSE(d->call_timeout_ms);
}

TEST_CASE("unknown keys are ignored", "[control]") {
  const auto body = body_of([](auto& p) {
    p.pack_map(4);
    p.pack("from_the_future"), p.pack(std::vector<int>{1, 2, 3});
    p.pack("id"), p.pack("12");
    p.pack("calls"), p.pack(40);
    p.pack("nested"), p.pack(std::map<std::string, int>{{"a", 1}});
  });
  auto d = decode_body_bytes<control::heartbeat_report>(body);
  REQUIRE(d);
  CHECK(d->id == "12");
  CHECK(d->calls == 40);
  CHECK(d->in_flight == 0);
}

TEST_CASE("a missing key keeps its default", "[control]") {
  SECTION("$ready with only an id") {
    auto d = decode_body_bytes<control::ready_report>(body_of([](auto& p) {
      p.pack_map(1);
      p.pack("id"), p.pack("5");
    }));
    REQUIRE(d);
    CHECK(d->id == "5");
    CHECK(d->name.empty());
    CHECK(d->build_id.empty());
    CHECK_FALSE(d->stateful);
    CHECK(d->pid == 0);
    CHECK(d->endpoints.empty());
    CHECK(d->methods.empty());
  }
  SECTION("$failed that is an empty map") {
    auto d = decode_body_bytes<control::failed_report>(body_of([](auto& p) { p.pack_map(0); }));
    REQUIRE(d);
    CHECK(d->id.empty());
    CHECK(d->pid == 0);
    CHECK(d->exit_code == 0);
    CHECK(d->message.empty());
  }
  SECTION("a member without its endpoint") {
    auto d = decode_map_bytes<control::membership_update>(by_hand([](auto& p) {
      p.pack_map(2);
      p.pack("name"), p.pack("n");
      p.pack("members"), p.pack_array(1), p.pack_map(1), p.pack("id"), p.pack(9);
    }));
    REQUIRE(d);
    CHECK(d->version == 0);
    REQUIRE(d->members.size() == 1);
    CHECK(d->members[0].id == 9);
    CHECK(d->members[0].key.empty());
    CHECK(d->members[0].endpoint.empty());
  }
}

TEST_CASE("a key of the wrong type makes the whole message malformed: nullopt, never a throw", "[control]") {
  struct wrong {
    const char* what;
    std::function<void(msgpack::packer<msgpack::sbuffer>&)> value;
  };
  SECTION("$ready") {
    const std::vector<std::pair<const char*, wrong>> cases = {
        {"id", {"an int", [](auto& p) { p.pack(17); }}},
        {"pid", {"a string", [](auto& p) { p.pack("4242"); }}},
        {"pid", {"a float", [](auto& p) { p.pack(1.5); }}},
        {"stateful", {"an int", [](auto& p) { p.pack(1); }}},
        {"endpoints", {"a string", [](auto& p) { p.pack("ipc:///x"); }}},
        {"endpoints", {"an array of ints", [](auto& p) { p.pack(std::vector<int>{1}); }}},
        {"methods", {"a map", [](auto& p) { p.pack(std::map<std::string, int>{{"get", 1}}); }}},
        {"name", {"nil", [](auto& p) { p.pack_nil(); }}},
    };
    for (const auto& [key, w] : cases) {
      INFO(key << " as " << w.what);
      const auto body = body_of([&](auto& p) {
        p.pack_map(2);
        p.pack("service"), p.pack("ok");
        p.pack(key), w.value(p);
      });
      std::optional<control::ready_report> d;
      CHECK_NOTHROW(d = decode_body_bytes<control::ready_report>(body));
      CHECK_FALSE(d);
    }
  }
  SECTION("$failed, $heartbeat and the $watch item") {
    std::optional<control::failed_report> f;
    CHECK_NOTHROW(f = decode_body_bytes<control::failed_report>(body_of([](auto& p) {
                    p.pack_map(1);
                    p.pack("exit_code"), p.pack(std::uint64_t{1} << 40);  // does not fit an int
                  })));
    CHECK_FALSE(f);
    std::optional<control::heartbeat_report> hb;
    CHECK_NOTHROW(hb = decode_body_bytes<control::heartbeat_report>(body_of([](auto& p) {
                    p.pack_map(1);
                    p.pack("calls"), p.pack(-1);  // not a uint
                  })));
    CHECK_FALSE(hb);
    std::optional<control::membership_update> m;
    CHECK_NOTHROW(m = decode_map_bytes<control::membership_update>(by_hand([](auto& p) {
                    p.pack_map(1);
                    p.pack("members"), p.pack_array(1), p.pack_map(1), p.pack("id"), p.pack("3");  // deep inside
                  })));
    CHECK_FALSE(m);
    CHECK_NOTHROW(m = decode_map_bytes<control::membership_update>(by_hand([](auto& p) {
                    p.pack_map(1);
                    p.pack("call_timeout_ms"), p.pack("soon");
                  })));
    CHECK_FALSE(m);
  }
  SECTION("a key that is not a string does not throw") {
    std::optional<control::heartbeat_report> hb;
    CHECK_NOTHROW(hb = decode_body_bytes<control::heartbeat_report>(body_of([](auto& p) {
                    p.pack_map(1);
                    p.pack(1), p.pack(2);
                  })));
  }
}

TEST_CASE("a body that is not [map] decodes to nullopt", "[control]") {
  const std::vector<std::pair<const char*, std::string>> bodies = {
      {"nil", by_hand([](auto& p) { p.pack_nil(); })},
      {"an int", by_hand([](auto& p) { p.pack(5); })},
      {"a string", by_hand([](auto& p) { p.pack("$ready"); })},
      {"the map without its array", by_hand([](auto& p) {
         p.pack_map(1);
         p.pack("id"), p.pack("1");
       })},
      {"an empty array", by_hand([](auto& p) { p.pack_array(0); })},
      {"two maps", by_hand([](auto& p) {
         p.pack_array(2);
         p.pack_map(0);
         p.pack_map(0);
       })},
      {"an array of a string", by_hand([](auto& p) {
         p.pack_array(1);
         p.pack("id");
       })},
      {"an array of an array", by_hand([](auto& p) {
         p.pack_array(1);
         p.pack(std::vector<std::string>{"id", "1"});
       })},
      {"an array of nil", by_hand([](auto& p) {
         p.pack_array(1);
         p.pack_nil();
       })},
  };
  for (const auto& [what, body] : bodies) {
    INFO(what);
    std::optional<control::ready_report> r;
    std::optional<control::failed_report> f;
    std::optional<control::heartbeat_report> h;
    CHECK_NOTHROW(r = decode_body_bytes<control::ready_report>(body));
    CHECK_NOTHROW(f = decode_body_bytes<control::failed_report>(body));
    CHECK_NOTHROW(h = decode_body_bytes<control::heartbeat_report>(body));
    CHECK_FALSE(r);
    CHECK_FALSE(f);
    CHECK_FALSE(h);
  }
  // decode_map itself: anything but a map.
  for (const std::string& not_map : {by_hand([](auto& p) { p.pack_array(0); }), by_hand([](auto& p) { p.pack_nil(); }),
                                     by_hand([](auto& p) { p.pack("x"); })}) {
    std::optional<control::membership_update> m;
    CHECK_NOTHROW(m = decode_map_bytes<control::membership_update>(not_map));
    CHECK_FALSE(m);
  }
}
