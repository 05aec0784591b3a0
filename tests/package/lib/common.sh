# shellcheck shell=bash
# Progress lines, phase timings, failures, bounded waits and the clean-up
# stack shared by the package test scripts. Sourced first by every script
# in tests/package/.
#
# pkg_setup_traps installs an EXIT trap that runs the clean-up stack in
# reverse order (pkg_defer), prints the phase timings and, on failure, the
# log tails that the scripts registered with pkg_show_on_failure.

PKG_SKIP_STATUS=77
PKG_FAILURE_REPORTED=0
PKG_FAILED_COMMAND=
# Clean-up commands, each a shell-quoted string, run last to first.
PKG_CLEANUP=()
# Files whose tails explain a failure: "TITLE|FILE|LINES". The phase list
# is emptied when a phase begins.
PKG_FAILURE_LOGS=()
PKG_PHASE_FAILURE_LOGS=()
# "PHASE SECONDS" lines, printed at the end of every run.
PKG_TIMINGS=()
PKG_PHASE_NAME=
PKG_PHASE_START_US=0
# Set by a clean-up step that could not undo what the run set up, such as a
# mount left below the work directory. It fails an otherwise passing run.
PKG_CLEANUP_FAILED=0

# Current time in microseconds. EPOCHREALTIME uses the locale's decimal
# separator, which may be a comma.
pkg_now_us() {
  local now=$EPOCHREALTIME
  echo "${now/[.,]/}"
}

pkg_format_us() { printf '%d.%03d' $(($1 / 1000000)) $((($1 % 1000000) / 1000)); }

PKG_START_US=$(pkg_now_us)

# Print a progress line with the seconds elapsed since the script started.
pkg_step() {
  printf '[%8s s] %s\n' "$(pkg_format_us $(($(pkg_now_us) - PKG_START_US)))" "$*"
}

pkg_fail() {
  printf 'FAIL: %s\n' "$*" >&2
  PKG_FAILURE_REPORTED=1
  exit 1
}

pkg_skip() {
  printf 'SKIP: %s\n' "$*" >&2
  exit "$PKG_SKIP_STATUS"
}

# Print the last LINES lines of FILE under a title.
pkg_print_tail() {
  local title=$1 file=$2 lines=${3:-40}
  printf '===== %s (%s, last %s lines)\n' "$title" "$file" "$lines" >&2
  if [[ -s $file ]]; then
    tail -n "$lines" "$file" >&2
  else
    echo "(empty or missing)" >&2
  fi
}

# Fail with MESSAGE after printing the tail of LOG.
# Usage: pkg_fail_with_log MESSAGE LOG [LINES]
pkg_fail_with_log() {
  pkg_print_tail "log" "$2" "${3:-60}"
  pkg_fail "$1 (log: $2)"
}

# Register a file whose tail the EXIT trap prints when the run fails.
# Usage: pkg_show_on_failure TITLE FILE [LINES]
pkg_show_on_failure() {
  PKG_FAILURE_LOGS+=("$1|$2|${3:-40}")
}

# Run a command from the clean-up stack at exit (last registered, first run).
# Usage: pkg_defer COMMAND ARGUMENTS...
pkg_defer() {
  PKG_CLEANUP+=("$(printf '%q ' "$@")")
}

# Like pkg_show_on_failure, for a failure in the current phase only.
pkg_show_on_phase_failure() {
  PKG_PHASE_FAILURE_LOGS+=("$1|$2|${3:-40}")
}

# Start and end a named phase. Its wall-clock time goes into the summary.
pkg_phase_begin() {
  PKG_PHASE_NAME=$1
  PKG_PHASE_FAILURE_LOGS=()
  PKG_PHASE_START_US=$(pkg_now_us)
  pkg_step "phase '$1' started"
}

pkg_phase_end() {
  local elapsed=$(($(pkg_now_us) - PKG_PHASE_START_US))
  PKG_TIMINGS+=("$(printf '%-40s %9s s' "$PKG_PHASE_NAME" "$(pkg_format_us "$elapsed")")")
  pkg_step "phase '$PKG_PHASE_NAME' done in $(pkg_format_us "$elapsed") s"
  PKG_PHASE_NAME=
}

# Add a timing line measured elsewhere (for example a cache hit).
pkg_record_timing() {
  PKG_TIMINGS+=("$(printf '%-40s %9s s' "$1" "$2")")
}

# Poll COMMAND every 0.1 s until it succeeds, and fail after TIMEOUT seconds.
# Usage: pkg_wait_until TIMEOUT DESCRIPTION COMMAND...
pkg_wait_until() {
  local timeout=$1 description=$2
  shift 2
  local deadline=$(($(pkg_now_us) + timeout * 1000000))
  until "$@"; do
    if (($(pkg_now_us) >= deadline)); then
      pkg_fail "timed out after ${timeout} s waiting for: $description"
    fi
    sleep 0.1
  done
}

# Re-run the calling script under timeout(1), which sends SIGTERM after
# LIMIT seconds. The TERM trap then runs the clean-up, which ctest's own
# TIMEOUT would skip because it sends SIGKILL.
# Usage: pkg_enforce_time_limit LIMIT "$@"   (first thing in a script)
pkg_enforce_time_limit() {
  local limit=$1
  shift
  if [[ -z ${PKG_TIME_LIMIT_ACTIVE:-} ]]; then
    export PKG_TIME_LIMIT_ACTIVE=$limit
    exec timeout --signal=TERM --kill-after=60 "$limit" "$0" "$@"
  fi
}

pkg_require_root() {
  if ((EUID != 0)); then
    pkg_skip "the package test needs root (dpkg-buildpackage, debootstrap, chroot, network namespaces)"
  fi
}

# Fail, not skip, when a tool is missing: as root the test is expected to
# run, and a skip would hide that the package was never tested.
# Usage: pkg_require_tools PACKAGE_HINT TOOL...
pkg_require_tools() {
  local hint=$1 tool
  shift
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null; then
      pkg_fail "$tool not found; install the Debian packages: $hint"
    fi
  done
}

pkg_record_failed_command() {
  PKG_FAILED_COMMAND="$1 (exit status $2, $3 line $4)"
}

pkg_interrupted() {
  pkg_restore_output
  printf 'FAIL: interrupted by SIG%s (time limit %s s)\n' "$1" "${PKG_TIME_LIMIT_ACTIVE:-none}" >&2
  PKG_FAILURE_REPORTED=1
  exit "$2"
}

# A trap runs with the redirections of the command it interrupted (a
# function called as `f >file`, say), so the handlers go back to the
# script's own standard output and error first.
pkg_restore_output() {
  if [[ -n ${PKG_SCRIPT_STDOUT:-} ]]; then
    exec 1>&"$PKG_SCRIPT_STDOUT" 2>&"$PKG_SCRIPT_STDERR"
  fi
}

pkg_setup_traps() {
  exec {PKG_SCRIPT_STDOUT}>&1 {PKG_SCRIPT_STDERR}>&2
  trap pkg_exit_handler EXIT
  # errtrace makes functions inherit the ERR trap.
  set -o errtrace
  trap 'pkg_record_failed_command "$BASH_COMMAND" "$?" "${BASH_SOURCE[0]}" "$LINENO"' ERR
  trap 'pkg_interrupted INT 130' INT
  trap 'pkg_interrupted TERM 143' TERM
  trap 'pkg_interrupted HUP 129' HUP
  # The PIPE handler ignores PIPE first: a second SIGPIPE from its own
  # message would kill bash before the EXIT trap runs.
  trap 'trap "" PIPE; pkg_interrupted PIPE 141' PIPE
}

pkg_print_timings() {
  ((${#PKG_TIMINGS[@]} > 0)) || return 0
  echo "===== timings (wall clock)"
  printf '%s\n' "${PKG_TIMINGS[@]}"
  printf '%-40s %9s s\n' "whole script" "$(pkg_format_us $(($(pkg_now_us) - PKG_START_US)))"
}

pkg_exit_handler() {
  local status=$?
  pkg_restore_output
  trap - EXIT ERR
  # An interrupt during the clean-up must not cut it short and leave
  # mounts, namespaces or routes behind.
  trap '' INT TERM HUP PIPE
  set +e
  if ((status != 0 && !PKG_FAILURE_REPORTED)); then
    if [[ -n $PKG_FAILED_COMMAND ]]; then
      printf 'FAIL: command failed: %s\n' "$PKG_FAILED_COMMAND" >&2
    else
      printf 'FAIL: exit status %s\n' "$status" >&2
    fi
  fi
  if [[ -n $PKG_PHASE_NAME ]]; then
    printf 'FAIL: during phase %s\n' "$PKG_PHASE_NAME" >&2
  fi
  if ((status != 0)); then
    local entry title file lines
    for entry in "${PKG_PHASE_FAILURE_LOGS[@]}" "${PKG_FAILURE_LOGS[@]}"; do
      IFS='|' read -r title file lines <<<"$entry"
      pkg_print_tail "$title" "$file" "$lines"
    done
  fi

  local index cleanup_started
  cleanup_started=$(pkg_now_us)
  for ((index = ${#PKG_CLEANUP[@]} - 1; index >= 0; index--)); do
    eval "${PKG_CLEANUP[$index]}" || printf 'warning: clean-up step failed: %s\n' "${PKG_CLEANUP[$index]}" >&2
  done
  if ((PKG_CLEANUP_FAILED && status == 0)); then
    printf 'FAIL: the clean-up failed (messages above)\n' >&2
    status=1
  fi
  pkg_step "cleaned up"
  pkg_record_timing "clean-up" "$(pkg_format_us $(($(pkg_now_us) - cleanup_started)))"
  pkg_print_timings
  exit "$status"
}
