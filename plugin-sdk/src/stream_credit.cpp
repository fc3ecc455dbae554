#include "stream_credit.hpp"

#include <algorithm>

namespace titan::detail {
namespace {

// What an item costs a reader beyond its bytes: its zmq::message_t and its
// place in the queue.
constexpr double item_overhead = 64;
constexpr std::uint32_t min_items = 2;

}  // namespace

stream_credit::stream_credit(std::uint32_t max_items, std::size_t max_bytes)
    : max_items_(std::max<std::uint32_t>(max_items, 1)), max_bytes_(max_bytes) {}

std::uint32_t stream_credit::target() const {
  if (mean_size_ == 0) return std::min(max_items_, first_grant);
  const double fit = static_cast<double>(max_bytes_) / (mean_size_ + item_overhead);
  const auto items = static_cast<std::uint32_t>(std::min<double>(fit, max_items_));
  return std::max(items, std::min(max_items_, min_items));
}

std::uint32_t stream_credit::open() {
  const std::uint32_t n = target();
  granted_ = taken_ + n;
  return n;
}

std::uint32_t stream_credit::taken(std::size_t size) {
  ++taken_;
  const auto s = static_cast<double>(size);
  mean_size_ = mean_size_ == 0 ? std::max(s, 1.0) : mean_size_ + (s - mean_size_) / 16;
  const std::uint64_t ahead = granted_ > taken_ ? granted_ - taken_ : 0;
  const std::uint32_t want = target();
  // Grant in halves of the window, not per item: one CREDIT per want/2 items.
  if (ahead > want / 2) return 0;
  const auto grant = static_cast<std::uint32_t>(want - ahead);
  granted_ += grant;
  return grant;
}

}  // namespace titan::detail
