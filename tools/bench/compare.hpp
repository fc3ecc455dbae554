// One transport's raw-vs-Titan comparison.
#pragma once

#include <string>

#include <titan/process_manager.hpp>

#include "bench.hpp"
#include "child.hpp"

namespace titan::bench {

// Starts a raw echo server (ipc: a socket in `dir`; tcp: 127.0.0.1, any
// port) and an echo titan-host over `transport`, warms both up, then
// measures them alternately. Stops both before returning (or throwing).
// When `raw_memory` is set, it gets the idle raw server's Rss/Pss.
transport_result compare_transport(const settings& s, titan::ProcessManager& pm, const std::string& plugin,
                                   const std::string& transport, const temp_dir& dir, memory_result* raw_memory);

}  // namespace titan::bench
