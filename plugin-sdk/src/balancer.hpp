// Picks the member a call goes to.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "member_link.hpp"
#include "titan/client_options.hpp"

namespace titan::detail {

class balancer {
 public:
  // Round-robin starts at a random member, so that many short-lived clients
  // (say, one CLI call each) do not all begin with the first.
  explicit balancer(balance strategy) : strategy_(strategy), next_(rng_()) {}

  // After a membership change: rebuilds the hash ring from member keys.
  void rebuild(const std::vector<std::unique_ptr<member_link>>& links);

  // A member that takes new calls (not removed), preferring connected ones;
  // `avoid` only if nothing else is left. nullptr when there is none.
  member_link* pick(const std::vector<std::unique_ptr<member_link>>& links, std::optional<std::uint64_t> key_hash,
                    const member_link* avoid = nullptr);

 private:
  member_link* by_hash(std::uint64_t key_hash, const member_link* avoid);

  balance strategy_;
  std::minstd_rand rng_{std::random_device{}()};
  std::size_t next_;
  std::vector<std::pair<std::uint64_t, member_link*>> ring_;  // sorted by point
};

// FNV-1a, 64 bits: stable across processes and runs.
std::uint64_t stable_hash(const void* data, std::size_t size, std::uint64_t seed = 14695981039346656037ull);

}  // namespace titan::detail
