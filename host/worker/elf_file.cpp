#include "elf_file.hpp"

#include <elf.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>

namespace titan::host {
namespace {

// Walks the notes in [p, end) for NT_GNU_BUILD_ID.
std::string find_in_notes(const unsigned char* p, const unsigned char* end) {
  auto align4 = [](std::size_t n) { return (n + 3) & ~std::size_t{3}; };
  while (end - p >= static_cast<std::ptrdiff_t>(sizeof(Elf64_Nhdr))) {
    Elf64_Nhdr n;
    std::memcpy(&n, p, sizeof n);
    const unsigned char* name = p + sizeof n;
    const unsigned char* desc = name + align4(n.n_namesz);
    if (desc > end || desc + n.n_descsz > end) break;
    if (n.n_type == NT_GNU_BUILD_ID && n.n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
      static constexpr char hex[] = "0123456789abcdef";
      std::string out;
      for (std::size_t i = 0; i < n.n_descsz; ++i) {
        out += hex[desc[i] >> 4];
        out += hex[desc[i] & 15];
      }
      return out;
    }
    p = desc + align4(n.n_descsz);
  }
  return {};
}

}  // namespace

elf_facts read_elf_facts(int fd) {
  elf_facts facts;
  struct stat st{};
  if (::fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(sizeof(Elf64_Ehdr))) return facts;
  const std::size_t size = static_cast<std::size_t>(st.st_size);
  facts.size = size;
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (map == MAP_FAILED) return facts;
  const auto* base = static_cast<const unsigned char*>(map);
  Elf64_Ehdr eh;
  std::memcpy(&eh, base, sizeof eh);
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
      eh.e_phentsize == sizeof(Elf64_Phdr)) {
    facts.is_elf64 = true;
    auto need = [&](std::uint64_t end) { facts.needed = std::max<std::uint64_t>(facts.needed, end); };
    need(eh.e_phoff + std::uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr));
    need(eh.e_shoff + std::uint64_t{eh.e_shnum} * eh.e_shentsize);
    if (eh.e_phoff + std::size_t{eh.e_phnum} * sizeof(Elf64_Phdr) <= size) {
      for (unsigned i = 0; i < eh.e_phnum; ++i) {
        Elf64_Phdr ph;
        std::memcpy(&ph, base + eh.e_phoff + i * sizeof ph, sizeof ph);
        need(ph.p_offset + ph.p_filesz);
        if (ph.p_type == PT_NOTE && facts.build_id.empty() && ph.p_offset + ph.p_filesz <= size)
          facts.build_id = find_in_notes(base + ph.p_offset, base + ph.p_offset + ph.p_filesz);
      }
    }
  }
  ::munmap(map, size);
  return facts;
}

}  // namespace titan::host
