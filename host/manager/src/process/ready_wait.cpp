#include "process/ready_wait.hpp"

#include "loop/event_loop.hpp"
#include "process/host_table.hpp"

namespace titan::detail {

process_info await_ready(std::future<process_info>& ready, std::chrono::milliseconds timeout, event_loop& loop,
                         host_table& hosts, std::uint64_t id, const std::string& what) {
  if (ready.wait_for(timeout) != std::future_status::ready) {
    loop.run([&] {
      if (host_record* r = hosts.find(id))
        hosts.abandon(*r, Error(status_code::deadline_exceeded,
                                what + " did not report READY within " + std::to_string(timeout.count()) + " ms"));
    });
  }
  return ready.get();
}

}  // namespace titan::detail
