#pragma once

#include <stdexcept>
#include <string>

#include "titan/control.hpp"

namespace titan::host {

// The exit codes are the control plane's: the manager reads them too.
using control::exit_code;
using control::to_int;

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
