// zmq_client_core: sending, waiting, receiving.
#include "zmq_client_core.hpp"

#include <algorithm>

#include "titan/detail/poll.hpp"
#include "titan/wire.hpp"

namespace titan::detail {
namespace {

// A timeout beyond a year is no deadline (and cannot overflow the clock).
constexpr auto no_deadline = std::chrono::hours(24 * 365);

}  // namespace

// Its first membership (and with it the name's call_timeout): a moment's
// wait costs nothing, since no call can go anywhere before it.
constexpr auto first_membership_wait = std::chrono::milliseconds(500);

std::chrono::milliseconds zmq_client_core::default_timeout() {
  std::unique_lock lock(mu_);
  return default_timeout_locked();
}

// mu_ held.
std::chrono::milliseconds zmq_client_core::default_timeout_locked() {
  if (feed_ && !feed_->heard() && !pumping_) {
    zmq::pollitem_t item{feed_->socket().handle(), 0, ZMQ_POLLIN, 0};
    titan::detail::poll(&item, 1, first_membership_wait);
    apply_feed();
  }
  return announced_timeout_.value_or(default_call_timeout);
}

std::uint64_t zmq_client_core::send(std::string_view method, const char* body, std::size_t size,
                                    std::optional<std::chrono::milliseconds> requested, const call_flags& flags) {
  std::unique_lock lock(mu_);  // once per call: the default deadline is resolved under it too
  if (!pumping_ && feed_) apply_feed();
  return start_call(method, body, size, requested ? *requested : default_timeout_locked(), flags, nullptr);
}

std::uint64_t zmq_client_core::start_call(std::string_view method, const char* body, std::size_t size,
                                          std::optional<std::chrono::milliseconds> timeout, const call_flags& flags,
                                          std::unique_ptr<stream_state> stream) {
  const std::uint64_t id = next_id_++;
  call_slot& slot = calls_.insert(id);
  const bool bounded = timeout && *timeout < no_deadline;
  slot.deadline = bounded ? clock::now() + *timeout : clock::time_point::max();
  slot.deadline_ms = bounded ? static_cast<std::uint64_t>(std::max<std::int64_t>(timeout->count(), 1)) : 0;
  slot.method.assign(method);
  slot.idempotent = flags.idempotent;
  slot.key_hash = flags.key_hash;
  slot.member = nullptr;
  slot.stream = std::move(stream);
  // Kept where the call could be sent again: wherever there is (or may
  // come) another member. Any call a host refuses as not executed may go
  // elsewhere, so not only idempotent ones. The copy shares the buffer.
  zmq::message_t msg(body, size);
  if (feed_ || links_.size() > 1) slot.retry_body.copy(msg);
  assign(slot, std::move(msg));
  return id;
}

void zmq_client_core::wait(std::uint64_t id, reply_fn fn, void* ctx) {
  std::unique_lock lock(mu_);
  for (;;) {
    call_slot* found = calls_.find(id);
    if (found == nullptr) throw Error(status_code::failed_precondition, "unknown call id");
    call_slot& slot = *found;
    if (slot.state == call_state::replied) {
      zmq::message_t body = std::move(slot.body);
      calls_.erase(slot);
      lock.unlock();
      fn(ctx, static_cast<const char*>(body.data()), body.size());
      return;
    }
    if (slot.state == call_state::failed) throw take_failure(slot);
    if (clock::now() >= slot.deadline) {
      Error e = timeout_error(slot);
      drop(slot);
      throw e;
    }
    await(lock, slot.deadline);
  }
}

void zmq_client_core::await(std::unique_lock<std::mutex>& lock, clock::time_point deadline) {
  if (pumping_)
    cv_.wait_until(lock, deadline);
  else
    pump(lock, deadline);
}

bool zmq_client_core::ready(std::uint64_t id) {
  std::unique_lock lock(mu_);
  auto done = [&] {
    call_slot* s = calls_.find(id);
    return s == nullptr || s->state == call_state::replied || s->state == call_state::failed ||
           clock::now() >= s->deadline;
  };
  if (done()) return true;
  if (!pumping_) pump(lock, clock::now());
  return done();
}

void zmq_client_core::forget(std::uint64_t id) noexcept {
  std::lock_guard lock(mu_);
  call_slot* s = calls_.find(id);
  if (s == nullptr) return;
  if (s->stream && s->state == call_state::sent) {
    try {
      send_control(*s, wire::kind::cancel, zmq::message_t("\xc0", 1));  // the producer stops
    } catch (...) {  // a socket error: the host learns it when the connection goes
    }
  }
  drop(*s);  // its outbox entry is skipped, a late reply dropped
}

std::vector<std::string> zmq_client_core::members() {
  std::unique_lock lock(mu_);
  if (!pumping_ && feed_) apply_feed();
  std::vector<std::string> out;
  for (const auto& l : links_)
    if (!l->removed) out.push_back(l->endpoint());
  return out;
}

// Gives an unsent call a member and sends it, or queues it: in the
// member's outbox until its connection can take it, or as unassigned
// until some member exists.
void zmq_client_core::assign(call_slot& slot, zmq::message_t body, const member_link* avoid) {
  member_link* link = balancer_.pick(links_, slot.key_hash, avoid);
  if (link != nullptr && link->ever_connected && !link->connected && !pumping_) {
    // It was lost: has it come back meanwhile? (Events are read while
    // pumping; nobody may have pumped since.)
    while (link->next_event() != member_link::event::none) {
    }
  }
  if (link != nullptr && link->ever_connected && !link->connected && !slot.idempotent) {
    // Fail fast: that host is gone. Waiting would only turn a clear
    // UNAVAILABLE into a late one.
    fail(slot, status_code::unavailable, slot.method + ": not connected to " + link->endpoint() +
                                             " (the host went away)");
    return;
  }
  if (link == nullptr || (link->ever_connected && !link->connected)) {
    unassigned_.push_back({slot.id, std::move(body)});
    return;
  }
  slot.member = link;
  header_buf_.clear();
  const auto left = slot.deadline - clock::now();
  const std::uint64_t deadline_ms =
      slot.deadline_ms == 0
          ? 0
          : static_cast<std::uint64_t>(std::max<std::int64_t>(1, std::chrono::ceil<std::chrono::milliseconds>(left).count()));
  wire::encode_header(header_buf_, wire::kind::call, slot.id, slot.method,
                      {.deadline_ms = deadline_ms, .traceparent = {}, .credit = slot.stream ? slot.stream->credit.open() : 0});
  outgoing out{slot.id, zmq::message_t(header_buf_.data(), header_buf_.size()), std::move(body)};
  if (!pumping_ && link->outbox.empty() && !link->held() && link->try_send(out)) {
    slot.state = call_state::sent;
    ++link->in_flight;
    return;
  }
  // In id order (the order the calls were made): a call re-sent after a
  // refusal goes before the newer ones already waiting.
  auto pos = link->outbox.end();
  while (pos != link->outbox.begin() && std::prev(pos)->id > out.id) --pos;
  link->outbox.insert(pos, std::move(out));
  if (pumping_) wake_pumper();
}

void zmq_client_core::fail(call_slot& slot, status_code code, std::string message) {
  if (slot.state == call_state::sent && slot.member) --slot.member->in_flight;
  slot.state = call_state::failed;
  slot.code = code;
  slot.error = std::move(message);
  slot.member = nullptr;
}

// Forgets a call (deadline passed, or nobody waits for it).
void zmq_client_core::drop(call_slot& slot) {
  if (slot.state == call_state::sent && slot.member) --slot.member->in_flight;
  calls_.erase(slot);
}

Error zmq_client_core::take_failure(call_slot& slot) {
  Error e(slot.code, std::move(slot.error));
  calls_.erase(slot);
  return e;
}

Error zmq_client_core::timeout_error(const call_slot& slot) const {
  if (slot.state == call_state::unsent) {
    if (slot.member == nullptr && feed_)
      return Error(status_code::unavailable, slot.method + ": no member of '" + feed_->name() + "' was available" +
                                                 (feed_->heard() ? "" : " (no answer from the manager at " +
                                                                            feed_->manager() + ")"));
    const member_link* m = slot.member ? slot.member : (links_.empty() ? nullptr : links_.front().get());
    std::string where = m ? m->endpoint() : name_;
    return Error(status_code::unavailable, slot.method + ": no host reachable at " + where +
                                               (m && m->ever_connected ? " (the connection was lost)" : " (never connected)"));
  }
  if (slot.member != nullptr && !slot.member->ever_connected)
    return Error(status_code::unavailable, slot.method + ": no host reachable at " + slot.member->endpoint() +
                                               " (never connected)");
  const std::string where = slot.member ? slot.member->endpoint() : name_;
  if (slot.stream) return Error(status_code::deadline_exceeded, slot.method + ": the stream from " + where + " passed its deadline");
  return Error(status_code::deadline_exceeded, slot.method + ": no reply from " + where + " before the deadline");
}

// Called with `lock` held and pumping_ false; returns with it held. Runs
// until `until` or until the outcome of some call changed.
void zmq_client_core::pump(std::unique_lock<std::mutex>& lock, clock::time_point until) {
  pumping_ = true;
  // Whatever happens (a throw included), the pumper role is given back.
  struct release {
    zmq_client_core& core;
    std::unique_lock<std::mutex>& lock;
    ~release() {
      if (!lock.owns_lock()) lock.lock();
      core.pumping_ = false;
      core.cv_.notify_all();
    }
  } release_on_exit{*this, lock};
  bool changed = false;
  do {
    flush_outboxes();
    items_.clear();
    for (const auto& l : links_) {
      const bool can_send = !l->outbox.empty() && !l->held();
      items_.push_back({l->socket().handle(), 0, static_cast<short>(ZMQ_POLLIN | (can_send ? ZMQ_POLLOUT : 0)), 0});
      items_.push_back({l->monitor().handle(), 0, ZMQ_POLLIN, 0});
    }
    if (feed_) items_.push_back({feed_->socket().handle(), 0, ZMQ_POLLIN, 0});
    items_.push_back({nullptr, wake_fd_, ZMQ_POLLIN, 0});
    lock.unlock();
    changed = receive_all();
    if (!changed) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(until - clock::now());
      titan::detail::poll(items_.data(), items_.size(), std::clamp(left, std::chrono::milliseconds(0), std::chrono::milliseconds(60000)));
      if (items_.back().revents & ZMQ_POLLIN) {
        std::uint64_t n;
        [[maybe_unused]] auto r = ::read(wake_fd_, &n, sizeof n);
        changed = true;
      }
      changed |= receive_all();
    }
    lock.lock();
    for (std::size_t i = 0; i < links_.size() && i * 2 < items_.size(); ++i)
      if (items_[i * 2].revents & ZMQ_POLLOUT) changed = true;  // loop to flush
    changed |= apply_received();
    changed |= read_monitors();
    if (feed_) changed |= apply_feed();
    expire_unassigned();
  } while (!changed && clock::now() < until);
  flush_outboxes();
}

void zmq_client_core::flush_outboxes() {
  for (const auto& l : links_) {
    if (l->held()) continue;
    while (!l->outbox.empty()) {
      outgoing& out = l->outbox.front();
      if (out.control) {
        if (!l->try_send(out)) break;
        l->outbox.pop_front();
        continue;
      }
      call_slot* slot = calls_.find(out.id);
      if (slot == nullptr || slot->state != call_state::unsent || slot->member != l.get()) {
        l->outbox.pop_front();
        continue;
      }
      if (!l->try_send(out)) break;
      slot->state = call_state::sent;
      ++l->in_flight;
      l->outbox.pop_front();
    }
  }
}

// Receives every reply that is waiting, without the lock (only the
// pumper touches the sockets); apply_received() files them.
bool zmq_client_core::receive_all() {
  bool any = false;
  for (const auto& l : links_) {
    for (;;) {
      zmq::message_t header;
      if (!l->socket().recv(header, zmq::recv_flags::dontwait)) break;
      zmq::message_t body;
      bool two_frames = header.more() && l->socket().recv(body, zmq::recv_flags::none);
      for (bool more = two_frames && body.more(); more;) {  // drop extra frames
        zmq::message_t extra;
        (void)l->socket().recv(extra, zmq::recv_flags::none);
        more = extra.more();
        two_frames = false;
      }
      if (!two_frames) continue;
      received_.emplace_back(std::move(header), std::move(body));
      any = true;
    }
  }
  return any;
}

bool zmq_client_core::apply_received() {
  bool any = !received_.empty();
  for (auto& [header_msg, body] : received_) {
    wire::header h;
    auto err = wire::decode_header(static_cast<const char*>(header_msg.data()), header_msg.size(), zone_, h);
    zone_.clear();
    if (err) continue;
    call_slot* found = calls_.find(h.id);
    if (found == nullptr || found->state != call_state::sent) continue;  // forgotten, or already failed
    call_slot& slot = *found;
    if (slot.stream && apply_stream_frame(slot, h.msg_kind, body)) continue;
    if (body.size() > max_message_size_) {
      fail(slot, status_code::resource_exhausted,
           slot.method + ": the reply has " + std::to_string(body.size()) +
               " bytes, more than client_options::max_message_size (" + std::to_string(max_message_size_) + ")");
    } else if (h.msg_kind == wire::kind::reply) {
      if (slot.member) --slot.member->in_flight;
      slot.member = nullptr;
      slot.state = call_state::replied;
      slot.body = std::move(body);
      slot.retry_body.rebuild(0);
    } else if (h.msg_kind == wire::kind::error) {
      std::string code, message;
      bool not_executed = false;
      wire::decode_error_body(static_cast<const char*>(body.data()), body.size(), zone_, code, message, &not_executed);
      zone_.clear();
      auto c = status_code_from_string(code);
      member_link* from = slot.member;
      if (c == status_code::unavailable && from != nullptr && not_executed) {
        // A host that drains (stopping, scaled down, replaced by a reload)
        // or hands over refused it without running it: send it elsewhere,
        // or hold it until the membership names a host that takes calls.
        // Only a membership can say it takes calls again (a reload rolled
        // back): a client without one keeps it.
        if (feed_) from->refusing = true;
        if (!requeue_refused(slot, *from)) fail(slot, *c, std::move(message));
      } else if (c == status_code::unavailable && from != nullptr && resend_elsewhere(slot, *from, true)) {
        // An older host's refusal says nothing of running it: only an idempotent call goes elsewhere.
      } else {
        fail(slot, c.value_or(status_code::unknown), c ? std::move(message) : code + ": " + message);
      }
    }
  }
  received_.clear();
  return any;
}


std::shared_ptr<client_core> make_client_core(const std::string& endpoint, const client_options& options) {
  return std::make_shared<zmq_client_core>(endpoint, options);
}

std::shared_ptr<client_core> make_discovering_client_core(const std::string& manager_endpoint, const std::string& name,
                                                          const client_options& options) {
  return std::make_shared<zmq_client_core>(manager_endpoint, name, options);
}

}  // namespace titan::detail
