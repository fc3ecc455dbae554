#include "report_stream.hpp"

#include "report.hpp"

namespace titan::bench {

std::vector<std::string> stream_errors(const results& r) {
  if (r.stream.error.empty()) return {};
  return {"streams: " + r.stream.error};
}

void print_stream_table(const results& r, std::ostream& out) {
  const stream_bench_result& s = r.stream;
  if (r.config.stream_items == 0) return;
  out << format("streams: a titan-host streaming items to a titan::Reader (window %u, ipc), against a raw ZeroMQ "
                "ROUTER in another process pushing the same packed items to a DEALER; median of %zu rounds\n",
                s.window, std::max<std::size_t>(1, r.config.stream_rounds));
  out << format("  %-34s %14s %14s %8s\n", "", "titan", "raw zmq", "ratio");
  out << format("  %-34s %14.0f %14.0f %7.2fx\n", format("items/s, uint64 (x%zu)", s.small_items).c_str(),
                s.titan_small.items_per_s, s.raw_small.items_per_s, s.small_ratio);
  out << format("  %-34s %14.1f %14.1f %7.2fx\n", format("MB/s, 64 KiB items (x%zu)", s.big_items).c_str(),
                s.titan_big.mb_per_s, s.raw_big.mb_per_s, s.big_ratio);
  if (s.slow_items > 0)
    out << format("  a slow reader (1 ms pause every 10 000 items) took %zu items in %.1f s; host RSS %.1f MB "
                  "before, peak %.1f MB (VmHWM)\n",
                  s.slow_items, s.slow_seconds, static_cast<double>(s.host_rss_before) / 1e6,
                  static_cast<double>(s.host_hwm_after) / 1e6);
  if (!s.error.empty()) out << "  not measured: " << s.error << "\n";
  out << "\n";
}

nlohmann::json stream_json(const results& r) {
  const stream_bench_result& s = r.stream;
  auto side = [](const stream_side& x) { return nlohmann::json{{"items_per_s", x.items_per_s}, {"mb_per_s", x.mb_per_s}}; };
  return {{"small_items", s.small_items},
          {"big_items", s.big_items},
          {"big_size", s.big_size},
          {"window", s.window},
          {"titan_small", side(s.titan_small)},
          {"raw_small", side(s.raw_small)},
          {"titan_big", side(s.titan_big)},
          {"raw_big", side(s.raw_big)},
          {"small_ratio", s.small_ratio},
          {"big_ratio", s.big_ratio},
          {"slow", {{"items", s.slow_items}, {"seconds", s.slow_seconds}, {"host_rss_before", s.host_rss_before},
                    {"host_hwm_after", s.host_hwm_after}}},
          {"error", s.error}};
}

}  // namespace titan::bench
