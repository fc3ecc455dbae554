// The calls of one stage (or of its compensation): one call, or one per
// for_each element, all sent at once; those that fail are sent again, with
// backoff, up to the stage's retries. INVALID_ARGUMENT and UNIMPLEMENTED are
// not retried: sending the same call again cannot change them.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "titan/client.hpp"
#include "titan/supervisor_spec.hpp"
#include "titan/workflow_value.hpp"

namespace titan::wf {

struct retry_policy {
  std::optional<std::chrono::milliseconds> timeout;  // per attempt; unset: the client's default
  unsigned retries = 0;
  backoff_spec backoff;
};

// The delay before retry `n` (1-based): base * factor^(n-1), at most max.
std::chrono::milliseconds retry_delay(const backoff_spec& b, unsigned n);

class call_attempts {
 public:
  // Waits out a backoff; false when the run is stopping (then no retry).
  using wait_fn = std::function<bool(std::chrono::milliseconds)>;
  // Told before each retry: the attempt about to come (2, 3, ...), its delay, the last error.
  using retry_fn = std::function<void(unsigned attempt, std::chrono::milliseconds delay, const Error& last)>;

  call_attempts(Client client, std::string method, retry_policy policy)
      : client_(std::move(client)), method_(std::move(method)), policy_(std::move(policy)) {}

  // `bodies`: packed msgpack arrays of arguments, one per call. Returns
  // each call's result, in order; throws the error of the first call that
  // still failed after the retries ("item 2 of 5: ..." in a fan-out).
  std::vector<workflow_value> run(const std::vector<std::string>& bodies, bool fan_out, const wait_fn& wait,
                                  const retry_fn& on_retry);

  unsigned attempts() const { return attempts_; }

 private:
  Client client_;
  std::string method_;
  retry_policy policy_;
  unsigned attempts_ = 0;
};

}  // namespace titan::wf
