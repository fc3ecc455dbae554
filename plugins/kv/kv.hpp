// The kv service: a small key-value store that keeps its data across a hot
// reload (titan reload kv) by handing it over with snapshot()/restore().
// Shared by the plugin and its clients.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <titan/titan.hpp>

namespace titan {
class Context;
}

class KvStore {
 public:
  KvStore() = default;
  explicit KvStore(titan::Context& ctx);

  void put(const std::string& key, const std::string& value);
  std::optional<std::string> get(const std::string& key);
  bool erase(const std::string& key);
  std::uint64_t size() { return data_.size(); }
  std::vector<std::string> keys();
  // Which build answers: the plugin's version string.
  std::string version();
  // Puts `value` under `key` and returns the value it had ("" if none), so
  // that a client can check that no write was lost or applied twice.
  std::string swap(const std::string& key, const std::string& value);

  // State handover (titan/state.hpp). The layout of a snapshot has a
  // version: this build writes kv_snapshot_format and reads every format
  // from kv_oldest_readable_format on; anything else is refused.
  titan::snapshot snapshot();
  void restore(const titan::snapshot& s);
  bool healthy();

 private:
  std::map<std::string, std::string> data_;
  std::uint64_t writes_ = 0;
};

TITAN_SERVICE(KvStore, "kv", put, (get, titan::idempotent | titan::key(0)), erase, (size, titan::idempotent),
              (keys, titan::idempotent), (version, titan::idempotent), swap)
