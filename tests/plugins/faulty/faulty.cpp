#include "faulty.hpp"

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>

std::int64_t FaultyService::fail() { throw std::runtime_error("fail: something broke"); }

void FaultyService::abort_now() { std::abort(); }

std::int64_t FaultyService::sleep_ms(std::int64_t ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return ms;
}

std::int64_t FaultyService::fail_with(std::string code) {
  auto c = titan::status_code_from_string(code).value_or(titan::status_code::not_found);
  throw titan::Error(c, "fail_with(" + code + ")");
}

TITAN_PLUGIN(FaultyService, "1.0.0")
