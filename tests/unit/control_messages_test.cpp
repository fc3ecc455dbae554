// titan/control.hpp: the control plane's messages on the wire (PROTOCOL.md,
// "The manager's control endpoint"): the report methods, and $ready,
// $failed, $heartbeat, a $watch item and the $health reply round-tripping
// with their documented keys. Helpers: control_fixture.hpp.
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <titan/control.hpp>

#include "control_fixture.hpp"

using namespace titan::test::control_fixture;
namespace control = titan::control;

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
