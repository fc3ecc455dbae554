// The daemon behind `titan daemon` and `titan up`.
#pragma once

#include "commands.hpp"

namespace titan::cli {

// Runs the daemon until SIGTERM/SIGINT, `titan shutdown`/`titan down`, or
// (with a topology) until its tree ends by itself. `ready_fd`, if not -1,
// gets one line once everything is ready ("ok ENDPOINT") or an error, and
// is closed. Returns the process exit code.
int run_daemon(const daemon_args& a, int ready_fd);

// Forks; the child becomes the daemon (its stderr goes to
// INSTANCES_DIR/INSTANCE.log). Returns once the child is ready (0) or
// failed (1, its message printed).
int detach(const daemon_args& a);

}  // namespace titan::cli
