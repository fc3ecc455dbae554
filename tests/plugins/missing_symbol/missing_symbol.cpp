// A plugin that uses a function nobody defines. It links (no
// -Wl,--no-undefined) but dlopen(RTLD_NOW) fails naming the symbol.
#include <titan/titan.hpp>

extern "C" int titan_test_symbol_nobody_defines(int);

class MissingSymbolService {
 public:
  int value(int x) { return titan_test_symbol_nobody_defines(x); }
};

TITAN_SERVICE(MissingSymbolService, "missing-symbol", value)
TITAN_PLUGIN(MissingSymbolService, "1.0.0")
