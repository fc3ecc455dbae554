// host_server: running calls, inline (with the standby thread) or on a pool
// of service threads.
#include <sys/eventfd.h>
#include <unistd.h>

#include "titan/detail/poll.hpp"
#include "host_server.hpp"
#include "titan/codec.hpp"
#include "titan/detail/method_call.hpp"

namespace titan::host {
namespace {

using clock = std::chrono::steady_clock;

std::int64_t now_ticks() { return clock::now().time_since_epoch().count(); }

}  // namespace

reply_frames host_server::execute(call_job& job, call_scratch& s) {
  s.out.clear();
  s.header.clear();
  status_code code;
  if (clock::now() > job.deadline) {
    code = status_code::deadline_exceeded;
    static constexpr std::string_view late = "the deadline passed while the call was queued";
    s.out.write(late.data(), late.size());
  } else {
    const char* body = static_cast<const char*>(job.body.data());
    if (!titan::detail::check_call_body(body, job.body.size(), s.out)) {
      code = status_code::invalid_argument;  // `out` says why
      ++counters_.malformed;
    } else if (job.stream) {
      code = run_stream(job, s.out);
    } else {
      code = service_.invoke(job.method, body, job.body.size(), s.out);
    }
  }
  ++counters_.calls;
  const bool stream_end = job.stream && service_.streams_out(job.method);
  if (job.stream) close_stream(*job.stream);  // the answer below follows its items out
  if (code == status_code::ok) {
    // A stream of results ends with STREAM_END (body nil); an input stream
    // is answered like a call.
    wire::encode_header(s.header, stream_end ? wire::kind::stream_end : wire::kind::reply, job.id, "");
    // STREAM_END's body is nil whatever the method wrote, and a method that
    // wrote nothing returned nil (PLUGIN_ABI.md 4).
    if (stream_end || s.out.size() == 0)
      return {std::move(job.routing_id), zmq::message_t(s.header.data(), s.header.size()), zmq::message_t("\xc0", 1)};
    return {std::move(job.routing_id), zmq::message_t(s.header.data(), s.header.size()),
            zmq::message_t(s.out.data(), s.out.size())};
  }
  // The method wrote its message as text; wrap it in an ERROR body.
  std::string message(s.out.data(), s.out.size());
  if (code == status_code::invalid_argument) message = std::string(service_.method(job.method).name) + ": " + message;
  msgpack::sbuffer body;
  wire::encode_error_body(body, to_string(code), message);
  wire::encode_header(s.header, wire::kind::error, job.id, "");
  ++counters_.errors;
  return {std::move(job.routing_id), zmq::message_t(s.header.data(), s.header.size()),
          zmq::message_t(body.data(), body.size())};
}

// Inline mode: runs every received call on this (the socket) thread. The
// socket is released while a call runs, so that the standby thread can take
// it over if the call is long; it is taken back to send the reply.
void host_server::run_pending(std::unique_lock<std::mutex>& socket_lock) {
  while (!pending_.empty() && !stop_now_) {
    call_job job = std::move(pending_.front());
    pending_.pop_front();
    // A stream's items leave through the standby thread: let it take the
    // socket at once rather than after takeover_after.
    const auto head_start =
        job.stream ? std::chrono::duration_cast<clock::duration>(options_.takeover_after).count() : 0;
    call_started_.store(now_ticks() - head_start);
    {
      std::lock_guard lock(standby_mu_);
      if (standby_asleep_) standby_cv_.notify_one();  // only after an idle spell
    }
    socket_lock.unlock();
    reply_frames reply = execute(job, inline_scratch_);
    // Take the socket back. The flag keeps the standby from taking it (again)
    // between its release and our wake-up; the eventfd wakes it if it polls.
    giveback_wanted_.store(true);
    if (!socket_lock.try_lock()) {
      std::uint64_t one = 1;
      [[maybe_unused]] auto n = ::write(giveback_fd_, &one, sizeof one);
      socket_lock.lock();
    }
    giveback_wanted_.store(false);
    call_started_.store(0);
    flush_replies();  // a stream's last items, before its end
    send_frames(reply);
    --counters_.in_flight;
  }
}

void host_server::standby_loop() {
  const auto takeover = std::chrono::duration_cast<clock::duration>(options_.takeover_after);
  auto last_busy = clock::now();
  std::unique_lock lock(standby_mu_);
  while (!standby_stop_) {
    const std::int64_t started = call_started_.load();
    const auto now = clock::now();
    if (started == 0) {
      if (now - last_busy > std::chrono::milliseconds(100)) {
        // Idle: sleep until the socket thread starts a call (it notifies).
        standby_asleep_ = true;
        standby_cv_.wait(lock, [&] { return standby_stop_ || call_started_.load() != 0; });
        standby_asleep_ = false;
        last_busy = clock::now();
      } else {
        standby_cv_.wait_for(lock, takeover);
      }
      continue;
    }
    last_busy = now;
    const auto running = now - clock::time_point(clock::duration(started));
    if (running < takeover) {
      standby_cv_.wait_for(lock, takeover - running);
      continue;
    }
    lock.unlock();
    serve_during_call(started);
    lock.lock();
  }
}

// Serves the socket while the call that started at `call_started` runs,
// until the socket thread asks for the socket back.
void host_server::serve_during_call(std::int64_t call_started) {
  std::unique_lock socket_lock(socket_mu_, std::try_to_lock);
  // Not if that call has ended, or its thread already wants the socket back.
  if (!socket_lock || giveback_wanted_.load() || call_started_.load() != call_started) return;
  log_.debug("a call has run for over {} ms; standby thread serves the socket", options_.takeover_after.count());
  for (;;) {
    zmq::pollitem_t items[] = {
        {socket_.handle(), 0, ZMQ_POLLIN, 0},
        {nullptr, giveback_fd_, ZMQ_POLLIN, 0},
        {nullptr, stop_fd_, ZMQ_POLLIN, 0},
        {nullptr, heartbeat_fd_, ZMQ_POLLIN, 0},
        {nullptr, replies_.fd(), ZMQ_POLLIN, 0},  // a running stream's items
    };
    titan::detail::poll(items, 5, poll_timeout());
    if (items[4].revents & ZMQ_POLLIN) flush_replies();
    probe_streams();
    if (items[3].revents & ZMQ_POLLIN) beat();
    if (items[0].revents & ZMQ_POLLIN) on_socket_readable();  // calls wait in pending_
    if (items[2].revents & ZMQ_POLLIN) on_stop_signal();
    if (items[1].revents & ZMQ_POLLIN) {
      std::uint64_t n;
      [[maybe_unused]] auto r = ::read(giveback_fd_, &n, sizeof n);
      return;
    }
  }
}

void host_server::worker_loop() {
  call_scratch scratch;
  std::vector<call_job> batch;
  std::vector<reply_frames> replies;
  while (jobs_.pop(batch, 1)) {  // one at a time, so that idle threads share the load
    for (auto& job : batch) replies.push_back(execute(job, scratch));
    // Not in flight once answered: count down before the replies can reach
    // a client (who may ask $metrics next). A drain still sends them: the
    // socket thread flushes after the service threads have joined.
    counters_.in_flight -= batch.size();
    batch.clear();
    replies_.push(replies);
  }
}

void host_server::flush_replies() {
  flushing_.clear();
  replies_.take(flushing_);
  for (auto& r : flushing_) send_frames(r);
  flushing_.clear();
}

}  // namespace titan::host
