// load: stores a batch of clean rows, at most `max_rows` (config, default
// 10) at a time, and removes it again on demand (the compensation of
// store, should a later stage fail).
#pragma once

#include <map>

#include "pipeline_types.hpp"

class LoadService {
 public:
  explicit LoadService(titan::Context& ctx) : max_rows_(ctx.config_value<std::int64_t>("max_rows", 10)) {}

  // RESOURCE_EXHAUSTED when the batch has more than max_rows rows.
  Receipt store(const std::string& batch, const std::vector<CleanRow>& rows);
  // Removes a stored batch; false when it was not stored.
  bool remove(const std::string& batch);
  std::int64_t stored_rows();

 private:
  std::int64_t max_rows_;
  std::map<std::string, std::vector<CleanRow>> stored_;
};

TITAN_SERVICE(LoadService, "load", store, remove, (stored_rows, titan::idempotent))
