// runtime_base: $XDG_RUNTIME_DIR when it is set and writable, else /tmp.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <optional>
#include <string>

#include "process/runtime_base.hpp"
#include "temp_dir.hpp"

namespace {

// Sets (or, with nullopt, unsets) an environment variable for one scope.
class scoped_env {
 public:
  scoped_env(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) ::setenv(name, value->c_str(), 1);
    else ::unsetenv(name);
  }
  ~scoped_env() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("runtime_base: $XDG_RUNTIME_DIR when set and writable, else the shared /tmp", "[runtime_base]") {
  titan::test::temp_dir dir;
  {
    scoped_env xdg("XDG_RUNTIME_DIR", dir.path().string());
    const auto base = titan::detail::runtime_base();
    CHECK(base.path == dir.path().string());
    CHECK_FALSE(base.shared);
  }
  using maybe = std::optional<std::string>;
  for (const maybe& unusable : {maybe{}, maybe{""}, maybe{(dir / "missing").string()}}) {  // unset, empty, missing
    scoped_env xdg("XDG_RUNTIME_DIR", unusable);
    const auto base = titan::detail::runtime_base();
    CHECK(base.path == "/tmp");
    CHECK(base.shared);
  }
}
