#include "workflow_json.hpp"

#include <cmath>
#include <titan/workflow_msgpack.hpp>

#include "json_msgpack.hpp"

namespace titan::cli {
namespace {

// Milliseconds from `origin`, to the microsecond.
double ms_since(std::chrono::steady_clock::time_point origin, std::chrono::steady_clock::time_point t) {
  const double us = static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(t - origin).count());
  return std::round(us) / 1000.0;
}

nlohmann::json error_json(status_code code, const std::string& message) {
  if (code == status_code::ok) return nullptr;
  return {{"code", std::string(to_string(code))}, {"message", message}};
}

}  // namespace

workflow_value value_from_json(const nlohmann::json& j) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> packer(buf);
  pack_json(packer, j);
  msgpack::object_handle h = msgpack::unpack(buf.data(), buf.size());
  return to_workflow_value(h.get());
}

nlohmann::json value_to_json(const workflow_value& v) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> packer(buf);
  pack_value(packer, v);
  msgpack::object_handle h = msgpack::unpack(buf.data(), buf.size());
  return to_json(h.get());
}

nlohmann::json report_to_json(const workflow_report& r) {
  nlohmann::json stages = nlohmann::json::array();
  for (const auto& s : r.stages) {
    nlohmann::json st{{"name", s.name},
                      {"state", std::string(to_string(s.state))},
                      {"attempts", s.attempts},
                      {"items", s.items},
                      {"start_ms", s.started ? nlohmann::json(ms_since(r.started_at, s.started_at)) : nullptr},
                      {"end_ms", s.started ? nlohmann::json(ms_since(r.started_at, s.ended_at)) : nullptr},
                      {"error", error_json(s.code, s.message)},
                      {"output", value_to_json(s.output)},
                      {"compensation", nullptr}};
    if (s.state == stage_state::compensated || s.state == stage_state::compensation_failed)
      st["compensation"] = {{"attempts", s.compensation_attempts},
                            {"start_ms", ms_since(r.started_at, s.compensation_started_at)},
                            {"end_ms", ms_since(r.started_at, s.compensation_ended_at)},
                            {"error", error_json(s.compensation_code, s.compensation_message)}};
    stages.push_back(std::move(st));
  }
  return {{"workflow", r.workflow},
          {"ok", r.ok},
          {"failed_stage", r.failed_stage.empty() ? nullptr : nlohmann::json(r.failed_stage)},
          {"error", error_json(r.code, r.message)},
          {"output", value_to_json(r.output)},
          {"completed", r.completed},
          {"compensated", r.compensated},
          {"duration_ms", ms_since(r.started_at, r.ended_at)},
          {"stages", std::move(stages)}};
}

}  // namespace titan::cli
