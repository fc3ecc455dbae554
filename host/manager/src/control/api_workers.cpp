#include "control/api_workers.hpp"

#include "titan/status.hpp"

namespace titan::detail {
namespace {

std::string error_body(std::string_view code, const std::string& message) {
  msgpack::sbuffer err;
  wire::encode_error_body(err, code, message);
  return std::string(err.data(), err.size());
}

}  // namespace

api_workers::api_workers(reply_fn reply) : reply_(std::move(reply)) {}

api_workers::~api_workers() { stop(); }

void api_workers::serve(handler h) {
  handler_ = std::move(h);
  quick_thread_ = std::thread([this] { run(quick_); });
  slow_thread_ = std::thread([this] { run(slow_); });
}

void api_workers::submit(std::string routing_id, std::uint64_t call_id, std::string method, std::string body) {
  if (!handler_) {
    reply_(routing_id, wire::kind::error, call_id,
           error_body("UNIMPLEMENTED", "this manager serves no titan.manager methods (run `titan daemon`)"));
    return;
  }
  {
    std::lock_guard lock(mu_);
    (method == "reload" ? slow_ : quick_)
        .push_back([this, rid = std::move(routing_id), call_id, m = std::move(method), b = std::move(body)] {
          answer(rid, call_id, m, b);
        });
  }
  cv_.notify_all();
}

void api_workers::answer(const std::string& routing_id, std::uint64_t call_id, const std::string& method,
                         const std::string& body) {
  wire::kind k = wire::kind::reply;
  std::string out;
  try {
    out = handler_(method, body.data(), body.size());
  } catch (const Error& e) {
    out = error_body(to_string(e.code()), e.message());
    k = wire::kind::error;
  } catch (const std::exception& e) {
    out = error_body("INTERNAL", e.what());
    k = wire::kind::error;
  } catch (...) {
    out = error_body("INTERNAL", "the call threw something that is not a std::exception");
    k = wire::kind::error;
  }
  try {
    reply_(routing_id, k, call_id, out);
  } catch (const std::exception&) {
    // The manager is going away: nobody is left to answer.
  }
}

void api_workers::run(queue& jobs) {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !jobs.empty(); });
    if (stopping_) return;
    auto job = std::move(jobs.front());
    jobs.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
}

void api_workers::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (quick_thread_.joinable()) quick_thread_.join();
  if (slow_thread_.joinable()) slow_thread_.join();
}

}  // namespace titan::detail
