// A whole system described in one TOML file (see README "Topologies"):
// the manager's settings and one supervision tree. Parsing checks every key
// (unknown keys, types, values, names, cycles, workflows) and every problem carries its
// file, line, column and key path; nothing is started.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "titan/supervisor_spec.hpp"
#include "titan/workflow_spec.hpp"

namespace titan {

// The [manager] table.
struct manager_settings {
  std::string control{};      // control endpoint; "" = the instance's default socket
  std::string runtime_dir{};  // "" = a private directory under $XDG_RUNTIME_DIR or /tmp
  std::string log_dir{};      // "" = hosts inherit the manager's stdout/stderr
  std::uint64_t log_max_size = 10u << 20;  // a log file is rotated past this many bytes
  unsigned log_files = 5;                  // rotated files kept (NAME.log.1 ... NAME.log.N)
  std::chrono::milliseconds heartbeat{1000};
  unsigned liveness = 3;  // heartbeats missed before a host counts as hung
};

struct source_position {
  unsigned line = 0;    // 1-based; 0 = unknown
  unsigned column = 0;  // 1-based
};

// One problem in a topology file: "demo.toml:12:11: services.api.restart:
// unknown restart type 'sometimes' (permanent, transient or temporary)".
struct topology_error {
  std::string file;
  source_position where;
  std::string key;  // TOML key path, e.g. "supervisors.root.children[1]"
  std::string message;
  std::string to_string() const;
};

// Thrown with every problem found, in file order.
class topology_errors : public std::runtime_error {
 public:
  explicit topology_errors(std::vector<topology_error> errors);
  const std::vector<topology_error>& errors() const { return errors_; }

 private:
  std::vector<topology_error> errors_;
};

struct topology {
  std::string file;  // as given; relative paths in it are resolved against its directory
  manager_settings manager;
  supervisor_spec root;
  // Where each key was read (TOML key path -> position), so that later
  // problems (a plugin that fails its check) can point into the file.
  std::map<std::string, source_position> positions;
  std::map<std::string, std::string> tables;  // child name -> its TOML table, e.g. "services.api"
  // [workflows.NAME], in file order, each checked (validate()) with the
  // topology's services and pools as the known services. ProcessManager
  // knows them once they are registered: pm.add_workflow(w) after supervise().
  std::vector<workflow_spec> workflows;
};

// Reads and checks `path`; throws topology_errors.
topology load_topology(const std::string& path);
// The same for TOML text; `file` names it in errors and anchors relative paths.
topology parse_topology(std::string_view toml, const std::string& file);

// Loads each distinct plugin of the tree the way titan-host does, without
// starting a service (titan-host --check): missing file, not a plugin, ABI
// mismatch. `host_binary` as in ProcessManager::options. Empty when all pass.
std::vector<topology_error> check_plugins(const topology& t, const std::string& host_binary = {});

}  // namespace titan
