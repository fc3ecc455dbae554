// Waiting, on an API thread, for a host's READY.
#pragma once

#include <chrono>
#include <cstdint>
#include <future>
#include <string>

#include "titan/process_manager.hpp"

namespace titan::detail {

class event_loop;
class host_table;

// What `ready` brings: the host's info, or throws its start's error. Past
// `timeout` the start is abandoned on the loop (SIGKILL to its group) and
// this throws DEADLINE_EXCEEDED: "<what> did not report READY within N ms".
process_info await_ready(std::future<process_info>& ready, std::chrono::milliseconds timeout, event_loop& loop,
                         host_table& hosts, std::uint64_t id, const std::string& what);

}  // namespace titan::detail
