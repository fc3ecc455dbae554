// What titan-host reads from a plugin file itself before dlopen: its GNU
// build id (the linker's --build-id note, which tells two builds of one
// version apart), and whether the file is whole. dlopen maps segments the
// headers describe; past the end of a truncated file (a plugin still being
// written) that is SIGBUS, not an error, so a short file is refused first.
#pragma once

#include <cstdint>
#include <string>

namespace titan::host {

struct elf_facts {
  std::string build_id;     // hex; "" when there is none
  std::uint64_t size = 0;   // of the file
  std::uint64_t needed = 0; // bytes its headers describe; > size: truncated
  bool is_elf64 = false;    // anything else is left to dlopen to refuse
};

elf_facts read_elf_facts(int fd);

}  // namespace titan::host
