#!/usr/bin/env bash
# The titan CLI against a daemon, as a shell script drives it: daemon
# --detach, spawn a pool, ps, call by name, kill, wait for the replacement,
# scale, shutdown, and nothing left behind.
# Usage: cli_daemon_test.sh TITAN PLUGIN_DIR
set -u
titan=$1 plugins=$2
# A private runtime directory: the daemon's sockets never collide with another run.
export XDG_RUNTIME_DIR=$(mktemp -d)
export TITAN_INSTANCE=cli-test
cleanup() {
  local left
  left=$(running_pids)
  "$titan" shutdown >/dev/null 2>&1
  for pid in $left; do kill -KILL "$pid" 2>/dev/null; done
  rm -rf "$XDG_RUNTIME_DIR"
}
trap cleanup EXIT
source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"
running_count() { "$titan" ps --json 2>/dev/null | grep -c '"state": "running"'; }
running_pids() { "$titan" ps --json 2>/dev/null | tr -d ' ,' | awk -F: '/"pid"/ {pid=$2} /"state":"running"/ {print pid}'; }

"$titan" ps >/dev/null 2>&1; check "ps without a daemon fails UNAVAILABLE" 24 "$?"
out=$("$titan" daemon --detach); check "daemon --detach" 0 "$?"
contains "daemon says where" "control endpoint ipc://$XDG_RUNTIME_DIR/titan/cli-test/control.sock" "$out"
"$titan" daemon --detach >/dev/null 2>&1; check "a second daemon is refused" 1 "$?"

"$titan" spawn "$plugins/compute.so" --size 2 >/dev/null; check "spawn a pool" 0 "$?"
"$titan" spawn "$plugins/echo.so" >/dev/null; check "spawn one host" 0 "$?"
check "three hosts run" 3 "$(running_count)"
check "call by name" 5 "$("$titan" call echo add 2 3)"
contains "call a pool" '"name":"compute-' "$("$titan" call compute whoami)"
"$titan" call nothing-here add 1 2 2>/dev/null; check "unknown name is NOT_FOUND" 15 "$?"

# Kill a pool member: the pool replaces it.
victim=$("$titan" ps --json | tr -d ' ,' | awk -F: '/"id"/ {id=$2} /"name":"compute-0"/ {print id; exit}')
"$titan" kill "$victim" --signal KILL; check "kill" 0 "$?"
# (ps --json: one object per host, keys in alphabetical order)
replaced() {
  "$titan" ps --json | tr -d ' ,' | awk -F: '/"name"/ {n = $2} /"restarts"/ {r = $2}
    /"state"/ {if (n == "\"compute-0\"" && r == "1" && $2 == "\"running\"") found = 1} END {exit !found}'
}
wait_for replaced; check "the killed member is replaced" 0 "$?"
contains "ps shows the exit" "killed by SIGKILL" "$("$titan" ps)"
contains "calls reach the pool after the kill" '"name":"compute-' "$("$titan" call compute whoami)"

"$titan" scale compute 3 >/dev/null; check "scale up" 0 "$?"
check "four hosts run" 4 "$(running_count)"
"$titan" scale compute 1 >/dev/null; check "scale down" 0 "$?"
check "two hosts run" 2 "$(running_count)"
"$titan" kill 999 2>/dev/null; check "kill of an unknown id is NOT_FOUND" 15 "$?"

pids=$(running_pids)
"$titan" shutdown; check "shutdown" 0 "$?"
gone() { for pid in $pids; do kill -0 "$pid" 2>/dev/null && return 1; done; return 0; }
wait_for gone; check "no host left after shutdown" 0 "$?"
stopped() { [ ! -e "$XDG_RUNTIME_DIR/titan/cli-test/control.sock" ]; }
wait_for stopped; check "the daemon is gone" 0 "$?"

finish
