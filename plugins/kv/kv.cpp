#include "kv.hpp"

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include <titan/plugin.hpp>

// A build can be given another version and snapshot format (the tests
// build several: see tests/plugins/CMakeLists.txt).
#ifndef KV_VERSION
#define KV_VERSION "1.0.0"
#endif
#ifndef KV_SNAPSHOT_FORMAT
#define KV_SNAPSHOT_FORMAT 1
#endif
#ifndef KV_OLDEST_READABLE_FORMAT
#define KV_OLDEST_READABLE_FORMAT 1
#endif

namespace {

constexpr std::uint32_t kv_snapshot_format = KV_SNAPSHOT_FORMAT;
constexpr std::uint32_t kv_oldest_readable_format = KV_OLDEST_READABLE_FORMAT;

// Format 1: a msgpack map of the entries. Format 2 and later: an array
// [entries, writes].
struct state_v2 {
  std::map<std::string, std::string> entries;
  std::uint64_t writes = 0;
  MSGPACK_DEFINE(entries, writes);
};

}  // namespace

KvStore::KvStore(titan::Context&) {
#ifdef KV_CRASH_AFTER_MS  // a build that dies soon after it starts (tests: probation)
  std::thread([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(KV_CRASH_AFTER_MS));
    std::abort();
  }).detach();
#endif
}

void KvStore::put(const std::string& key, const std::string& value) {
  data_[key] = value;
  ++writes_;
}

std::optional<std::string> KvStore::get(const std::string& key) {
  auto it = data_.find(key);
  if (it == data_.end()) return std::nullopt;
  return it->second;
}

bool KvStore::erase(const std::string& key) {
  ++writes_;
  return data_.erase(key) != 0;
}

std::vector<std::string> KvStore::keys() {
  std::vector<std::string> out;
  for (const auto& [k, v] : data_) out.push_back(k);
  return out;
}

std::string KvStore::version() { return KV_VERSION; }

std::string KvStore::swap(const std::string& key, const std::string& value) {
  std::string previous = std::exchange(data_[key], value);
  ++writes_;
  return previous;
}

titan::snapshot KvStore::snapshot() {
  msgpack::sbuffer out;
  if (kv_snapshot_format == 1)
    msgpack::pack(out, data_);
  else
    msgpack::pack(out, state_v2{data_, writes_});
  return {kv_snapshot_format, std::string(out.data(), out.size())};
}

void KvStore::restore(const titan::snapshot& s) {
  if (s.version < kv_oldest_readable_format || s.version > kv_snapshot_format)
    throw std::runtime_error("kv " KV_VERSION " reads snapshot formats " + std::to_string(kv_oldest_readable_format) +
                             " to " + std::to_string(kv_snapshot_format) + ", not format " + std::to_string(s.version));
  msgpack::object_handle h = msgpack::unpack(s.data.data(), s.data.size());
  if (s.version == 1) {
    data_ = h.get().as<std::map<std::string, std::string>>();
  } else {
    auto st = h.get().as<state_v2>();
    data_ = std::move(st.entries);
    writes_ = st.writes;
  }
}

bool KvStore::healthy() {
#ifdef KV_FAIL_HEALTH  // a build that starts but says it is not healthy (tests)
  return false;
#else
  return true;
#endif
}

TITAN_PLUGIN(KvStore, KV_VERSION)
