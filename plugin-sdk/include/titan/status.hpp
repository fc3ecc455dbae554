// Status codes and the typed error every Titan call can end with.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace titan {

// gRPC's status codes (same numbers), sent on the wire by name.
enum class status_code : std::uint8_t {
  ok = 0,
  cancelled = 1,
  unknown = 2,
  invalid_argument = 3,
  deadline_exceeded = 4,
  not_found = 5,
  resource_exhausted = 8,
  failed_precondition = 9,
  unimplemented = 12,
  internal = 13,
  unavailable = 14,
};

// "INVALID_ARGUMENT" etc.; the wire spelling.
std::string_view to_string(status_code code) noexcept;
// Parses a wire spelling; nullopt for a name this SDK does not know.
std::optional<status_code> status_code_from_string(std::string_view name) noexcept;

// The code with gRPC number `n` (a status that crossed the plugin ABI as an
// int32); nullopt for a number that is not one of the codes above.
constexpr std::optional<status_code> status_code_from_int(std::int32_t n) noexcept {
  switch (n) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 8: case 9: case 12: case 13: case 14:
      return static_cast<status_code>(n);
    default:
      return std::nullopt;
  }
}

// Thrown by client calls that end in an error, and by services that want a
// specific code (anything else a service throws becomes INTERNAL).
class Error : public std::runtime_error {
 public:
  Error(status_code code, std::string message)
      : std::runtime_error(std::string(to_string(code)) + ": " + message),
        code_(code),
        message_(std::move(message)) {}

  status_code code() const noexcept { return code_; }
  // The human message without the code prefix.
  const std::string& message() const noexcept { return message_; }

 private:
  status_code code_;
  std::string message_;
};

}  // namespace titan
