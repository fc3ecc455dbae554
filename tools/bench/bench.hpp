// titan-bench: shared settings, result records and measuring helpers.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace titan::bench {

using clock = std::chrono::steady_clock;

struct settings {
  std::size_t payload = 64;              // bytes of the echoed string
  std::size_t latency_warmup = 2000;     // calls, per side and transport
  std::size_t latency_calls = 20000;     // measured, one in flight
  std::size_t latency_chunks = 20;       // raw and Titan alternate in chunks
  std::size_t window = 1000;             // calls in flight for throughput
  std::size_t throughput_warmup = 20000;
  std::size_t throughput_calls = 100000;  // per round
  std::size_t throughput_rounds = 5;      // raw and Titan alternate; median reported
  std::size_t spawns = 50;
  std::vector<std::string> transports{"ipc", "tcp"};
  std::string plugin_dir;
  bool quick = false;
};

// Latency figures in microseconds.
struct latency_stats {
  double min_us = 0, p50_us = 0, p90_us = 0, p99_us = 0, max_us = 0, mean_us = 0;
  std::size_t samples = 0;
};

struct throughput_stats {
  double calls_per_s = 0;               // median of rounds
  std::vector<double> rounds;           // each round's calls/s
  double client_cpu_us_per_call = 0;    // this process (all threads), median round
  double server_cpu_us_per_call = 0;    // the server process, median round
};

struct side_result {
  latency_stats latency;
  throughput_stats throughput;
};

struct transport_result {
  std::string transport;
  std::string raw_endpoint, titan_endpoint;
  side_result raw, titan;
};

struct spawn_result {
  std::size_t count = 0;
  double median_ms = 0, p90_ms = 0, min_ms = 0, max_ms = 0;
  double stop_median_ms = 0;
};

struct memory_result {
  long rss_kb = -1, pss_kb = -1;
};

struct results {
  settings config;
  std::vector<transport_result> transports;
  spawn_result spawn;
  memory_result host_memory;        // idle titan-host with the echo plugin
  memory_result raw_server_memory;  // idle raw echo server, for reference
};

// Sorts `v` and returns the q-quantile (0..1), nearest rank.
double quantile(std::vector<double>& v, double q);
double median(std::vector<double> v);
latency_stats summarize_latency(std::vector<double>& samples_ns);

// CPU time (user + system) of this whole process, in microseconds.
double self_cpu_us();
// CPU time of another process (its live threads) in microseconds; -1 if unreadable.
double process_cpu_us(pid_t pid);
// Rss and Pss from /proc/PID/smaps_rollup.
memory_result read_memory(pid_t pid);

// Runs the measured loops; see raw_echo.cpp and titan_echo.cpp.
std::string make_payload(std::size_t size);

}  // namespace titan::bench
