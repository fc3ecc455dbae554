#include "raw_dealer.hpp"

#include <stdexcept>

namespace titan::test {

namespace {
using clock = std::chrono::steady_clock;
}

raw_dealer::raw_dealer(const std::string& endpoint, int max_message_size)
    : ctx_(1), socket_(ctx_, zmq::socket_type::dealer) {
  socket_.set(zmq::sockopt::linger, 0);
  if (max_message_size > 0) socket_.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(max_message_size));
  socket_.connect(endpoint);
}

void raw_dealer::send(const std::vector<std::string>& frames) {
  for (std::size_t i = 0; i < frames.size(); ++i) {
    auto flags = i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
    socket_.send(zmq::buffer(frames[i].data(), frames[i].size()), flags);
  }
}

void raw_dealer::send_call(std::uint64_t id, std::string_view method, const std::string& args,
                           const wire::meta& meta) {
  send({header_frame(wire::kind::call, id, method, meta), args});
}

std::optional<raw_reply> raw_dealer::recv(std::chrono::milliseconds timeout) {
  zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
  if (zmq::poll(&item, 1, timeout) == 0) return std::nullopt;
  raw_reply r;
  bool more = true;
  while (more) {
    zmq::message_t part;
    (void)socket_.recv(part, zmq::recv_flags::none);
    more = part.more();
    r.frames.push_back(part.to_string());
  }
  msgpack::zone zone;
  wire::header h;
  if (auto err = wire::decode_header(r.frames[0].data(), r.frames[0].size(), zone, h))
    throw std::runtime_error("the host sent an undecodable header: " + err->message);
  r.kind = h.msg_kind;
  r.id = h.id;
  if (r.frames.size() > 1) r.body = r.frames[1];
  return r;
}

std::optional<raw_reply> raw_dealer::recv_for(std::uint64_t id, std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto r = recv(left);
    if (!r || r->id == id) return r;
  }
}

std::map<std::uint64_t, raw_reply> raw_dealer::recv_each(const std::vector<std::uint64_t>& ids,
                                                        std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  std::map<std::uint64_t, raw_reply> got;
  while (got.size() < ids.size()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0) break;
    auto r = recv(left);
    if (!r) break;
    for (auto id : ids)
      if (r->id == id) got.emplace(id, std::move(*r));
  }
  return got;
}

std::string raw_reply::error_code() const {
  msgpack::zone zone;
  std::string code, message;
  wire::decode_error_body(body.data(), body.size(), zone, code, message);
  return code;
}

std::string raw_reply::error_message() const {
  msgpack::zone zone;
  std::string code, message;
  wire::decode_error_body(body.data(), body.size(), zone, code, message);
  return message;
}

std::string header_frame(wire::kind k, std::uint64_t id, std::string_view method, const wire::meta& meta) {
  msgpack::sbuffer buf;
  wire::encode_header(buf, k, id, method, meta);
  return std::string(buf.data(), buf.size());
}

}  // namespace titan::test
