// A service whose constructor throws: titan-host must exit with
// constructor_threw (7) and print the exception's message.
#include <stdexcept>

#include <titan/titan.hpp>

class ThrowingCtorService {
 public:
  ThrowingCtorService() { throw std::runtime_error("database unreachable"); }
  int value() { return 1; }
};

TITAN_SERVICE(ThrowingCtorService, "throwing-ctor", value)
TITAN_PLUGIN(ThrowingCtorService, "1.0.0")
