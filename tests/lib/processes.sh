# shellcheck shell=bash
# Stopping the processes a test started, shared by the test libraries.

# Sends SIGTERM to every PID, waits up to GRACE seconds for all of them to
# exit, then sends SIGKILL to those still running.
# Usage: stop_pids GRACE PID...
stop_pids() {
  local grace=$1 pid
  shift
  for pid in "$@"; do
    kill -TERM "$pid" 2>/dev/null || true
  done

  local deadline=$((${EPOCHREALTIME/./} + grace * 1000000))
  for pid in "$@"; do
    while kill -0 "$pid" 2>/dev/null && ((${EPOCHREALTIME/./} < deadline)); do
      sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
      printf 'warning: pid %s still running %s s after SIGTERM, sending SIGKILL\n' "$pid" "$grace" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}
