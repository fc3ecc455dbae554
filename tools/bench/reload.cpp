#include "reload.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <thread>

#include <titan/process_manager.hpp>
#include <titan/supervisor_spec.hpp>

#include "child.hpp"
#include "echo.hpp"
#include "kv.hpp"
#include "pool.hpp"

namespace titan::bench {
namespace {

using namespace std::chrono_literals;

// One call, in nanoseconds since the series began.
struct call_sample {
  std::int64_t start_ns = 0, end_ns = 0;
};

// What one client thread saw; only that thread writes it until it is joined.
struct client_log {
  std::vector<call_sample> samples;
  std::size_t sent = 0, replied = 0, failed = 0;
  std::string first_error;
};

// Stops and joins the client threads when it goes out of scope, on error too.
struct client_threads {
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  ~client_threads() { join(); }
  void join() {
    stop_ = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
};

std::int64_t ns_between(clock::time_point a, clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count();
}

// Sleeps `ms`, in slices, so that an interrupt is noticed.
void pause_for(std::size_t ms) {
  const auto until = clock::now() + std::chrono::milliseconds(ms);
  while (clock::now() < until) {
    throw_if_interrupted();
    std::this_thread::sleep_for(std::min<clock::duration>(10ms, until - clock::now()));
  }
}

std::string key_of(std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "key-%06zu", i);
  return buf;
}

// Two copies of `plugin` in `dir`: the service starts on the first, and
// each reload moves it to the other (two files, like two builds).
std::array<std::string, 2> plugin_copies(const std::string& plugin, const temp_dir& dir, const std::string& stem) {
  std::array<std::string, 2> files;
  for (std::size_t i = 0; i < 2; ++i) {
    files[i] = (std::filesystem::path(dir.path()) / (stem + (i == 0 ? "-a.so" : "-b.so"))).string();
    std::filesystem::copy_file(plugin, files[i], std::filesystem::copy_options::overwrite_existing);
  }
  return files;
}

// Splits the calls into those that overlapped a reload window and the others.
void classify(const std::vector<client_log>& logs, std::vector<call_sample> windows, reload_service_result& r) {
  std::sort(windows.begin(), windows.end(), [](auto& a, auto& b) { return a.start_ns < b.start_ns; });
  std::vector<double> outside, during;
  for (const auto& log : logs) {
    r.sent += log.sent;
    r.replied += log.replied;
    r.failed_calls += log.failed;
    if (r.first_error.empty()) r.first_error = log.first_error;
    for (const auto& c : log.samples) {
      // The first window that ends after the call starts is the only one it can overlap first.
      auto w = std::lower_bound(windows.begin(), windows.end(), c.start_ns,
                                [](const call_sample& win, std::int64_t t) { return win.end_ns <= t; });
      const bool overlaps = w != windows.end() && w->start_ns < c.end_ns;
      (overlaps ? during : outside).push_back(static_cast<double>(c.end_ns - c.start_ns));
    }
  }
  r.outside = summarize_latency(outside);
  r.during = summarize_latency(during);
  r.worst_ratio = r.outside.p50_us > 0 ? r.during.max_us / r.outside.p50_us : 0;
}

// Starts s.reload_clients threads, each calling `call(proxy, client, n)`
// in a loop on its own proxy, and reloads `name` s.reloads times between
// the two `files` (it runs on files[0]) while they do.
template <class S, class Call>
void reload_under_load(const settings& s, titan::ProcessManager& pm, const std::string& name,
                       const std::array<std::string, 2>& files, Call call, reload_service_result& r) {
  titan::client_options co;
  co.timeout = 5000ms;  // a call held through a handover waits within its deadline
  std::vector<titan::Proxy<S>> proxies;
  for (std::size_t i = 0; i < s.reload_clients; ++i) proxies.push_back(pm.discover<S>(name, co));
  for (auto& p : proxies) wait_for_members(p.client(), r.hosts, 10s);
  r.clients = s.reload_clients;

  std::vector<client_log> logs(s.reload_clients);
  std::vector<call_sample> windows;
  std::vector<double> switched, took, bytes;
  const auto t0 = clock::now();
  {
    client_threads clients;
    for (std::size_t i = 0; i < s.reload_clients; ++i) {
      clients.threads_.emplace_back([&, i] {
        client_log& log = logs[i];
        log.samples.reserve(1 << 16);
        for (std::size_t n = 0; !clients.stop_.load(std::memory_order_relaxed); ++n) {
          const auto a = clock::now();
          ++log.sent;
          try {
            call(proxies[i], i, n);
            ++log.replied;
          } catch (const std::exception& e) {
            if (log.failed++ == 0) log.first_error = e.what();
          }
          log.samples.push_back({ns_between(t0, a), ns_between(t0, clock::now())});
        }
      });
    }
    pause_for(s.reload_gap_ms);
    for (std::size_t i = 0; i < s.reloads; ++i) {
      titan::reload_options ro;
      ro.plugin = files[(i + 1) % 2];
      ro.probation = 0ms;  // checked once: the old host is let go as soon as the new one serves
      const auto a = clock::now();
      try {
        const titan::reload_report rep = pm.reload(name, ro);
        windows.push_back({ns_between(t0, a), ns_between(t0, clock::now())});
        ++r.reloads;
        switched.push_back(static_cast<double>(rep.switched.count()));
        took.push_back(static_cast<double>(rep.took.count()));
        bytes.push_back(static_cast<double>(rep.state_bytes));
        r.version = rep.version;
        r.previous_version = rep.previous_version;
      } catch (const titan::Error& e) {  // rolled back: the old version serves; go on with the next
        windows.push_back({ns_between(t0, a), ns_between(t0, clock::now())});
        if (interrupt_requested()) throw interrupted{};
        ++r.failed_reloads;
        if (r.error.empty()) r.error = e.what();
      }
      pause_for(s.reload_gap_ms);
    }
    clients.join();
  }
  classify(logs, std::move(windows), r);
  r.switched = summarize_ms(switched);
  r.took = summarize_ms(took);
  r.state_bytes_median = median(bytes);
  r.state_bytes_max = bytes.empty() ? 0 : *std::max_element(bytes.begin(), bytes.end());
}

titan::host_spec quiet_host() {
  titan::host_spec host;
  host.log_level = "warn";
  return host;
}

void measure_kv(const settings& s, titan::ProcessManager& pm, const std::string& plugin, const temp_dir& dir,
                reload_service_result& r) {
  const auto files = plugin_copies(plugin, dir, "kv");
  titan::supervisor_spec spec;
  spec.name = "bench-reload-kv";
  spec.children.push_back(titan::service_child("kv", files[0], quiet_host()));
  pm.supervise(spec);

  auto setup = pm.discover<KvStore>("kv");
  wait_for_members(setup.client(), 1, 10s);
  const std::string value = make_payload(s.payload);
  std::vector<decltype(setup.put(std::string(), std::string()))> puts;  // pipelined
  for (std::size_t i = 0; i < s.reload_keys; ++i) puts.push_back(setup.put(key_of(i), value));
  for (auto& f : puts) f.get();
  r.keys = static_cast<std::size_t>(setup.size().get());

  const std::size_t keys = std::max<std::size_t>(1, s.reload_keys);
  reload_under_load<KvStore>(s, pm, "kv", files,
                             [&](titan::Proxy<KvStore>& kv, std::size_t client, std::size_t n) {
                               // Each client walks its own part of the keys; swap, then get the same key.
                               const std::string key = key_of((client * keys / s.reload_clients + n / 2) % keys);
                               if (n % 2 == 0)
                                 kv.swap(key, value).get();
                               else
                                 kv.get(key).get();
                             },
                             r);
  r.keys_after = static_cast<std::size_t>(setup.size().get());
}

void measure_echo(const settings& s, titan::ProcessManager& pm, const std::string& plugin, const temp_dir& dir,
                  reload_service_result& r) {
  const auto files = plugin_copies(plugin, dir, "echo");
  titan::supervisor_spec spec;
  spec.name = "bench-reload-echo";
  spec.children.push_back(titan::pool_child("echo", files[0], r.hosts, titan::balance::round_robin, quiet_host()));
  pm.supervise(spec);
  const std::string payload = make_payload(s.payload);
  reload_under_load<EchoService>(
      s, pm, "echo", files, [&](titan::Proxy<EchoService>& echo, std::size_t, std::size_t) { echo.echo(payload).get(); },
      r);
}

}  // namespace

reload_result measure_reloads(const settings& s, const std::string& kv_plugin, const std::string& echo_plugin,
                              std::shared_ptr<spdlog::logger> log) {
  reload_result out;
  if (s.reloads == 0) return out;
  reload_service_result kv;
  kv.key = "kv";
  kv.what = "kv, 1 host, state handed over";
  kv.hosts = 1;
  kv.stateful = true;
  reload_service_result echo;
  echo.key = "echo";
  echo.what = "echo, pool of 2, no state (rolling: one member, then the other)";
  echo.hosts = 2;
  temp_dir dir;  // the plugin copies
  titan::ProcessManager::options o;
  o.logger = std::move(log);
  titan::ProcessManager pm(o);
  // A service whose measurement fails records why; the next one still runs.
  auto guarded = [&](reload_service_result& r, auto measure) {
    try {
      measure(r);
    } catch (const std::exception& e) {
      if (interrupt_requested()) throw interrupted{};
      if (r.error.empty()) r.error = std::string("not measured: ") + e.what();
    }
  };
  std::cerr << "titan-bench: reload: kv (state handed over), x" << s.reloads << " under " << s.reload_clients
            << " client(s)...\n";
  guarded(kv, [&](reload_service_result& r) { measure_kv(s, pm, kv_plugin, dir, r); });
  std::cerr << "titan-bench: reload: echo pool of 2 (no state), x" << s.reloads << "...\n";
  guarded(echo, [&](reload_service_result& r) { measure_echo(s, pm, echo_plugin, dir, r); });
  pm.shutdown();
  out.services.push_back(std::move(kv));
  out.services.push_back(std::move(echo));
  return out;
}

}  // namespace titan::bench
