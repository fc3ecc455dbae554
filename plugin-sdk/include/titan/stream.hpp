// Streaming methods, the service's side. A method streams its results when
// it takes a titan::Stream<T>&, and consumes a stream when it takes a
// titan::Source<T>& (or both):
//
//   void numbers(int n, titan::Stream<int>& out) {
//     for (int i = 0; i < n; ++i) out.write(i);      // waits while the client has no credit
//   }
//   long sum(titan::Source<int>& in) {
//     long s = 0;
//     for (int v : in) s += v;                        // ends when the client ends its input
//     return s;
//   }
//
// write() and reading throw titan::Error once the stream is over for the
// other side (CANCELLED when the client cancelled or stopped reading,
// DEADLINE_EXCEEDED, UNAVAILABLE when the client went away): let it
// propagate, and the producer stops at once. A method that does slow work
// between items can ask cancelled() to stop earlier.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <utility>

#include <msgpack.hpp>

#include "titan/codec.hpp"
#include "titan/plugin_abi.h"
#include "titan/status.hpp"

namespace titan {

namespace detail {

// The host's titan_stream (plugin_abi.h) for one streaming call, with a
// status that ends the stream turned into a titan::Error.
class stream_io {
 public:
  explicit stream_io(const titan_stream& s) noexcept : s_(s) {}
  stream_io(const stream_io&) = delete;
  stream_io& operator=(const stream_io&) = delete;

  // Sends one packed item; blocks while the client has no credit.
  void write(const char* data, std::size_t size) {
    if (const std::int32_t st = s_.write(s_.handle, data, size); st != TITAN_OK) throw_ended(st);
  }
  // The next input item (its bytes stay valid until the next read); false
  // once the client ended its input.
  bool read(const char*& data, std::size_t& size) {
    const char* item = nullptr;
    std::size_t n = 0;
    if (const std::int32_t st = s_.read(s_.handle, &item, &n); st != TITAN_OK) throw_ended(st);
    if (item == nullptr) return false;
    data = item;
    size = n;
    return true;
  }
  // True once the client cancelled, went away or the deadline passed.
  bool cancelled() noexcept { return s_.cancelled(s_.handle) != 0; }

 private:
  [[noreturn]] void throw_ended(std::int32_t st) const {
    const char* text = nullptr;
    std::size_t n = 0;
    s_.reason(s_.handle, &text, &n);
    throw Error(status_code_from_int(st).value_or(status_code::unknown),
                text == nullptr || n == 0 ? std::string("the stream ended") : std::string(text, n));
  }

  const titan_stream& s_;
};

}  // namespace detail

// The results of a streaming method, written one at a time.
template <class T>
class Stream {
 public:
  explicit Stream(detail::stream_io& io) : io_(io) {}
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // Sends one item. Blocks while the client cannot take more (credit);
  // throws titan::Error once the stream is over for the client.
  void write(const T& item) {
    buf_.clear();
    msgpack::packer<msgpack::sbuffer>(buf_).pack(item);
    io_.write(buf_.data(), buf_.size());
  }

  bool cancelled() const noexcept { return io_.cancelled(); }

 private:
  detail::stream_io& io_;
  msgpack::sbuffer buf_{256};
};

// The items a client streams in. Iterate it, or call next().
template <class T>
class Source {
 public:
  explicit Source(detail::stream_io& io) : io_(io) {}
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;

  // The next item, or nullopt once the client ended its input. An item of
  // the wrong type throws titan::Error(INVALID_ARGUMENT).
  std::optional<T> next() {
    const char* data = nullptr;
    std::size_t size = 0;
    if (!io_.read(data, size)) return std::nullopt;
    ++count_;
    T out{};
    std::string why;
    zone_.clear();
    if (!try_convert(msgpack::unpack(zone_, data, size), out, why))
      throw Error(status_code::invalid_argument, "input item " + std::to_string(count_) + ": " + why);
    return out;
  }

  bool cancelled() const noexcept { return io_.cancelled(); }

  class iterator {
   public:
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    explicit iterator(Source* s) : source_(s) { ++*this; }
    T& operator*() { return *item_; }
    iterator& operator++() {
      item_ = source_->next();
      return *this;
    }
    void operator++(int) { ++*this; }
    bool operator==(std::default_sentinel_t) const { return !item_.has_value(); }

   private:
    Source* source_ = nullptr;
    std::optional<T> item_;
  };
  iterator begin() { return iterator(this); }
  std::default_sentinel_t end() { return {}; }

 private:
  detail::stream_io& io_;
  msgpack::zone zone_;
  std::uint64_t count_ = 0;
};

}  // namespace titan
