// A client connection: a DEALER per member (one for a plain connect, one per
// host of a pool or a discovered service), a table of calls in flight, and
// socket monitors that fail -- or, for idempotent calls, re-send -- the calls
// in flight to a host as soon as its connection drops.
//
// Threads: whoever waits on a call "pumps" the sockets (receives replies for
// everyone); one thread pumps at a time and the others wait on a condition
// variable. A send from another thread while one pumps is queued in the
// member's outbox and the pumper is woken through an eventfd.
//
// zmq_client_core.cpp: sending, waiting, receiving.
// client_membership.cpp: lost connections, re-sending, membership changes.
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include <msgpack.hpp>
#include <zmq.hpp>

#include "balancer.hpp"
#include "call_table.hpp"
#include "member_link.hpp"
#include "membership_feed.hpp"
#include "shared_context.hpp"
#include "titan/detail/client_core.hpp"
#include "titan/detail/unique_fd.hpp"
#include "titan/status.hpp"
#include "titan/wire.hpp"

namespace titan::detail {

class zmq_client_core final : public client_core {
 public:
  using clock = std::chrono::steady_clock;

  zmq_client_core(const std::string& endpoint, const client_options& options)
      : zmq_client_core(options, endpoint) {
    links_.push_back(std::make_unique<member_link>(*ctx_, endpoint, endpoint));
    balancer_.rebuild(links_);
  }

  zmq_client_core(const std::string& manager, const std::string& name, const client_options& options)
      : zmq_client_core(options, name + "@" + manager) {
    feed_ = std::make_unique<membership_feed>(*ctx_, manager, name);
  }

  std::uint64_t send(std::string_view method, const char* body, std::size_t size,
                     std::optional<std::chrono::milliseconds> timeout, const call_flags& flags) override;

  std::chrono::milliseconds default_timeout() override;

  void wait(std::uint64_t id, reply_fn fn, void* ctx) override;

  bool ready(std::uint64_t id) override;

  void forget(std::uint64_t id) noexcept override;

  std::uint64_t open_stream(std::string_view method, const char* body, std::size_t size,
                            std::optional<std::chrono::milliseconds> timeout, const call_flags& flags,
                            const stream_flags& stream) override;
  stream_step next(std::uint64_t id, reply_fn fn, void* ctx, bool want_input) override;
  std::uint64_t send_item(std::uint64_t id, const char* data, std::size_t size) override;
  void end_input(std::uint64_t id) override;

  const std::string& endpoint() const override { return name_; }

  std::vector<std::string> members() override;

 private:
  std::chrono::milliseconds default_timeout_locked();  // mu_ held
  zmq_client_core(const client_options& options, std::string name)
      : ctx_(shared_context()),
        name_(std::move(name)),
        wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
        wake_fd_(wake_.get()),
        max_message_size_(options.max_message_size),
        stream_window_(std::max<std::uint32_t>(options.stream_window, 1)),
        stream_window_bytes_(options.stream_window_bytes),
        balancer_(options.strategy) {
    if (wake_fd_ < 0) throw Error(status_code::internal, "eventfd failed");
  }

  // Gives an unsent call a member and sends it, or queues it: in the
  // member's outbox until its connection can take it, or as unassigned
  // until some member exists.
  void assign(call_slot& slot, zmq::message_t body, const member_link* avoid = nullptr);

  void fail(call_slot& slot, status_code code, std::string message);

  // mu_ held. Creates the slot of a new call and sends it.
  std::uint64_t start_call(std::string_view method, const char* body, std::size_t size,
                           std::optional<std::chrono::milliseconds> timeout, const call_flags& flags,
                           std::unique_ptr<stream_state> stream);

  // Sends a stream's control frame to the member its call went to.
  void send_control(call_slot& slot, wire::kind k, zmq::message_t body);

  // Files a STREAM_ITEM, CREDIT or STREAM_END of a streaming call; false
  // for any other kind.
  bool apply_stream_frame(call_slot& slot, wire::kind k, zmq::message_t& body);

  // Blocks (pumping or waiting for the pumper) until something happens or
  // `deadline`. mu_ held.
  void await(std::unique_lock<std::mutex>& lock, clock::time_point deadline);

  // Forgets a call (deadline passed, or nobody waits for it).
  void drop(call_slot& slot);

  Error timeout_error(const call_slot& slot) const;
  // The error a failed call ended with; frees its slot.
  Error take_failure(call_slot& slot);

  void wake_pumper() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  }

  // Called with `lock` held and pumping_ false; returns with it held. Runs
  // until `until` or until the outcome of some call changed.
  void pump(std::unique_lock<std::mutex>& lock, clock::time_point until);

  void flush_outboxes();

  // Receives every reply that is waiting, without the lock (only the
  // pumper touches the sockets); apply_received() files them.
  bool receive_all();

  bool apply_received();

  // Connection events of every member. A lost connection fails the calls
  // in flight there, or sends the idempotent ones to another member.
  bool read_monitors();

  // A member that left the membership goes once nothing of ours is left with it.
  void drop_idle_removed_links();

  // Sends an idempotent call that `from` did not answer to another member,
  // within its deadline. False when it cannot be sent again.
  // `need_other`: only if another member can take it now (a refusal from
  // `from` would just repeat); otherwise it may wait for a replacement.
  bool resend_elsewhere(call_slot& slot, member_link& from, bool need_other = false);

  // A call `from` refused without running it: to another member, or, for
  // a discovering client, held until the membership brings one. False when
  // it cannot go anywhere (its deadline passed, or nothing else may come).
  bool requeue_refused(call_slot& slot, member_link& from);

  // Calls waiting in a dead or removed member's outbox were never sent:
  // any call may go elsewhere.
  void reassign_outbox(member_link& l);

  void retry_unassigned();

  void expire_unassigned();

  // Applies the newest membership from the manager, if one arrived.
  bool apply_feed();

  struct unassigned_call {
    std::uint64_t id;
    zmq::message_t body;
  };

  std::shared_ptr<zmq::context_t> ctx_;
  const std::string name_;
  const unique_fd wake_;  // eventfd: wakes the pumper
  const int wake_fd_;      // wake_'s number, for the poll items and writes
  const std::size_t max_message_size_;
  const std::uint32_t stream_window_;
  const std::size_t stream_window_bytes_;

  // Guards everything below (the call table, the members, pumping_): every
  // thread that sends or waits on a call of this client takes it.
  std::mutex mu_;
  std::condition_variable cv_;
  bool pumping_ = false;
  std::uint64_t next_id_ = 1;
  call_table calls_;
  std::vector<std::unique_ptr<member_link>> links_;
  std::unique_ptr<membership_feed> feed_;
  std::optional<std::chrono::milliseconds> announced_timeout_;  // the name's call_timeout, from the manager
  balancer balancer_;
  std::deque<unassigned_call> unassigned_;
  std::vector<member_link*> reassign_later_;
  std::vector<zmq::pollitem_t> items_;
  std::vector<std::pair<zmq::message_t, zmq::message_t>> received_;
  msgpack::sbuffer header_buf_{256};
  msgpack::zone zone_;
};

}  // namespace titan::detail
