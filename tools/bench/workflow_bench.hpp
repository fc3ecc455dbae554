// Workflow overhead: a 3-stage linear workflow (echo -> echo -> echo, each
// stage's output the next one's argument) run by pm.workflow(...).run(),
// against the same three calls made by hand, one after the other, through a
// discovering client of the same echo host, in the same process.
#pragma once

#include <memory>
#include <string>

#include "bench.hpp"

namespace spdlog {
class logger;
}

namespace titan::bench {

// Under a manager of its own (`log` is its logger): one echo host; the
// two sides take turns in chunks of 100 runs, s.workflow_runs each.
workflow_bench_result measure_workflow(const settings& s, const std::string& echo_plugin,
                                       std::shared_ptr<spdlog::logger> log);

}  // namespace titan::bench
