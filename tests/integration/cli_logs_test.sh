#!/usr/bin/env bash
# titan logs against a daemon that captures its hosts' output: one host, a
# pool (prefixed lines), an id, following a host across restarts and
# rotations, `-f | head` ending, and the errors.
# Usage: cli_logs_test.sh TITAN PLUGIN_DIR
set -u
# Absolute: the daemon is started from another directory.
titan=$(realpath "$1") plugins=$(realpath "$2")
export XDG_RUNTIME_DIR=$(mktemp -d)
export TITAN_INSTANCE=cli-logs
follower=
cleanup() {
  [ -n "$follower" ] && kill -KILL "$follower" 2>/dev/null
  "$titan" shutdown >/dev/null 2>&1
  "$titan" shutdown -i cli-logs-bare >/dev/null 2>&1
  rm -rf "$XDG_RUNTIME_DIR"
}
trap cleanup EXIT
source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"
logs=$XDG_RUNTIME_DIR/logs
id_of() { "$titan" ps --json | tr -d ' ,' | awk -F: -v n="\"$1\"" '/"id"/ {id=$2} /"name"/ {if ($2 == n) last=id} END {print last}'; }

"$titan" logs echo >/dev/null 2>&1; check "logs without a daemon is UNAVAILABLE" 24 "$?"
# A relative --log-dir: the daemon makes it absolute, so the CLI finds the files from anywhere.
(cd "$XDG_RUNTIME_DIR" && "$titan" daemon --detach --log-dir logs --log-max-size 300 --log-files 2 >/dev/null)
check "daemon --log-dir" 0 "$?"
"$titan" spawn "$plugins/echo.so" --name e1 >/dev/null; check "spawn one host" 0 "$?"
"$titan" spawn "$plugins/compute.so" --size 2 >/dev/null; check "spawn a pool" 0 "$?"

logged() { "$titan" logs "$1" 2>/dev/null | grep -q serving; }
wait_for logged e1; check "a host's log has its first lines" 0 "$?"
[ -f "$logs/e1.log" ]; check "it is LOG_DIR/NAME.log" 0 "$?"
wait_for logged "$(id_of e1)"; check "logs by id" 0 "$?"
wait_for logged compute-1
out=$("$titan" logs compute)
contains "a pool: compute-0's lines, prefixed" "compute-0 | " "$out"
contains "a pool: compute-1's lines, prefixed" "compute-1 | " "$out"
check "-n 1 prints one line" 1 "$("$titan" logs e1 -n 1 | wc -l)"

err=$("$titan" logs nope 2>&1); check "an unknown name is NOT_FOUND" 15 "$?"
check "and says so" "error: NOT_FOUND: no process named 'nope' (see titan ps)" "$err"

# Follow compute-0 while it is killed and replaced: each replacement appends
# to the same file, which rotates every few hosts (300 bytes).
"$titan" logs compute-0 -f -n 0 >"$XDG_RUNTIME_DIR/follow.out" &
follower=$!
starts() { grep -c serving "$XDG_RUNTIME_DIR/follow.out"; }
for i in 1 2 3 4; do
  "$titan" kill "$(id_of compute-0)" --signal KILL
  seen() { [ "$(starts)" -ge "$i" ]; }
  wait_for seen; check "the follower sees replacement $i start" 0 "$?"
done
[ -f "$logs/compute-0.log.1" ]; check "the file was rotated" 0 "$?"
[ ! -e "$logs/compute-0.log.3" ]; check "no more than --log-files rotated files" 0 "$?"
kill -INT "$follower"; wait "$follower"; check "the follower ends on SIGINT, exit 0" 0 "$?"
follower=

timeout 20 "$titan" logs e1 -f -n 5 | head -1 >/dev/null
check "-f | head -1 ends once head is gone" "0 0" "${PIPESTATUS[*]}"

"$titan" daemon --detach -i cli-logs-bare >/dev/null
"$titan" spawn "$plugins/echo.so" -i cli-logs-bare >/dev/null
err=$("$titan" logs echo -i cli-logs-bare 2>&1); check "output not captured: FAILED_PRECONDITION" 19 "$?"
contains "and says how to capture it" "--log-dir" "$err"

finish
