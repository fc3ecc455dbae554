// titan-bench: shared settings, result records and measuring helpers.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
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

  // Pools of the compute plugin (pool.cpp).
  std::vector<std::size_t> pool_sizes{1, 2, 4};
  std::string pool_strategy = "round-robin";
  double pool_call_us = 100;                // target service time of one hash_rounds call
  std::size_t pool_calibration_calls = 300;  // one in flight, per calibration step
  std::size_t pool_calls = 3000;            // per round and pool size
  std::size_t pool_rounds = 5;              // sizes alternate within a round; median reported
  std::size_t pool_window_per_member = 8;   // calls in flight = this x pool size
  // Failover (failover.cpp): kills per pool size (1 and 2).
  std::size_t failovers = 10;
  std::size_t failover_timeout_ms = 20000;  // give up on one kill after this
  // Supervision (supervision.cpp, titan_up.cpp).
  std::size_t restarts = 10;     // SIGKILLs of a supervised service, each timed until a new pid answers
  std::size_t tree_starts = 5;   // starts of each tree of tree_size hosts, per way
  std::size_t tree_size = 16;
  std::string titan_binary;      // the titan CLI, for `titan up --detach` (see main.cpp)
  // Hot reload (reload.cpp): reloads per service (kv, then an echo pool of 2).
  std::size_t reloads = 10;
  std::size_t reload_clients = 4;     // threads calling one at a time during the reloads
  std::size_t reload_keys = 1000;     // put into kv before the first reload
  std::size_t reload_gap_ms = 250;    // calls outside a reload: before, between and after them
  // Workflows (workflow_bench.cpp): runs of a 3-stage workflow, and of the same 3 calls by hand.
  std::size_t workflow_runs = 2000;
  // Streams (stream_bench.cpp): items per round (0: skip), 64 KiB items per
  // round, rounds, and the items of one long stream to a slow reader.
  std::size_t stream_items = 1000000;
  std::size_t stream_big_items = 2000;
  std::size_t stream_rounds = 3;
  std::size_t stream_slow_items = 10000000;
  std::uint32_t stream_window = 0;  // items of credit the reader grants; 0: client_options' default
  std::string stream_plugin;  // tests/plugins/streamer (the test plugins' directory of this build)
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
  std::size_t host_replaced = 0;  // times the echo host stopped answering and all was measured again
  std::string host_replaced_why;  // the first time's error
};

struct spawn_result {
  std::size_t count = 0;
  double median_ms = 0, p90_ms = 0, min_ms = 0, max_ms = 0;
  double stop_median_ms = 0;
};

struct memory_result {
  long rss_kb = -1, pss_kb = -1;
};

// One pool size's throughput, pipelined from one client.
struct pool_size_result {
  std::size_t size = 0, window = 0;
  double calls_per_s = 0;       // median round
  std::vector<double> rounds;   // each round's calls/s
  double ratio_to_1 = 0;        // calls_per_s / size 1's (0 when size 1 was not measured)
  double client_cores = 0;      // this process's CPU time / wall time, median round
  double host_cores = 0;        // all members' CPU time / wall time, median round
  double other_cores = 0;       // every other process of the machine, median round (-1: unknown)
  double host_cpu_us_per_call = 0;  // all members, median round
  std::size_t replaced = 0;         // times its pool stopped answering and was replaced (round retried)
  std::string replaced_why;         // the first time's error
  std::string error;                // why this size's rounds stopped, if they did
};

struct pool_result {
  unsigned hardware_threads = 0;  // std::thread::hardware_concurrency()
  unsigned usable_cpus = 0;       // sched_getaffinity: CPUs this process may run on
  std::string strategy;
  std::size_t data_bytes = 0;     // hash_rounds(data, rounds)
  std::uint32_t hash_rounds = 0;  // chosen so that a call takes about settings::pool_call_us
  std::uint32_t probe_rounds = 0;  // calibration: this many rounds (about 5x the target's work)
  double probe_extra_us = 0;       // cost the host this much more CPU per call than 0 rounds
  double base_latency_us = 0;     // p50 of hash_rounds(data, 0), one in flight
  double call_latency_us = 0;     // p50 of hash_rounds(data, hash_rounds), one in flight
  double base_host_cpu_us = 0;    // the host's CPU time per call, rounds = 0, one in flight
  double call_host_cpu_us = 0;    // the same with the chosen rounds
  std::vector<pool_size_result> sizes;
  std::string error;  // why the section stopped, if it did
};

struct duration_stats {
  std::size_t samples = 0;
  double min_ms = 0, median_ms = 0, p90_ms = 0, max_ms = 0;
};

// One SIGKILL of a host while a client calls whoami in a loop.
struct kill_sample {
  std::optional<double> first_reply_ms;      // from another process than the victim (pools)
  std::optional<double> replacement_ms;      // from the new process
  std::optional<double> respawn_started_ms;  // the manager started the new host
  std::size_t failed_calls = 0, victim_replies = 0;
  std::string first_error;
};

// A series of such kills.
struct kill_series {
  std::size_t kills = 0;
  std::size_t gave_up = 0;         // kills after which no new process answered in time
  duration_stats first_reply;      // kill -> first reply from another process than the victim
  duration_stats replacement;      // kill -> first reply from the new process
  duration_stats respawn_started;  // kill -> the manager started the new host (process_info::started)
  std::size_t failed_calls = 0;    // calls that failed between a kill and the replacement's reply
  std::size_t victim_replies = 0;  // replies from the victim after kill() returned
  std::string first_error;         // the first failed call, verbatim
  std::size_t broken_kills = 0;    // kills whose measurement failed (see error)
  std::string error;               // the first such failure
};

// Runs `measure()` `times` times (each returns a kill_sample) and fills a
// kill_series; a kill whose measurement throws is counted as broken.
kill_series measure_kills(std::size_t times, const std::function<kill_sample(std::size_t)>& measure);

// A pool member SIGKILLed.
struct failover_result : kill_series {
  std::size_t size = 0;
};

// A supervised service (not a pool) SIGKILLed; its supervisor starts a new host.
struct restart_result : kill_series {};

// One way of starting a tree of settings::tree_size hosts, until every one is READY.
struct tree_start_result {
  std::string key;            // JSON key: "services", "pool", "titan_up"
  std::string way;            // what was run, for the table
  std::size_t hosts = 0;
  std::size_t runs = 0;       // measured
  duration_stats total;       // start -> every host READY, per run
  double per_host_ms = 0;     // total.median_ms / hosts
  duration_stats down;        // titan_up only: `titan down` until it exited
  std::size_t leftovers = 0;  // titan_up only: processes still alive after `titan down` (then killed)
  std::size_t broken = 0;     // runs that failed (see error)
  std::string error;          // the first such failure
};

struct supervision_result {
  restart_result restart;
  std::vector<tree_start_result> starts;
  std::string titan_binary;  // the titan CLI used for titan_up
};

// Reloads of one service (pm.reload, probation 0 ms) while clients call it.
struct reload_service_result {
  std::string key;                 // JSON key: "kv" (state handed over), "echo" (a pool, no state hooks)
  std::string what;                // for the table
  std::size_t hosts = 0;           // 1, or the pool's size
  bool stateful = false;
  std::size_t reloads = 0;         // that went through
  std::size_t failed_reloads = 0;  // rolled back (see error)
  duration_stats switched;         // reload_report::switched: the call -> every new host takes calls
  duration_stats took;             // reload_report::took: the call -> the last old host let go
  double state_bytes_median = 0, state_bytes_max = 0;  // reload_report::state_bytes
  std::string version, previous_version;             // of the last reload that went through
  std::size_t keys = 0, keys_after = 0;              // kv only: size() before the reloads and after
  std::size_t clients = 0;
  std::size_t sent = 0, replied = 0, failed_calls = 0;
  std::string first_error;         // the first failed call, verbatim
  latency_stats outside;           // calls that overlapped no reload() call
  latency_stats during;            // calls that overlapped one
  double worst_ratio = 0;          // during.max_us / outside.p50_us
  std::string error;               // the first failed reload, or why the measurement stopped
};

struct reload_result {
  std::vector<reload_service_result> services;
};

// A 3-stage workflow against the same 3 calls made by hand (workflow_bench.hpp).
struct workflow_bench_result {
  std::size_t runs = 0;    // per side
  std::size_t stages = 3;
  latency_stats by_hand;   // per run of 3 calls
  latency_stats workflow;  // per pm.workflow().run()
  double p50_ratio = 0;    // workflow / by hand
  double mean_ratio = 0;
  double overhead_per_stage_us = 0;  // (workflow p50 - by hand p50) / stages
  std::string error;       // why it was not measured
};

struct stream_side {
  double items_per_s = 0;
  double mb_per_s = 0;
};

struct stream_bench_result {
  std::size_t small_items = 0;   // uint64 items per round
  std::size_t big_items = 0;     // 64 KiB items per round
  std::size_t big_size = 65536;
  std::uint32_t window = 0;       // the reader's credit, in items
  stream_side titan_small, raw_small, titan_big, raw_big;
  double small_ratio = 0;  // titan / raw items per second
  double big_ratio = 0;    // titan / raw MB per second
  // A stream of slow_items to a reader that pauses 1 ms every 10 000 items.
  std::size_t slow_items = 0;
  double slow_seconds = 0;
  std::uint64_t host_rss_before = 0;  // bytes, before the stream
  std::uint64_t host_hwm_after = 0;   // the host's peak RSS (VmHWM) after it
  std::string error;                  // why it was not measured
};

struct results {
  settings config;
  stream_bench_result stream;
  workflow_bench_result workflow;
  reload_result reload;
  pool_result pool;
  std::vector<failover_result> failover;
  supervision_result supervision;
  std::vector<transport_result> transports;
  spawn_result spawn;
  memory_result host_memory;        // idle titan-host with the echo plugin
  memory_result raw_server_memory;  // idle raw echo server, for reference
};

// Sorts `v` and returns the q-quantile (0..1), nearest rank.
double quantile(std::vector<double>& v, double q);
double median(std::vector<double> v);
duration_stats summarize_ms(std::vector<double> ms);
latency_stats summarize_latency(std::vector<double>& samples_ns);

// CPU time (user + system) of this whole process, in microseconds.
double self_cpu_us();
// CPU time of another process (its live threads) in microseconds; -1 if unreadable.
double process_cpu_us(pid_t pid);
// CPU time all processes of the machine have used (/proc/stat, clock-tick
// resolution) in microseconds; -1 if unreadable.
double machine_busy_us();
// Rss and Pss from /proc/PID/smaps_rollup.
memory_result read_memory(pid_t pid);

// Runs the measured loops; see raw_echo.cpp and titan_echo.cpp.
std::string make_payload(std::size_t size);

}  // namespace titan::bench
