#include "extract.hpp"

#include <array>

Batch ExtractService::run(const std::string& source, std::int64_t count) {
  if (count < 0 || count > 1000)
    throw titan::Error(titan::status_code::invalid_argument,
                       "count must be 0 to 1000 (got " + std::to_string(count) + ")");
  static constexpr std::array<const char*, 5> lines{"  the quick brown fox ", "jumps over", " the lazy dog  ",
                                                     "hello titan", "  workflows compensate  "};
  Batch b;
  b.batch = source + "-" + std::to_string(next_++);
  for (std::int64_t i = 0; i < count; ++i)
    b.rows.push_back({i + 1, lines[static_cast<std::size_t>(i) % lines.size()]});
  open_.insert(b.batch);
  return b;
}

bool ExtractService::release(const std::string& batch) { return open_.erase(batch) > 0; }

std::vector<std::string> ExtractService::open_batches() { return {open_.begin(), open_.end()}; }

TITAN_PLUGIN(ExtractService, "1.0.0")
