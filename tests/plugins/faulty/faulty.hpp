// The faulty service: a test plugin whose methods fail on purpose. Shared by
// the plugin and the integration tests (titan::Proxy<FaultyService>).
#pragma once

#include <cstdint>
#include <string>

#include <titan/titan.hpp>

class FaultyService {
 public:
  explicit FaultyService(titan::Context& ctx) : ctx_(ctx) {}

  // Throws std::runtime_error("fail: something broke"): the host answers INTERNAL.
  std::int64_t fail();
  // Kills the host with std::abort() in the middle of the call.
  void abort_now();
  // Sleeps `ms` milliseconds, then returns `ms`.
  std::int64_t sleep_ms(std::int64_t ms);
  // Throws titan::Error with the code named by `code` ("NOT_FOUND",
  // "FAILED_PRECONDITION", ...); NOT_FOUND for a name the SDK does not know.
  std::int64_t fail_with(std::string code);
  // Always 42: shows the host still serves after a failure.
  std::int64_t value() { return 42; }
  // The --config table as the host handed it to the constructor.
  msgpack::object config() const { return ctx_.config(); }
  // Returns any msgpack value unchanged (schema type "any").
  msgpack::object echo_any(msgpack::object v) { return v; }

 private:
  titan::Context& ctx_;
};

TITAN_SERVICE(FaultyService, "faulty", fail, abort_now, sleep_ms, fail_with, (value, titan::idempotent), config,
              echo_any)
