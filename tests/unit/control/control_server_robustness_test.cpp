// control_server (control/control_server.cpp) under bad or heavy input:
// malformed messages dropped, a message above the size limit, a burst
// served across reads, and the endpoint it binds (ipc, tcp, a bind error).
// The rig is control_server_fixture.hpp.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include <titan/control.hpp>
#include <titan/status.hpp>
#include <titan/wire.hpp>
#include <zmq.hpp>

#include "control_server_fixture.hpp"
#include "expect_error.hpp"
#include "raw_header.hpp"
#include "temp_dir.hpp"

using namespace titan::test::control_server_fixture;
using titan::detail::control_server;
using titan::test::temp_dir;
namespace control = titan::control;
namespace wire = titan::wire;

TEST_CASE("malformed messages are dropped and the server keeps serving", "[control_server]") {
  rig t;
  const std::string ready = body_of(a_ready());
  const std::string ready_header = client::header(wire::kind::call, 40, "$ready");
  const std::string deep(100000, '\x91');  // [[[[...]]]], far deeper than any limit

  struct malformed {
    const char* what;
    std::vector<std::string> frames;
  };
  const std::vector<malformed> cases = {
      {"one frame", {ready_header}},
      {"three frames", {ready_header, ready, ready}},
      {"two empty frames", {"", ""}},
      {"a garbage header", {"\xff\x00 garbage", ready}},
      {"a header that is a map", {by_hand([](auto& p) { p.pack_map(0); }), ready}},
      {"a header of version 2", {titan::test::raw_header(2, 1, 40, "$ready"), ready}},
      {"a header with a string id", {titan::test::raw_header(1, 1, "40", "$ready"), ready}},
      {"a header nested deeply", {deep + "\xc0", ready}},
      {"a garbage body", {ready_header, "\xc1"}},
      {"a truncated body", {ready_header, ready.substr(0, ready.size() / 2)}},
      {"a body with trailing bytes", {ready_header, ready + '\x00'}},
      {"an empty body", {ready_header, ""}},
      {"a body nested deeply", {ready_header, deep + "\xc0"}},
      {"a report that is not [map]",
       {ready_header, by_hand([](auto& p) {
          p.pack_map(1);
          p.pack("id"), p.pack("4");
        })}},
      {"$ready with a wrong-typed key",
       {ready_header, by_hand([](auto& p) {
          p.pack_array(1);
          p.pack_map(1);
          p.pack("pid"), p.pack("1234");
        })}},
      {"$failed with a wrong-typed key",
       {client::header(wire::kind::call, 41, "$failed"), by_hand([](auto& p) {
          p.pack_array(1);
          p.pack_map(1);
          p.pack("exit_code"), p.pack("3");
        })}},
      {"$heartbeat with a wrong-typed key",
       {client::header(wire::kind::call, 42, "$heartbeat"), by_hand([](auto& p) {
          p.pack_array(1);
          p.pack_map(1);
          p.pack("calls"), p.pack(-5);
        })}},
      {"$watch of a number",
       {client::header(wire::kind::call, 43, "$watch"), by_hand([](auto& p) { p.pack(std::vector<int>{5}); })}},
      {"$watch of two names",
       {client::header(wire::kind::call, 44, "$watch"),
        by_hand([](auto& p) { p.pack(std::vector<std::string>{"a", "b"}); })}},
      {"$watch without an array", {client::header(wire::kind::call, 45, "$watch"), by_hand([](auto& p) { p.pack("a"); })}},
      {"an unknown $ method", {client::header(wire::kind::call, 46, "$bogus"), ready}},
      {"a REPLY from a client", {client::header(wire::kind::reply, 47, ""), nil}},
      {"an ERROR from a client", {client::header(wire::kind::error, 48, ""), nil}},
      {"a STREAM_ITEM from a client", {client::header(wire::kind::stream_item, 49, ""), ready}},
  };
  std::uint64_t ping_id = 1000;
  for (const auto& m : cases) {
    INFO(m.what);
    t.c.send(m.frames);
    REQUIRE(t.ping(++ping_id));  // still serving, and `m` has been read
    CHECK(t.handler.calls() == 0);
  }
  // Still decoding, too.
  t.c.call(50, "$ready", ready);
  REQUIRE(t.pump([&] { return t.handler.ready.size() == 1; }));
  CHECK(t.handler.ready[0].service == "demo.Users");
}

TEST_CASE("a message above the size limit costs its peer the connection, not the server", "[control_server]") {
  rig t;
  client big(t.ctx, t.server.endpoint());
  // Watch the big peer's connection: the server dropping it is the outcome.
  REQUIRE(zmq_socket_monitor(big.socket().handle(), "inproc://big-monitor", ZMQ_EVENT_DISCONNECTED) == 0);
  zmq::socket_t monitor(t.ctx, zmq::socket_type::pair);
  monitor.set(zmq::sockopt::linger, 0);
  monitor.connect("inproc://big-monitor");

  big.call(60, "ps", std::string(2u << 20, 'x'));  // the control socket takes at most 1 MiB
  bool disconnected = false;
  REQUIRE(t.pump([&] {
    zmq::message_t event;
    if (monitor.recv(event, zmq::recv_flags::dontwait)) disconnected = true;
    return disconnected;
  }));
  REQUIRE(t.ping(61));  // the server serves on
  CHECK(t.handler.calls() == 0);
}

TEST_CASE("a burst of messages is served across reads", "[control_server]") {
  rig t;
  for (std::uint64_t id = 1; id <= 300; ++id) t.c.send({client::header(wire::kind::ping, id, ""), nil});
  REQUIRE(t.pump([&] { return t.c.got.size() == 300; }));
  for (std::uint64_t id = 1; id <= 300; ++id) CHECK(t.c.count(id) == 1);
}

TEST_CASE("the control endpoint: ipc as given, tcp with its port, and a bind error", "[control_server]") {
  temp_dir dir;
  zmq::context_t ctx{1};
  fake_handler h;
  const std::string ipc = dir.ipc_endpoint("control.sock");
  control_server a(ctx, ipc, h);
  CHECK(a.endpoint() == ipc);

  control_server b(ctx, "tcp://127.0.0.1:*", h);
  CHECK_THAT(b.endpoint(), Catch::StartsWith("tcp://127.0.0.1:"));
  CHECK_THAT(b.endpoint(), !Catch::EndsWith("*") && !Catch::EndsWith(":0"));

  const std::string nowhere = "ipc://" + (dir / "no/such/dir/control.sock").string();
  auto e = titan::test::expect_error([&] { return control_server(ctx, nowhere, h).endpoint(); });
  REQUIRE(e);
  CHECK(e->code() == titan::status_code::failed_precondition);
  CHECK_THAT(e->message(), Catch::Contains(nowhere));
}
