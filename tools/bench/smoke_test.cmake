# bench_smoke: `titan-bench --quick --json` exits 0 and prints one valid JSON
# object. Timings are never checked: machines are shared and noisy.
execute_process(COMMAND "${BENCH}" --quick --json
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "titan-bench --quick --json failed (${rc}):\n${err}")
endif()
# CMake's parser ignores what follows the first value: also require that the
# whole output is one {...}.
string(STRIP "${out}" out)
string(JSON type ERROR_VARIABLE json_error TYPE "${out}")
if(json_error OR NOT type STREQUAL "OBJECT" OR NOT out MATCHES "^{.*}$")
  message(FATAL_ERROR "titan-bench --quick --json did not print a JSON object (${json_error}):\n${out}")
endif()
message(STATUS "titan-bench --quick --json printed a valid JSON object")
