// How far a stream's host may run ahead of the reader (PROTOCOL.md
// "Streams"). The wire counts credit in items; a window that suits 8-byte
// items would buffer gigabytes of 64 KiB ones, and one that suits 64 KiB
// items starves a stream of small ones (each grant is a round trip through
// both processes). So the window is sized in bytes from the items seen so
// far, between a floor of 2 items and `max_items`; the first grant, before
// any item is seen, is min(max_items, first_grant).
#pragma once

#include <cstddef>
#include <cstdint>

namespace titan::detail {

class stream_credit {
 public:
  static constexpr std::uint32_t first_grant = 64;

  stream_credit() = default;
  stream_credit(std::uint32_t max_items, std::size_t max_bytes);

  // The CALL's credit. Restarts the count: a call sent again starts afresh.
  std::uint32_t open();
  // The reader took an item of `size` bytes: the credit to grant now, or 0.
  std::uint32_t taken(std::size_t size);

  // The window now, in items.
  std::uint32_t target() const;

 private:
  std::uint32_t max_items_ = 1;
  std::size_t max_bytes_ = 0;
  std::uint64_t granted_ = 0;  // CALL credit plus every CREDIT sent since
  std::uint64_t taken_ = 0;
  double mean_size_ = 0;  // moving average of the items' sizes, bytes
};

}  // namespace titan::detail
