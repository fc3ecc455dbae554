// One ZeroMQ context per process, alive while any socket of the SDK is.
#pragma once

#include <memory>

#include <zmq.hpp>

namespace titan::detail {

// Created on first use and destroyed when the last holder lets go, so no
// context outlives main() or blocks a static destructor.
std::shared_ptr<zmq::context_t> shared_context();

}  // namespace titan::detail
