// event_loop: how other threads hand work to the manager's loop thread.
// run() queues a function, wakes the loop (an eventfd it polls) and waits
// for the function to have run there, exceptions included. The loop thread
// drains the queue once per turn. Any thread may call run() and wake();
// the loop thread calls the rest.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "titan/detail/unique_fd.hpp"

namespace titan::detail {

class event_loop {
 public:
  event_loop();  // throws titan::Error when no eventfd can be made

  // Runs `fn` on the loop thread and waits for it; on the loop thread
  // itself, runs it at once.
  void run(std::function<void()> fn);
  void wake();

  // The loop thread.
  void set_loop_thread(std::thread::id id) { loop_thread_ = id; }
  bool on_loop_thread() const { return std::this_thread::get_id() == loop_thread_; }
  int wake_fd() const { return wake_fd_.get(); }
  void clear_wake();  // after wake_fd polled readable
  void run_queued();
  // Ends the loop: stopping() is true from now on.
  void stop();
  bool stopping();

 private:
  unique_fd wake_fd_;
  std::thread::id loop_thread_;  // set before any run() from elsewhere

  std::mutex mu_;  // guards queued_, stopping_
  std::deque<std::function<void()>> queued_;
  bool stopping_ = false;
};

}  // namespace titan::detail
