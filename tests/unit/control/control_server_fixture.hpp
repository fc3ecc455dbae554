// control_server: the manager's ROUTER, bound on an ipc endpoint in a temp
// dir and fed by a raw DEALER; what it decodes goes to a fake handler. The
// test is the loop: it calls read() while it polls both sockets, until what
// it waits for happened or a deadline passed. Shared by
// control_server_dispatch_test.cpp and control_server_robustness_test.cpp.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <titan/control.hpp>
#include <titan/wire.hpp>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "control/control_server.hpp"
#include "temp_dir.hpp"

namespace titan::test::control_server_fixture {

using detail::control_handler;
using detail::control_server;
using namespace std::chrono_literals;

inline const std::string nil("\xc0", 1);

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

inline control::ready_report a_ready() {
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

}  // namespace titan::test::control_server_fixture
