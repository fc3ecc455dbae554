// One run of a workflow. The thread that calls run() schedules: it starts
// a thread for each stage whose dependencies have all run (every ready
// stage at once), and waits for stages to end; a stage that is the only
// one running runs on that thread itself. The first stage to fail
// sets `stopping_`: nothing starts after it, stages waiting to retry give
// up, running calls finish or reach their deadline. Then the stages that
// ran are compensated, one at a time, in reverse order of completion.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "service_clients.hpp"
#include "titan/workflow.hpp"
#include "value_template.hpp"

namespace titan::wf {

class workflow_run {
 public:
  using progress_fn = std::function<void(const workflow_event&)>;

  workflow_run(const workflow_spec& spec, detail::service_clients& clients, const progress_fn& progress);
  ~workflow_run();
  workflow_run(const workflow_run&) = delete;
  workflow_run& operator=(const workflow_run&) = delete;

  workflow_report run(const workflow_value& input);

 private:
  struct slot {
    std::vector<std::size_t> deps;       // its depends_on, as indexes
    std::vector<std::size_t> ancestors;  // every stage it depends on, directly or not
    bool running = false;
    bool done = false;
    std::thread thread;
  };

  // mu_ held. Starts a thread for each stage that is ready, or returns the
  // one stage to run on the calling thread when nothing else runs.
  std::optional<std::size_t> start_ready();
  void run_stage(std::size_t i, template_scope scope);  // on the stage's own thread
  void end_stage(std::size_t i, std::vector<workflow_value> results, unsigned attempts, const Error* error);
  void compensate(std::size_t i);
  void finish_output();
  template_scope scope_for(std::size_t i) const;  // the outputs stage i may name
  bool backoff_wait(std::chrono::milliseconds delay);  // false once the run is stopping
  // Calls the progress callback; mu_ held, so events come one at a time and
  // a stage's end is told before any stage it made ready starts.
  void emit(workflow_event::kind what, std::size_t stage, const std::function<void(workflow_event&)>& fill = {});

  const workflow_spec& spec_;
  detail::service_clients& clients_;
  const progress_fn& progress_;
  workflow_value input_;
  workflow_report report_;
  std::vector<slot> slots_;
  std::vector<std::size_t> completion_order_;

  // Guards report_ while stages run in parallel (their states, outputs,
  // completion_order_), running_, stopping_, and the progress callback
  // (emit is called under it, so events arrive one at a time).
  std::mutex mu_;
  std::condition_variable cv_;  // a stage ended, or the run is stopping
  std::size_t running_ = 0;
  bool stopping_ = false;
};

// A packed msgpack array of arguments.
std::string pack_args(const workflow_value& args);

}  // namespace titan::wf
