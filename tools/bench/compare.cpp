#include "compare.hpp"

#include <stdexcept>
#include <thread>

#include "host_guard.hpp"
#include "raw_echo.hpp"
#include "titan_echo.hpp"

namespace titan::bench {
namespace {

struct round_figures {
  double calls_per_s, client_cpu_us_per_call, server_cpu_us_per_call;
};

template <class Client>
round_figures pipelined_round(Client& client, std::size_t calls, std::size_t window, pid_t server) {
  const double client_cpu0 = self_cpu_us(), server_cpu0 = process_cpu_us(server);
  const auto t0 = clock::now();
  client.run_pipelined(calls, window);
  const auto t1 = clock::now();
  const double client_cpu = self_cpu_us() - client_cpu0, server_cpu = process_cpu_us(server) - server_cpu0;
  const double seconds = std::chrono::duration<double>(t1 - t0).count();
  const auto n = static_cast<double>(calls);
  return {n / seconds, client_cpu / n, server_cpu0 < 0 ? -1 : server_cpu / n};
}

void summarize(throughput_stats& t, const std::vector<round_figures>& rounds) {
  std::vector<double> cps, client, server;
  for (const auto& r : rounds) {
    cps.push_back(r.calls_per_s);
    client.push_back(r.client_cpu_us_per_call);
    server.push_back(r.server_cpu_us_per_call);
  }
  t.rounds = cps;
  t.calls_per_s = median(cps);
  t.client_cpu_us_per_call = median(client);
  t.server_cpu_us_per_call = median(server);
}

}  // namespace

transport_result compare_transport(const settings& s, titan::ProcessManager& pm, const std::string& plugin,
                                   const std::string& transport, const temp_dir& dir, memory_result* raw_memory) {
  transport_result r;
  r.transport = transport;
  const std::string payload = make_payload(s.payload);

  std::string raw_bind;
  if (transport == "ipc")
    raw_bind = "ipc://" + dir.path() + "/raw-echo.sock";
  else if (transport == "tcp")
    raw_bind = "tcp://127.0.0.1:*";
  else
    throw std::invalid_argument("unknown transport '" + transport + "' (ipc or tcp)");

  self_child raw_server({"--raw-server", raw_bind});
  r.raw_endpoint = raw_server.first_line();
  if (raw_memory) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    *raw_memory = read_memory(raw_server.pid());
  }

  titan::spawn_options opts;
  opts.transport = transport;
  opts.log_level = "warn";
  const titan::process_info host = pm.spawn_host(plugin, opts, titan::service_traits<EchoService>::name);
  host_guard guard{pm, host.id};
  r.titan_endpoint = host.endpoint;

  raw_client raw(r.raw_endpoint, payload);
  titan_client titan(host.endpoint, payload, s.window);

  // Warm-up: connections, caches, allocator pools, CPU frequency.
  raw.run_sequential(s.latency_warmup, nullptr);
  titan.run_sequential(s.latency_warmup, nullptr);
  raw.run_pipelined(s.throughput_warmup, s.window);
  titan.run_pipelined(s.throughput_warmup, s.window);

  // Latency: raw and Titan alternate in chunks, so both see the same noise.
  std::vector<double> raw_ns, titan_ns;
  raw_ns.reserve(s.latency_calls);
  titan_ns.reserve(s.latency_calls);
  const std::size_t chunks = std::max<std::size_t>(1, s.latency_chunks);
  for (std::size_t c = 0; c < chunks; ++c) {
    const std::size_t n = s.latency_calls / chunks + (c + 1 == chunks ? s.latency_calls % chunks : 0);
    if (c % 2 == 0) {
      raw.run_sequential(n, &raw_ns);
      titan.run_sequential(n, &titan_ns);
    } else {
      titan.run_sequential(n, &titan_ns);
      raw.run_sequential(n, &raw_ns);
    }
  }
  r.raw.latency = summarize_latency(raw_ns);
  r.titan.latency = summarize_latency(titan_ns);

  // Throughput: rounds alternate too, each side going first every other round.
  std::vector<round_figures> raw_rounds, titan_rounds;
  for (std::size_t i = 0; i < std::max<std::size_t>(1, s.throughput_rounds); ++i) {
    if (i % 2 == 0) {
      raw_rounds.push_back(pipelined_round(raw, s.throughput_calls, s.window, raw_server.pid()));
      titan_rounds.push_back(pipelined_round(titan, s.throughput_calls, s.window, host.pid));
    } else {
      titan_rounds.push_back(pipelined_round(titan, s.throughput_calls, s.window, host.pid));
      raw_rounds.push_back(pipelined_round(raw, s.throughput_calls, s.window, raw_server.pid()));
    }
  }
  summarize(r.raw.throughput, raw_rounds);
  summarize(r.titan.throughput, titan_rounds);
  return r;
}

}  // namespace titan::bench
