// A fresh private directory for one test, removed with everything in it when
// the object goes away. Tests put their ipc:// sockets, configs and logs here
// so that no path is ever fixed or shared between runs.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace titan::test {

class temp_dir {
 public:
  temp_dir();  // mkdtemp under $TMPDIR (or /tmp); throws std::runtime_error
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

  // "ipc://DIR/NAME": an endpoint nobody else can be using.
  std::string ipc_endpoint(std::string_view name = "host.sock") const;

  // Writes `text` to DIR/NAME and returns its path.
  std::filesystem::path write_file(std::string_view name, std::string_view text) const;

 private:
  std::filesystem::path path_;
};

// The whole content of a file ("" when it does not exist).
std::string read_file(const std::filesystem::path& path);

}  // namespace titan::test
