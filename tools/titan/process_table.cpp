#include "process_table.hpp"

#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <string>

namespace titan::cli {
namespace {

std::string human_duration(std::chrono::system_clock::duration d) {
  const std::int64_t s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  char buf[32];
  if (s < 60) std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  else std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(s / 3600), static_cast<long long>(s / 60 % 60));
  return buf;
}

const char* header_format = "%-4s %-8s %-10s %8s %7s %6s %8s %8s  %-16s %s\n";

void print_header(const char* first, int width) {
  std::printf("%-*s ", width, first);
  std::printf(header_format, "ID", "PID", "STATE", "RESTARTS", "UPTIME", "CPU%", "RSS", "CALLS", "VERSION",
              "ENDPOINT / REASON");
}

// "2.0.0+9e8d7c6" : the plugin's version and the start of its build id, so
// two builds of one version differ.
std::string version_text(const process_info& r) {
  if (r.version.empty()) return "-";
  return r.build_id.empty() ? r.version : r.version + "+" + r.build_id.substr(0, 7);
}

// The figures of one process, after its name column; `note` follows the endpoint.
void print_figures(const process_info& r, std::string_view state, std::uint64_t restarts,
                   const std::string& note = {}) {
  const bool live = r.state != process_state::exited;
  char rss[32];
  std::snprintf(rss, sizeof rss, "%.1fM", static_cast<double>(r.rss_bytes) / (1024.0 * 1024.0));
  std::printf("%-4llu %-8lld %-10s %8llu %7s %6.1f %8s %8llu  %-16s %s\n", static_cast<unsigned long long>(r.id),
              static_cast<long long>(r.pid), std::string(state).c_str(), static_cast<unsigned long long>(restarts),
              live ? human_duration(std::chrono::system_clock::now() - r.started).c_str() : "-", r.cpu_percent, live ? rss : "-",
              static_cast<unsigned long long>(r.calls), version_text(r).c_str(),
              ((live ? r.endpoint : r.exit_reason) + note).c_str());
}

}  // namespace

void print_table(const std::vector<process_info>& rows) {
  print_header("NAME", 16);
  for (const auto& r : rows) {
    std::printf("%-16s ", r.name.c_str());
    print_figures(r, to_string(r.state), r.restarts);
  }
}

void print_tree(const std::vector<supervision_row>& tree, const std::vector<process_info>& processes) {
  std::map<std::uint64_t, const process_info*> by_id;
  for (const auto& p : processes) by_id[p.id] = &p;
  std::set<std::uint64_t> shown;
  print_header("TREE", 40);
  for (std::size_t i = 0; i < tree.size(); ++i) {
    const supervision_row& t = tree[i];
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
      const process_info& p = *host->second;
      print_figures(p, p.state == process_state::running ? std::string_view(t.state) : to_string(p.state), t.restarts,
                    note);
    } else {
      std::printf("%-4s %-8s %-10s %8llu %7s %6s %8s %8s  %-16s %s\n", "-", "-", t.state.c_str(),
                  static_cast<unsigned long long>(t.restarts), "-", "-", "-", "-", "-", t.reason.c_str());
    }
  }
  std::vector<process_info> rest;
  for (const auto& p : processes)
    if (!shown.count(p.id) && (p.supervisor.empty() || p.state != process_state::exited)) rest.push_back(p);
  if (rest.empty()) return;
  std::printf("\n");
  print_table(rest);
}

}  // namespace titan::cli
