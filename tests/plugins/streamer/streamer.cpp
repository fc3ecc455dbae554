#include "streamer.hpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <titan/plugin.hpp>

void Streamer::write(titan::Stream<std::uint64_t>& out, std::uint64_t v) {
  try {
    out.write(v);
    ++produced_;
  } catch (const titan::Error& e) {  // the client stopped the stream: note why, and stop
    ++stopped_;
    std::lock_guard lock(mu_);
    last_stop_ = std::string(titan::to_string(e.code())) + ": " + e.message();
    throw;
  }
}

std::string Streamer::last_stop() const {
  std::lock_guard lock(mu_);
  return last_stop_;
}

void Streamer::count(std::uint64_t n, titan::Stream<std::uint64_t>& out) {
  for (std::uint64_t i = 0; i < n; ++i) write(out, i);
}

void Streamer::blobs(std::uint64_t n, std::uint32_t size, titan::Stream<std::vector<char>>& out) {
  const std::vector<char> blob(size, 'x');
  for (std::uint64_t i = 0; i < n; ++i) {
    out.write(blob);
    ++produced_;
  }
}

void Streamer::fail_after(std::uint64_t n, titan::Stream<std::uint64_t>& out) {
  for (std::uint64_t i = 0; i < n; ++i) write(out, i);
  throw std::runtime_error("failed after " + std::to_string(n) + " items");
}

void Streamer::crash_after(std::uint64_t n, titan::Stream<std::uint64_t>& out) {
  for (std::uint64_t i = 0; i < n; ++i) write(out, i);
  // Let the items leave before dying: the client must still get them.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ::kill(::getpid(), SIGKILL);
}

void Streamer::ticks(std::uint32_t every_ms, titan::Stream<std::uint64_t>& out) {
  for (std::uint64_t i = 0;; ++i) {
    write(out, i);
    std::this_thread::sleep_for(std::chrono::milliseconds(every_ms));
  }
}

std::int64_t Streamer::sum(titan::Source<std::int64_t>& in) {
  std::int64_t s = 0;
  for (std::int64_t v : in) s += v;
  return s;
}

void Streamer::scale(std::int64_t k, titan::Source<std::int64_t>& in, titan::Stream<std::int64_t>& out) {
  for (std::int64_t v : in) out.write(v * k);
}

TITAN_PLUGIN(Streamer, "1.0.0")
