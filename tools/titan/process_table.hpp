// How `titan ps` and the other commands print processes and trees.
#pragma once

#include <vector>

#include <titan/process_manager.hpp>

namespace titan::cli {

// One line per process: ID NAME GROUP PID STATE RESTARTS UPTIME CPU% RSS CALLS ENDPOINT.
void print_table(const std::vector<process_info>& rows);
// The supervision trees, each child under its supervisor, its host's
// figures beside it; then the processes no tree owns.
void print_tree(const std::vector<supervision_row>& tree, const std::vector<process_info>& processes);

}  // namespace titan::cli
