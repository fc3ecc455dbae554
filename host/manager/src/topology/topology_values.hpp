// The value forms a topology accepts beyond plain TOML types: durations,
// sizes, ${VAR} expansion, and the words used in messages.
#pragma once

#include <toml++/toml.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace titan::topo {

// A value, or why the text is not one.
template <class T>
struct parsed {
  std::optional<T> value;
  std::string error;
};

// "250ms", "1s", "1.5s", "2m", "1h" (a leading '-' is read, and rejected
// later where the value must not be negative).
parsed<std::chrono::milliseconds> parse_duration(std::string_view text);
// "512", "10MB", "1.5GiB": B, K/KB/KiB, M/MB/MiB, G/GB/GiB, all 1024-based.
parsed<std::uint64_t> parse_size(std::string_view text);
// ${VAR} and ${VAR:-default} from the environment; an unset VAR without a
// default is an error.
parsed<std::string> expand_env(std::string_view text);

// "a string", "an integer", ... for "expected a string, got an integer".
std::string_view type_name(toml::node_type t);
// Levenshtein distance, for "did you mean ...?".
std::size_t edit_distance(std::string_view a, std::string_view b);
// The closest of `candidates` at distance <= 2, or "".
std::string_view closest(std::string_view word, const std::vector<std::string_view>& candidates);
// "a, b or c".
std::string one_of(const std::vector<std::string_view>& words, std::string_view last_joiner = " or ");

inline constexpr const char* duration_forms =
    "an integer of milliseconds or a number with a unit: ms, s, m or h (e.g. 250, \"250ms\", \"1.5s\", \"2m\")";
inline constexpr const char* size_forms =
    "an integer of bytes or a number with a unit: B, K/KB/KiB, M/MB/MiB, G/GB/GiB, all 1024-based (e.g. \"10MB\")";

}  // namespace titan::topo
