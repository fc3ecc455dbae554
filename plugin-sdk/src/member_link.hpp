// One member a client calls: a DEALER connected to one host endpoint, and a
// socket monitor that tells when that connection is up or lost.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include <zmq.hpp>

namespace titan::detail {

struct outgoing {
  std::uint64_t id;
  zmq::message_t header;
  zmq::message_t body;
  // A stream's CREDIT, STREAM_ITEM, STREAM_END or CANCEL: sent as it is,
  // never moved to another member.
  bool control = false;
};

class member_link {
 public:
  // Throws titan::Error(INVALID_ARGUMENT) for an endpoint ZeroMQ refuses.
  member_link(zmq::context_t& ctx, std::string key, std::string endpoint);
  ~member_link();
  member_link(const member_link&) = delete;
  member_link& operator=(const member_link&) = delete;

  // Sends without blocking; false when the socket cannot take it now (its
  // queue is full). Before the first connection calls queue in ZeroMQ's pipe.
  bool try_send(outgoing& out);

  // After a lost connection (and after reading every reply that arrived
  // before it): a fresh socket, so that calls still queued for the dead
  // host can never reach a host that comes back at the same endpoint.
  void reset();

  enum class event { none, connected, disconnected };
  // One pending monitor event, without blocking.
  event next_event();

  zmq::socket_t& socket() { return socket_; }
  zmq::socket_t& monitor() { return monitor_; }
  const std::string& key() const { return key_; }
  const std::string& endpoint() const { return endpoint_; }

  bool connected = false;
  bool ever_connected = false;
  bool removed = false;         // left the membership: no new calls
  bool refusing = false;        // refused a call as not executed (draining, handing over):
                                // no new calls until a membership lists it again
  bool taking_calls() const { return !removed && !refusing; }
  // The member this one replaced (a reload, a restart in the same pool
  // slot) while calls of ours were still in flight there. Calls wait in the
  // outbox until the predecessor has answered (or refused) them all, so a
  // client's calls still run in the order it sent them.
  member_link* predecessor = nullptr;
  bool held() const { return predecessor != nullptr && predecessor->in_flight > 0; }
  std::uint64_t in_flight = 0;  // calls sent here and not yet ended
  std::deque<outgoing> outbox;  // calls picked for this member, not yet sent

 private:
  void open();
  void close();

  zmq::context_t& ctx_;
  zmq::socket_t socket_;
  zmq::socket_t monitor_;
  std::string key_;
  std::string endpoint_;
};

}  // namespace titan::detail
