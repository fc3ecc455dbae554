// A client connection: a DEALER per member (one for a plain connect, one per
// host of a pool or a discovered service), a table of calls in flight, and
// socket monitors that fail — or, for idempotent calls, re-send — the calls
// in flight to a host as soon as its connection drops.
//
// Threads: whoever waits on a call "pumps" the sockets (receives replies for
// everyone); one thread pumps at a time and the others wait on a condition
// variable. A send from another thread while one pumps is queued in the
// member's outbox and the pumper is woken through an eventfd.
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>

#include <zmq.hpp>

#include "titan/detail/poll.hpp"

#include "balancer.hpp"
#include "call_table.hpp"
#include "member_link.hpp"
#include "membership_feed.hpp"
#include "shared_context.hpp"
#include "titan/detail/client_core.hpp"
#include "titan/status.hpp"
#include "titan/wire.hpp"

namespace titan::detail {
namespace {

using clock = std::chrono::steady_clock;

// A timeout beyond a year is no deadline (and cannot overflow the clock).
constexpr auto no_deadline = std::chrono::hours(24 * 365);

class zmq_client_core final : public client_core {
 public:
  zmq_client_core(const std::string& endpoint, const client_options& options)
      : zmq_client_core(options, endpoint) {
    links_.push_back(std::make_unique<member_link>(*ctx_, endpoint, endpoint));
    balancer_.rebuild(links_);
  }

  zmq_client_core(const std::string& manager, const std::string& name, const client_options& options)
      : zmq_client_core(options, name + "@" + manager) {
    feed_ = std::make_unique<membership_feed>(*ctx_, manager, name);
  }

  ~zmq_client_core() override { ::close(wake_fd_); }

  std::uint64_t send(std::string_view method, const char* body, std::size_t size, std::chrono::milliseconds timeout,
                     const call_flags& flags) override {
    std::unique_lock lock(mu_);
    if (!pumping_ && feed_) apply_feed();
    const std::uint64_t id = next_id_++;
    call_slot& slot = calls_.insert(id);
    const bool bounded = timeout < no_deadline;
    slot.deadline = bounded ? clock::now() + timeout : clock::time_point::max();
    slot.deadline_ms = bounded ? static_cast<std::uint64_t>(std::max<std::int64_t>(timeout.count(), 1)) : 0;
    slot.method.assign(method);
    slot.idempotent = flags.idempotent;
    slot.key_hash = flags.key_hash;
    slot.member = nullptr;
    // Kept only where it can be sent again: an idempotent call with somewhere else to go.
    if (flags.idempotent && (feed_ || links_.size() > 1))
      slot.retry_body.rebuild(body, size);
    assign(slot, zmq::message_t(body, size));
    return id;
  }

  void wait(std::uint64_t id, reply_fn fn, void* ctx) override {
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
      if (slot.state == call_state::failed) {
        Error e(slot.code, std::move(slot.error));
        calls_.erase(slot);
        throw e;
      }
      if (clock::now() >= slot.deadline) {
        Error e = timeout_error(slot);
        drop(slot);
        throw e;
      }
      if (pumping_) {
        cv_.wait_until(lock, slot.deadline);
        continue;
      }
      pump(lock, slot.deadline);
    }
  }

  bool ready(std::uint64_t id) override {
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

  void forget(std::uint64_t id) noexcept override {
    std::lock_guard lock(mu_);
    if (call_slot* s = calls_.find(id)) drop(*s);  // its outbox entry is skipped, a late reply dropped
  }

  const std::string& endpoint() const override { return name_; }

  std::vector<std::string> members() override {
    std::unique_lock lock(mu_);
    if (!pumping_ && feed_) apply_feed();
    std::vector<std::string> out;
    for (const auto& l : links_)
      if (!l->removed) out.push_back(l->endpoint());
    return out;
  }

 private:
  zmq_client_core(const client_options& options, std::string name)
      : ctx_(shared_context()),
        name_(std::move(name)),
        wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
        max_message_size_(options.max_message_size),
        balancer_(options.strategy) {
    if (wake_fd_ < 0) throw Error(status_code::internal, "eventfd failed");
  }

  // Gives an unsent call a member and sends it, or queues it: in the
  // member's outbox until its connection can take it, or as unassigned
  // until some member exists.
  void assign(call_slot& slot, zmq::message_t body, const member_link* avoid = nullptr) {
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
                        {.deadline_ms = deadline_ms, .traceparent = {}});
    outgoing out{slot.id, zmq::message_t(header_buf_.data(), header_buf_.size()), std::move(body)};
    if (!pumping_ && link->outbox.empty() && link->try_send(out)) {
      slot.state = call_state::sent;
      ++link->in_flight;
      return;
    }
    link->outbox.push_back(std::move(out));
    if (pumping_) wake_pumper();
  }

  void fail(call_slot& slot, status_code code, std::string message) {
    if (slot.state == call_state::sent && slot.member) --slot.member->in_flight;
    slot.state = call_state::failed;
    slot.code = code;
    slot.error = std::move(message);
    slot.member = nullptr;
  }

  // Forgets a call (deadline passed, or nobody waits for it).
  void drop(call_slot& slot) {
    if (slot.state == call_state::sent && slot.member) --slot.member->in_flight;
    calls_.erase(slot);
  }

  Error timeout_error(const call_slot& slot) const {
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
    return Error(status_code::deadline_exceeded, slot.method + ": no reply from " +
                                                     (slot.member ? slot.member->endpoint() : name_) + " before the deadline");
  }

  void wake_pumper() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  }

  // Called with `lock` held and pumping_ false; returns with it held. Runs
  // until `until` or until the outcome of some call changed.
  void pump(std::unique_lock<std::mutex>& lock, clock::time_point until) {
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
        items_.push_back({l->socket().handle(), 0, static_cast<short>(ZMQ_POLLIN | (l->outbox.empty() ? 0 : ZMQ_POLLOUT)), 0});
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

  void flush_outboxes() {
    for (const auto& l : links_) {
      while (!l->outbox.empty()) {
        outgoing& out = l->outbox.front();
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
  bool receive_all() {
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

  bool apply_received() {
    bool any = !received_.empty();
    for (auto& [header_msg, body] : received_) {
      wire::header h;
      auto err = wire::decode_header(static_cast<const char*>(header_msg.data()), header_msg.size(), zone_, h);
      zone_.clear();
      if (err) continue;
      call_slot* found = calls_.find(h.id);
      if (found == nullptr || found->state != call_state::sent) continue;  // forgotten, or already failed
      call_slot& slot = *found;
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
        wire::decode_error_body(static_cast<const char*>(body.data()), body.size(), zone_, code, message);
        zone_.clear();
        auto c = status_code_from_string(code);
        member_link* from = slot.member;
        if (c == status_code::unavailable && from != nullptr && !resend_elsewhere(slot, *from, true)) {
          // A draining host (scaled down, stopping) refuses new calls.
          fail(slot, *c, std::move(message));
        } else if (c != status_code::unavailable || from == nullptr) {
          fail(slot, c.value_or(status_code::unknown), c ? std::move(message) : code + ": " + message);
        }
      }
    }
    received_.clear();
    return any;
  }

  // Connection events of every member. A lost connection fails the calls
  // in flight there, or sends the idempotent ones to another member.
  bool read_monitors() {
    bool changed = false;
    for (std::size_t i = 0; i < links_.size(); ++i) {
      member_link* l = links_[i].get();
      for (auto ev = l->next_event(); ev != member_link::event::none; ev = l->next_event()) {
        if (ev == member_link::event::connected) {
          changed |= !unassigned_.empty();
          retry_unassigned();
          continue;
        }
        // Replies that arrived before the connection closed are still
        // readable: take them before deciding about what is left.
        receive_all();
        apply_received();
        calls_.for_each([&](call_slot& slot) {
          if (slot.member != l || slot.state != call_state::sent) return;
          changed = true;
          if (!resend_elsewhere(slot, *l)) {
            --l->in_flight;
            slot.member = nullptr;
            fail(slot, status_code::unavailable,
                 slot.method + ": connection to " + l->endpoint() + " lost with the call in flight (host died?)");
          }
        });
        reassign_outbox(*l);
        if (!l->removed) l->reset();
      }
    }
    drop_idle_removed_links();
    return changed;
  }

  // A member that left the membership goes once nothing of ours is left with it.
  void drop_idle_removed_links() {
    std::erase_if(links_, [](const auto& l) { return l->removed && l->in_flight == 0 && l->outbox.empty(); });
  }

  // Sends an idempotent call that `from` did not answer to another member,
  // within its deadline. False when it cannot be sent again.
  // `need_other`: only if another member can take it now (a refusal from
  // `from` would just repeat); otherwise it may wait for a replacement.
  bool resend_elsewhere(call_slot& slot, member_link& from, bool need_other = false) {
    if (!slot.idempotent || slot.retry_body.size() == 0 || clock::now() >= slot.deadline) return false;
    if (need_other) {
      member_link* other = balancer_.pick(links_, slot.key_hash, &from);
      if (other == nullptr || other == &from) return false;
    }
    if (slot.state == call_state::sent) --from.in_flight;
    slot.state = call_state::unsent;
    slot.member = nullptr;
    zmq::message_t body;
    body.copy(slot.retry_body);
    assign(slot, std::move(body), &from);
    return true;
  }

  // Calls waiting in a dead or removed member's outbox were never sent:
  // any call may go elsewhere.
  void reassign_outbox(member_link& l) {
    std::deque<outgoing> waiting;
    waiting.swap(l.outbox);
    for (auto& out : waiting) {
      call_slot* slot = calls_.find(out.id);
      if (slot == nullptr || slot->state != call_state::unsent || slot->member != &l) continue;
      slot->member = nullptr;
      if (!l.removed && !slot->idempotent && l.ever_connected && !l.connected) {
        fail(*slot, status_code::unavailable, slot->method + ": not connected to " + l.endpoint() + " (the host went away)");
        continue;
      }
      assign(*slot, std::move(out.body), &l);
    }
  }

  void retry_unassigned() {
    std::deque<unassigned_call> waiting;
    waiting.swap(unassigned_);
    for (auto& u : waiting) {
      call_slot* slot = calls_.find(u.id);
      if (slot == nullptr || slot->state != call_state::unsent) continue;
      assign(*slot, std::move(u.body));
    }
  }

  void expire_unassigned() {
    const auto now = clock::now();
    std::erase_if(unassigned_, [&](const unassigned_call& u) {
      call_slot* slot = calls_.find(u.id);
      return slot == nullptr || slot->state != call_state::unsent || slot->deadline <= now;
    });
  }

  // Applies the newest membership from the manager, if one arrived.
  bool apply_feed() {
    auto m = feed_->read();
    if (!m) return false;
    for (const auto& l : links_) {
      bool keep = std::any_of(m->members.begin(), m->members.end(), [&](const auto& e) {
        return e.first == l->key() && e.second == l->endpoint();
      });
      if (!keep && !l->removed) {
        l->removed = true;
        reassign_later_.push_back(l.get());
      }
    }
    for (const auto& [key, endpoint] : m->members) {
      bool known = std::any_of(links_.begin(), links_.end(), [&](const auto& l) {
        return !l->removed && l->key() == key && l->endpoint() == endpoint;
      });
      if (!known) links_.push_back(std::make_unique<member_link>(*ctx_, key, endpoint));
    }
    balancer_.rebuild(links_);
    for (member_link* l : reassign_later_) reassign_outbox(*l);
    reassign_later_.clear();
    drop_idle_removed_links();
    retry_unassigned();
    return true;
  }

  struct unassigned_call {
    std::uint64_t id;
    zmq::message_t body;
  };

  std::shared_ptr<zmq::context_t> ctx_;
  const std::string name_;
  const int wake_fd_;
  const std::size_t max_message_size_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool pumping_ = false;
  std::uint64_t next_id_ = 1;
  call_table calls_;
  std::vector<std::unique_ptr<member_link>> links_;
  std::unique_ptr<membership_feed> feed_;
  balancer balancer_;
  std::deque<unassigned_call> unassigned_;
  std::vector<member_link*> reassign_later_;
  std::vector<zmq::pollitem_t> items_;
  std::vector<std::pair<zmq::message_t, zmq::message_t>> received_;
  msgpack::sbuffer header_buf_{256};
  msgpack::zone zone_;
};

}  // namespace

std::shared_ptr<client_core> make_client_core(const std::string& endpoint, const client_options& options) {
  return std::make_shared<zmq_client_core>(endpoint, options);
}

std::shared_ptr<client_core> make_discovering_client_core(const std::string& manager_endpoint, const std::string& name,
                                                          const client_options& options) {
  return std::make_shared<zmq_client_core>(manager_endpoint, name, options);
}

}  // namespace titan::detail
