#include "process_table.hpp"

#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <string>

namespace titan::cli {
namespace {

std::string human_duration(std::int64_t ms) {
  const std::int64_t s = ms / 1000;
  char buf[32];
  if (s < 60) std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  else std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(s / 3600), static_cast<long long>(s / 60 % 60));
  return buf;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* header_format = "%-4s %-8s %-10s %8s %7s %6s %8s %8s  %-16s %s\n";

void print_header(const char* first, int width) {
  std::printf("%-*s ", width, first);
  std::printf(header_format, "ID", "PID", "STATE", "RESTARTS", "UPTIME", "CPU%", "RSS", "CALLS", "VERSION",
              "ENDPOINT / REASON");
}

// "2.0.0+9e8d7c6" : the plugin's version and the start of its build id, so
// two builds of one version differ.
std::string version_text(const process_record& r) {
  if (r.version.empty()) return "-";
  return r.build_id.empty() ? r.version : r.version + "+" + r.build_id.substr(0, 7);
}

// The figures of one process, after its name column; `note` follows the endpoint.
void print_figures(const process_record& r, const std::string& state, std::uint64_t restarts,
                   const std::string& note = {}) {
  const bool live = r.state != "exited";
  char rss[32];
  std::snprintf(rss, sizeof rss, "%.1fM", static_cast<double>(r.rss_bytes) / (1024.0 * 1024.0));
  std::printf("%-4llu %-8lld %-10s %8llu %7s %6.1f %8s %8llu  %-16s %s\n", static_cast<unsigned long long>(r.id),
              static_cast<long long>(r.pid), state.c_str(), static_cast<unsigned long long>(restarts),
              live ? human_duration(now_ms() - r.started_ms).c_str() : "-", r.cpu_percent, live ? rss : "-",
              static_cast<unsigned long long>(r.calls), version_text(r).c_str(),
              ((live ? r.endpoint : r.exit_reason) + note).c_str());
}

}  // namespace

nlohmann::json to_json(const process_record& r) {
  return {{"id", r.id},           {"group", r.group},         {"name", r.name},           {"service", r.service},
          {"version", r.version}, {"plugin", r.plugin},       {"endpoint", r.endpoint},   {"pid", r.pid},
          {"state", r.state},     {"started_ms", r.started_ms}, {"restarts", r.restarts}, {"adopted", r.adopted},
          {"cpu_percent", r.cpu_percent}, {"rss_bytes", r.rss_bytes}, {"exit_reason", r.exit_reason},
          {"calls", r.calls},     {"supervisor", r.supervisor}, {"log_file", r.log_file}, {"build_id", r.build_id}};
}

nlohmann::json to_json(const tree_record& r) {
  return {{"name", r.name},     {"kind", r.kind},         {"depth", r.depth},   {"parent", r.parent},
          {"state", r.state},   {"restarts", r.restarts}, {"reason", r.reason}, {"restart_type", r.restart_type},
          {"detail", r.detail}, {"host", r.host}};
}

void print_table(const std::vector<process_record>& rows) {
  print_header("NAME", 16);
  for (const auto& r : rows) {
    std::printf("%-16s ", r.name.c_str());
    print_figures(r, r.state, r.restarts);
  }
}

void print_tree(const std::vector<tree_record>& tree, const std::vector<process_record>& processes) {
  std::map<std::uint64_t, const process_record*> by_id;
  for (const auto& p : processes) by_id[p.id] = &p;
  std::set<std::uint64_t> shown;
  print_header("TREE", 40);
  for (std::size_t i = 0; i < tree.size(); ++i) {
    const tree_record& t = tree[i];
    // Box-drawing prefix: for each ancestor level, whether more siblings follow.
    std::string prefix;
    for (std::uint64_t d = 1; d <= t.depth; ++d) {
      bool more = false;
      for (std::size_t j = i + 1; j < tree.size() && tree[j].depth >= d; ++j)
        if (tree[j].depth == d) {
          more = true;
          break;
        }
      if (d == t.depth) prefix += more ? "├─ " : "└─ ";
      else prefix += more ? "│  " : "   ";
    }
    std::string label = prefix + t.name;
    if (t.kind == "supervisor" || t.kind == "pool") label += " [" + (t.kind == "pool" ? "pool " + t.detail : t.detail) + "]";
    // Pad by characters shown, not bytes (the box characters are 3 bytes).
    std::size_t shown_width = 0;
    for (unsigned char c : label) shown_width += (c & 0xC0) != 0x80;
    std::printf("%s%*s ", label.c_str(), static_cast<int>(shown_width < 40 ? 40 - shown_width : 0), "");
    auto host = by_id.find(t.host);
    if (host != by_id.end() && t.host != 0) {
      shown.insert(t.host);
      // Why it was last restarted, as long as that is news.
      const std::string note = t.restarts > 0 && !t.reason.empty() ? "  (last exit: " + t.reason + ")" : "";
      print_figures(*host->second, host->second->state == "running" ? t.state : host->second->state, t.restarts, note);
    } else {
      std::printf("%-4s %-8s %-10s %8llu %7s %6s %8s %8s  %-16s %s\n", "-", "-", t.state.c_str(),
                  static_cast<unsigned long long>(t.restarts), "-", "-", "-", "-", "-", t.reason.c_str());
    }
  }
  std::vector<process_record> rest;
  for (const auto& p : processes)
    if (!shown.count(p.id) && (p.supervisor.empty() || p.state != "exited")) rest.push_back(p);
  if (rest.empty()) return;
  std::printf("\n");
  print_table(rest);
}

}  // namespace titan::cli
