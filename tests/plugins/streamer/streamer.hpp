// A streaming service for the stream tests and the bench: every way a
// stream can go, on demand.
#pragma once

#include <atomic>
#include <mutex>
#include <cstdint>
#include <string>
#include <vector>

#include <titan/titan.hpp>

class Streamer {
 public:
  // 0, 1, ..., n-1.
  void count(std::uint64_t n, titan::Stream<std::uint64_t>& out);
  // `n` items of `size` bytes each (for MB/s).
  void blobs(std::uint64_t n, std::uint32_t size, titan::Stream<std::vector<char>>& out);
  // n items, then throws std::runtime_error("failed after N items").
  void fail_after(std::uint64_t n, titan::Stream<std::uint64_t>& out);
  // n items, then the host process dies (SIGKILL to itself).
  void crash_after(std::uint64_t n, titan::Stream<std::uint64_t>& out);
  // An item every `every_ms` until the client stops it.
  void ticks(std::uint32_t every_ms, titan::Stream<std::uint64_t>& out);
  // Client streaming: the sum of the items.
  std::int64_t sum(titan::Source<std::int64_t>& in);
  // Both: each item times k.
  void scale(std::int64_t k, titan::Source<std::int64_t>& in, titan::Stream<std::int64_t>& out);
  // A unary method, for the mismatch cases.
  std::string hello(const std::string& name) { return "hello " + name; }

  // Items written so far by all streams, and streams that ended because
  // their client stopped them (cancel, deadline, gone): answered while a
  // stream runs when the host has --concurrency 2 or more.
  std::uint64_t produced() const { return produced_.load(); }
  std::uint64_t stopped() const { return stopped_.load(); }
  std::string last_stop() const;

 private:
  void write(titan::Stream<std::uint64_t>& out, std::uint64_t v);

  std::atomic<std::uint64_t> produced_{0};
  std::atomic<std::uint64_t> stopped_{0};
  mutable std::mutex mu_;
  std::string last_stop_;
};

TITAN_SERVICE(Streamer, "streamer", count, blobs, fail_after, crash_after, ticks, sum, scale, hello, produced,
              stopped, last_stop)
