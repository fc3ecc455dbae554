// A titan-host serving one plugin for one test, started and ready when
// constructed (the test fails right there if it does not start).
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "host_process.hpp"
#include "temp_dir.hpp"

namespace titan::test {

struct ready_host {
  temp_dir dir;
  host_process host;

  explicit ready_host(const std::string& plugin, std::vector<std::string> extra = {})
      : host(host_process::args_for(plugin, dir, std::move(extra))) {
    INFO(host.describe());
    REQUIRE(host.wait_ready());
  }
};

}  // namespace titan::test
