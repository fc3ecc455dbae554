// host_server: streaming calls (PROTOCOL.md "Streams"). The method runs
// like any call; its items, and the client's credit, input and cancel, go
// through its stream_channel.
#include <spdlog/spdlog.h>

#include "host_server.hpp"

namespace titan::host {
namespace {

using clock = std::chrono::steady_clock;

// A method that has waited this long on its client makes the host check
// that the client is still connected.
constexpr auto probe_after = std::chrono::seconds(1);

std::pair<std::string, std::uint64_t> stream_key(const zmq::message_t& rid, std::uint64_t id) {
  return {std::string(static_cast<const char*>(rid.data()), rid.size()), id};
}

}  // namespace

std::shared_ptr<stream_channel> host_server::open_stream(const zmq::message_t& rid, std::uint64_t id,
                                                         std::uint64_t credit, bool input) {
  auto c = std::make_shared<stream_channel>(rid, id, credit, input, replies_);
  std::lock_guard lock(streams_mu_);
  streams_[stream_key(rid, id)] = c;
  open_streams_.store(streams_.size());
  return c;
}

void host_server::close_stream(const stream_channel& c) {
  std::lock_guard lock(streams_mu_);
  streams_.erase(stream_key(c.routing_id(), c.id()));
  open_streams_.store(streams_.size());
}

status_code host_server::run_stream(call_job& job, msgpack::sbuffer& out) {
  stream_channel& c = *job.stream;
  if (c.cancelled()) {  // cancelled while it waited its turn
    static constexpr std::string_view why = "the stream was cancelled before it started";
    out.clear();
    out.write(why.data(), why.size());
    return status_code::cancelled;
  }
  c.open(job.deadline);
  return service_.invoke(job.method, static_cast<const char*>(job.body.data()), job.body.size(), out, c.abi());
}

void host_server::handle_stream_frame(const zmq::message_t& rid, const wire::header& h, zmq::message_t& body) {
  std::shared_ptr<stream_channel> c;
  {
    std::lock_guard lock(streams_mu_);
    auto it = streams_.find(stream_key(rid, h.id));
    if (it != streams_.end()) c = it->second;
  }
  if (!c) return;  // a unary call (it runs to completion), or a stream already over
  switch (h.msg_kind) {
    case wire::kind::cancel:
      c->end(status_code::cancelled, "the client cancelled the stream");
      break;
    case wire::kind::credit: {
      msgpack::object n;
      if (wire::decode_body(static_cast<const char*>(body.data()), body.size(), zone_, n) ||
          n.type != msgpack::type::POSITIVE_INTEGER) {
        ++counters_.malformed;
        c->end(status_code::invalid_argument, "a CREDIT body must be an unsigned integer");
      } else {
        c->add_credit(n.via.u64);
      }
      break;
    }
    case wire::kind::stream_item: {
      msgpack::object item;
      if (auto err = wire::decode_body(static_cast<const char*>(body.data()), body.size(), zone_, item)) {
        ++counters_.malformed;
        c->end(status_code::invalid_argument, "an input item is not valid MessagePack: " + *err);
      } else {
        c->push_input(std::move(body));
      }
      break;
    }
    case wire::kind::stream_end:
      c->end_input();
      break;
    default:
      break;
  }
}

std::chrono::milliseconds host_server::poll_timeout() const {
  if (draining_) return std::chrono::milliseconds(20);
  return open_streams_.load() > 0 ? std::chrono::milliseconds(250) : std::chrono::milliseconds(-1);
}

// A ROUTER learns that a client left only when it sends to it: a PING with
// the stream's id (which clients ignore) fails once the client is gone.
void host_server::probe_streams() {
  if (open_streams_.load() == 0) return;
  const auto now = clock::now();
  if (now - last_probe_ < std::chrono::milliseconds(250)) return;
  last_probe_ = now;
  std::vector<std::shared_ptr<stream_channel>> waiting;
  {
    std::lock_guard lock(streams_mu_);
    for (auto& [key, c] : streams_)
      if (c->wants_probe(now, probe_after)) waiting.push_back(c);
  }
  for (auto& c : waiting) {
    buf_.clear();
    wire::encode_header(buf_, wire::kind::ping, c->id(), "");
    reply_frames probe{zmq::message_t(c->routing_id().data(), c->routing_id().size()),
                       zmq::message_t(buf_.data(), buf_.size()), zmq::message_t("\xc0", 1)};
    if (!send_frames(probe)) {
      log_.info("stream {}: the client went away; ending it", c->id());
      c->end(status_code::unavailable, "the client went away");
    }
  }
}

void host_server::end_streams(status_code code, const std::string& why) {
  std::lock_guard lock(streams_mu_);
  for (auto& [key, c] : streams_) c->end(code, why);
}

}  // namespace titan::host
