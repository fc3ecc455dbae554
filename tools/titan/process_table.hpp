// How `titan ps` and the other commands print processes and trees.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include <titan/manager_api.hpp>

namespace titan::cli {

nlohmann::json to_json(const process_record& r);
nlohmann::json to_json(const tree_record& r);

// One line per process: ID NAME GROUP PID STATE RESTARTS UPTIME CPU% RSS CALLS ENDPOINT.
void print_table(const std::vector<process_record>& rows);
// The supervision trees, each child under its supervisor, its host's
// figures beside it; then the processes no tree owns.
void print_tree(const std::vector<tree_record>& tree, const std::vector<process_record>& processes);

}  // namespace titan::cli
