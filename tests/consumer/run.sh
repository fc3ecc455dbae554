#!/usr/bin/env bash
# Out-of-tree consumer test: install a Titan build tree into a fresh prefix,
# build tests/consumer against it with find_package(TitanSDK), serve the
# consumer's plugin with the installed titan-host and call it.
#
#   tests/consumer/run.sh TITAN_BUILD_DIR
#
# Environment: CMAKE (default: cmake), TITAN_KEEP_TMP=1 keeps the temp dir.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 TITAN_BUILD_DIR" >&2
  exit 2
fi
titan_build=$(cd "$1" && pwd)
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cmake=${CMAKE:-cmake}

# ipc:// paths must stay short (sun_path is 108 bytes): use /tmp when TMPDIR is long.
tmp_parent=${TMPDIR:-/tmp}
if (( ${#tmp_parent} > 60 )); then tmp_parent=/tmp; fi
tmp=$(mktemp -d "$tmp_parent/titan-consumer.XXXXXX")
host_pid=""

cleanup() {
  local rc=$?
  if [[ -n "$host_pid" ]] && kill -0 "$host_pid" 2>/dev/null; then
    kill -TERM "$host_pid" 2>/dev/null || true
    wait "$host_pid" 2>/dev/null || true
  fi
  if [[ $rc -ne 0 && -f "$tmp/host.log" ]]; then
    echo "--- titan-host log ---" >&2
    cat "$tmp/host.log" >&2
  fi
  if [[ "${TITAN_KEEP_TMP:-0}" == 1 ]]; then
    echo "kept $tmp" >&2
  else
    rm -rf "$tmp"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
step() { echo "== $*"; }

prefix="$tmp/prefix"
step "install $titan_build into $prefix"
"$cmake" --install "$titan_build" --prefix "$prefix" >"$tmp/install.log" || { cat "$tmp/install.log" >&2; fail "cmake --install"; }
for f in include/titan/titan.hpp include/titan/plugin_abi.h lib/libtitan_sdk.so lib/cmake/TitanSDK/TitanSDKConfig.cmake \
         lib/cmake/TitanSDK/TitanSDKConfigVersion.cmake lib/cmake/TitanSDK/TitanSDKTargets.cmake \
         lib/cmake/TitanSDK/TitanPlugin.cmake bin/titan-host; do
  [[ -e "$prefix/$f" ]] || fail "the install has no $f"
done

step "configure and build the consumer against $prefix"
build="$tmp/build"
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
"$cmake" -S "$source_dir" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
  "${launcher[@]}" >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log" >&2; fail "configuring the consumer"; }
found=$(sed -n 's/^TitanSDK_DIR:PATH=//p' "$build/CMakeCache.txt")
[[ "$found" == "$prefix/lib/cmake/TitanSDK" ]] || fail "TitanSDK was found in '$found', not in the fresh prefix"
"$cmake" --build "$build" --parallel 2 >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; fail "building the consumer"; }
[[ -f "$build/greeter.so" ]] || fail "titan_add_plugin did not make greeter.so"

step "serve greeter.so with the installed titan-host"
endpoint_file="$tmp/endpoint"
"$prefix/bin/titan-host" --plugin "$build/greeter.so" --bind "ipc://$tmp/greeter.sock" \
  --endpoint-file "$endpoint_file" --log-level info >"$tmp/host.out" 2>"$tmp/host.log" &
host_pid=$!
deadline=$((SECONDS + 30))
until [[ -s "$endpoint_file" ]]; do
  kill -0 "$host_pid" 2>/dev/null || { wait "$host_pid" && rc=0 || rc=$?; host_pid=""; fail "titan-host exited with $rc before it served"; }
  (( SECONDS < deadline )) || fail "titan-host wrote no endpoint file within 30 s"
  sleep 0.05
done
endpoint=$(head -n 1 "$endpoint_file")
echo "titan-host $host_pid serves $endpoint"

step "call greet through titan::connect<Greeter>"
out=$(timeout 60 "$build/greeter_client" "$endpoint" titan) || fail "greeter_client exited with $?"
[[ "$out" == "hello, titan" ]] || fail "greeter_client printed '$out', expected 'hello, titan'"
echo "greeter_client: $out"

step "stop titan-host with SIGTERM"
kill -TERM "$host_pid"
rc=0
wait "$host_pid" || rc=$?
host_pid=""
[[ $rc -eq 0 ]] || fail "titan-host exited with $rc after SIGTERM (expected 0)"
echo "PASS"
