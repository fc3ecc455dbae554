#include "host_server.hpp"

#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "titan/detail/poll.hpp"
#include "host_error.hpp"

namespace titan::host {
namespace {

using clock = std::chrono::steady_clock;

zmq::message_t header_message(msgpack::sbuffer& buf, wire::kind k, std::uint64_t id) {
  buf.clear();
  wire::encode_header(buf, k, id, "");
  return zmq::message_t(buf.data(), buf.size());
}

}  // namespace

host_server::host_server(zmq::context_t& ctx, service_instance& service, server_options options, spdlog::logger& log)
    : socket_(ctx, zmq::socket_type::router),
      service_(service),
      options_(std::move(options)),
      log_(log) {
  socket_.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(options_.max_message_size));
  socket_.set(zmq::sockopt::sndhwm, 100000);
  socket_.set(zmq::sockopt::rcvhwm, 100000);
  socket_.set(zmq::sockopt::linger, 2000);  // let the last replies out on stop
  // Sending to a client that left fails (EHOSTUNREACH) instead of vanishing:
  // that is how an open stream learns its client is gone.
  socket_.set(zmq::sockopt::router_mandatory, 1);
  msgpack::sbuffer d;
  service_.pack_describe(d, options_.name);
  describe_.assign(d.data(), d.size());
  giveback_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!giveback_) throw host_error(exit_code::failure, "eventfd failed");
  giveback_fd_ = giveback_.get();
  heartbeat_timer_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  if (!heartbeat_timer_) throw host_error(exit_code::failure, "timerfd_create failed");
  heartbeat_fd_ = heartbeat_timer_.get();
  if (options_.heartbeat.count() > 0) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(options_.heartbeat).count();
    const timespec every{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
    const itimerspec spec{every, every};
    ::timerfd_settime(heartbeat_fd_, 0, &spec, nullptr);
  }
}

void host_server::beat() {
  std::uint64_t expirations;
  [[maybe_unused]] auto r = ::read(heartbeat_fd_, &expirations, sizeof expirations);
  if (heartbeat_) heartbeat_(counters_);
}

host_server::~host_server() {
  jobs_.close();
  for (auto& t : workers_) t.join();
  {
    std::lock_guard lock(standby_mu_);
    standby_stop_ = true;
  }
  standby_cv_.notify_all();
  if (standby_.joinable()) standby_.join();
  // The members close giveback_ and heartbeat_timer_.
}

std::string host_server::bind(const std::string& endpoint) {
  try {
    socket_.bind(endpoint);
  } catch (const zmq::error_t& e) {
    throw host_error(exit_code::bind_failed, "cannot bind " + endpoint + ": " + e.what());
  }
  return socket_.get(zmq::sockopt::last_endpoint);
}

void host_server::run(int stop_fd) {
  stop_fd_ = stop_fd;
  if (inline_mode())
    standby_ = std::thread([this] { standby_loop(); });
  else
    for (unsigned i = 0; i < options_.concurrency; ++i) workers_.emplace_back([this] { worker_loop(); });

  std::unique_lock socket_lock(socket_mu_);
  while (!finished()) {
    zmq::pollitem_t items[] = {
        {socket_.handle(), 0, ZMQ_POLLIN, 0},
        {nullptr, stop_fd_, ZMQ_POLLIN, 0},
        {nullptr, replies_.fd(), ZMQ_POLLIN, 0},
        {nullptr, heartbeat_fd_, ZMQ_POLLIN, 0},
    };
    titan::detail::poll(items, 4, poll_timeout());
    if (items[3].revents & ZMQ_POLLIN) beat();
    if (items[2].revents & ZMQ_POLLIN) flush_replies();
    if (items[0].revents & ZMQ_POLLIN) on_socket_readable();
    if (items[1].revents & ZMQ_POLLIN) on_stop_signal();
    probe_streams();
    run_pending(socket_lock);
    if (snapshot_request_ && counters_.in_flight.load() == 0) finish_snapshot();
  }
  socket_lock.unlock();
  {
    std::lock_guard lock(standby_mu_);
    standby_stop_ = true;
  }
  standby_cv_.notify_all();
  if (standby_.joinable()) standby_.join();
  jobs_.close(stop_now_);  // a second signal: queued calls are not run
  for (auto& t : workers_) t.join();
  workers_.clear();
  flush_replies();
}

bool host_server::finished() const {
  if (stop_now_) return true;
  return draining_ && counters_.in_flight.load() == 0 && !snapshot_request_ &&
         clock::now() - last_refusal_ >= options_.drain_quiet;
}

void host_server::on_stop_signal() {
  char buf[256];
  [[maybe_unused]] auto r = ::read(stop_fd_, buf, sizeof buf);
  if (++stop_events_ == 1) {
    draining_ = true;
    log_.info("draining: {} call(s) in flight", counters_.in_flight.load());
  } else {
    log_.warn("second stop signal: exiting without waiting for {} call(s)", counters_.in_flight.load());
    stop_now_ = true;
    jobs_.close(true);
    end_streams(status_code::unavailable, "the host is stopping");
  }
}

void host_server::on_socket_readable() {
  std::vector<zmq::message_t>& frames = frames_;
  // Bounded batch, so replies and signals are not starved by a flood.
  for (int i = 0; i < 256; ++i) {
    frames.clear();
    zmq::message_t first;
    if (!socket_.recv(first, zmq::recv_flags::dontwait)) break;
    bool more = first.more();
    frames.push_back(std::move(first));
    std::size_t count = 1;
    while (more) {
      zmq::message_t part;
      (void)socket_.recv(part, zmq::recv_flags::none);
      more = part.more();
      ++count;
      if (frames.size() < 3) frames.push_back(std::move(part));  // the rest only counts
    }
    frame_count_ = count;
    handle_message(frames);
  }
}

void host_server::handle_message(std::vector<zmq::message_t>& frames) {
  zmq::message_t& rid = frames[0];
  if (frames.size() < 2) {
    ++counters_.malformed;
    return;
  }
  wire::header h;
  auto err = wire::decode_header(static_cast<const char*>(frames[1].data()), frames[1].size(), zone_, h);
  if (err) {
    ++counters_.malformed;
    if (err->id) send_error(rid, *err->id, status_code::invalid_argument, err->message);
    log_.debug("dropped a message: {}", err->message);
    zone_.clear();
    return;
  }
  if (frame_count_ != 3) {
    ++counters_.malformed;
    send_error(rid, h.id, status_code::invalid_argument,
               "expected 2 frames (header, body), got " + std::to_string(frame_count_ - 1));
    zone_.clear();
    return;
  }
  switch (h.msg_kind) {
    case wire::kind::ping:
      send_reply(rid, wire::kind::pong, h.id, "\xc0", 1);
      break;
    case wire::kind::cancel:  // unary calls run to completion: only streams heed it
    case wire::kind::credit:
    case wire::kind::stream_item:
    case wire::kind::stream_end:
      handle_stream_frame(rid, h, frames[2]);
      break;
    case wire::kind::call: {
      if (!h.method.empty() && h.method[0] == '$') {
        handle_reserved(rid, h, frames[2]);
        break;
      }
      if (draining_ || frozen_) {
        // Refused before any of it ran: the client may send it elsewhere.
        last_refusal_ = clock::now();
        send_error(rid, h.id, status_code::unavailable,
                   "host '" + options_.name + (draining_ ? "' is shutting down" : "' is handing over to a new version"),
                   true);
        break;
      }
      int index = service_.find(h.method);
      if (index < 0) {
        send_error(rid, h.id, status_code::unimplemented,
                   "service '" + std::string(service_.descriptor().service_name) + "' has no method '" +
                       std::string(h.method) + "' (methods: " + service_.method_list() + ")");
        break;
      }
      const bool streaming = service_.streams_out(index) || service_.streams_in(index);
      if (streaming && h.meta.credit == 0) {
        send_error(rid, h.id, status_code::failed_precondition,
                   "method '" + std::string(h.method) + "' streams its " +
                       (service_.streams_out(index) ? "results" : "input") +
                       ": call it as a stream (titan stream, a titan::Reader), not as a unary call");
        break;
      }
      call_job job{std::move(rid), std::move(frames[2]), h.id, index, clock::time_point::max(), nullptr};
      if (streaming) job.stream = open_stream(job.routing_id, h.id, h.meta.credit, service_.streams_in(index));
      // A deadline beyond a year is no deadline (and cannot overflow the clock).
      constexpr std::uint64_t max_deadline_ms = 365ull * 24 * 3600 * 1000;
      if (h.meta.deadline_ms != 0 && h.meta.deadline_ms <= max_deadline_ms)
        job.deadline = clock::now() + std::chrono::milliseconds(h.meta.deadline_ms);
      ++counters_.in_flight;
      if (inline_mode())
        pending_.push_back(std::move(job));
      else
        jobs_.push(std::move(job));
      break;
    }
    default:
      ++counters_.malformed;
      send_error(rid, h.id, status_code::invalid_argument,
                 "a host accepts CALL, PING, CANCEL, CREDIT, STREAM_ITEM and STREAM_END, not " +
                     std::string(wire::to_string(h.msg_kind)));
  }
  zone_.clear();
}

void host_server::handle_reserved(zmq::message_t& rid, const wire::header& h, const zmq::message_t& body) {
  if (h.method == "$ping") {
    buf_.clear();
    msgpack::packer<msgpack::sbuffer>(buf_).pack("pong");
    std::string body(buf_.data(), buf_.size());
    send_reply(rid, wire::kind::reply, h.id, body.data(), body.size());
  } else if (h.method == "$describe") {
    send_reply(rid, wire::kind::reply, h.id, describe_.data(), describe_.size());
  } else if (h.method == "$health") {
    send_health(rid, h.id);
  } else if (h.method == "$snapshot") {
    begin_snapshot(rid, h);
  } else if (h.method == "$restore") {
    handle_restore(rid, h, body);
  } else if (h.method == "$resume") {
    if (frozen_) log_.warn("resuming: taking calls again (the new version was not kept)");
    frozen_ = false;
    send_reply(rid, wire::kind::reply, h.id, "\xc0", 1);
  } else if (h.method == "$metrics") {
    buf_.clear();
    msgpack::packer<msgpack::sbuffer> p(buf_);
    p.pack_map(5);
    p.pack("streams");
    p.pack(open_streams_.load());
    p.pack("calls");
    p.pack(counters_.calls.load());
    p.pack("errors");
    p.pack(counters_.errors.load());
    p.pack("malformed");
    p.pack(counters_.malformed.load());
    p.pack("in_flight");
    p.pack(counters_.in_flight.load());
    std::string body(buf_.data(), buf_.size());
    send_reply(rid, wire::kind::reply, h.id, body.data(), body.size());
  } else {
    send_error(rid, h.id, status_code::unimplemented,
               "no reserved method '" + std::string(h.method) +
                   "' (reserved: $describe, $ping, $health, $metrics, $snapshot, $restore, $resume)");
  }
}

void host_server::send_reply(zmq::message_t& rid, wire::kind k, std::uint64_t id, const char* body, std::size_t size) {
  // Only the socket thread calls this, so it may send directly.
  reply_frames r{zmq::message_t(), header_message(buf_, k, id), zmq::message_t(body, size)};
  r.routing_id.copy(rid);
  send_frames(r);
}

void host_server::send_error(zmq::message_t& rid, std::uint64_t id, status_code code, std::string_view message,
                             bool not_executed) {
  ++counters_.errors;
  msgpack::sbuffer body;
  wire::encode_error_body(body, to_string(code), message, not_executed);
  send_reply(rid, wire::kind::error, id, body.data(), body.size());
}

bool host_server::send_frames(reply_frames& r) {
  try {
    // The routing frame decides: a client that is gone (EHOSTUNREACH) or
    // whose queue is full (no result) gets nothing.
    if (!socket_.send(r.routing_id, zmq::send_flags::sndmore | zmq::send_flags::dontwait)) return true;
  } catch (const zmq::error_t& e) {
    if (e.num() == EHOSTUNREACH) return false;
    throw;
  }
  socket_.send(r.header, zmq::send_flags::sndmore);
  socket_.send(r.body, zmq::send_flags::none);
  return true;
}

}  // namespace titan::host
