#!/usr/bin/env bash
# titan up / ps / logs / down as a shell script drives them: a topology
# started in the background once READY, calls by name, a killed host
# restarted by its supervisor, the tree in ps, logs, an escalation that stops
# everything, the foreground mode and Ctrl-C, and no process left behind.
# Usage: cli_up_test.sh TITAN PLUGIN_DIR TEST_PLUGIN_DIR
set -u
titan=$1 plugins=$2 test_plugins=$3
export XDG_RUNTIME_DIR=$(mktemp -d)
export TITAN_INSTANCE=up-test
tmp=$XDG_RUNTIME_DIR
started_pids=()
cleanup() {
  "$titan" down --wait 20000 >/dev/null 2>&1
  for pid in $(all_pids) "${started_pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"
all_pids() { "$titan" ps --json 2>/dev/null | tr -d ' ,' | awk -F: '/"pid"/ {print $2}'; }
running_count() { "$titan" ps --json 2>/dev/null | grep -c '"state": "running"'; }
# pid_of NAME: the running host named NAME.
pid_of() {
  "$titan" ps --json | tr -d ' ,' | awk -F: -v want="\"$1\"" '/"name"/ {n = $2} /"pid"/ {p = $2}
    /"state"/ {if (n == want && $2 == "\"running\"") print p}'
}
id_of() {
  "$titan" ps --json | tr -d ' ,' | awk -F: -v want="\"$1\"" '/"id"/ {i = $2} /"name"/ {n = $2}
    /"state"/ {if (n == want && $2 == "\"running\"") print i}'
}
daemon_gone() { ! "$titan" ps >/dev/null 2>&1 && [ ! -e "$tmp/titan/up-test/control.sock" ]; }

cat >"$tmp/system.toml" <<TOML
[manager]
log_dir = "logs"
heartbeat = "200ms"

[supervisors.root]
strategy = "one_for_one"
intensity = 5
period = "10s"
children = ["echo", "compute"]

[services.echo]
plugin = "$plugins/echo.so"
backoff = { base = "10ms" }

[pools.compute]
plugin = "$plugins/compute.so"
size = 2
TOML

"$titan" check "$tmp/system.toml" >/dev/null; check "check passes" 0 "$?"
out=$("$titan" up --detach "$tmp/system.toml"); check "up --detach" 0 "$?"
contains "up says everything is ready" "3 host(s) ready" "$out"
"$titan" up --detach "$tmp/system.toml" >/dev/null 2>&1; check "a second up on the instance is refused" 1 "$?"
check "three hosts run" 3 "$(running_count)"
check "call by name" '"hi"' "$("$titan" call echo echo '"hi"')"
contains "call the pool" '"name":"compute-' "$("$titan" call compute whoami)"
tree=$("$titan" ps)
contains "ps shows the root supervisor" "root [one_for_one 5/10s]" "$tree"
contains "ps shows the pool under it" "compute [pool x2" "$tree"
contains "ps --json --tree has rows" '"kind": "supervisor"' "$("$titan" ps --json --tree)"

# Kill a host: its supervisor restarts it, the reason shows.
old=$(pid_of echo)
"$titan" kill "$(id_of echo)" --signal KILL; check "kill echo" 0 "$?"
restarted() { local p; p=$(pid_of echo); [ -n "$p" ] && [ "$p" != "$old" ]; }
wait_for restarted; check "echo is restarted with a new pid" 0 "$?"
check "the restarted echo answers" '"again"' "$("$titan" call echo echo '"again"')"
contains "ps says why it restarted" "killed by SIGKILL" "$("$titan" ps --json --tree)"

# Hung host (SIGSTOP): missed heartbeats, killed and restarted.
hung=$(pid_of echo)
kill -STOP "$hung"
unhung() { local p; p=$(pid_of echo); [ -n "$p" ] && [ "$p" != "$hung" ]; }
wait_for unhung; check "a stopped host is found by its heartbeat and replaced" 0 "$?"
contains "the reason names the heartbeat" "no heartbeat" "$("$titan" ps --json --tree)"
kill -0 "$hung" 2>/dev/null; check "the hung process is gone" 1 "$?"

contains "logs of a host" "serving" "$("$titan" logs echo -n 50)"

pids=$(all_pids)
"$titan" down; check "down" 0 "$?"
daemon_gone; check "the daemon is gone when down returns" 0 "$?"
alive=0; for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive=$((alive + 1)); done
check "no host left after down" 0 "$alive"
"$titan" down >/dev/null 2>&1; check "down with nothing running is fine" 0 "$?"

# An invalid topology starts nothing (exit 3).
printf '[services.x]\nplugin = 5\n' >"$tmp/bad.toml"
err=$("$titan" up --detach "$tmp/bad.toml" 2>&1); check "invalid topology: exit 3" 3 "$?"
contains "the error points into the file" "bad.toml:2:" "$err"
daemon_gone; check "no daemon after an invalid topology" 0 "$?"

# A child that cannot start: up fails (exit 1) with its reason, nothing is left.
cat >"$tmp/broken.toml" <<TOML
[services.echo]
plugin = "$plugins/echo.so"
[services.broken]
plugin = "$test_plugins/throwing_ctor.so"
TOML
err=$("$titan" up --detach "$tmp/broken.toml" 2>&1); check "a child that cannot start: exit 1" 1 "$?"
contains "the reason is the constructor's" "broken" "$err"
wait_for daemon_gone; check "no daemon after a failed start" 0 "$?"

# Escalation: more restarts than the root allows stop everything; the daemon exits 1.
cat >"$tmp/fragile.toml" <<TOML
[supervisors.root]
intensity = 0
children = ["echo"]
[services.echo]
plugin = "$plugins/echo.so"
TOML
"$titan" up --detach "$tmp/fragile.toml" >/dev/null; check "up fragile" 0 "$?"
victim=$(pid_of echo)
kill -KILL "$victim"
wait_for daemon_gone; check "the daemon stops when its root gives up" 0 "$?"
contains "its log says why" "restart intensity" "$(cat "$tmp/titan/up-test.log")"

# Foreground: runs until Ctrl-C (SIGINT), then stops every host.
"$titan" up "$tmp/system.toml" 2>"$tmp/fg.log" &
fg=$!
started_pids+=("$fg")
ready() { [ "$(running_count)" == 3 ]; }
wait_for ready; check "foreground up starts the tree" 0 "$?"
pids=$(all_pids)
kill -INT "$fg"
wait "$fg"; check "Ctrl-C stops it cleanly" 0 "$?"
alive=0; for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive=$((alive + 1)); done
check "no host left after Ctrl-C" 0 "$alive"

# Ctrl-C while the tree is still starting stops what has started (exit 130).
cat >"$tmp/slow.toml" <<TOML
[services.slow]
plugin = "$test_plugins/lifecycle.so"
config = { start_delay_ms = 60000 }
ready_timeout = "120s"
TOML
"$titan" up "$tmp/slow.toml" 2>"$tmp/slow.log" &
slow=$!
started_pids+=("$slow")
starting() { "$titan" ps --json 2>/dev/null | grep -q '"state": "starting"'; }
wait_for starting; check "the slow child is starting" 0 "$?"
pids=$(all_pids)
kill -INT "$slow"
wait "$slow"; check "Ctrl-C during the start: exit 130" 130 "$?"
contains "it says so" "interrupted" "$(cat "$tmp/slow.log")"
alive=0; for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive=$((alive + 1)); done
check "no host left after Ctrl-C during the start" 0 "$alive"

finish
