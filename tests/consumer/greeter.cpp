#include "greeter.hpp"

TITAN_PLUGIN(Greeter, "1.0.0")
