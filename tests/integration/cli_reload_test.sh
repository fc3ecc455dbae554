#!/usr/bin/env bash
# titan reload as a shell script drives it: a kv service started by
# `titan up`, keys written with `titan call`, a reload to a new build that
# keeps them (ps shows the new version and build id), a rebuild in place
# picked up by `titan reload NAME`, and bad new versions that are rolled back
# with a non-zero exit and the reason while the old version keeps serving.
# Usage: cli_reload_test.sh TITAN PLUGIN_DIR TEST_PLUGIN_DIR
set -u
titan=$1 plugins=$2 test_plugins=$3
export XDG_RUNTIME_DIR=$(mktemp -d)
export TITAN_INSTANCE=reload-test
tmp=$XDG_RUNTIME_DIR
cleanup() {
  "$titan" down --wait 20000 >/dev/null 2>&1
  for pid in $(all_pids); do kill -KILL "$pid" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"
all_pids() { "$titan" ps --json 2>/dev/null | tr -d ' ,' | awk -F: '/"pid"/ {print $2}'; }
# field_of NAME KEY: KEY of the running host named NAME (ps --json keys are sorted).
field_of() {
  "$titan" ps --json | tr -d ' ,' | awk -F: -v want="\"$1\"" -v key="\"$2\"" '
    /^\{/ {delete f} {sub(/^"/, "\"")} $1 != "" {f[$1] = $2}
    /^\}/ {if (f["\"name\""] == want && f["\"state\""] == "\"running\"") {v = f[key]; gsub(/"/, "", v); print v}}'
}
live_kv_hosts() { "$titan" ps --json | grep -c '"state": "running"'; }

# The plugin runs from a copy, so the test can "rebuild" it in place.
cp "$plugins/kv.so" "$tmp/kv.so"
cat >"$tmp/kv.toml" <<TOML
[services.kv]
plugin = "kv.so"
TOML

"$titan" up "$tmp/kv.toml" --detach >/dev/null
check "up" 0 $?
"$titan" call kv put '"alpha"' '"1"' >/dev/null
"$titan" call kv put '"beta"' '"2"' >/dev/null
old_pid=$(field_of kv pid)
old_build=$(field_of kv build_id)
check "v1 runs" "1.0.0" "$(field_of kv version)"
check "a build id" 1 "$([ ${#old_build} -ge 16 ] && echo 1)"

# Rebuilt in place: the running host is untouched (it runs a private copy).
cat "$test_plugins/kv_v2.so" >"$tmp/kv.so"   # written over, like a linker does
check "rebuilt in place: still serving v1" '"1.0.0"' "$("$titan" call kv version)"
check "rebuilt in place: same process" "$old_pid" "$(field_of kv pid)"

# `titan reload kv` picks up the rebuilt file; the keys survive, ps shows it.
out=$("$titan" reload kv --probation 100 2>&1)
check "reload exits 0" 0 $?
contains "reload says what it did" "reloaded kv: 1.0.0" "$out"
contains "reload names the new version" "-> 2.0.0" "$out"
contains "reload counts the state" "bytes of state handed over" "$out"
check "keys kept" '"1"' "$("$titan" call kv get '"alpha"')"
check "new version answers" '"2.0.0"' "$("$titan" call kv version)"
check "ps shows the new version" "2.0.0" "$(field_of kv version)"
new_pid=$(field_of kv pid)
check "a new process" 1 "$([ -n "$new_pid" ] && [ "$new_pid" != "$old_pid" ] && echo 1)"
check "the old host is gone" 1 "$(kill -0 "$old_pid" 2>/dev/null || echo 1)"
check "another build id" 1 "$([ "$(field_of kv build_id)" != "$old_build" ] && echo 1)"
check "ps shows the new build" 1 "$("$titan" ps | grep -q "2.0.0+$(field_of kv build_id | cut -c1-7)" && echo 1)"

# Bad new versions: rolled back, non-zero exit with the reason, v2 keeps serving.
bad() {  # bad NAME PLUGIN EXPECTED_REASON
  local out rc
  out=$("$titan" reload kv --plugin "$2" --probation 1000 2>&1)
  rc=$?
  check "$1: exit 19 (FAILED_PRECONDITION)" 19 "$rc"
  contains "$1: says it rolled back" "rolled back" "$out"
  contains "$1: says why" "$3" "$out"
  check "$1: the old version answers" '"2.0.0"' "$("$titan" call kv version)"
  check "$1: same process" "$new_pid" "$(field_of kv pid)"
  check "$1: one live host" 1 "$(live_kv_hosts)"
  check "$1: keys kept" '"2"' "$("$titan" call kv get '"beta"')"
}
bad "missing file" "$tmp/nope.so" "plugin not found"
bad "ABI mismatch" "$test_plugins/wrong_abi.so" "ABI mismatch"
bad "constructor throws" "$test_plugins/throwing_ctor.so" "constructor"
bad "incompatible state" "$test_plugins/kv_v3_strict.so" "not format 2"
bad "unhealthy" "$test_plugins/kv_unhealthy.so" "health check"
head -c 20000 "$test_plugins/kv_v2.so" >"$tmp/half.so"
bad "half-written file" "$tmp/half.so" "truncated"

# --plugin: another file, kept for later restarts.
"$titan" reload kv --plugin "$test_plugins/kv_v2.so" --probation 50 >/dev/null
check "--plugin: reloaded" 0 $?
check "--plugin: ps shows the file" "$test_plugins/kv_v2.so" "$(field_of kv plugin)"
check "--plugin: keys kept" '"1"' "$("$titan" call kv get '"alpha"')"

# Mistakes.
out=$("$titan" reload nosuch 2>&1)
check "unknown name: exit 15 (NOT_FOUND)" 15 $?
contains "unknown name: says so" "no service or pool named 'nosuch'" "$out"

"$titan" down --wait 20000 >/dev/null
check "down" 0 $?
finish
