#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace titan::host {

struct host_options {
  std::string plugin;
  std::vector<std::string> bind;
  std::string name;
  std::string config_file;
  std::string log_level = "info";
  std::string manager;         // control endpoint of the manager, if any
  std::string id;              // token the manager gave this host
  std::string endpoint_file;   // where to write the bound endpoints
  unsigned concurrency = 1;
  std::size_t max_message_size = 16u << 20;
  long heartbeat_ms = -1;
  bool spawned = false;        // started by a manager (TITAN_PARENT_PID), not by hand      // -1: 1000 when reporting to a manager, else none
};

}  // namespace titan::host
