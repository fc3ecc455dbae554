#include "titan/status.hpp"

#include <array>
#include <utility>

namespace titan {
namespace {
constexpr std::array<std::pair<status_code, std::string_view>, 11> names{{
    {status_code::ok, "OK"},
    {status_code::cancelled, "CANCELLED"},
    {status_code::unknown, "UNKNOWN"},
    {status_code::invalid_argument, "INVALID_ARGUMENT"},
    {status_code::deadline_exceeded, "DEADLINE_EXCEEDED"},
    {status_code::not_found, "NOT_FOUND"},
    {status_code::resource_exhausted, "RESOURCE_EXHAUSTED"},
    {status_code::failed_precondition, "FAILED_PRECONDITION"},
    {status_code::unimplemented, "UNIMPLEMENTED"},
    {status_code::internal, "INTERNAL"},
    {status_code::unavailable, "UNAVAILABLE"},
}};
}  // namespace

std::string_view to_string(status_code code) noexcept {
  for (const auto& [c, n] : names)
    if (c == code) return n;
  return "UNKNOWN";
}

std::optional<status_code> status_code_from_string(std::string_view name) noexcept {
  for (const auto& [c, n] : names)
    if (n == name) return c;
  return std::nullopt;
}

}  // namespace titan
