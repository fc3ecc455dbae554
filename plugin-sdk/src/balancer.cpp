#include "balancer.hpp"

#include <algorithm>
#include <limits>
#include <string>

namespace titan::detail {
namespace {

constexpr int virtual_nodes = 64;  // points per member: keeps the shares even

bool usable(const member_link& m, const member_link* avoid) { return m.taking_calls() && &m != avoid; }

// A final mix so that nearby keys spread over the ring.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

}  // namespace

std::uint64_t stable_hash(const void* data, std::size_t size, std::uint64_t seed) {
  std::uint64_t h = seed;
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return h;
}

void balancer::rebuild(const std::vector<std::unique_ptr<member_link>>& links) {
  ring_.clear();
  for (const auto& l : links) {
    if (l->removed) continue;
    for (int v = 0; v < virtual_nodes; ++v) {
      std::string point = l->key() + "/" + std::to_string(v);
      ring_.emplace_back(mix(stable_hash(point.data(), point.size())), l.get());
    }
  }
  std::sort(ring_.begin(), ring_.end(),
            [](const auto& a, const auto& b) { return a.first < b.first || (a.first == b.first && a.second < b.second); });
}

member_link* balancer::by_hash(std::uint64_t key_hash, const member_link* avoid) {
  if (ring_.empty()) return nullptr;
  const std::uint64_t point = mix(key_hash);
  auto it = std::lower_bound(ring_.begin(), ring_.end(), point, [](const auto& e, std::uint64_t p) { return e.first < p; });
  // The owner of the point; if it cannot take calls right now, the next
  // distinct member clockwise (where the key would move if it left).
  member_link* fallback = nullptr;
  for (std::size_t n = 0; n < ring_.size(); ++n, ++it) {
    if (it == ring_.end()) it = ring_.begin();
    member_link* m = it->second;
    if (!usable(*m, avoid)) continue;
    if (m->connected || !m->ever_connected) return m;
    if (fallback == nullptr) fallback = m;
  }
  return fallback;
}

member_link* balancer::pick(const std::vector<std::unique_ptr<member_link>>& links,
                            std::optional<std::uint64_t> key_hash, const member_link* avoid) {
  const std::size_t n = links.size();
  if (n == 1) return links[0]->taking_calls() ? links[0].get() : nullptr;  // the common case: one host
  if (n == 0) return nullptr;
  if (strategy_ == balance::consistent_hash && key_hash) {
    if (member_link* m = by_hash(*key_hash, avoid)) return m;
    return avoid && avoid->taking_calls() ? const_cast<member_link*>(avoid) : nullptr;
  }
  std::size_t start = strategy_ == balance::random ? rng_() % n : next_++ % n;
  member_link* best = nullptr;
  bool best_connected = false;
  for (std::size_t i = 0; i < n; ++i) {
    member_link* m = links[(start + i) % n].get();
    if (!usable(*m, avoid)) continue;
    const bool ready = m->connected;
    if (strategy_ == balance::least_loaded) {
      if (best == nullptr || (ready && !best_connected) ||
          (ready == best_connected && m->in_flight < best->in_flight)) {
        best = m;
        best_connected = ready;
      }
      continue;
    }
    if (ready) return m;
    if (best == nullptr) best = m;  // not connected yet: its outbox waits for the connection
  }
  if (best == nullptr && avoid != nullptr && avoid->taking_calls()) return const_cast<member_link*>(avoid);
  return best;
}

}  // namespace titan::detail
