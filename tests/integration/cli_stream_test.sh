#!/usr/bin/env bash
# titan stream from a shell: items as JSON lines, piped into head (which
# cancels the stream), input from stdin, errors after items, exit codes.
# Usage: cli_stream_test.sh TITAN TITAN_HOST TEST_PLUGIN_DIR
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

start_host "$plugins/streamer.so" streamer
open_streams() { "$titan" call -e "$ep" '$metrics' | sed 's/.*"streams":\([0-9]*\).*/\1/'; }

check "one JSON value per line" "$(printf '0\n1\n2\n3\n4')" "$("$titan" stream -e "$ep" count 5)"
check "blobs as JSON" '[120,120]' "$("$titan" stream -e "$ep" blobs 1 2)"

# head takes 3 lines of an endless stream and closes the pipe: the stream is
# cancelled, titan exits 0, and the producer on the host stops.
out=$("$titan" stream -e "$ep" count 1000000000 | head -n 3)
check "head gets the first items" "$(printf '0\n1\n2')" "$out"
set -o pipefail
"$titan" stream -e "$ep" ticks 1 | head -n 2 >/dev/null; rc=$?
set +o pipefail
check "a closed pipe is not an error" 0 "$rc"
no_streams() { [ "$(open_streams)" == "0" ]; }
wait_for no_streams
check "the producers stopped" 0 "$(open_streams)"
contains "the service saw the cancel" "CANCELLED" "$("$titan" call -e "$ep" last_stop)"

check "stdin as the input stream" "5050" "$(seq 1 100 | "$titan" stream -e "$ep" sum)"
check "both ways" "$(printf '3\n6\n9')" "$(printf '1\n2\n3\n' | "$titan" stream -e "$ep" scale 3)"
err=$(printf '1\n{bad\n' | "$titan" stream -e "$ep" sum 2>&1 >/dev/null); rc=$?
check "bad stdin exit code" 2 "$rc"
contains "bad stdin names the line" "stdin line 2 is not JSON" "$err"
err=$(printf '"x"\n' | "$titan" stream -e "$ep" sum 2>&1 >/dev/null); rc=$?
check "wrong input type exit code" 13 "$rc"
contains "wrong input type message" "input item 1: expected int, got string" "$err"

# An exception in the producer: the items before it, then the error.
out=$("$titan" stream -e "$ep" fail_after 2 2>"$dir/err"); rc=$?
check "items before the error" "$(printf '0\n1')" "$out"
check "producer exception exit code" 23 "$rc"
contains "producer exception message" "error: INTERNAL: failed after 2 items" "$(cat "$dir/err")"

"$titan" --timeout 300 stream -e "$ep" ticks 50 >/dev/null 2>"$dir/err"; rc=$?
check "deadline exit code" 14 "$rc"
contains "deadline message" "DEADLINE_EXCEEDED" "$(cat "$dir/err")"

check "a unary method gives one item" '"hello you"' "$("$titan" stream -e "$ep" hello you)"
err=$("$titan" call -e "$ep" count 3 2>&1 >/dev/null); rc=$?
check "titan call on a stream exit code" 19 "$rc"
contains "titan call on a stream says what to use" "titan stream" "$err"
err=$("$titan" stream -e "$ep" nope 2>&1 >/dev/null); rc=$?
check "unknown method exit code" 22 "$rc"
err=$("$titan" stream 2>&1 >/dev/null); rc=$?
check "usage exit code" 2 "$rc"

finish
