// The host's side of a titan_output (plugin_abi.h): what a plugin writes
// is appended to a msgpack::sbuffer.
#pragma once

#include <msgpack.hpp>

#include "titan/plugin_abi.h"

namespace titan::detail {

class sbuffer_output {
 public:
  explicit sbuffer_output(msgpack::sbuffer& buffer) noexcept;
  sbuffer_output(const sbuffer_output&) = delete;
  sbuffer_output& operator=(const sbuffer_output&) = delete;

  // Points at this object: keep it where it is while the plugin uses it.
  const titan_output* get() const noexcept { return &out_; }

 private:
  titan_output out_;
};

}  // namespace titan::detail
