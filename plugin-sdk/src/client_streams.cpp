// zmq_client_core: streaming calls (PROTOCOL.md "Streams"). A stream is a
// call whose slot also holds the items received and not yet read, and the
// credit on both sides: we grant the host a window of items and grant more as
// the reader takes them (stream_credit.hpp); the host grants us input credit.
#include "zmq_client_core.hpp"

namespace titan::detail {

std::uint64_t zmq_client_core::open_stream(std::string_view method, const char* body, std::size_t size,
                                           std::optional<std::chrono::milliseconds> timeout, const call_flags& flags,
                                           const stream_flags& stream) {
  std::unique_lock lock(mu_);
  if (!pumping_ && feed_) apply_feed();
  auto st = std::make_unique<stream_state>();
  st->output = stream.output;
  st->input = stream.input;
  st->credit = stream_credit(stream.window > 0 ? stream.window : stream_window_, stream_window_bytes_);
  return start_call(method, body, size, timeout, flags, std::move(st));
}

void zmq_client_core::send_control(call_slot& slot, wire::kind k, zmq::message_t body) {
  member_link* link = slot.member;
  if (link == nullptr) return;  // never sent: nothing to tell
  header_buf_.clear();
  wire::encode_header(header_buf_, k, slot.id, "");
  outgoing out{slot.id, zmq::message_t(header_buf_.data(), header_buf_.size()), std::move(body), true};
  if (!pumping_ && link->outbox.empty() && !link->held() && link->try_send(out)) return;
  link->outbox.push_back(std::move(out));
  if (pumping_) wake_pumper();
}

bool zmq_client_core::apply_stream_frame(call_slot& slot, wire::kind k, zmq::message_t& body) {
  stream_state& st = *slot.stream;
  switch (k) {
    case wire::kind::stream_item:
      if (st.output) st.items.push_back(std::move(body));
      return true;
    case wire::kind::credit: {
      msgpack::object n;
      if (!wire::decode_body(static_cast<const char*>(body.data()), body.size(), zone_, n) &&
          n.type == msgpack::type::POSITIVE_INTEGER)
        st.input_credit += n.via.u64;
      zone_.clear();
      return true;
    }
    case wire::kind::stream_end:
      if (slot.member) --slot.member->in_flight;
      slot.member = nullptr;
      slot.state = call_state::replied;
      slot.retry_body.rebuild(0);
      return true;
    case wire::kind::reply:
      // A method that does not stream its results, read as a stream: its
      // result is the one item.
      if (!st.output) return false;
      st.items.push_back(std::move(body));
      if (slot.member) --slot.member->in_flight;
      slot.member = nullptr;
      slot.state = call_state::replied;
      slot.retry_body.rebuild(0);
      return true;
    case wire::kind::ping:
      return true;  // the host checking that we are still here
    default:
      return false;
  }
}

stream_step zmq_client_core::next(std::uint64_t id, reply_fn fn, void* ctx, bool want_input) {
  std::unique_lock lock(mu_);
  for (;;) {
    call_slot* found = calls_.find(id);
    if (found == nullptr || !found->stream) throw Error(status_code::failed_precondition, "unknown stream id");
    call_slot& slot = *found;
    stream_state& st = *slot.stream;
    if (fn != nullptr && !st.items.empty()) {
      zmq::message_t item = std::move(st.items.front());
      st.items.pop_front();
      const std::uint32_t grant = st.credit.taken(item.size());
      if (grant > 0 && slot.state == call_state::sent) {
        msgpack::sbuffer credit;
        msgpack::packer<msgpack::sbuffer>(credit).pack_uint32(grant);
        send_control(slot, wire::kind::credit, zmq::message_t(credit.data(), credit.size()));
      }
      lock.unlock();
      fn(ctx, static_cast<const char*>(item.data()), item.size());
      return stream_step::item;
    }
    if (want_input && st.input_credit > 0 && slot.state == call_state::sent) return stream_step::input_credit;
    const bool over = slot.state == call_state::replied || slot.state == call_state::failed ||
                      clock::now() >= slot.deadline;
    if (over && fn == nullptr) return stream_step::ended;  // its outcome is for wait()
    if (slot.state == call_state::replied) {
      calls_.erase(slot);
      return stream_step::ended;
    }
    if (slot.state == call_state::failed) throw take_failure(slot);
    if (clock::now() >= slot.deadline) {
      Error e = timeout_error(slot);
      if (slot.state == call_state::sent) send_control(slot, wire::kind::cancel, zmq::message_t("\xc0", 1));
      drop(slot);
      throw e;
    }
    await(lock, slot.deadline);
  }
}

std::uint64_t zmq_client_core::send_item(std::uint64_t id, const char* data, std::size_t size) {
  std::unique_lock lock(mu_);
  call_slot* slot = calls_.find(id);
  if (slot == nullptr || !slot->stream || slot->state != call_state::sent || slot->stream->input_credit == 0)
    throw Error(status_code::failed_precondition, "send_item without input credit");
  send_control(*slot, wire::kind::stream_item, zmq::message_t(data, size));
  return --slot->stream->input_credit;
}

void zmq_client_core::end_input(std::uint64_t id) {
  std::unique_lock lock(mu_);
  call_slot* slot = calls_.find(id);
  if (slot != nullptr && slot->stream && slot->state == call_state::sent)
    send_control(*slot, wire::kind::stream_end, zmq::message_t("\xc0", 1));
}

}  // namespace titan::detail
