#!/usr/bin/env bash
# The titan CLI against a real titan-host, as a shell script would use it.
# Usage: cli_test.sh TITAN TITAN_HOST PLUGIN_DIR
set -u
titan=$1 host=$2 plugins=$3
dir=$(mktemp -d)
host_pid=
cleanup() {
  [ -n "$host_pid" ] && kill -KILL "$host_pid" 2>/dev/null && wait "$host_pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"

start_host "$plugins/echo.so" echo
check "endpoint on stdout" "$ep" "$(head -n1 "$dir/host.out")"

check "call add" "5" "$("$titan" call --endpoint "$ep" add 2 3)"
check "negative number" "-2" "$("$titan" call -e "$ep" add -5 3)"
check "bare word is a string" '"hello"' "$("$titan" call -e "$ep" echo hello)"
check "struct argument" '{"x":2,"y":3}' "$("$titan" call -e "$ep" midpoint '{"x":1,"y":2}' '{"x":3,"y":4}')"
check "array argument" "3.5" "$("$titan" call -e "$ep" sum '[1,2.5]')"
check "optional empty" "null" "$("$titan" call -e "$ep" lookup '{"a":"b"}' z)"
check "tuple result" "[3,1]" "$("$titan" call -e "$ep" divmod 7 2)"
check "void result" "null" "$("$titan" call -e "$ep" noop)"

err=$("$titan" call -e "$ep" add 1 x 2>&1 >/dev/null); rc=$?
check "wrong type exit code" 13 "$rc"
contains "wrong type message" "error: INVALID_ARGUMENT: add: argument 2: expected int, got string" "$err"
err=$("$titan" call -e "$ep" nope 2>&1 >/dev/null); rc=$?
check "unknown method exit code" 22 "$rc"
contains "unknown method message" "error: UNIMPLEMENTED" "$err"
err=$("$titan" call -e "$ep" add '{bad' 2>&1 >/dev/null); rc=$?
check "bad JSON exit code" 2 "$rc"
contains "bad JSON message" "not valid JSON" "$err"
"$titan" call 2>/dev/null; check "missing endpoint is a usage error" 2 "$?"
err=$("$titan" call -e "ipc://$dir/nobody.sock" --timeout 200 add 1 2 2>&1 >/dev/null); rc=$?
check "unreachable exit code" 24 "$rc"
contains "unreachable message" "UNAVAILABLE" "$err"

desc=$("$titan" describe -e "$ep")
contains "describe header" "echo 1.0.0" "$desc"
contains "describe method" "add(int, int) -> int  [idempotent]" "$desc"
contains "describe struct" "midpoint(Point, Point) -> Point" "$desc"
json=$("$titan" describe -e "$ep" --json)
contains "describe json" '"service": "echo"' "$json"

kill -TERM "$host_pid"; wait "$host_pid"; rc=$?; host_pid=
check "host exits 0 on SIGTERM" 0 "$rc"

finish
