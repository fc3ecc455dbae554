# Assertions for the shell tests: source it, call them, end with `finish`.
failures=0 passes=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" == "$3" ]; then passes=$((passes + 1)); else
    failures=$((failures + 1)); printf 'FAIL %s\n  expected: %s\n  actual:   %s\n' "$1" "$2" "$3"; fi
}
contains() {  # contains NAME NEEDLE HAYSTACK
  case "$3" in *"$2"*) passes=$((passes + 1)) ;; *)
    failures=$((failures + 1)); printf 'FAIL %s\n  wanted: %s\n  in: %s\n' "$1" "$2" "$3" ;; esac
}
# Polls `$@` (a command) every 50 ms for up to 20 s.
wait_for() {
  for _ in $(seq 400); do "$@" && return 0; sleep 0.05; done
  return 1
}
finish() {
  echo "$passes passed, $failures failed"
  [ "$failures" -eq 0 ]
}
# start_host PLUGIN NAME: $host serving PLUGIN on ipc://$dir/NAME.sock, its
# output in $dir/host.out and host.err; sets host_pid (the caller's cleanup
# kills it) and ep (its endpoint), or exits if it does not start.
start_host() {
  "$host" --plugin "$1" --bind "ipc://$dir/$2.sock" --endpoint-file "$dir/endpoints" \
    >"$dir/host.out" 2>"$dir/host.err" &
  host_pid=$!
  for _ in $(seq 200); do [ -s "$dir/endpoints" ] && break; kill -0 "$host_pid" 2>/dev/null || break; sleep 0.05; done
  [ -s "$dir/endpoints" ] || { echo "host did not start"; cat "$dir/host.err"; exit 1; }
  ep=$(head -n1 "$dir/endpoints")
}
