// A first end-to-end reload: kv v1 -> v2 under a steady load, state kept.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <titan/process_manager.hpp>

#include "host_process.hpp"
#include "kv.hpp"

using namespace std::chrono_literals;

namespace {
titan::ProcessManager::options opts() {
  titan::ProcessManager::options o;
  o.host_binary = titan::test::host_binary();
  o.logger = std::make_shared<spdlog::logger>("reload-test", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  o.logger->set_level(std::getenv("TITAN_TEST_VERBOSE") ? spdlog::level::debug : spdlog::level::off);
  return o;
}
}  // namespace

TEST_CASE("smoke: a reload keeps kv's state and loses no call") {
  titan::ProcessManager pm(opts());
  titan::supervisor_spec spec;
  spec.name = "top";
  titan::host_spec h;
  h.plugin = titan::test::plugin_path("kv");
  spec.children.push_back(titan::service_child("kv", h.plugin, h));
  pm.supervise(spec);
  auto kv = pm.discover<KvStore>("kv");
  kv.put("a", "1").get();
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::string first_error;
  std::thread load([&] {
    int i = 0;
    while (!stop) {
      try {
        kv.swap("k" + std::to_string(i % 10), std::to_string(i)).get();
        ++ok;
      } catch (const std::exception& e) {
        if (failed++ == 0) first_error = e.what();
      }
      ++i;
    }
  });
  titan::reload_options ro;
  ro.plugin = titan::test::test_plugin_path("kv_v2");
  ro.probation = 200ms;
  auto report = pm.reload("kv", ro);
  stop = true;
  load.join();
  INFO(first_error);
  CHECK(failed == 0);
  CHECK(ok > 0);
  CHECK(report.version == "2.0.0");
  CHECK(report.previous_version == "1.0.0");
  CHECK(kv.get("a").get() == std::optional<std::string>("1"));
  CHECK(kv.version().get() == "2.0.0");
}
