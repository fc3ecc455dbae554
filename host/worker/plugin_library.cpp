#include "plugin_library.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/dll/shared_library.hpp>
#include <cerrno>
#include <cstring>

#include "elf_file.hpp"
#include "host_error.hpp"
#include "titan/descriptor.hpp"
#include "titan/detail/unique_fd.hpp"

namespace titan::host {
namespace {

// Copies the plugin into an anonymous memory file, so that rebuilding or
// overwriting the original while this host runs can never change the code
// it has mapped. Returns the memfd (its path is /proc/self/fd/N).
titan::detail::unique_fd private_copy(const std::string& path) {
  titan::detail::unique_fd src(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!src) {
    if (errno == ENOENT) throw host_error(exit_code::plugin_not_found, "plugin not found: " + path);
    throw host_error(exit_code::plugin_load_failed, "cannot open plugin " + path + ": " + std::strerror(errno));
  }
  struct stat st{};
  if (::fstat(src.get(), &st) != 0 || !S_ISREG(st.st_mode))
    throw host_error(exit_code::plugin_load_failed, "plugin " + path + " is not a regular file");
  titan::detail::unique_fd dst(::memfd_create("titan-plugin", MFD_CLOEXEC));
  if (!dst) throw host_error(exit_code::failure, std::string("memfd_create failed: ") + std::strerror(errno));
  off_t left = st.st_size;
  while (left > 0) {
    ssize_t n = ::sendfile(dst.get(), src.get(), nullptr, static_cast<std::size_t>(left));
    if (n <= 0) {
      const int e = errno;
      throw host_error(exit_code::plugin_load_failed, "cannot copy plugin " + path + ": " + std::strerror(e));
    }
    left -= n;
  }
  return dst;
}

}  // namespace

struct plugin_library::impl {
  boost::dll::shared_library library;
};

std::unique_ptr<plugin_library> plugin_library::load(const std::string& path) {
  titan::detail::unique_fd fd = private_copy(path);
  auto im = std::make_unique<impl>();
  const elf_facts elf = read_elf_facts(fd.get());
  if (elf.is_elf64 && elf.needed > elf.size) {
    throw host_error(exit_code::plugin_load_failed,
                     "cannot load plugin " + path + ": the file is truncated (" + std::to_string(elf.size) +
                         " bytes; its ELF headers describe " + std::to_string(elf.needed) +
                         "): is it still being written?");
  }
  std::string build_id = elf.build_id;
  try {
    // rtld_now: a missing symbol fails here, with its name, not mid-call.
    im->library.load("/proc/self/fd/" + std::to_string(fd.get()),
                     boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    std::string why = e.what();
    // Boost wraps dlerror() as "... (dlerror system message: WHY): errno text"; keep WHY.
    if (auto p = why.find("dlerror system message: "); p != std::string::npos) {
      why = why.substr(p + 24);
      if (auto q = why.rfind("): "); q != std::string::npos) why.resize(q);
    }
    if (auto p = why.find("/proc/self/fd/"); p != std::string::npos) {  // name the user's file, not our copy
      auto end = why.find(':', p);
      why.replace(p, end == std::string::npos ? std::string::npos : end - p, path);
    }
    throw host_error(exit_code::plugin_load_failed, "cannot load plugin " + path + ": " + why);
  }
  fd.reset();  // the mapping keeps the memory file alive

  if (!im->library.has(plugin_symbol)) {
    throw host_error(exit_code::not_a_plugin, "not a Titan plugin: " + path + " exports no '" +
                                                  plugin_symbol + "' descriptor (did you forget TITAN_PLUGIN?)");
  }
  // The symbol is a pointer to the descriptor (BOOST_DLL_ALIAS, TITAN_EXPORT_DESCRIPTOR).
  const void* exported = im->library.get<const void*>(plugin_symbol);
  return std::unique_ptr<plugin_library>(new plugin_library(std::move(im), exported, path, std::move(build_id)));
}

plugin_library::plugin_library(std::unique_ptr<impl> impl, const void* exported, std::string path,
                               std::string build_id)
    : impl_(std::move(impl)), descriptor_(exported, path), path_(std::move(path)), build_id_(std::move(build_id)) {}

plugin_library::~plugin_library() = default;

}  // namespace titan::host
