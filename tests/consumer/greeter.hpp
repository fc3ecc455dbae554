// The greeter service, shared by the plugin and its clients.
#pragma once

#include <string>

#include <titan/titan.hpp>

class Greeter {
 public:
  std::string greet(std::string name) { return "hello, " + name; }
};

TITAN_SERVICE(Greeter, "greeter", (greet, titan::idempotent))
