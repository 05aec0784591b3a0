# shellcheck shell=bash
# A pair of alias-sync test servers on this machine, for the system tests
# and tools/demo.
#
# Server a is mx1.example.org (10.200.0.1), server b is mx2.example.org
# (10.200.0.2). Each has its own network namespace (joined by a veth pair),
# its own Postfix instance (config, queue, log and mailbox files under
# $PAIR_BASE/<server>), its own Dovecot for SASL, and optionally an
# alias-sync daemon. `alias-sync configure-postfix` adds the alias-sync
# parts to each Postfix configuration, as an admin would. Every process of
# a server runs through pair_run, which
# enters the server's network namespace and bind-mounts its Postfix
# configuration on /etc/postfix in a private mount namespace. So every
# Postfix tool, sendmail run by a non-root user included, finds that
# configuration at the production path without -c.
#
# Usage from a test script (bash, set -euo pipefail):
#   source lib/pair.sh
#   pair_setup ALIAS_SYNC_BINARY PIPE_BINARY
#   pair_pair_daemons; pair_start_daemon a; ...   (optional: the daemons)
# pair_setup installs an EXIT trap that stops every process it started,
# deletes the namespaces and the guard route and removes $PAIR_BASE
# (kept when KEEP=1). On a non-zero exit status it prints the logs first.
#
# Needs root, iproute2, util-linux (unshare, setpriv), postfix,
# dovecot-core and swaks. Without them a script exits 77 (skipped).

PAIR_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=server-config.sh
source "$PAIR_LIB_DIR/server-config.sh"
# shellcheck source-path=SCRIPTDIR source=checks.sh
source "$PAIR_LIB_DIR/checks.sh"
# shellcheck source-path=SCRIPTDIR source=../../lib/system-users.sh
source "$PAIR_LIB_DIR/../../lib/system-users.sh"
# shellcheck source-path=SCRIPTDIR source=../../lib/processes.sh
source "$PAIR_LIB_DIR/../../lib/processes.sh"

PAIR_DOMAIN=example.org
PAIR_SUBNET=10.200.0.0/24
PAIR_PEER_PORT=7625
PAIR_USERS=(alice bob)
PAIR_SERVERS=(a b)
PAIR_SKIP_STATUS=77

# Unique per run, so that namespaces and routes of concurrent runs differ.
PAIR_RUN_ID=$$
PAIR_BASE=
PAIR_GUARD_ROUTE_ADDED=0
PAIR_DAEMON_BIN=
PAIR_PIPE_BIN=
# Lines that the teardown prints last after a successful run.
PAIR_SUMMARY=()
# Set once a FAIL line was printed. A command that stops the script through
# set -e prints none, so the teardown reports it from PAIR_FAILED_COMMAND.
PAIR_FAILURE_REPORTED=0
PAIR_FAILED_COMMAND=
# The environment of alias-sync processes: what a systemd service gets, not
# root's (HOME=/root, say).
PAIR_SERVICE_ENVIRONMENT=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)

# Routes the whole test range to nowhere in the root namespace while the
# pair exists. The root namespace has a default route off the machine, so
# without this a mistaken connection to 10.200.0.x from outside the
# namespaces would leave the machine. The metric makes the route ours alone.
PAIR_GUARD_PREFIX=10.200.0.0/16

# --- names and addresses ---------------------------------------------------

pair_ns() { printf 'assys-%s-%s\n' "$1" "$PAIR_RUN_ID"; }

pair_other() {
  case $1 in
    a) echo b ;;
    b) echo a ;;
  esac
}

pair_address() {
  case $1 in
    a) echo 10.200.0.1 ;;
    b) echo 10.200.0.2 ;;
  esac
}

pair_short_name() {
  case $1 in
    a) echo mx1 ;;
    b) echo mx2 ;;
  esac
}

pair_hostname() { printf '%s.%s\n' "$(pair_short_name "$1")" "$PAIR_DOMAIN"; }

# Fixed test passwords. They exist only in the Dovecot users files of a run.
pair_password() { printf '%s-test-password\n' "$1"; }

# --- time, progress and failure --------------------------------------------

# Current time in microseconds. EPOCHREALTIME uses the locale's decimal
# separator, which may be a comma.
pair_now_us() {
  local now=$EPOCHREALTIME
  echo "${now/[.,]/}"
}

pair_format_us() { printf '%d.%03d' $(($1 / 1000000)) $((($1 % 1000000) / 1000)); }

PAIR_START_US=$(pair_now_us)

# Print a progress line with the seconds elapsed since the script started.
pair_step() {
  printf '[%7s s] %s\n' "$(pair_format_us $(($(pair_now_us) - PAIR_START_US)))" "$*"
}

pair_fail() {
  printf 'FAIL: %s\n' "$*" >&2
  PAIR_FAILURE_REPORTED=1
  exit 1
}

# ERR trap: remember the command that failed and where.
pair_record_failed_command() {
  PAIR_FAILED_COMMAND="$1 (exit status $2, $3 line $4)"
}

# Re-run the calling script under timeout(1), which sends SIGTERM after
# PAIR_TIME_LIMIT seconds (default 240). The TERM trap then runs the
# teardown, which ctest's own TIMEOUT would prevent because it sends SIGKILL.
# Usage: pair_enforce_time_limit "$@"   (first thing in a script)
pair_enforce_time_limit() {
  if [[ -z ${PAIR_TIME_LIMIT_ACTIVE:-} ]]; then
    export PAIR_TIME_LIMIT_ACTIVE=1
    exec timeout --signal=TERM --kill-after=30 "${PAIR_TIME_LIMIT:-240}" "$0" "$@"
  fi
}

# Check the arguments of a test case script and name its binaries.
# Usage: pair_case_arguments "$@"   (expects ALIAS_SYNC_BINARY PIPE_BINARY)
pair_case_arguments() {
  if (($# != 2)); then
    printf 'usage: %s ALIAS_SYNC_BINARY ALIAS_SYNC_PIPE_BINARY\n' "$(basename "$0")" >&2
    exit 2
  fi
  # shellcheck disable=SC2034 # read by the test scripts
  PAIR_CASE_DAEMON=$1
  # shellcheck disable=SC2034
  PAIR_CASE_PIPE=$2
}

# With PAIR_NARRATE=1 (set by tools/demo), print a titled block of details
# from the output of COMMAND. Usage: pair_show TITLE COMMAND...
pair_show() {
  [[ ${PAIR_NARRATE:-0} == 1 ]] || return 0
  local title=$1
  shift
  printf '            %s\n' "$title"
  # Display only: a command that prints nothing must not stop the script.
  "$@" 2>&1 | sed 's/^/              | /' || true
}

# A trap runs with the redirections of the command it interrupted (a
# function called as `f >file`, say), so the handlers go back to the
# script's own standard output and error first.
pair_restore_output() {
  if [[ -n ${PAIR_SCRIPT_STDOUT:-} ]]; then
    exec 1>&"$PAIR_SCRIPT_STDOUT" 2>&"$PAIR_SCRIPT_STDERR"
  fi
}

pair_interrupted() {
  pair_restore_output
  printf 'FAIL: interrupted by SIG%s (the time limit is PAIR_TIME_LIMIT=%s s)\n' \
    "$1" "${PAIR_TIME_LIMIT:-240}" >&2
  PAIR_FAILURE_REPORTED=1
  exit "$2"
}

pair_skip() {
  printf 'SKIP: %s\n' "$*" >&2
  exit "$PAIR_SKIP_STATUS"
}

# Poll a command every 20 ms until it succeeds, and fail after TIMEOUT seconds.
# Usage: pair_wait_until TIMEOUT DESCRIPTION COMMAND...
pair_wait_until() {
  local timeout=$1 description=$2
  shift 2
  local deadline=$(($(pair_now_us) + timeout * 1000000))
  until "$@"; do
    if (($(pair_now_us) >= deadline)); then
      pair_fail "timed out after ${timeout} s waiting for: $description"
    fi
    sleep 0.02
  done
}

# Check that a condition stays false for SECONDS seconds (polled every 0.1 s).
# Usage: pair_expect_never SECONDS DESCRIPTION COMMAND...
pair_expect_never() {
  local seconds=$1 description=$2
  shift 2
  local deadline=$(($(pair_now_us) + seconds * 1000000))
  while (($(pair_now_us) < deadline)); do
    if "$@"; then
      pair_fail "unexpected: $description"
    fi
    sleep 0.1
  done
}

# --- running commands as a server ------------------------------------------

# Set PAIR_WRAPPER to the command prefix that runs a program as server $1.
# The mount namespace is private so the bind mount never reaches the real
# /etc/postfix of this machine.
pair_set_wrapper() {
  local server=$1
  # shellcheck disable=SC2016 # the inner sh expands $1 and $@
  PAIR_WRAPPER=(ip netns exec "$(pair_ns "$server")"
    unshare --mount --propagation private
    sh -c 'mount --bind "$1" /etc/postfix && shift && exec "$@"' sh "$PAIR_BASE/$server/postfix")
}

# Usage: pair_run SERVER COMMAND...
pair_run() {
  pair_set_wrapper "$1"
  shift
  "${PAIR_WRAPPER[@]}" "$@"
}

# Usage: pair_run_as USER SERVER COMMAND...   (no supplementary groups)
pair_run_as() {
  local user=$1 server=$2
  shift 2
  pair_run "$server" setpriv --reuid="$user" --regid="$user" --clear-groups -- "$@"
}

# Run COMMAND as user alias-sync in PAIR_SERVICE_ENVIRONMENT.
# Usage: pair_run_service SERVER GROUPS COMMAND...
# where GROUPS is the supplementary group list for setpriv, e.g. postdrop.
pair_run_service() {
  local server=$1 groups=$2
  shift 2
  pair_set_wrapper "$server"
  "${PAIR_WRAPPER[@]}" "${PAIR_SERVICE_ENVIRONMENT[@]}" \
    setpriv --reuid=alias-sync --regid=alias-sync --groups="$groups" -- "$@"
}

pair_can_execute() {
  local user=$1 file=$2
  setpriv --reuid="$user" --regid="$user" --clear-groups -- test -x "$file"
}

# --- set-up ------------------------------------------------------------------

pair_require_environment() {
  if ((EUID != 0)); then
    pair_skip "system tests need root (network namespaces, bind mounts, users)"
  fi
  local tool
  for tool in ip unshare setpriv useradd postfix postalias postmap postqueue dovecot doveadm swaks; do
    if ! command -v "$tool" >/dev/null; then
      pair_skip "$tool not found; install iproute2, util-linux, passwd, postfix, dovecot-core and swaks"
    fi
  done
  if [[ ! -f /etc/postfix/postfix-script ]]; then
    pair_skip "/etc/postfix/postfix-script not found; is the postfix package installed?"
  fi
}

# The users a package install would create; they stay after the test.
pair_ensure_system_users() {
  ensure_alias_sync_users
}

pair_create_network() {
  local ns_a ns_b
  ns_a=$(pair_ns a)
  ns_b=$(pair_ns b)

  ip route add blackhole "$PAIR_GUARD_PREFIX" metric "$PAIR_RUN_ID"
  PAIR_GUARD_ROUTE_ADDED=1

  ip netns add "$ns_a"
  ip netns add "$ns_b"
  ip link add veth-a netns "$ns_a" type veth peer name veth-b netns "$ns_b"
  ip -n "$ns_a" addr add "$(pair_address a)/24" dev veth-a
  ip -n "$ns_b" addr add "$(pair_address b)/24" dev veth-b
  ip -n "$ns_a" link set lo up
  ip -n "$ns_b" link set lo up
  ip -n "$ns_a" link set veth-a up
  ip -n "$ns_b" link set veth-b up
}

# pipe(8) runs the pipe as alias-sync-pipe and the daemon runs as
# alias-sync. A build tree those users cannot reach (under /root, say) is
# copied to $PAIR_BASE/bin. NOTE: a copy loses a build-tree RPATH, so this
# only works for binaries that need no shared library from the build tree.
pair_install_binaries() {
  local daemon=$1 pipe=$2
  if [[ ! -x $daemon ]]; then
    pair_fail "alias-sync binary not found or not executable: $daemon"
  fi
  if [[ ! -x $pipe ]]; then
    pair_fail "pipe binary not found or not executable: $pipe"
  fi
  PAIR_DAEMON_BIN=$daemon
  PAIR_PIPE_BIN=$pipe

  if ! pair_can_execute alias-sync "$daemon"; then
    install -D -m 0755 "$daemon" "$PAIR_BASE/bin/$(basename "$daemon")"
    PAIR_DAEMON_BIN=$PAIR_BASE/bin/$(basename "$daemon")
  fi
  if ! pair_can_execute alias-sync-pipe "$pipe"; then
    install -D -m 0755 "$pipe" "$PAIR_BASE/bin/$(basename "$pipe")"
    PAIR_PIPE_BIN=$PAIR_BASE/bin/$(basename "$pipe")
  fi
}

pair_make_server_dirs() {
  local server=$1
  local dir=$PAIR_BASE/$server
  install -d -m 0755 "$dir" "$dir/postfix" "$dir/spool" "$dir/log" "$dir/mail" \
    "$dir/dovecot"
  install -d -m 0700 -o postfix -g postfix "$dir/data"

  # lib must be searchable by Postfix: smtpd and local(8) read the alias
  # database there.
  install -d -m 0755 -o alias-sync -g alias-sync "$dir/lib"
  install -d -m 0700 -o alias-sync -g alias-sync "$dir/lib/identity"
  install -m 0644 -o alias-sync -g alias-sync /dev/null "$dir/lib/aliases"

  # Only the pipe's group can reach the daemon's request socket. The setgid
  # bit gives the socket the directory's group, so the socket itself can be
  # limited to that group as well.
  install -d -m 2750 -o alias-sync -g alias-sync-pipe "$dir/run"

  # local(8) writes to mailbox files as default_privs (nobody).
  local user
  for user in "${PAIR_USERS[@]}"; do
    install -m 0600 -o nobody -g nogroup /dev/null "$dir/mail/$user"
  done
}

# Build the Postfix tables of a server and let postfix check create its
# queue directories, private/ among them, where Dovecot puts its auth socket.
pair_prepare_mail_system() {
  local server=$1
  local dir=$PAIR_BASE/$server
  pair_run "$server" postalias /etc/postfix/aliases
  # Built by user alias-sync, so the daemon owns the managed alias database;
  # configure-postfix then finds it current and leaves it alone.
  pair_run_as alias-sync "$server" postalias "$dir/lib/aliases"
  pair_run "$server" postfix check
}

# Run configure-postfix --yes on a server, as root through pair_run, as an
# admin runs it on the default instance /etc/postfix. The output goes to
# log/configure-postfix.log; the exit status is configure-postfix's.
pair_run_configure_postfix() {
  local server=$1
  local dir=$PAIR_BASE/$server
  pair_run "$server" "$PAIR_DAEMON_BIN" --config "$dir/alias-sync.conf" configure-postfix \
    --yes --pipe-command "$PAIR_PIPE_BIN" >"$dir/log/configure-postfix.log" 2>&1
}

# Add the alias-sync parts to the Postfix configuration of both servers (the
# transport map, transport_maps, the managed alias file in alias_maps,
# local_recipient_maps and the pipe service). Postfix is not running yet,
# so nothing is reloaded. The two runs go in parallel: each takes about
# 2.5 s, mostly Postfix tools waiting for a main.cf changed within the last
# second to age.
pair_configure_postfix() {
  local server pids=()
  for server in "${PAIR_SERVERS[@]}"; do
    pair_run_configure_postfix "$server" &
    pids+=("$!")
  done
  local index status log
  for index in "${!PAIR_SERVERS[@]}"; do
    server=${PAIR_SERVERS[$index]}
    log=$PAIR_BASE/$server/log/configure-postfix.log
    status=0
    wait "${pids[$index]}" || status=$?
    if ((status != 0)); then
      sed 's/^/  | /' "$log" >&2
      pair_fail "alias-sync configure-postfix --yes exited with status $status on $(pair_hostname "$server") (output above and in $log)"
    fi
    # configure-postfix rewrote main.cf; see pair_write_postfix_config for
    # why it is dated back.
    touch --date='-1 minute' "$PAIR_BASE/$server/postfix/main.cf"
    pair_step "$(pair_hostname "$server"): alias-sync configure-postfix added the transport map, the pipe service and the managed alias file to Postfix"
    if [[ $server == a ]]; then
      pair_show "alias-sync configure-postfix --yes on $(pair_hostname "$server"):" cat "$log"
    fi
  done
}

pair_start_mail_system() {
  local server=$1
  local dir=$PAIR_BASE/$server

  pair_run "$server" dovecot -c "$dir/dovecot/dovecot.conf"
  pair_wait_until 15 "Dovecot auth socket on $(pair_hostname "$server")" \
    test -S "$dir/spool/private/auth"

  pair_run "$server" postfix start 2>>"$dir/log/postfix-start.log"
  pair_wait_until 15 "SMTP on $(pair_hostname "$server") port 25" pair_smtp_ready "$server" 25
  pair_wait_until 15 "SMTP on $(pair_hostname "$server") port 587" pair_smtp_ready "$server" 587
}

# Build both servers, connect alias-sync to their Postfix with
# configure-postfix, and start Postfix and Dovecot on them. The alias-sync
# daemons are started separately (pair_start_daemon).
# Usage: pair_setup ALIAS_SYNC_BINARY PIPE_BINARY
pair_setup() {
  local daemon=$1 pipe=$2
  pair_require_environment

  PAIR_BASE=$(mktemp -d /tmp/alias-sync-system.XXXXXX)
  exec {PAIR_SCRIPT_STDOUT}>&1 {PAIR_SCRIPT_STDERR}>&2
  trap pair_teardown EXIT
  # errtrace makes functions inherit the ERR trap.
  set -o errtrace
  trap 'pair_record_failed_command "$BASH_COMMAND" "$?" "${BASH_SOURCE[0]}" "$LINENO"' ERR
  trap 'pair_interrupted INT 130' INT
  trap 'pair_interrupted TERM 143' TERM
  # A closed terminal or output pipe (tools/demo | head) must not skip the
  # teardown either. The PIPE handler ignores PIPE first: a second SIGPIPE
  # from its own message would kill bash before the EXIT trap runs.
  trap 'pair_interrupted HUP 129' HUP
  trap 'trap "" PIPE; pair_interrupted PIPE 141' PIPE
  # The users alias-sync and alias-sync-pipe must traverse the base.
  chmod 0755 "$PAIR_BASE"
  mkdir "$PAIR_BASE/transcripts"

  pair_step "setting up servers $(pair_hostname a) and $(pair_hostname b) in $PAIR_BASE"
  pair_ensure_system_users
  pair_install_binaries "$daemon" "$pipe"
  pair_create_network
  pair_step "network namespaces $(pair_ns a) ($(pair_address a)) and $(pair_ns b) ($(pair_address b)) joined by a veth pair"

  local server
  for server in "${PAIR_SERVERS[@]}"; do
    pair_make_server_dirs "$server"
    pair_write_postfix_config "$server"
    pair_write_dovecot_config "$server"
    pair_write_alias_sync_config "$server"
  done
  for server in "${PAIR_SERVERS[@]}"; do
    pair_prepare_mail_system "$server"
  done
  pair_configure_postfix
  for server in "${PAIR_SERVERS[@]}"; do
    pair_start_mail_system "$server"
    pair_step "$(pair_hostname "$server"): Postfix (ports 25 and 587) and Dovecot SASL running"
  done
}

# --- alias-sync daemons --------------------------------------------------------

# Generate both identities and pin each server's certificate on the other.
pair_pair_daemons() {
  local server fingerprint
  for server in "${PAIR_SERVERS[@]}"; do
    fingerprint=$(pair_run_service "$server" alias-sync "$PAIR_DAEMON_BIN" \
      --config "$PAIR_BASE/$server/alias-sync.conf" init | grep -E '^([0-9A-F]{2}:){31}[0-9A-F]{2}$')
    pair_step "$(pair_hostname "$server"): identity created, fingerprint $fingerprint"
  done
  for server in "${PAIR_SERVERS[@]}"; do
    pair_run "$server" "$PAIR_DAEMON_BIN" --config "$PAIR_BASE/$server/alias-sync.conf" \
      peer pin "$PAIR_BASE/$(pair_other "$server")/lib/identity/cert.pem" >/dev/null
    pair_step "$(pair_hostname "$server"): pinned the certificate of $(pair_hostname "$(pair_other "$server")")"
  done
}

# Start the daemon of a server in the background as user alias-sync, with
# group postdrop so that its sendmail can queue the confirmations.
pair_start_daemon() {
  local server=$1
  local dir=$PAIR_BASE/$server
  # A background function call would fork a subshell, so $! would not be
  # the daemon. Expanded in place, the wrapper execs down to the daemon.
  pair_set_wrapper "$server"
  "${PAIR_WRAPPER[@]}" "${PAIR_SERVICE_ENVIRONMENT[@]}" \
    setpriv --reuid=alias-sync --regid=alias-sync --groups=postdrop -- \
    "$PAIR_DAEMON_BIN" --config "$dir/alias-sync.conf" daemon >>"$dir/daemon.log" 2>&1 &
  echo "$!" >"$dir/daemon.pid"
  pair_step "$(pair_hostname "$server"): alias-sync daemon started (pid $!)"
}

# Send SIGTERM to every PID and wait up to 10 s for all, then SIGKILL.
# Dovecot 2.3 took about 2.5 s to stop here, so both servers stop together.
pair_stop_pids() { stop_pids 10 "$@"; }

pair_stop_daemon() {
  local server=$1
  local pidfile=$PAIR_BASE/$server/daemon.pid
  [[ -f $pidfile ]] || return 0
  local pid
  pid=$(<"$pidfile")
  pair_stop_pids "$pid"
  # The daemon is a child of this shell, so reap it.
  wait "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  pair_step "$(pair_hostname "$server"): alias-sync daemon stopped (pid $pid)"
}

# Return the exit status of `alias-sync status`, which follows the
# monitoring-plugins convention: 0 OK, 1 warning, 2 critical (peer link down
# or daemon unreachable), 3 unknown.
pair_daemon_status() {
  local server=$1
  local rc=0
  pair_run "$server" "$PAIR_DAEMON_BIN" --config "$PAIR_BASE/$server/alias-sync.conf" status \
    >"$PAIR_BASE/$server/status.out" 2>&1 || rc=$?
  return "$rc"
}

pair_link_up() { pair_daemon_status "$1"; }

# A warning (1) is accepted too: the link is up, but status may warn about
# something else, such as a request waiting in the Postfix queue.
pair_link_up_or_warning() {
  local rc=0
  pair_daemon_status "$1" || rc=$?
  ((rc == 0 || rc == 1))
}

pair_link_down() {
  local rc=0
  pair_daemon_status "$1" || rc=$?
  ((rc == 2))
}

# Usage: pair_wait_link EXPECTED_STATUS_TEXT CONDITION
pair_wait_link() {
  local expected=$1 condition=$2 server
  for server in "${PAIR_SERVERS[@]}"; do
    pair_wait_until 30 "alias-sync status $expected (peer link up) on $(pair_hostname "$server")" \
      "$condition" "$server"
  done
  pair_step "peer link up: alias-sync status returns $expected on both servers"
}

pair_wait_link_up() { pair_wait_link 0 pair_link_up; }

pair_wait_link_up_or_warning() { pair_wait_link "0 or 1" pair_link_up_or_warning; }

# --- teardown --------------------------------------------------------------

# Print the PIDs of the Postfix and Dovecot masters of a server.
# SIGTERM to the Postfix master is what `postfix stop` sends. pair_stop_pids
# then polls every 50 ms where postfix-script sleeps whole seconds.
pair_mail_system_pids() {
  local server=$1 file
  for file in "$PAIR_BASE/$server/spool/pid/master.pid" "$PAIR_BASE/$server/dovecot/run/master.pid"; do
    if [[ -f $file ]]; then
      tr -d ' ' <"$file"
    fi
  done
}

# Processes left in a namespace of this run were started by this run.
pair_stop_namespace_processes() {
  local ns=$1 pid pids=()
  for pid in $(ip netns pids "$ns" 2>/dev/null); do
    printf 'warning: stopping leftover process %s in %s: %s\n' "$pid" "$ns" \
      "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" >&2
    pids+=("$pid")
  done
  if ((${#pids[@]} > 0)); then
    pair_stop_pids "${pids[@]}"
  fi
}

pair_namespace_exists() { ip netns list | awk -v ns="$1" '$1 == ns { found = 1 } END { exit !found }'; }

# Stop the daemons, then Postfix and Dovecot of both servers, then anything
# else still running in the namespaces.
pair_stop_servers() {
  local server pids=()
  for server in "${PAIR_SERVERS[@]}"; do
    pair_stop_daemon "$server"
  done
  for server in "${PAIR_SERVERS[@]}"; do
    mapfile -t -O "${#pids[@]}" pids < <(pair_mail_system_pids "$server")
  done
  if ((${#pids[@]} > 0)); then
    pair_stop_pids "${pids[@]}"
  fi
  for server in "${PAIR_SERVERS[@]}"; do
    if pair_namespace_exists "$(pair_ns "$server")"; then
      pair_stop_namespace_processes "$(pair_ns "$server")"
    fi
  done
}

pair_remove_network() {
  local server ns
  for server in "${PAIR_SERVERS[@]}"; do
    ns=$(pair_ns "$server")
    if pair_namespace_exists "$ns"; then
      ip netns del "$ns"
    fi
  done
  if ((PAIR_GUARD_ROUTE_ADDED)); then
    ip route del blackhole "$PAIR_GUARD_PREFIX" metric "$PAIR_RUN_ID"
    PAIR_GUARD_ROUTE_ADDED=0
  fi
}

pair_remove_base() {
  [[ $PAIR_BASE == /tmp/alias-sync-system.* ]] || return 0
  if [[ ${KEEP:-0} == 1 ]]; then
    printf 'KEEP=1: files of this run are in %s\n' "$PAIR_BASE"
  else
    rm -rf --one-file-system "$PAIR_BASE"
  fi
}

# EXIT trap: runs after success and after a failure at any step.
pair_teardown() {
  local status=$?
  trap - EXIT ERR
  pair_restore_output
  # An interrupt during the teardown must not cut it short and leave
  # namespaces, routes or files behind. With PIPE ignored, a write to a
  # closed output fails instead of killing the teardown.
  trap '' INT TERM HUP PIPE
  set +e
  if ((status != 0 && !PAIR_FAILURE_REPORTED)); then
    if [[ -n $PAIR_FAILED_COMMAND ]]; then
      printf 'FAIL: command failed: %s\n' "$PAIR_FAILED_COMMAND" >&2
    else
      printf 'FAIL: exit status %s\n' "$status" >&2
    fi
  fi
  if ((status != 0)) && [[ -n $PAIR_BASE && -d $PAIR_BASE ]]; then
    pair_dump_logs
  fi
  if [[ -n $PAIR_BASE ]]; then
    pair_stop_servers
  fi
  pair_remove_network
  pair_remove_base
  pair_step "cleaned up: processes stopped, namespaces and guard route removed"
  if ((status == 0 && ${#PAIR_SUMMARY[@]} > 0)); then
    printf '%s\n' "${PAIR_SUMMARY[@]}"
  fi
  exit "$status"
}

pair_print_file_tail() {
  local title=$1 file=$2 lines=$3
  printf '===== %s (%s, last %s lines)\n' "$title" "$file" "$lines"
  if [[ -s $file ]]; then
    tail -n "$lines" "$file"
  else
    echo "(empty or missing)"
  fi
}

# Print what explains a failure: daemon, Postfix and Dovecot logs, queues,
# alias files and SMTP transcripts.
pair_dump_logs() {
  local server dir name file
  echo
  echo "===== logs of the failed run (base $PAIR_BASE)"
  for server in "${PAIR_SERVERS[@]}"; do
    dir=$PAIR_BASE/$server
    [[ -d $dir ]] || continue
    name=$(pair_hostname "$server")
    pair_print_file_tail "$name: alias-sync daemon log" "$dir/daemon.log" 80
    pair_print_file_tail "$name: last alias-sync status output" "$dir/status.out" 30
    pair_print_file_tail "$name: Postfix maillog" "$dir/log/maillog" 60
    pair_print_file_tail "$name: alias-sync configure-postfix output" "$dir/log/configure-postfix.log" 80
    pair_print_file_tail "$name: Postfix start output" "$dir/log/postfix-start.log" 20
    pair_print_file_tail "$name: Dovecot log" "$dir/log/dovecot.log" 20
    pair_print_file_tail "$name: managed alias file" "$dir/lib/aliases" 40
    if [[ -f $dir/spool/pid/master.pid ]] && pair_namespace_exists "$(pair_ns "$server")"; then
      echo "===== $name: mail queue"
      pair_run "$server" postqueue -p 2>&1 | tail -n 30
    fi
    for file in "$dir"/pipe-calls/*; do
      [[ -f $file ]] && pair_print_file_tail "$name: recorded pipe call" "$file" 40
    done
  done
  for file in "$PAIR_BASE"/transcripts/*; do
    [[ -f $file ]] && pair_print_file_tail "SMTP transcript" "$file" 40
  done
  echo "===== end of logs"
}
