#include "instance.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>

#include "commands.hpp"
#include "process/runtime_base.hpp"

namespace titan::cli {

std::string instances_dir() {
  const detail::runtime_base_dir base = detail::runtime_base();
  std::string dir = base.shared ? base.path + "/titan-" + std::to_string(::getuid()) : base.path + "/titan";
  ::mkdir(dir.c_str(), 0700);
  return dir;
}

void add_common_options(CLI::App& app, common_args& common) {
  app.add_option("--instance,-i", common.instance, "Which daemon (default: $TITAN_INSTANCE or \"default\")");
  app.add_option("--timeout", common.timeout_ms,
                 "Deadline of each call in milliseconds (default: the service's call_timeout, else 5000; "
                 "titan stream: none; titan run: for stages without their own timeout)")
      ->check(CLI::Range(1L, 24L * 3600 * 1000))
      ->each([&common](const std::string&) { common.timeout_given = true; });
}

std::string instance_dir(const std::string& instance) { return instances_dir() + "/" + instance; }

std::string control_endpoint(const std::string& instance) {
  std::ifstream f(instance_dir(instance) + "/control.endpoint");
  std::string endpoint;
  if (f >> endpoint) return endpoint;
  return "ipc://" + instance_dir(instance) + "/control.sock";
}

void write_control_endpoint(const std::string& instance, const std::string& endpoint) {
  const std::string path = instance_dir(instance) + "/control.endpoint";
  std::ofstream f(path + ".tmp", std::ios::trunc);
  f << endpoint << '\n';
  f.close();
  std::rename((path + ".tmp").c_str(), path.c_str());
}

bool daemon_running(const std::string& instance) {
  const std::string dir = instance_dir(instance);
  return ::access((dir + "/control.sock").c_str(), F_OK) == 0 || ::access((dir + "/control.endpoint").c_str(), F_OK) == 0;
}

titan::Proxy<titan::manager_api> connect_manager(const std::string& instance, long timeout_ms) {
  if (!daemon_running(instance))
    throw Error(status_code::unavailable, "no titan daemon runs for instance '" + instance +
                                              "' (start one with: titan daemon --detach" +
                                              (instance == "default" ? "" : " --instance " + instance) + ")");
  return titan::connect<titan::manager_api>(control_endpoint(instance),
                                            {.timeout = std::chrono::milliseconds(timeout_ms)});
}

}  // namespace titan::cli
