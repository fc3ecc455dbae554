# bench_smoke: `titan-bench --quick --json` finishes and prints one valid JSON
# object with every section's keys (supervision and reload included). Timings are never
# checked: machines are shared and noisy.
# Exit status 2 means the run finished but a pool, failover, supervision or reload
# measurement failed (the product misbehaved, e.g. a host stopped
# answering): the JSON says which under "errors". That is reported as a
# warning, not a failure of the benchmark itself; any other non-zero status
# fails.
execute_process(COMMAND "${BENCH}" --quick --json
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 AND NOT rc EQUAL 2)
  message(FATAL_ERROR "titan-bench --quick --json failed (${rc}):\n${err}")
endif()
# CMake's parser ignores what follows the first value: also require that the
# whole output is one {...}.
string(STRIP "${out}" out)
string(JSON type ERROR_VARIABLE json_error TYPE "${out}")
if(json_error OR NOT type STREQUAL "OBJECT" OR NOT out MATCHES "^{.*}$")
  message(FATAL_ERROR "titan-bench --quick --json did not print a JSON object (${json_error}):\n${out}")
endif()
# Every section is there, the supervision one included (--quick runs it with
# few iterations). Only the keys are checked, never a value.
foreach(key transports pool failover supervision reload workflow spawn_to_ready_ms errors)
  string(JSON ignored ERROR_VARIABLE key_error GET "${out}" ${key})
  if(key_error)
    message(FATAL_ERROR "titan-bench --quick --json has no \"${key}\" (${key_error}):\n${out}")
  endif()
endforeach()
# Each section's keys, as "section path;to;key".
function(require_keys section)
  foreach(path ${ARGN})
    string(REPLACE "." ";" keys "${path}")
    string(JSON ignored ERROR_VARIABLE key_error GET "${out}" ${section} ${keys})
    if(key_error)
      message(FATAL_ERROR "titan-bench --quick --json has no ${section}.${path} (${key_error}):\n${out}")
    endif()
  endforeach()
endfunction()
require_keys(supervision restart.replacement_ms.median restart.respawn_started_ms.median
             tree_start.services.total_ms.median tree_start.pool.total_ms.median
             tree_start.titan_up.total_ms.median tree_start.titan_up.down_ms.median)
require_keys(reload kv.switched_ms.median kv.took_ms.median kv.calls.during_reload_us.max kv.calls.failed
             echo.switched_ms.median echo.calls.outside_reload_us.p50 echo.max_during_over_p50_outside)
require_keys(workflow by_hand_us.p50 workflow_us.p50 p50_ratio overhead_per_stage_us)
require_keys(stream titan_small.items_per_s raw_small.items_per_s small_ratio titan_big.mb_per_s raw_big.mb_per_s
             big_ratio slow.host_hwm_after)
if(rc EQUAL 2)
  message(WARNING "titan-bench --quick --json: some measurements failed (see \"errors\"):\n${err}")
endif()
message(STATUS "titan-bench --quick --json printed a valid JSON object")
