// Shared by the stream tests: a host of tests/plugins/streamer and ways to
// watch it from outside while a stream runs.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <titan/titan.hpp>

#include "manager_support.hpp"
#include "ready_host.hpp"
#include "streamer.hpp"

namespace titan::test {

using namespace std::chrono_literals;

inline const std::vector<std::string> inline_mode{};
inline const std::vector<std::string> pool_mode{"--concurrency", "2"};

struct streamer_host : ready_host {
  explicit streamer_host(const std::vector<std::string>& extra = inline_mode)
      : ready_host(test_plugin_path("streamer"), extra) {}

  titan::Proxy<Streamer> proxy(std::uint32_t window = 256) const {
    return titan::connect<Streamer>(host.endpoint(), {.timeout = 10s, .stream_window = window});
  }

  // The host's open streams ($metrics), answered even while a stream runs.
  std::uint64_t open_streams() const {
    auto m = titan::Client::connect(host.endpoint()).call<std::map<std::string, std::uint64_t>>("$metrics").get();
    return m.at("streams");
  }
};

// The resident set of process `pid` in bytes (VmRSS of /proc/PID/status).
inline std::uint64_t rss_bytes(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;  // "VmRSS:   1234 kB"
  return 0;
}

}  // namespace titan::test
