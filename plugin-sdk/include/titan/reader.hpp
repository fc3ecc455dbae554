// Streaming calls, the caller's side: titan::Reader<T> iterates the items a
// streaming method writes; titan::input<T> feeds one a range of items.
//
//   for (int v : proxy.numbers(10)) ...              // a Stream<int>& method
//   long s = proxy.sum(std::vector{1, 2, 3}).get();  // a Source<int>& method
//   for (auto r : proxy.scale(2, items)) ...         // both
//
// Items arrive in order. The host sends at most client_options::
// stream_window items (and about stream_window_bytes) ahead of the reader,
// so a slow reader holds the producer back instead of buffering. Stopping early (a break, destroying
// the Reader, cancel()) cancels the stream and the producer stops.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <type_traits>
#include <utility>
#include <vector>

#include <msgpack.hpp>

#include "titan/detail/client_core.hpp"
#include "titan/future.hpp"

namespace titan {

namespace detail {

// The items of an input stream, packed one at a time.
class input_source {
 public:
  virtual ~input_source() = default;
  // Packs the next item into `out` (after clearing it); false at the end.
  virtual bool next(msgpack::sbuffer& out) = 0;

  // Sends items while the host grants credit (call it when it has some),
  // and the end of the input after the last one, which needs no credit.
  // Returns true once all of it is sent.
  bool feed(client_core& core, std::uint64_t id);

 private:
  msgpack::sbuffer staged_;  // packed, waiting for credit
  bool has_staged_ = false;
};

// R is a reference for a range given as an lvalue (it must outlive the
// call), a value for one given as an rvalue (kept here).
template <class T, class R>
class range_input final : public input_source {
 public:
  explicit range_input(R&& r) : range_(std::forward<R>(r)) {}
  bool next(msgpack::sbuffer& out) override {
    if (!started_) {
      it_ = std::ranges::begin(range_);
      started_ = true;
    }
    if (it_ == std::ranges::end(range_)) return false;
    out.clear();
    msgpack::packer<msgpack::sbuffer>(out).pack(static_cast<T>(*it_));
    ++it_;
    return true;
  }

 private:
  R range_;
  std::ranges::iterator_t<std::remove_reference_t<R>> it_{};
  bool started_ = false;
};

// Feeds a whole input stream (a method that reads one and returns a
// result); the result is then waited for like a call's.
void feed_all(client_core& core, std::uint64_t id, input_source& in);

template <class T>
void deliver_item(void* ctx, const char* data, std::size_t size) {
  auto& out = *static_cast<std::optional<T>*>(ctx);
  T value{};
  if constexpr (std::is_same_v<T, msgpack::object_handle>)
    decode_handle(&value, data, size);
  else
    decode_reply<T>(&value, data, size);
  out.emplace(std::move(value));
}

}  // namespace detail

// The items of an input stream: any range whose elements convert to T, or
// a braced list. A range passed as an lvalue is read where it is, so it
// must live until the call has sent it.
template <class T>
class input {
 public:
  template <std::ranges::input_range R>
    requires(!std::is_same_v<std::remove_cvref_t<R>, input> &&
             std::is_convertible_v<std::ranges::range_reference_t<R>, T>)
  input(R&& range)  // NOLINT: converts implicitly, so a proxy takes any range
      : source_(std::make_shared<detail::range_input<T, R>>(std::forward<R>(range))) {}
  input(std::initializer_list<T> items) : input(std::vector<T>(items)) {}

  const std::shared_ptr<detail::input_source>& source() const { return source_; }

 private:
  std::shared_ptr<detail::input_source> source_;
};

// Move-only. Iterate it (range-for), or call next().
template <class T>
class Reader {
 public:
  Reader(std::shared_ptr<detail::client_core> core, std::uint64_t id,
         std::shared_ptr<detail::input_source> input = nullptr)
      : core_(std::move(core)), id_(id), input_(std::move(input)) {}
  Reader(Reader&& o) noexcept : core_(std::move(o.core_)), id_(o.id_), input_(std::move(o.input_)) {}
  Reader& operator=(Reader&& o) noexcept {
    if (this != &o) {
      cancel();
      core_ = std::move(o.core_);
      id_ = o.id_;
      input_ = std::move(o.input_);
    }
    return *this;
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  ~Reader() { cancel(); }

  // The next item, or nullopt once the stream ended. Throws titan::Error
  // after the items sent before it: the method's error (INTERNAL for an
  // exception), DEADLINE_EXCEEDED, UNAVAILABLE when the host died.
  std::optional<T> next() {
    if (!core_) return std::nullopt;
    std::optional<T> out;
    try {
      for (;;) {
        switch (core_->next(id_, &detail::deliver_item<T>, &out, input_ != nullptr)) {
          case detail::stream_step::item:
            return out;
          case detail::stream_step::input_credit:
            if (input_->feed(*core_, id_)) input_.reset();
            continue;
          case detail::stream_step::ended:
            core_.reset();
            return std::nullopt;
        }
      }
    } catch (...) {
      cancel();  // a no-op when the core already ended it
      throw;
    }
  }

  // Stops the stream: the host is told (CANCEL) and its producer stops.
  void cancel() noexcept {
    if (core_) core_->forget(id_);
    core_.reset();
  }

  // True until the stream ended, failed or was cancelled.
  bool active() const { return core_ != nullptr; }

  class iterator {
   public:
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    explicit iterator(Reader* r) : reader_(r) { ++*this; }
    T& operator*() { return *item_; }
    iterator& operator++() {
      item_ = reader_->next();
      return *this;
    }
    void operator++(int) { ++*this; }
    bool operator==(std::default_sentinel_t) const { return !item_.has_value(); }

   private:
    Reader* reader_ = nullptr;
    std::optional<T> item_;
  };
  iterator begin() { return iterator(this); }
  std::default_sentinel_t end() { return {}; }

 private:
  std::shared_ptr<detail::client_core> core_;
  std::uint64_t id_;
  std::shared_ptr<detail::input_source> input_;  // until all of it is sent
};

}  // namespace titan
