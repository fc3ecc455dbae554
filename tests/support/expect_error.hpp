// Runs a call that should fail and hands back the titan::Error it threw.
#pragma once

#include <optional>

#include <titan/status.hpp>

namespace titan::test {

// nullopt when `fn` returned normally (REQUIRE the result in the test).
template <class F>
std::optional<titan::Error> expect_error(F&& fn) {
  try {
    (void)fn();
  } catch (const titan::Error& e) {
    return e;
  }
  return std::nullopt;
}

}  // namespace titan::test
