// What one [services.X], [pools.X] or [supervisors.X] table (or [defaults])
// said, before the tree is assembled.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "titan/supervisor_spec.hpp"
#include "titan/topology.hpp"

namespace titan::topo {

struct child_entry {
  child_spec spec{};
  std::string table{};      // "services.api"
  source_position where{};  // of the table; its line gives the file order
  // Where each field of `spec` came from, so that validate()'s paths can be
  // pointed back into the file: "backoff.base" -> "defaults.backoff.base".
  // Fields of a supervisor's own spec start with "supervisor.".
  std::map<std::string, std::string> origins{};
  bool backoff_none = false;  // `backoff = "none"` (here or inherited from [defaults])
  // Supervisors: the children's names in start order ("" for an element
  // that is not a string), and each element's key ("supervisors.root.children[2]").
  std::vector<std::string> children{};
  std::vector<std::string> child_keys{};
};

}  // namespace titan::topo
