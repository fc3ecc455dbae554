// titan/control.hpp: the control plane's messages on the wire (PROTOCOL.md,
// "The manager's control endpoint") and titan-host's exit codes.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <titan/control.hpp>

namespace control = titan::control;

namespace {

std::string bytes(const msgpack::sbuffer& b) { return std::string(b.data(), b.size()); }

template <class T>
std::string packed(const T& value) {
  msgpack::sbuffer buf;
  msgpack::pack(buf, value);
  return bytes(buf);
}

// Bytes written by hand with a packer, the way another implementation of
// the protocol would write them.
std::string by_hand(const std::function<void(msgpack::packer<msgpack::sbuffer>&)>& fn) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> p(buf);
  fn(p);
  return bytes(buf);
}

// A map's keys and the msgpack type of each value.
std::map<std::string, msgpack::type::object_type> shape(const std::string& map_bytes) {
  auto h = msgpack::unpack(map_bytes.data(), map_bytes.size());
  const msgpack::object& o = h.get();
  REQUIRE(o.type == msgpack::type::MAP);
  std::map<std::string, msgpack::type::object_type> out;
  for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
    REQUIRE(o.via.map.ptr[i].key.type == msgpack::type::STR);
    out[o.via.map.ptr[i].key.as<std::string>()] = o.via.map.ptr[i].val.type;
  }
  REQUIRE(out.size() == o.via.map.size);  // no key twice
  return out;
}

std::set<std::string> keys(const std::map<std::string, msgpack::type::object_type>& s) {
  std::set<std::string> out;
  for (const auto& [k, t] : s) out.insert(k);
  return out;
}

// Decodes `message_bytes` (one map) as a report body `[{...}]` would be decoded.
template <class Report>
std::optional<Report> decode_map_bytes(const std::string& message_bytes) {
  auto h = msgpack::unpack(message_bytes.data(), message_bytes.size());
  return control::decode_map<Report>(h.get());
}

template <class Report>
std::optional<Report> decode_body_bytes(const std::string& body_bytes) {
  auto h = msgpack::unpack(body_bytes.data(), body_bytes.size());
  return control::decode<Report>(h.get());
}

// [{...}] around a map written by `fn`.
std::string body_of(const std::function<void(msgpack::packer<msgpack::sbuffer>&)>& fn) {
  return by_hand([&](auto& p) {
    p.pack_array(1);
    fn(p);
  });
}

constexpr auto STR = msgpack::type::STR;
constexpr auto BOOLEAN = msgpack::type::BOOLEAN;
constexpr auto UINT = msgpack::type::POSITIVE_INTEGER;
constexpr auto ARRAY = msgpack::type::ARRAY;

control::ready_report sample_ready() {
  control::ready_report r;
  r.id = "17";
  r.name = "users-1";
  r.service = "demo.Users";
  r.version = "1.2.3";
  r.build_id = "a1b2c3";
  r.stateful = true;
  r.pid = 4242;
  r.endpoints = {"ipc:///run/titan/host-17.sock", "tcp://127.0.0.1:5555"};
  r.methods = {"get", "put"};
  return r;
}

}  // namespace

TEST_CASE("the report methods are the documented ones", "[control]") {
  CHECK(control::ready_method == "$ready");
  CHECK(control::failed_method == "$failed");
  CHECK(control::heartbeat_method == "$heartbeat");
  CHECK(control::watch_method == "$watch");
}

TEST_CASE("$ready round-trips as a CALL body [{...}] with the documented keys", "[control]") {
  const control::ready_report r = sample_ready();
  msgpack::sbuffer body;
  control::encode(body, r);

  auto h = msgpack::unpack(body.data(), body.size());
  REQUIRE(h.get().type == msgpack::type::ARRAY);
  REQUIRE(h.get().via.array.size == 1);
  const auto s = shape(packed(r));
  CHECK(s == std::map<std::string, msgpack::type::object_type>{{"id", STR},
                                                               {"name", STR},
                                                               {"service", STR},
                                                               {"version", STR},
                                                               {"build_id", STR},
                                                               {"stateful", BOOLEAN},
                                                               {"pid", UINT},
                                                               {"endpoints", ARRAY},
                                                               {"methods", ARRAY}});

  auto d = control::decode<control::ready_report>(h.get());
  REQUIRE(d);
  CHECK(d->id == r.id);
  CHECK(d->name == r.name);
  CHECK(d->service == r.service);
  CHECK(d->version == r.version);
  CHECK(d->build_id == r.build_id);
  CHECK(d->stateful == r.stateful);
  CHECK(d->pid == r.pid);
  CHECK(d->endpoints == r.endpoints);
  CHECK(d->methods == r.methods);
}

TEST_CASE("$ready written by hand with the documented keys decodes", "[control]") {
  const auto body = body_of([](auto& p) {
    p.pack_map(9);
    p.pack("id"), p.pack("");  // started by hand: adopted
    p.pack("name"), p.pack("compute");
    p.pack("service"), p.pack("demo.Compute");
    p.pack("version"), p.pack("0.1.0");
    p.pack("build_id"), p.pack("");
    p.pack("stateful"), p.pack(false);
    p.pack("pid"), p.pack(std::uint64_t{31337});
    p.pack("endpoints"), p.pack(std::vector<std::string>{"ipc:///tmp/x.sock"});
    p.pack("methods"), p.pack(std::vector<std::string>{});
  });
  auto d = decode_body_bytes<control::ready_report>(body);
  REQUIRE(d);
  CHECK(d->id.empty());
  CHECK(d->name == "compute");
  CHECK(d->service == "demo.Compute");
  CHECK(d->pid == 31337);
  CHECK(d->endpoints == std::vector<std::string>{"ipc:///tmp/x.sock"});
  CHECK(d->methods.empty());
}

TEST_CASE("$failed round-trips with id, pid, exit_code and message", "[control]") {
  control::failed_report r;
  r.id = "3";
  r.pid = 99;
  r.exit_code = control::to_int(control::exit_code::abi_mismatch);
  r.message = "plugin built against ABI 2, this host speaks 3";
  CHECK(shape(packed(r)) ==
        std::map<std::string, msgpack::type::object_type>{{"id", STR}, {"pid", UINT}, {"exit_code", UINT}, {"message", STR}});

  msgpack::sbuffer body;
  control::encode(body, r);
  auto d = decode_body_bytes<control::failed_report>(bytes(body));
  REQUIRE(d);
  CHECK(d->id == "3");
  CHECK(d->pid == 99);
  CHECK(d->exit_code == 6);
  CHECK(d->message == r.message);
}

TEST_CASE("$heartbeat round-trips with id, calls and in_flight", "[control]") {
  control::heartbeat_report r;
  r.id = "8";
  r.calls = 0xFFFF'FFFF'FFFFull;  // more than 32 bits
  r.in_flight = 2;
  CHECK(shape(packed(r)) ==
        std::map<std::string, msgpack::type::object_type>{{"id", STR}, {"calls", UINT}, {"in_flight", UINT}});
  msgpack::sbuffer body;
  control::encode(body, r);
  auto d = decode_body_bytes<control::heartbeat_report>(bytes(body));
  REQUIRE(d);
  CHECK(d->id == "8");
  CHECK(d->calls == 0xFFFF'FFFF'FFFFull);
  CHECK(d->in_flight == 2);
}

TEST_CASE("a $watch item round-trips: name, version, members {id, key, endpoint}, call_timeout_ms", "[control]") {
  control::membership_update m;
  m.name = "compute";
  m.version = 7;
  m.members = {{3, "compute#0", "ipc:///run/host-3.sock"}, {5, "compute#1", "ipc:///run/host-5.sock"}};
  m.call_timeout_ms = 2500;
  const std::string item = packed(m);
  CHECK(shape(item) == std::map<std::string, msgpack::type::object_type>{
                           {"name", STR}, {"version", UINT}, {"members", ARRAY}, {"call_timeout_ms", UINT}});
  CHECK(shape(packed(m.members[0])) ==
        std::map<std::string, msgpack::type::object_type>{{"id", UINT}, {"key", STR}, {"endpoint", STR}});

  auto d = decode_map_bytes<control::membership_update>(item);
  REQUIRE(d);
  CHECK(d->name == "compute");
  CHECK(d->version == 7);
  REQUIRE(d->members.size() == 2);
  CHECK(d->members[1].id == 5);
  CHECK(d->members[1].key == "compute#1");
  CHECK(d->members[1].endpoint == "ipc:///run/host-5.sock");
  REQUIRE(d->call_timeout_ms);
  CHECK(*d->call_timeout_ms == 2500);
}

TEST_CASE("the $health reply round-trips: status, and reason when there is one", "[control]") {
  control::health_report h;
  h.status = "NOT_SERVING";
  h.reason = "database unreachable";
  CHECK(shape(packed(h)) == std::map<std::string, msgpack::type::object_type>{{"status", STR}, {"reason", STR}});
  auto d = decode_map_bytes<control::health_report>(packed(h));
  REQUIRE(d);
  CHECK(d->status == "NOT_SERVING");
  CHECK(d->reason == std::optional<std::string>("database unreachable"));
}

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

TEST_CASE("exit_codes_help() lists every exit code 0..9 with what it means", "[control]") {
  const std::string help = control::exit_codes_help();
  CHECK_THAT(help, Catch::StartsWith("Exit codes:\n"));
  std::set<std::string> meanings;
  for (int i = 0; i < 10; ++i) {
    INFO("exit code " << i);
    const std::string_view meaning = control::describe(i);
    CHECK_FALSE(meaning.empty());
    meanings.insert(std::string(meaning));
    CHECK_THAT(help, Catch::Contains("\n  " + std::to_string(i) + "  " + std::string(meaning) + "\n"));
  }
  CHECK(meanings.size() == 10);  // ten different meanings
  CHECK(control::exit_code_count == 10);
  CHECK(std::count(help.begin(), help.end(), '\n') == 11);  // the title and one line per code
}

TEST_CASE("describe() of a number that is no exit code is empty", "[control]") {
  CHECK(control::describe(42).empty());
  CHECK(control::describe(10).empty());
  CHECK(control::describe(-1).empty());
  CHECK(control::describe(control::exit_code::plugin_not_found) == control::describe(3));
  CHECK(control::describe(control::exit_code::abi_mismatch) == control::describe(6));
  static_assert(control::describe(42).empty(), "describe is constexpr");
  CHECK(control::to_int(control::exit_code::config_error) == 9);
}
