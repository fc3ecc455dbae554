#!/usr/bin/env bash
# titan run as a shell script drives it: `titan check` lists a topology's
# workflows, `titan up` registers them, `titan run` prints the output JSON
# on stdout and the progress on stderr, exits 4 naming the failing stage
# (after compensating), 15 for an unknown workflow, 2 for bad input JSON,
# 24 without a daemon; --json prints the whole report.
# Usage: cli_workflow_test.sh TITAN TEST_PLUGIN_DIR
set -u
titan=$1 test_plugins=$2
export XDG_RUNTIME_DIR=$(mktemp -d)
export TITAN_INSTANCE=workflow-test
tmp=$XDG_RUNTIME_DIR
all_pids() { "$titan" ps --json 2>/dev/null | tr -d ' ,' | awk -F: '/"pid"/ {print $2}'; }
cleanup() {
  "$titan" down --wait 20000 >/dev/null 2>&1
  for pid in $(all_pids); do kill -KILL "$pid" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"

: >"$tmp/journal"
cat >"$tmp/wf.toml" <<TOML
[services.wf]
plugin = "$test_plugins/wf_step.so"
concurrency = 4
config = { journal = "$tmp/journal" }

[workflows.ok.stages.a]
call = "wf.run"
args = ["a", "\$input"]
[workflows.ok.stages.b]
call = "wf.run"
args = ["b", { got = "\$a", lit = "\$\$x" }]
depends_on = ["a"]

[workflows.fails.stages.a]
call = "wf.run"
args = ["a", 1]
compensate = { call = "wf.undo", args = ["a", "\$self"] }
[workflows.fails.stages.b]
call = "wf.fail"
args = ["b", "FAILED_PRECONDITION"]
depends_on = ["a"]
[workflows.fails.stages.c]
call = "wf.run"
args = ["c", 1]
depends_on = ["b"]
TOML

out=$("$titan" check "$tmp/wf.toml" 2>"$tmp/err"); rc=$?
check "check passes" 0 "$rc"
contains "check lists a workflow" "workflow ok  2 stages" "$out"
contains "check shows a stage" "└─ b  wf.run, after a" "$out"
contains "check shows a compensation" "├─ a  wf.run, compensate wf.undo" "$out"

"$titan" up "$tmp/wf.toml" --detach >/dev/null
check "up" 0 $?

check "--list" "$(printf 'fails\nok')" "$("$titan" run --list)"

out=$("$titan" run ok '{"x": 1}' 2>"$tmp/err"); rc=$?
check "ok: exit 0" 0 "$rc"
check "ok: the output on stdout, one line" '{"b":{"got":{"x":1},"lit":"$x"}}' "$out"
contains "ok: progress on stderr" "a  started" "$(cat "$tmp/err")"
contains "ok: each stage's end" "b  ran" "$(cat "$tmp/err")"

out=$("$titan" run ok 7 --quiet 2>"$tmp/err"); rc=$?
check "quiet: exit 0" 0 "$rc"
check "quiet: nothing on stderr" "" "$(cat "$tmp/err")"
check "quiet: a bare JSON value as input" '{"b":{"got":7,"lit":"$x"}}' "$out"

echo '{"from": "file"}' >"$tmp/input.json"
out=$("$titan" run ok --input-file "$tmp/input.json" -q); rc=$?
check "--input-file: exit 0" 0 "$rc"
check "--input-file: its value" '{"b":{"got":{"from":"file"},"lit":"$x"}}' "$out"

out=$("$titan" run fails 2>"$tmp/err"); rc=$?
err=$(cat "$tmp/err")
check "fails: exit 4" 4 "$rc"
check "fails: nothing on stdout" "" "$out"
contains "fails: names the stage and the error" \
  "error: workflow 'fails' failed at stage 'b': FAILED_PRECONDITION: failed on purpose (b); compensated: a" "$err"
contains "fails: the compensation in the progress" "a  compensated" "$err"
contains "fails: the stage after it is skipped" "c  skipped" "$err"
check "fails: the compensation ran on the host" 1 "$(grep -c '^undo a ' "$tmp/journal")"

out=$("$titan" run fails --json 2>/dev/null); rc=$?
check "--json on failure: exit 4" 4 "$rc"
contains "--json: not ok" '"ok":false' "$out"
contains "--json: the failing stage" '"failed_stage":"b"' "$out"
contains "--json: the compensated stage" '"name":"a","output":1,"start_ms"' "$out"
contains "--json: its state" '"state":"compensated"' "$out"
contains "--json: the error" '"error":{"code":"FAILED_PRECONDITION","message":"failed on purpose (b)"}' "$out"
contains "--json: the skipped stage" '"name":"c","output":null,"start_ms":null,"state":"skipped"' "$out"

out=$("$titan" run ok '{"x": 1}' --json 2>/dev/null); rc=$?
check "--json on success: exit 0" 0 "$rc"
contains "--json on success: ok" '"ok":true' "$out"
contains "--json on success: the order" '"completed":["a","b"]' "$out"

out=$("$titan" run nosuch 2>&1); rc=$?
check "unknown workflow: exit 15 (NOT_FOUND)" 15 "$rc"
contains "unknown workflow: names the known ones" "no workflow named 'nosuch' (known: fails, ok)" "$out"

out=$("$titan" run ok '{"x": ' 2>&1); rc=$?
check "bad JSON: exit 2" 2 "$rc"
contains "bad JSON: says so" "not valid JSON" "$out"

"$titan" run 2>/dev/null; rc=$?
check "no workflow: usage, exit 2" 2 "$rc"

"$titan" down --wait 20000 >/dev/null
check "down" 0 $?
out=$("$titan" run ok 2>&1); rc=$?
check "no daemon: exit 24 (UNAVAILABLE)" 24 "$rc"
finish
