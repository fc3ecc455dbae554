// The GNU build id of an ELF file (the linker's --build-id note), as hex:
// it tells two builds of a plugin apart even when their version string is
// the same. Empty when the file has none.
#pragma once

#include <string>

namespace titan::host {

std::string elf_build_id(int fd);

}  // namespace titan::host
