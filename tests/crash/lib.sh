# shellcheck shell=bash
# Two alias-sync servers, "a" and "b", on 127.0.0.1 for the crash tests, in
# the style of tests/two-instance/lib.sh. Each has its own Postfix
# configuration directory, identity, journal and managed alias file under
# $CRASH_BASE/<server>. No Postfix daemon runs, because postalias and
# sendmail's postdrop are all that the daemons call. One of the two daemons
# may run under the crash-point shim (crashpoint.c).
# Usage: source lib.sh ALIAS_SYNC PIPE SHIM

set -euo pipefail

ALIAS_SYNC=$(realpath "$1")
ALIAS_SYNC_PIPE=$(realpath "$2")
CRASH_SHIM=$(realpath "$3")
CRASH_BASE=$(mktemp -d /tmp/alias-sync-crash.XXXXXX)
CRASH_SOURCE_DIR=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
# PIDs of the running daemons by server, and of the subshell that waits for
# each. Both are emptied once the subshell was reaped, so that cleanup never
# signals a PID that the kernel may have reused.
declare -A CRASH_PID=() CRASH_WAITER_PID=()
# shellcheck source-path=SCRIPTDIR source=../lib/system-users.sh
source "$CRASH_SOURCE_DIR/../lib/system-users.sh"
# shellcheck source-path=SCRIPTDIR source=../lib/processes.sh
source "$CRASH_SOURCE_DIR/../lib/processes.sh"
# shellcheck source-path=SCRIPTDIR source=../lib/test-postfix.sh
source "$CRASH_SOURCE_DIR/../lib/test-postfix.sh"

crash_cleanup() {
  local status=$?
  local server
  for server in "${!CRASH_PID[@]}"; do
    if [[ -n ${CRASH_PID[$server]} ]]; then
      crash_stop_daemon "$server"
    fi
  done
  if ((status != 0)); then
    echo "--- FAILED: last lines of both daemons' logs ---"
    tail -n 40 "$CRASH_BASE"/a/daemon.log "$CRASH_BASE"/b/daemon.log 2>/dev/null || true
  fi
  if [[ ${KEEP:-0} != 1 ]]; then
    rm -rf --one-file-system "$CRASH_BASE"
  else
    echo "kept $CRASH_BASE"
  fi
  exit "$status"
}
trap crash_cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Two free TCP ports on 127.0.0.1, picked by the kernel.

crash_config() { printf '%s/%s/alias-sync.conf\n' "$CRASH_BASE" "$1"; }
crash_alias_file() { printf '%s/%s/lib/aliases\n' "$CRASH_BASE" "$1"; }
crash_journal() { printf '%s/%s/lib/journal\n' "$CRASH_BASE" "$1"; }

crash_write_postfix_config() {
  write_test_postfix_directory "$CRASH_BASE" "$1"
  build_test_postfix_directory "$CRASH_BASE/$1/postfix"
}

crash_write_config() {
  local server=$1 listen=$2 peer=$3
  cat >"$(crash_config "$server")" <<CF
server_name = mx-$server.example.org
domains = example.org
designated_local_part = makealias
administrators = alice@example.org
alias_file = $(crash_alias_file "$server")
journal_file = $(crash_journal "$server")
identity_directory = $CRASH_BASE/$server/lib/identity
peer_certificate = $CRASH_BASE/$server/peer.pem
request_socket = $CRASH_BASE/$server/run/request.sock
control_socket = $CRASH_BASE/$server/run/control.sock
listen_address = 127.0.0.1
listen_port = $listen
peer_address = 127.0.0.1
peer_port = $peer
postfix_config_directory = $CRASH_BASE/$server/postfix
request_timeout = 30
CF
  # Short timeouts keep one crash point to a few seconds: after each crash
  # the surviving daemon reconnects within reconnect_max. The heartbeat
  # stays long, so that no ping adds a send or recv event between arming
  # and the end of the transaction, and the counts of the counting run hold
  # in every point's run. A SIGKILLed daemon's connections are closed by
  # the kernel, so the peer notices the crash without heartbeats.
  cat >>"$(crash_config "$server")" <<CF
transaction_timeout = 2s
heartbeat_interval = 10s
heartbeat_timeout = 30s
reconnect_min = 100ms
reconnect_max = 250ms
# One login sends every request of the run; the rate limit is not under test.
request_rate_limit = 0
CF
}

# Starts the daemon of SERVER. With VAR=VALUE words it runs under the
# crash-point shim with that environment.
# A subshell waits for the daemon and exits with its status, because bash
# prints a "Killed" line for each of its own background jobs that a signal
# ends. The daemon is still a child of this shell's subshell, and the
# subshell exits (and stays a zombie of this shell) when the daemon ends.
# Usage: crash_start_daemon SERVER [VAR=VALUE...]
crash_start_daemon() {
  local server=$1
  shift
  [[ -z ${CRASH_PID[$server]:-} ]] || fail "the daemon of $server is already running as PID ${CRASH_PID[$server]}"
  local pid_file=$CRASH_BASE/$server/daemon.pid
  rm -f "$pid_file"
  (
    if (($# > 0)); then
      env LD_PRELOAD="$CRASH_SHIM" "$@" "$ALIAS_SYNC" --config "$(crash_config "$server")" daemon \
        >>"$CRASH_BASE/$server/daemon.log" 2>&1 &
    else
      "$ALIAS_SYNC" --config "$(crash_config "$server")" daemon >>"$CRASH_BASE/$server/daemon.log" 2>&1 &
    fi
    echo $! >"$pid_file"
    wait $!
  ) 2>/dev/null &
  CRASH_WAITER_PID[$server]=$!
  until [[ -s $pid_file ]]; do
    sleep 0.01
  done
  CRASH_PID[$server]=$(<"$pid_file")
}

# Stops the daemon of SERVER with SIGTERM (SIGKILL after 5 s) and reaps it.
crash_stop_daemon() {
  local server=$1
  # While its subshell runs, the daemon has not been reaped, so its PID is
  # still its own.
  if ! crash_daemon_exited "$server"; then
    stop_pids 5 "${CRASH_PID[$server]}"
  fi
  wait "${CRASH_WAITER_PID[$server]}" 2>/dev/null || true
  CRASH_PID[$server]=
  CRASH_WAITER_PID[$server]=
}

# Succeeds when the daemon of SERVER has exited: its waiting subshell is
# then a zombie until crash_reap_daemon, which kill -0 cannot tell.
crash_daemon_exited() {
  local pid=${CRASH_WAITER_PID[$1]} stat
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 0
  # The state is the first field after the command name in parentheses.
  [[ ${stat##*) } == Z* ]]
}

# Reaps the exited daemon of SERVER and sets CRASH_WAIT_STATUS to its exit
# status (128 + the signal number when a signal ended it). Not to be run in
# a command substitution, whose subshell cannot reap it.
# shellcheck disable=SC2034 # read by the sourcing script
crash_reap_daemon() {
  local server=$1
  CRASH_WAIT_STATUS=0
  wait "${CRASH_WAITER_PID[$server]}" 2>/dev/null || CRASH_WAIT_STATUS=$?
  CRASH_PID[$server]=
  CRASH_WAITER_PID[$server]=
}

# Polls COMMAND until it succeeds, at most SECONDS seconds.
crash_wait_until() {
  local seconds=$1
  shift
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

crash_status() {
  "$ALIAS_SYNC" --config "$(crash_config "$1")" status 2>&1 || true
}

# Each status request makes the daemon run postconf (measured at about
# 0.15 s on a 2-core machine), so the checks below ask each daemon once.
crash_status_shows_link_up() {
  grep -qE '^peer link: +up' <<<"$1"
}

crash_status_shows_nothing_pending() {
  grep -qE '^pending transactions: +0$' <<<"$1"
}

crash_both_links_up() {
  crash_status_shows_link_up "$(crash_status a)" && crash_status_shows_link_up "$(crash_status b)"
}

crash_nothing_pending() {
  crash_status_shows_nothing_pending "$(crash_status "$1")"
}

crash_fingerprint() {
  "$ALIAS_SYNC" aliases fingerprint "$(crash_alias_file "$1")"
}

# Both servers have nothing pending, their links are up and their managed
# files have the same fingerprint.
crash_settled() {
  local server status
  for server in a b; do
    status=$(crash_status "$server")
    crash_status_shows_link_up "$status" && crash_status_shows_nothing_pending "$status" || return 1
  done
  [[ $(crash_fingerprint a) == "$(crash_fingerprint b)" ]]
}

# Both servers' managed files have the same fingerprint, SERVER's journal
# has nothing pending and the other server's status shows nothing pending.
# Unlike crash_settled it sends no request to SERVER's daemon: a status
# request there runs postconf, which would add exec events to the count of
# a daemon under the shim.
crash_settled_without_asking() {
  local server=$1 other=a
  [[ $server == a ]] && other=b
  crash_nothing_pending "$other" && [[ -z $(crash_journal_pending "$server") ]] &&
    [[ $(crash_fingerprint a) == "$(crash_fingerprint b)" ]]
}

crash_alias_in_database() {
  local server=$1 name=$2
  postalias -c "$CRASH_BASE/$server/postfix" -q "$name" "hash:$(crash_alias_file "$server")" >/dev/null 2>&1
}

crash_alias_in_file() {
  local server=$1 name=$2
  grep -q "^$name:" "$(crash_alias_file "$server")"
}

# Prints "TXID ROLE STATE" for the last record of each transaction in the
# journal of SERVER, in the order of first appearance. Records are
# "CRC JSON" lines (specs/journal.md). In a JSON string a quote is escaped,
# so '"state":"' only matches the key itself, never text inside a reason.
# awk, not Python: the loops call this often, and a pyenv shim in front of
# python3 makes each start cost about 0.1 s.
crash_journal_last_states() {
  local journal
  journal=$(crash_journal "$1")
  [[ -e $journal ]] || return 0
  awk '
    function field(name,    pattern) {
      pattern = "\"" name "\":\"[^\"]*\""
      if (!match($0, pattern)) return ""
      return substr($0, RSTART + length(name) + 4, RLENGTH - length(name) - 5)
    }
    {
      txid = field("txid")
      if (txid == "") next
      if (!(txid in state)) order[++count] = txid
      role[txid] = field("role")
      state[txid] = field("state")
    }
    END { for (i = 1; i <= count; i++) print order[i], role[order[i]], state[order[i]] }
  ' "$journal"
}

# Prints the transactions of SERVER's journal whose last record is begun,
# prepared or committed, as "TXID ROLE STATE", one a line.
crash_undecided_transactions() {
  crash_journal_last_states "$1" | awk '$3 == "begun" || $3 == "prepared" || $3 == "committed"'
}

# Prints the transactions that the status of SERVER would count as pending,
# judged from its journal: coordinator transactions not finished, and
# participant transactions prepared or committed.
crash_journal_pending() {
  crash_journal_last_states "$1" |
    awk '($2 == "participant" && ($3 == "prepared" || $3 == "committed")) || ($2 != "participant" && $3 != "finished")'
}

# Prints a journal without the operations, for failure reports.
crash_show_journal() {
  sed -E 's/"operation":"[^"]*",//' "$(crash_journal "$1")" 2>/dev/null || true
}

crash_setup() {
  local ports
  read -r -a ports <<<"$(free_local_ports)"
  local server
  for server in a b; do
    mkdir -p "$CRASH_BASE/$server/lib" "$CRASH_BASE/$server/run"
    crash_write_postfix_config "$server"
  done
  crash_write_config a "${ports[0]}" "${ports[1]}"
  crash_write_config b "${ports[1]}" "${ports[0]}"

  pair_test_servers "$CRASH_BASE" crash_config "$ALIAS_SYNC_PIPE"
}

# Feeds a request message to the real pipe of SERVER as pipe(8) would run
# it. Prints the pipe's exit status.
# Usage: crash_pipe SERVER SUBJECT MESSAGE_ID QUEUE_ID
crash_pipe() {
  local server=$1 subject=$2 message_id=$3 queue_id=$4 status=0
  printf 'From: alice@example.org\nTo: makealias@example.org\nSubject: %s\nMessage-ID: %s\nDate: Fri, 4 Dec 2026 20:00:00 +0000\n\nbody\n' \
    "$subject" "$message_id" |
    "$ALIAS_SYNC_PIPE" --config "$(crash_config "$server")" --sender=alice@example.org \
      --recipient=makealias@example.org --original-recipient=makealias@example.org \
      --sasl-username=alice@example.org --queue-id="$queue_id" >/dev/null 2>&1 || status=$?
  echo "$status"
}

# Prints how many replies (confirmations or rejections) SERVER queued for
# the request MESSAGE_ID. sendmail hands them to postdrop, whose queue files
# keep each header line as it is, and no Postfix daemon picks them up here.
crash_replies_queued() {
  local server=$1 message_id=$2
  local files
  files=$(grep -a -l -F "In-Reply-To: $message_id" "$CRASH_BASE/$server/spool/maildrop/"* 2>/dev/null || true)
  if [[ -z $files ]]; then
    echo 0
  else
    wc -l <<<"$files"
  fi
}

# Prints the outcome that the coordinator SERVER logged for QUEUE_ID:
# committed, rejected, tempfail or unknown.
crash_logged_outcome() {
  local server=$1 queue_id=$2 lines
  lines=$(grep -F "request $queue_id " "$CRASH_BASE/$server/daemon.log" || true)
  if grep -qE ' committed( |$)' <<<"$lines"; then
    echo committed
  elif grep -q ' rejected' <<<"$lines"; then
    echo rejected
  elif grep -q 'failed temporarily' <<<"$lines"; then
    echo tempfail
  else
    echo unknown
  fi
}
