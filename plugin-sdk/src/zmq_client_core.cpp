// A client connection: one DEALER socket, a table of calls in flight and a
// socket monitor that fails those calls as soon as the host goes away.
//
// Threads: whoever waits on a call "pumps" the socket (receives replies for
// everyone); one thread pumps at a time and the others wait on a condition
// variable. A send from another thread while one pumps is queued in the
// outbox and the pumper is woken through an eventfd.
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <condition_variable>
#include <deque>
#include <mutex>

#include <zmq.hpp>

#include "call_table.hpp"
#include "shared_context.hpp"
#include "titan/detail/client_core.hpp"
#include "titan/status.hpp"
#include "titan/wire.hpp"

namespace titan::detail {
namespace {

using clock = std::chrono::steady_clock;

struct outgoing {
  std::uint64_t id;
  zmq::message_t header;
  zmq::message_t body;
};

class zmq_client_core final : public client_core {
 public:
  zmq_client_core(const std::string& endpoint, const client_options& options)
      : ctx_(shared_context()),
        socket_(*ctx_, zmq::socket_type::dealer),
        monitor_(*ctx_, zmq::socket_type::pair),
        endpoint_(endpoint),
        wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
        max_message_size_(options.max_message_size) {
    if (wake_fd_ < 0) throw Error(status_code::internal, "eventfd failed");
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::immediate, 1);  // never queue calls for a peer that is not connected
    socket_.set(zmq::sockopt::sndhwm, 100000);
    socket_.set(zmq::sockopt::rcvhwm, 100000);
    // Not ZMQ_MAXMSGSIZE: libzmq would drop the connection for good on one
    // oversized reply. Sizes are checked per reply instead.
    static std::atomic<std::uint64_t> counter{0};
    std::string monitor_ep = "inproc://titan-client-monitor-" + std::to_string(counter++);
    if (zmq_socket_monitor(socket_.handle(), monitor_ep.c_str(), ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED) != 0)
      throw Error(status_code::internal, "zmq_socket_monitor failed: " + std::string(zmq_strerror(zmq_errno())));
    monitor_.set(zmq::sockopt::linger, 0);
    monitor_.connect(monitor_ep);
    try {
      socket_.connect(endpoint);
    } catch (const zmq::error_t& e) {
      ::close(wake_fd_);
      throw Error(status_code::invalid_argument, "cannot connect to '" + endpoint + "': " + e.what());
    }
  }

  ~zmq_client_core() override {
    zmq_socket_monitor(socket_.handle(), nullptr, 0);
    ::close(wake_fd_);
  }

  std::uint64_t send(std::string_view method, const char* body, std::size_t size,
                     std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mu_);
    const std::uint64_t id = next_id_++;
    call_slot& slot = calls_.insert(id);
    // A timeout beyond a year is no deadline (and cannot overflow the clock).
    constexpr auto no_deadline = std::chrono::hours(24 * 365);
    const bool bounded = timeout < no_deadline;
    slot.deadline = bounded ? clock::now() + timeout : clock::time_point::max();
    slot.method.assign(method);
    if (ever_connected_ && !connected_) {
      // Fail fast: the host is gone. Waiting would only turn a clear
      // UNAVAILABLE into a late one.
      fail_unreachable(slot);
      return id;
    }
    header_buf_.clear();
    wire::encode_header(header_buf_, wire::kind::call, id, method,
                        {.deadline_ms = bounded ? static_cast<std::uint64_t>(std::max<std::int64_t>(timeout.count(), 1)) : 0,
                         .traceparent = {}});
    outgoing out{id, zmq::message_t(header_buf_.data(), header_buf_.size()), zmq::message_t(body, size)};
    if (!pumping_ && outbox_.empty() && try_send(out)) {
      slot.state = call_state::sent;
      return id;
    }
    outbox_.push_back(std::move(out));
    if (pumping_) wake_pumper();
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
      const auto now = clock::now();
      if (now >= slot.deadline) {
        Error e = timeout_error(slot);
        calls_.erase(slot);
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
    if (call_slot* s = calls_.find(id)) calls_.erase(*s);  // its outbox entry is skipped, a late reply dropped
  }

  const std::string& endpoint() const override { return endpoint_; }

 private:
  Error timeout_error(const call_slot& slot) const {
    if (slot.state == call_state::unsent) {
      return Error(status_code::unavailable, slot.method + ": no host reachable at " + endpoint_ +
                                                 (ever_connected_ ? " (the connection was lost)" : " (never connected)"));
    }
    return Error(status_code::deadline_exceeded, slot.method + ": no reply from " + endpoint_ + " before the deadline");
  }

  void fail_unreachable(call_slot& slot) {
    slot.state = call_state::failed;
    slot.code = status_code::unavailable;
    slot.error = slot.method + ": not connected to " + endpoint_ + " (the host went away)";
  }

  // Sends without blocking; false when the socket cannot take it now.
  bool try_send(outgoing& out) {
    auto r = socket_.send(out.header, zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    if (!r) return false;
    socket_.send(out.body, zmq::send_flags::none);  // the rest of a multipart message never blocks
    return true;
  }

  void wake_pumper() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  }

  // Called with `lock` held and pumping_ false; returns with it held. Runs
  // until `until` or until the outcome of some call changed.
  void pump(std::unique_lock<std::mutex>& lock, clock::time_point until) {
    pumping_ = true;
    bool changed = false;
    do {
      flush_outbox();
      const bool want_out = !outbox_.empty();
      lock.unlock();
      changed = receive_all();
      if (!changed) {
        zmq::pollitem_t items[] = {
            {socket_.handle(), 0, static_cast<short>(ZMQ_POLLIN | (want_out ? ZMQ_POLLOUT : 0)), 0},
            {monitor_.handle(), 0, ZMQ_POLLIN, 0},
            {nullptr, wake_fd_, ZMQ_POLLIN, 0},
        };
        auto left = std::chrono::ceil<std::chrono::milliseconds>(until - clock::now());
        zmq::poll(items, 3, std::max(left, std::chrono::milliseconds(0)));
        if (items[2].revents & ZMQ_POLLIN) {
          std::uint64_t n;
          [[maybe_unused]] auto r = ::read(wake_fd_, &n, sizeof n);
        }
        changed = receive_all();
        lock.lock();
        apply_received();
        if (items[1].revents & ZMQ_POLLIN) changed |= read_monitor();
        if (items[0].revents & ZMQ_POLLOUT) changed = true;  // loop to flush
        if (items[2].revents & ZMQ_POLLIN) changed = true;
      } else {
        lock.lock();
        apply_received();
      }
    } while (!changed && clock::now() < until);
    flush_outbox();
    pumping_ = false;
    cv_.notify_all();
  }

  void flush_outbox() {
    while (!outbox_.empty()) {
      outgoing& out = outbox_.front();
      call_slot* slot = calls_.find(out.id);
      if (slot == nullptr || slot->state != call_state::unsent) {
        outbox_.pop_front();
        continue;
      }
      if (!try_send(out)) return;
      slot->state = call_state::sent;
      outbox_.pop_front();
    }
  }

  // Receives every reply that is waiting, without the lock; they are
  // applied to the table by apply_received().
  bool receive_all() {
    bool any = false;
    for (;;) {
      zmq::message_t header;
      if (!socket_.recv(header, zmq::recv_flags::dontwait)) return any;
      zmq::message_t body;
      bool two_frames = header.more() && socket_.recv(body, zmq::recv_flags::none);
      for (bool more = two_frames && body.more(); more;) {  // drop extra frames
        zmq::message_t extra;
        (void)socket_.recv(extra, zmq::recv_flags::none);
        more = extra.more();
        two_frames = false;
      }
      if (!two_frames) {
        ++malformed_;
        continue;
      }
      received_.emplace_back(std::move(header), std::move(body));
      any = true;
    }
  }

  void apply_received() {
    for (auto& [header_msg, body] : received_) {
      wire::header h;
      auto err = wire::decode_header(static_cast<const char*>(header_msg.data()), header_msg.size(), zone_, h);
      zone_.clear();
      if (err) {
        ++malformed_;
        continue;
      }
      call_slot* found = calls_.find(h.id);
      if (found == nullptr || found->state == call_state::replied || found->state == call_state::failed)
        continue;  // forgotten, or already failed
      call_slot& slot = *found;
      if (body.size() > max_message_size_) {
        slot.state = call_state::failed;
        slot.code = status_code::resource_exhausted;
        slot.error = slot.method + ": the reply has " + std::to_string(body.size()) +
                     " bytes, more than client_options::max_message_size (" + std::to_string(max_message_size_) + ")";
      } else if (h.msg_kind == wire::kind::reply) {
        slot.state = call_state::replied;
        slot.body = std::move(body);
      } else if (h.msg_kind == wire::kind::error) {
        std::string code, message;
        wire::decode_error_body(static_cast<const char*>(body.data()), body.size(), zone_, code, message);
        zone_.clear();
        auto c = status_code_from_string(code);
        slot.state = call_state::failed;
        slot.code = c.value_or(status_code::unknown);
        slot.error = c ? std::move(message) : code + ": " + message;
      }
    }
    received_.clear();
  }

  // Returns true when a lost connection failed some calls.
  bool read_monitor() {
    bool changed = false;
    for (;;) {
      zmq::message_t event;
      if (!monitor_.recv(event, zmq::recv_flags::dontwait)) return changed;
      zmq::message_t addr;
      if (event.more()) (void)monitor_.recv(addr, zmq::recv_flags::none);
      if (event.size() < 6) continue;
      std::uint16_t ev;
      std::memcpy(&ev, event.data(), sizeof ev);
      if (ev == ZMQ_EVENT_CONNECTED) {
        connected_ = true;
        ever_connected_ = true;
      } else if (ev == ZMQ_EVENT_DISCONNECTED) {
        connected_ = false;
        // Replies that arrived before the connection closed are still
        // readable: take them before failing what is left.
        receive_all();
        apply_received();
        calls_.for_each([&](call_slot& slot) {
          if (slot.state == call_state::sent) {
            slot.state = call_state::failed;
            slot.code = status_code::unavailable;
            slot.error = slot.method + ": connection to " + endpoint_ + " lost with the call in flight (host died?)";
            changed = true;
          } else if (slot.state == call_state::unsent) {
            fail_unreachable(slot);
            changed = true;
          }
        });
      }
    }
  }

  std::shared_ptr<zmq::context_t> ctx_;
  zmq::socket_t socket_;
  zmq::socket_t monitor_;
  const std::string endpoint_;
  const int wake_fd_;
  const std::size_t max_message_size_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool pumping_ = false;
  bool connected_ = false;
  bool ever_connected_ = false;
  std::uint64_t next_id_ = 1;
  std::uint64_t malformed_ = 0;
  call_table calls_;
  std::deque<outgoing> outbox_;
  std::vector<std::pair<zmq::message_t, zmq::message_t>> received_;
  msgpack::sbuffer header_buf_{256};
  msgpack::zone zone_;
};

}  // namespace

std::shared_ptr<client_core> make_client_core(const std::string& endpoint, const client_options& options) {
  return std::make_shared<zmq_client_core>(endpoint, options);
}

}  // namespace titan::detail
