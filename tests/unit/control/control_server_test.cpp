// control_server: the manager's ROUTER, bound on an ipc endpoint in a temp
// dir and fed by a raw DEALER; what it decodes goes to a fake handler. The
// test is the loop: it calls read() while it polls both sockets, until what
// it waits for happened or a deadline passed.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <titan/control.hpp>
#include <titan/status.hpp>
#include <titan/wire.hpp>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "control/control_server.hpp"
#include "expect_error.hpp"
#include "raw_header.hpp"
#include "temp_dir.hpp"

using titan::detail::control_handler;
using titan::detail::control_server;
using titan::test::temp_dir;
namespace control = titan::control;
namespace wire = titan::wire;
using namespace std::chrono_literals;

namespace {

const std::string nil("\xc0", 1);

struct fake_handler : control_handler {
  struct watch_call {
    std::string routing_id;
    std::uint64_t call_id;
    std::string name;
  };
  struct unwatch_call {
    std::string routing_id;
    std::uint64_t call_id;
  };
  struct api_call {
    std::string routing_id;
    std::uint64_t call_id;
    std::string method;
    std::string body;
  };
  std::vector<control::ready_report> ready;
  std::vector<control::failed_report> failed;
  std::vector<control::heartbeat_report> heartbeats;
  std::vector<watch_call> watches;
  std::vector<unwatch_call> unwatches;
  std::vector<api_call> api_calls;

  std::size_t calls() const {
    return ready.size() + failed.size() + heartbeats.size() + watches.size() + unwatches.size() + api_calls.size();
  }

  void on_ready(const control::ready_report& r) override { ready.push_back(r); }
  void on_failed(const control::failed_report& r) override { failed.push_back(r); }
  void on_heartbeat(const control::heartbeat_report& r) override { heartbeats.push_back(r); }
  void on_watch(const std::string& rid, std::uint64_t id, const std::string& name) override {
    watches.push_back({rid, id, name});
  }
  void on_unwatch(const std::string& rid, std::uint64_t id) override { unwatches.push_back({rid, id}); }
  void on_api_call(std::string rid, std::uint64_t id, std::string method, std::string body) override {
    api_calls.push_back({std::move(rid), id, std::move(method), std::move(body)});
  }
};

// A message the server sent to a client.
struct received {
  wire::kind kind;
  std::uint64_t id;
  std::string body;
};

class client {
 public:
  client(zmq::context_t& ctx, const std::string& endpoint, const std::string& routing_id = {})
      : socket_(ctx, zmq::socket_type::dealer) {
    socket_.set(zmq::sockopt::linger, 0);
    if (!routing_id.empty()) socket_.set(zmq::sockopt::routing_id, routing_id);
    socket_.connect(endpoint);
  }
  void send(const std::vector<std::string>& frames) {
    for (std::size_t i = 0; i < frames.size(); ++i)
      socket_.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }
  void call(std::uint64_t id, std::string_view method, const std::string& body) {
    send({header(wire::kind::call, id, method), body});
  }
  // Takes what has arrived; a message that is not [header, body] fails the test.
  void drain() {
    for (;;) {
      std::vector<zmq::message_t> frames;
      if (!zmq::recv_multipart(socket_, std::back_inserter(frames), zmq::recv_flags::dontwait)) return;
      REQUIRE(frames.size() == 2);
      msgpack::zone zone;
      wire::header h;
      REQUIRE_FALSE(wire::decode_header(static_cast<const char*>(frames[0].data()), frames[0].size(), zone, h));
      got.push_back({h.msg_kind, h.id, frames[1].to_string()});
    }
  }
  std::optional<received> find(wire::kind k, std::uint64_t id) const {
    for (const auto& r : got)
      if (r.kind == k && r.id == id) return r;
    return std::nullopt;
  }
  std::size_t count(std::uint64_t id) const {
    std::size_t n = 0;
    for (const auto& r : got) n += r.id == id ? 1 : 0;
    return n;
  }
  static std::string header(wire::kind k, std::uint64_t id, std::string_view method) {
    msgpack::sbuffer b;
    wire::encode_header(b, k, id, method);
    return std::string(b.data(), b.size());
  }
  zmq::socket_t& socket() { return socket_; }
  std::vector<received> got;

 private:
  zmq::socket_t socket_;
};

template <class Report>
std::string body_of(const Report& r) {
  msgpack::sbuffer b;
  control::encode(b, r);
  return std::string(b.data(), b.size());
}

template <class F>
std::string by_hand(F&& fn) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> p(buf);
  fn(p);
  return std::string(buf.data(), buf.size());
}

struct rig {
  temp_dir dir;
  zmq::context_t ctx{1};
  fake_handler handler;
  control_server server{ctx, dir.ipc_endpoint("control.sock"), handler};
  client c{ctx, server.endpoint(), "client-1"};

  // The loop: read() and collect replies until `done` or the deadline.
  bool pump(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      server.read();
      c.drain();
      if (done()) return true;
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return false;
      zmq::pollitem_t items[] = {{server.socket().handle(), 0, ZMQ_POLLIN, 0}, {c.socket().handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 2, std::min<std::chrono::milliseconds>(
                              50ms, std::chrono::ceil<std::chrono::milliseconds>(deadline - now)));
    }
  }
  // A PING through `c`, answered: everything `c` sent before it was read.
  bool ping(std::uint64_t id) {
    c.send({client::header(wire::kind::ping, id, ""), nil});
    return pump([&] { return c.find(wire::kind::pong, id).has_value(); });
  }
};

control::ready_report a_ready() {
  control::ready_report r;
  r.id = "4";
  r.name = "users";
  r.service = "demo.Users";
  r.version = "2.0.0";
  r.build_id = "beef";
  r.stateful = true;
  r.pid = 1234;
  r.endpoints = {"ipc:///run/host-4.sock"};
  r.methods = {"get"};
  return r;
}

}  // namespace

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
