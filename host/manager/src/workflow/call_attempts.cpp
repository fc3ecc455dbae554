#include "call_attempts.hpp"

#include <algorithm>
#include <cmath>

#include "titan/workflow_msgpack.hpp"

namespace titan::wf {
namespace {

bool retryable(status_code code) {
  return code != status_code::invalid_argument && code != status_code::unimplemented;
}

}  // namespace

std::chrono::milliseconds retry_delay(const backoff_spec& b, unsigned n) {
  const double ms = static_cast<double>(b.base.count()) * std::pow(b.factor, static_cast<double>(n > 0 ? n - 1 : 0));
  const double capped = std::min(ms, static_cast<double>(b.max.count()));
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::max(0.0, capped)));
}

std::vector<workflow_value> call_attempts::run(const std::vector<std::string>& bodies, bool fan_out,
                                               const wait_fn& wait, const retry_fn& on_retry) {
  const Client client = policy_.timeout ? client_.with_timeout(*policy_.timeout) : client_;
  std::vector<std::optional<workflow_value>> results(bodies.size());
  std::vector<std::size_t> pending(bodies.size());
  for (std::size_t i = 0; i < pending.size(); ++i) pending[i] = i;
  for (;;) {
    ++attempts_;
    // Every call of the attempt goes out before the first is waited for:
    // a pool works on them at once, and waiting for one collects the others.
    std::vector<Future<msgpack::object_handle>> calls;
    calls.reserve(pending.size());
    for (std::size_t i : pending) calls.push_back(client.call_packed(method_, bodies[i].data(), bodies[i].size()));
    std::vector<std::size_t> failed;
    std::optional<Error> first_error;
    for (std::size_t k = 0; k < pending.size(); ++k) {
      try {
        msgpack::object_handle reply = calls[k].get();
        results[pending[k]] = to_workflow_value(reply.get());
      } catch (const Error& e) {
        failed.push_back(pending[k]);
        if (!first_error) {
          std::string prefix = fan_out ? "item " + std::to_string(pending[k]) + " of " +
                                             std::to_string(bodies.size()) + ": "
                                       : "";
          first_error.emplace(e.code(), prefix + e.message());
        }
      }
    }
    if (failed.empty()) break;
    const unsigned retry = attempts_;  // retries made so far + 1
    if (retry > policy_.retries || !retryable(first_error->code())) throw *first_error;
    const auto delay = retry_delay(policy_.backoff, retry);
    auto stopped = [&] {
      return Error(first_error->code(), first_error->message() + " (not retried: another stage failed)");
    };
    if (!wait(std::chrono::milliseconds::zero())) throw stopped();
    if (on_retry) on_retry(attempts_ + 1, delay, *first_error);
    if (!wait(delay)) throw stopped();
    pending = std::move(failed);
  }
  std::vector<workflow_value> out;
  out.reserve(results.size());
  for (auto& r : results) out.push_back(std::move(*r));
  return out;
}

}  // namespace titan::wf
