// Status codes: gRPC numbers, wire spellings, and titan::Error.
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include <titan/status.hpp>

using titan::status_code;

namespace {
const std::vector<std::pair<status_code, std::string>> all_codes{
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
};
}  // namespace

TEST_CASE("status codes have gRPC's numbers", "[status]") {
  CHECK(static_cast<int>(status_code::ok) == 0);
  CHECK(static_cast<int>(status_code::cancelled) == 1);
  CHECK(static_cast<int>(status_code::unknown) == 2);
  CHECK(static_cast<int>(status_code::invalid_argument) == 3);
  CHECK(static_cast<int>(status_code::deadline_exceeded) == 4);
  CHECK(static_cast<int>(status_code::not_found) == 5);
  CHECK(static_cast<int>(status_code::resource_exhausted) == 8);
  CHECK(static_cast<int>(status_code::failed_precondition) == 9);
  CHECK(static_cast<int>(status_code::unimplemented) == 12);
  CHECK(static_cast<int>(status_code::internal) == 13);
  CHECK(static_cast<int>(status_code::unavailable) == 14);
}

TEST_CASE("every status code has a wire spelling that parses back", "[status]") {
  for (const auto& [code, name] : all_codes) {
    CAPTURE(name);
    CHECK(titan::to_string(code) == name);
    CHECK(titan::status_code_from_string(name) == code);
  }
}

TEST_CASE("unknown spellings and values", "[status]") {
  CHECK_FALSE(titan::status_code_from_string("NOPE"));
  CHECK_FALSE(titan::status_code_from_string(""));
  CHECK_FALSE(titan::status_code_from_string("not_found"));  // the wire spelling is upper case
  CHECK_FALSE(titan::status_code_from_string("NOT_FOUND "));
  CHECK(titan::to_string(static_cast<status_code>(99)) == "UNKNOWN");
}

TEST_CASE("titan::Error carries a code and a message", "[status]") {
  titan::Error e(status_code::not_found, "no user 'u7'");
  CHECK(e.code() == status_code::not_found);
  CHECK(e.message() == "no user 'u7'");
  CHECK(std::string(e.what()) == "NOT_FOUND: no user 'u7'");

  // It is a std::runtime_error, so generic handlers see the code too.
  try {
    throw titan::Error(status_code::unavailable, "host gone");
  } catch (const std::runtime_error& r) {
    CHECK(std::string(r.what()) == "UNAVAILABLE: host gone");
  }
}
