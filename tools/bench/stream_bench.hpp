// Streaming throughput: a titan-host streaming items (tests/plugins/streamer)
// against raw ZeroMQ pushing the same packed items from a ROUTER in another
// process, in the same run; and a long stream to a slow reader, to show the
// host's memory stays where it was.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <titan/process_manager.hpp>

#include "bench.hpp"

namespace titan::bench {

// `titan-bench --raw-streamer ENDPOINT`: binds a ROUTER and answers each
// request [n, size] with n items (a packed uint64, or `size` bytes when
// size > 0) and an empty end message.
int run_raw_streamer(const std::string& endpoint);

stream_bench_result measure_streams(const settings& s, titan::ProcessManager& pm, const std::string& plugin);

}  // namespace titan::bench
