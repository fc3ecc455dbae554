#include "stream_channel.hpp"

#include "titan/wire.hpp"

namespace titan::host {
namespace {

// The titan_stream callbacks (plugin_abi.h); none can throw.
std::int32_t write_item(void* handle, const char* item, std::size_t size) noexcept {
  try {
    return static_cast<std::int32_t>(static_cast<stream_channel*>(handle)->write(item, size));
  } catch (...) {
    return TITAN_RESOURCE_EXHAUSTED;
  }
}

std::int32_t read_item(void* handle, const char** item, std::size_t* size) noexcept {
  try {
    return static_cast<std::int32_t>(static_cast<stream_channel*>(handle)->read(*item, *size));
  } catch (...) {
    return TITAN_RESOURCE_EXHAUSTED;
  }
}

std::int32_t is_cancelled(void* handle) noexcept { return static_cast<stream_channel*>(handle)->cancelled() ? 1 : 0; }

void end_reason(void* handle, const char** text, std::size_t* size) noexcept {
  const std::string& why = static_cast<stream_channel*>(handle)->why();
  *text = why.data();
  *size = why.size();
}

}  // namespace

stream_channel::stream_channel(const zmq::message_t& routing_id, std::uint64_t id, std::uint64_t credit, bool input,
                               reply_queue& out)
    : routing_id_(routing_id.data(), routing_id.size()),
      id_(id),
      takes_input_(input),
      out_(out),
      abi_{sizeof(titan_stream), this, &write_item, &read_item, &is_cancelled, &end_reason},
      credit_(credit) {}

void stream_channel::open(clock::time_point deadline) {
  {
    std::lock_guard lock(mu_);
    deadline_ = deadline;
    if (!takes_input_) return;
    input_granted_ = input_window;
  }
  msgpack::sbuffer body;
  msgpack::packer<msgpack::sbuffer>(body).pack_uint64(input_window);
  send(static_cast<std::uint8_t>(wire::kind::credit), body.data(), body.size());
}

void stream_channel::send(std::uint8_t kind, const char* body, std::size_t size) {
  header_.clear();
  wire::encode_header(header_, static_cast<wire::kind>(kind), id_, "");
  zmq::message_t rid(routing_id_.data(), routing_id_.size());
  batch_.push_back({std::move(rid), zmq::message_t(header_.data(), header_.size()), zmq::message_t(body, size)});
  out_.push(batch_);
}

void stream_channel::wait(std::unique_lock<std::mutex>& lock) {
  if (waiting_since_ == clock::time_point{}) waiting_since_ = clock::now();
  if (deadline_ == clock::time_point::max()) {
    cv_.wait(lock);
    return;
  }
  if (cv_.wait_until(lock, deadline_) == std::cv_status::timeout && clock::now() >= deadline_ && !ended_) {
    ended_ = true;
    end_code_ = status_code::deadline_exceeded;
    end_why_ = "the stream's deadline passed";
  }
}

status_code stream_channel::write(const char* data, std::size_t size) {
  {
    std::unique_lock lock(mu_);
    while (credit_ == 0 && !ended_) wait(lock);
    waiting_since_ = {};
    if (!ended_ && deadline_ != clock::time_point::max() && clock::now() >= deadline_) {
      ended_ = true;
      end_code_ = status_code::deadline_exceeded;
      end_why_ = "the stream's deadline passed";
    }
    if (ended_) return end_code_;
    --credit_;
    ++sent_;
  }
  send(static_cast<std::uint8_t>(wire::kind::stream_item), data, size);
  return status_code::ok;
}

status_code stream_channel::read(const char*& data, std::size_t& size) {
  std::uint64_t grant = 0;
  data = nullptr;
  size = 0;
  {
    std::unique_lock lock(mu_);
    while (input_.empty() && !input_ended_ && !ended_) wait(lock);
    waiting_since_ = {};
    if (ended_) return end_code_;
    if (input_.empty()) return status_code::ok;  // the client ended its input: no item
    current_ = std::move(input_.front());
    input_.pop_front();
    ++input_read_;
    // Half the window read since the last grant: grant that much again.
    if (!input_ended_ && input_granted_ - input_read_ <= input_window / 2) {
      grant = input_window - (input_granted_ - input_read_);
      input_granted_ += grant;
    }
  }
  if (grant > 0) {
    msgpack::sbuffer body;
    msgpack::packer<msgpack::sbuffer>(body).pack_uint64(grant);
    send(static_cast<std::uint8_t>(wire::kind::credit), body.data(), body.size());
  }
  data = static_cast<const char*>(current_.data());
  size = current_.size();
  return status_code::ok;
}

bool stream_channel::cancelled() noexcept {
  std::lock_guard lock(mu_);
  return ended_ || (deadline_ != clock::time_point::max() && clock::now() >= deadline_);
}

void stream_channel::add_credit(std::uint64_t n) {
  {
    std::lock_guard lock(mu_);
    credit_ += n;
  }
  cv_.notify_all();
}

void stream_channel::end(status_code code, std::string why) {
  {
    std::lock_guard lock(mu_);
    if (ended_) return;
    ended_ = true;
    end_code_ = code;
    end_why_ = std::move(why);
  }
  cv_.notify_all();
}

bool stream_channel::push_input(zmq::message_t body) {
  {
    std::lock_guard lock(mu_);
    if (input_ended_ || ended_) return true;  // late: dropped
    if (!takes_input_) {
      ended_ = true;
      end_code_ = status_code::invalid_argument;
      end_why_ = "the method takes no input stream";
    } else if (input_received_ >= input_granted_) {
      ended_ = true;
      end_code_ = status_code::invalid_argument;
      end_why_ = "the client sent more input items than its credit (" + std::to_string(input_granted_) + ")";
    } else {
      ++input_received_;
      input_.push_back(std::move(body));
    }
  }
  cv_.notify_all();
  return !cancelled();
}

void stream_channel::end_input() {
  {
    std::lock_guard lock(mu_);
    input_ended_ = true;
  }
  cv_.notify_all();
}

bool stream_channel::wants_probe(clock::time_point now, clock::duration after) {
  std::lock_guard lock(mu_);
  if (ended_ || waiting_since_ == clock::time_point{} || now - waiting_since_ < after || now - last_probe_ < after)
    return false;
  last_probe_ = now;
  return true;
}

std::uint64_t stream_channel::items_sent() const {
  std::lock_guard lock(mu_);
  return sent_;
}

}  // namespace titan::host
