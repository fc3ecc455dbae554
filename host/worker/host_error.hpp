#pragma once

#include <stdexcept>
#include <string>

#include "exit_code.hpp"

namespace titan::host {

// A start-up failure: what titan-host prints, reports to its manager and
// exits with.
class host_error : public std::runtime_error {
 public:
  host_error(exit_code code, const std::string& message) : std::runtime_error(message), code_(code) {}
  exit_code code() const noexcept { return code_; }

 private:
  exit_code code_;
};

}  // namespace titan::host
