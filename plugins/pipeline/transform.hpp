// transform: cleans one row (trims, upper-cases, counts words). Stateless,
// so it runs as a pool and a workflow fans a batch out over it.
#pragma once

#include "pipeline_types.hpp"

class TransformService {
 public:
  explicit TransformService(titan::Context& ctx) : worker_(ctx.name()) {}
  CleanRow run(const Row& row);

 private:
  std::string worker_;
};

TITAN_SERVICE(TransformService, "transform", (run, titan::idempotent))
