// control_server (control/control_server.cpp): each well-formed message
// and where it goes: the reports to the handler decoded and answered, $watch
// and CANCEL, PING answered with PONG, API calls passed on as sent, and
// send() to a known or unknown peer. The rig is control_server_fixture.hpp.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include <titan/control.hpp>
#include <titan/wire.hpp>

#include "control_server_fixture.hpp"

using namespace titan::test::control_server_fixture;
namespace control = titan::control;
namespace wire = titan::wire;

TEST_CASE("each report reaches the handler decoded and is answered with a nil REPLY", "[control_server]") {
  rig t;
  SECTION("$ready") {
    t.c.call(11, "$ready", body_of(a_ready()));
    REQUIRE(t.pump([&] { return t.c.find(wire::kind::reply, 11).has_value(); }));
    REQUIRE(t.handler.ready.size() == 1);
    const auto& r = t.handler.ready[0];
    CHECK(r.id == "4");
    CHECK(r.name == "users");
    CHECK(r.service == "demo.Users");
    CHECK(r.version == "2.0.0");
    CHECK(r.build_id == "beef");
    CHECK(r.stateful);
    CHECK(r.pid == 1234);
    CHECK(r.endpoints == std::vector<std::string>{"ipc:///run/host-4.sock"});
    CHECK(r.methods == std::vector<std::string>{"get"});
    CHECK(t.c.find(wire::kind::reply, 11)->body == nil);
  }
  SECTION("$failed") {
    control::failed_report f;
    f.id = "5";
    f.pid = 77;
    f.exit_code = 3;
    f.message = "no such file: /x.so";
    t.c.call(12, "$failed", body_of(f));
    REQUIRE(t.pump([&] { return t.c.find(wire::kind::reply, 12).has_value(); }));
    REQUIRE(t.handler.failed.size() == 1);
    CHECK(t.handler.failed[0].id == "5");
    CHECK(t.handler.failed[0].pid == 77);
    CHECK(t.handler.failed[0].exit_code == 3);
    CHECK(t.handler.failed[0].message == "no such file: /x.so");
    CHECK(t.c.find(wire::kind::reply, 12)->body == nil);
  }
  SECTION("$heartbeat") {
    control::heartbeat_report h;
    h.id = "6";
    h.calls = 1000;
    h.in_flight = 3;
    t.c.call(13, "$heartbeat", body_of(h));
    REQUIRE(t.pump([&] { return t.c.find(wire::kind::reply, 13).has_value(); }));
    REQUIRE(t.handler.heartbeats.size() == 1);
    CHECK(t.handler.heartbeats[0].id == "6");
    CHECK(t.handler.heartbeats[0].calls == 1000);
    CHECK(t.handler.heartbeats[0].in_flight == 3);
    CHECK(t.c.find(wire::kind::reply, 13)->body == nil);
  }
  CHECK(t.handler.calls() == 1);  // that report and nothing else
}

TEST_CASE("$watch reaches on_watch with the peer's routing id, and the server adds no reply of its own",
          "[control_server]") {
  rig t;
  t.c.call(21, "$watch", by_hand([](auto& p) { p.pack(std::vector<std::string>{"compute"}); }));
  REQUIRE(t.ping(22));
  REQUIRE(t.handler.watches.size() == 1);
  CHECK(t.handler.watches[0].routing_id == "client-1");
  CHECK(t.handler.watches[0].call_id == 21);
  CHECK(t.handler.watches[0].name == "compute");
  CHECK(t.c.count(21) == 0);  // the registry answers with STREAM_ITEMs, not the server
}

TEST_CASE("CANCEL reaches on_unwatch", "[control_server]") {
  rig t;
  t.c.send({client::header(wire::kind::cancel, 21, ""), nil});
  REQUIRE(t.ping(22));
  REQUIRE(t.handler.unwatches.size() == 1);
  CHECK(t.handler.unwatches[0].routing_id == "client-1");
  CHECK(t.handler.unwatches[0].call_id == 21);
  CHECK(t.handler.calls() == 1);
}

TEST_CASE("PING is answered with PONG, the same id and a nil body", "[control_server]") {
  rig t;
  REQUIRE(t.ping(0xFFFF'FFFF'FFFF'FFFFull));
  auto pong = t.c.find(wire::kind::pong, 0xFFFF'FFFF'FFFF'FFFFull);
  CHECK(pong->body == nil);
  // Whatever the PING's body, as the protocol allows.
  t.c.send({client::header(wire::kind::ping, 2, ""), "\xc1 not msgpack"});
  REQUIRE(t.pump([&] { return t.c.find(wire::kind::pong, 2).has_value(); }));
  CHECK(t.handler.calls() == 0);
}

TEST_CASE("a method without '$' reaches on_api_call with its body as sent", "[control_server]") {
  rig t;
  const std::string args = by_hand([](auto& p) {
    p.pack_array(2);
    p.pack("users");
    p.pack(3);
  });
  t.c.call(31, "scale", args);
  t.c.call(32, "ps", "\x90");
  REQUIRE(t.pump([&] { return t.handler.api_calls.size() == 2; }));
  CHECK(t.handler.api_calls[0].routing_id == "client-1");
  CHECK(t.handler.api_calls[0].call_id == 31);
  CHECK(t.handler.api_calls[0].method == "scale");
  CHECK(t.handler.api_calls[0].body == args);
  CHECK(t.handler.api_calls[1].method == "ps");
  CHECK(t.handler.api_calls[1].body == "\x90");
  REQUIRE(t.ping(33));
  CHECK(t.c.count(31) == 0);  // answered by api_workers, later
}

TEST_CASE("send() reaches a known peer and returns false for an unknown one", "[control_server]") {
  rig t;
  REQUIRE(t.ping(1));  // the server knows client-1 now
  const std::string item = by_hand([](auto& p) { p.pack("hello"); });
  CHECK(t.server.send("client-1", wire::kind::stream_item, 7, item.data(), item.size()));
  REQUIRE(t.pump([&] { return t.c.find(wire::kind::stream_item, 7).has_value(); }));
  CHECK(t.c.find(wire::kind::stream_item, 7)->body == item);

  CHECK_FALSE(t.server.send("nobody", wire::kind::stream_item, 8, item.data(), item.size()));
  CHECK_FALSE(t.server.send("", wire::kind::reply, 9, nil.data(), nil.size()));
  REQUIRE(t.ping(2));  // and the socket is fine
}
