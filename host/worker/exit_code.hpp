// titan-host's exit codes; documented in `titan-host --help` and README.md.
#pragma once

namespace titan::host {

enum class exit_code : int {
  ok = 0,                 // stopped by SIGTERM/SIGINT after draining
  failure = 1,            // any other runtime error
  usage = 2,              // bad command line
  plugin_not_found = 3,   // --plugin names no file
  plugin_load_failed = 4, // the file is not a loadable shared library (dlopen failed)
  not_a_plugin = 5,       // a shared library without a Titan descriptor
  abi_mismatch = 6,       // built against another SDK ABI version
  constructor_threw = 7,  // the service's constructor threw
  bind_failed = 8,        // a --bind endpoint could not be bound
  config_error = 9,       // --config could not be read or parsed
};

inline int to_int(exit_code c) { return static_cast<int>(c); }

}  // namespace titan::host
