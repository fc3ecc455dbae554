// api_workers: runs calls of the titan.manager service off the loop thread,
// which they call back into (every ProcessManager method waits for the
// loop). Quick calls run one at a time on one thread; reloads, which take
// seconds, on a second one, so that `ps` answers meanwhile. The reply of
// each call goes back through `reply_fn`.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "titan/wire.hpp"

namespace titan::detail {

class api_workers {
 public:
  // Runs one method: the REPLY body, or throws titan::Error.
  using handler = std::function<std::string(std::string_view method, const char* body, std::size_t size)>;
  // Sends a reply to the caller (from a worker thread).
  using reply_fn = std::function<void(const std::string& routing_id, wire::kind k, std::uint64_t call_id,
                                      const std::string& body)>;

  explicit api_workers(reply_fn reply);
  ~api_workers();  // stop()
  api_workers(const api_workers&) = delete;
  api_workers& operator=(const api_workers&) = delete;

  // Starts the threads; before it, calls are answered UNIMPLEMENTED.
  void serve(handler h);
  bool serving() const { return static_cast<bool>(handler_); }
  void submit(std::string routing_id, std::uint64_t call_id, std::string method, std::string body);
  // Lets the call that runs finish; what is queued is dropped. Joins.
  void stop();

 private:
  using queue = std::deque<std::function<void()>>;
  void run(queue& jobs);
  void answer(const std::string& routing_id, std::uint64_t call_id, const std::string& method,
              const std::string& body);

  reply_fn reply_;
  handler handler_;  // set once by serve(), before the threads start

  std::mutex mu_;  // guards quick_, slow_, stopping_
  std::condition_variable cv_;
  queue quick_;
  queue slow_;
  bool stopping_ = false;
  std::thread quick_thread_;
  std::thread slow_thread_;
};

}  // namespace titan::detail
