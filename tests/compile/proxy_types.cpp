// Compiled, never run: a typed proxy call compiles exactly when the method
// could be called with those arguments. CMake builds this file once as is
// (it must compile) and once per TITAN_WRONG_* variant (each must not).
#include "echo.hpp"

int main() {
  auto echo = titan::connect<EchoService>("ipc:///nonexistent");
#if defined(TITAN_WRONG_TYPE)
  auto f = echo.add("two", 3);
#elif defined(TITAN_WRONG_COUNT)
  auto f = echo.add(2);
#elif defined(TITAN_WRONG_STRUCT)
  auto f = echo.midpoint(Point{}, 5);
#elif defined(TITAN_WRONG_RESULT)
  std::string s = echo.add(2, 3).get();
  auto f = echo.noop();
#else
  titan::Future<std::int64_t> f = echo.add(2, 3);
  titan::Future<Point> m = echo.midpoint(Point{}, Point{1, 1});
  titan::Future<std::optional<std::string>> l = echo.lookup({{"a", "b"}}, "a");
  titan::Future<void> n = echo.noop();
  titan::Future<std::int64_t> narrow = echo.add(2, short{3});  // implicit conversions are fine
#endif
  return f.valid() ? 0 : 1;
}
