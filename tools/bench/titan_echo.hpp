// The Titan side: echo calls through titan::Proxy<EchoService> to a
// titan-host started by ProcessManager, spawn time and idle memory.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <titan/process_manager.hpp>

#include "bench.hpp"
#include "echo.hpp"

namespace titan::bench {

class titan_client {
 public:
  titan_client(const std::string& endpoint, const std::string& payload, std::size_t window);

  // One call in flight; appends each round trip (ns) when `samples_ns` is set.
  void run_sequential(std::size_t calls, std::vector<double>* samples_ns);
  // `window` futures in flight until `calls` replies have come back.
  void run_pipelined(std::size_t calls, std::size_t window);

 private:
  void check(const std::string& reply) const;

  titan::Proxy<EchoService> proxy_;
  const std::string payload_;
  std::vector<std::optional<titan::Future<std::string>>> ring_;
};

// Spawns the echo host `count` times, timing spawn_host until it returns
// (READY), and stops each one.
spawn_result measure_spawn(titan::ProcessManager& pm, const std::string& plugin, std::size_t count);

// Rss/Pss of a freshly spawned, idle echo host.
memory_result measure_idle_host(titan::ProcessManager& pm, const std::string& plugin);

}  // namespace titan::bench
