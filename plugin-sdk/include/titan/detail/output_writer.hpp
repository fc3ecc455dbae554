// The plugin's side of a titan_output (plugin_abi.h): a msgpack-c buffer, so
// that a result is packed straight into the host's buffer, and the place an
// error message goes.
#pragma once

#include <cstddef>
#include <string_view>

#include "titan/plugin_abi.h"
#include "titan/status.hpp"

namespace titan::detail {

class output_writer {
 public:
  explicit output_writer(const titan_output& out) noexcept : out_(out) {}

  // What msgpack::packer calls. Throws when the host cannot take the bytes.
  void write(const char* data, std::size_t size) {
    if (out_.write(out_.handle, data, size) != TITAN_OK)
      throw Error(status_code::resource_exhausted, "the host could not take the result");
  }

  // Replaces whatever was written with `message` (an error's text).
  void set_message(std::string_view message) noexcept {
    out_.reset(out_.handle);
    (void)out_.write(out_.handle, message.data(), message.size());
  }

 private:
  const titan_output& out_;
};

}  // namespace titan::detail
