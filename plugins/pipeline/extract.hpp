// extract: reads `count` rows from a source (made up here) as a batch, and
// keeps the batch open until it is released, by a later stage or by the
// workflow's compensation.
#pragma once

#include <set>

#include "pipeline_types.hpp"

class ExtractService {
 public:
  Batch run(const std::string& source, std::int64_t count);
  // Lets go of a batch (the compensation of run). False when it was not open.
  bool release(const std::string& batch);
  std::vector<std::string> open_batches();

 private:
  std::int64_t next_ = 1;
  std::set<std::string> open_;
};

TITAN_SERVICE(ExtractService, "extract", run, release, (open_batches, titan::idempotent))
