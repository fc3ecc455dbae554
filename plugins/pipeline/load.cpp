#include "load.hpp"

Receipt LoadService::store(const std::string& batch, const std::vector<CleanRow>& rows) {
  const auto n = static_cast<std::int64_t>(rows.size());
  if (n > max_rows_)
    throw titan::Error(titan::status_code::resource_exhausted, "batch " + batch + " has " + std::to_string(n) +
                                                                   " rows, more than max_rows " +
                                                                   std::to_string(max_rows_));
  Receipt r{batch, n, 0};
  for (const auto& row : rows) r.words += row.words;
  stored_[batch] = rows;
  return r;
}

bool LoadService::remove(const std::string& batch) { return stored_.erase(batch) > 0; }

std::int64_t LoadService::stored_rows() {
  std::int64_t n = 0;
  for (const auto& [batch, rows] : stored_) n += static_cast<std::int64_t>(rows.size());
  return n;
}

TITAN_PLUGIN(LoadService, "1.0.0")
