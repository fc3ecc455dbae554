// A client's subscription to the members of one named service: a DEALER to
// the manager's control endpoint that sent `$watch NAME` and receives a
// STREAM_ITEM with the whole member list each time it changes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "titan/control.hpp"

namespace titan::detail {


class membership_feed {
 public:
  membership_feed(zmq::context_t& ctx, const std::string& manager_endpoint, const std::string& name);
  ~membership_feed();

  zmq::socket_t& socket() { return socket_; }
  // The newest membership waiting on the socket, without blocking.
  std::optional<control::membership_update> read();
  const std::string& name() const { return name_; }
  const std::string& manager() const { return manager_; }
  bool heard() const { return heard_; }  // at least one membership arrived

 private:
  zmq::socket_t socket_;
  std::string name_;
  std::string manager_;
  bool heard_ = false;
};

}  // namespace titan::detail
