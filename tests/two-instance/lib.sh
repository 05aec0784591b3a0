# shellcheck shell=bash
# Two alias-sync servers, "a" and "b", on 127.0.0.1 for one test case.
# Each has its own Postfix configuration directory (postfix_config_directory),
# identity, journal and managed alias file under $DUO_BASE/<server>. Both run
# as root here, because a non-root `sendmail -C DIR` is refused by Postfix.
# Sourced by the case scripts; every case calls duo_setup first.

set -euo pipefail

ALIAS_SYNC=$(realpath "$1")
ALIAS_SYNC_PIPE=$(realpath "$2")
DUO_BASE=$(mktemp -d /tmp/alias-sync-duo.XXXXXX)
DUO_DAEMON_PIDS=()
DUO_SOURCE_DIR=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
# shellcheck source-path=SCRIPTDIR source=../lib/system-users.sh
source "$DUO_SOURCE_DIR/../lib/system-users.sh"
# shellcheck source-path=SCRIPTDIR source=../lib/test-postfix.sh
source "$DUO_SOURCE_DIR/../lib/test-postfix.sh"

duo_cleanup() {
  local status=$?
  local pid
  for pid in "${DUO_DAEMON_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if ((status != 0)); then
    echo "--- FAILED: logs of both daemons ---"
    tail -n 40 "$DUO_BASE"/a/daemon.log "$DUO_BASE"/b/daemon.log 2>/dev/null || true
  fi
  if [[ ${KEEP:-0} != 1 ]]; then
    rm -rf --one-file-system "$DUO_BASE"
  else
    echo "kept $DUO_BASE"
  fi
  exit "$status"
}
trap duo_cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

pass() {
  echo "ok: $*"
}


duo_config() { printf '%s/%s/alias-sync.conf\n' "$DUO_BASE" "$1"; }

duo_write_postfix_config() {
  write_test_postfix_directory "$DUO_BASE" "$1"
  build_test_postfix_directory "$DUO_BASE/$1/postfix"
}

duo_write_config() {
  local server=$1 listen=$2 peer=$3
  cat >"$(duo_config "$server")" <<CF
server_name = mx-$server.example.org
domains = example.org
designated_local_part = makealias
administrators = alice@example.org
alias_file = $DUO_BASE/$server/lib/aliases
journal_file = $DUO_BASE/$server/lib/journal
identity_directory = $DUO_BASE/$server/lib/identity
peer_certificate = $DUO_BASE/$server/peer.pem
request_socket = $DUO_BASE/$server/run/request.sock
control_socket = $DUO_BASE/$server/run/control.sock
listen_address = 127.0.0.1
listen_port = $listen
peer_address = 127.0.0.1
peer_port = $peer
postfix_config_directory = $DUO_BASE/$server/postfix
transaction_timeout = 5
request_timeout = 30
reconnect_max = 2
CF
}

duo_start_daemon() {
  local server=$1
  "$ALIAS_SYNC" --config "$(duo_config "$server")" daemon >>"$DUO_BASE/$server/daemon.log" 2>&1 &
  DUO_DAEMON_PIDS+=($!)
  eval "DUO_PID_$server=$!"
}

duo_stop_daemon() {
  local server=$1 variable="DUO_PID_$1"
  kill "${!variable}"
  wait "${!variable}" 2>/dev/null || true
}

# Polls COMMAND until it succeeds, at most SECONDS seconds.
duo_wait_until() {
  local seconds=$1
  shift
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

duo_link_up() {
  "$ALIAS_SYNC" --config "$(duo_config "$1")" status >/dev/null 2>&1
}

duo_setup() {
  local ports
  read -r -a ports <<<"$(free_local_ports)"
  local server
  for server in a b; do
    mkdir -p "$DUO_BASE/$server/lib" "$DUO_BASE/$server/run"
    duo_write_postfix_config "$server"
  done
  duo_write_config a "${ports[0]}" "${ports[1]}"
  duo_write_config b "${ports[1]}" "${ports[0]}"

  pair_test_servers "$DUO_BASE" duo_config "$ALIAS_SYNC_PIPE"

  duo_start_daemon a
  duo_start_daemon b
  duo_wait_until 20 duo_link_up a || fail "peer link of a did not come up"
  duo_wait_until 20 duo_link_up b || fail "peer link of b did not come up"
}

# Feeds a request message to the real pipe as pipe(8) would run it.
# Usage: duo_pipe SERVER SASL_LOGIN SUBJECT [MESSAGE_ID]; sets DUO_PIPE_STATUS.
duo_pipe() {
  local server=$1 login=$2 subject=$3 message_id=${4:-<$RANDOM.$RANDOM@client.example.org>}
  set +e
  printf 'From: %s\nTo: makealias@example.org\nSubject: %s\nMessage-ID: %s\nDate: Fri, 4 Dec 2026 20:00:00 +0000\n\nbody\n' \
    "${login:-someone@example.org}" "$subject" "$message_id" |
    "$ALIAS_SYNC_PIPE" --config "$(duo_config "$server")" --sender="${login:-someone@example.org}" \
      --recipient=makealias@example.org --original-recipient=makealias@example.org \
      --sasl-username="$login" --queue-id="TEST$RANDOM"
  DUO_PIPE_STATUS=$?
  set -e
}

# Runs `alias-sync --config CONFIG-OF-SERVER ARGUMENTS...` with standard
# input from /dev/null and sets OUT, ERR and STATUS.
duo_run_cli() {
  local server=$1
  shift
  set +e
  OUT=$("$ALIAS_SYNC" --config "$(duo_config "$server")" "$@" </dev/null 2>"$DUO_BASE/cli.err")
  STATUS=$?
  set -e
  ERR=$(<"$DUO_BASE/cli.err")
}

# Fails unless the last duo_run_cli exited with EXPECTED; WHAT names the step.
duo_expect_status() {
  local expected=$1 what=$2
  ((STATUS == expected)) ||
    fail "$what: expected exit status $expected, saw $STATUS (stdout: '$OUT', stderr: '$ERR')"
}

duo_alias_in_database() {
  local server=$1 name=$2
  postalias -c "$DUO_BASE/$server/postfix" -q "$name" "hash:$DUO_BASE/$server/lib/aliases"
}

# Messages sendmail handed to postdrop; no Postfix daemon picks them up here.
duo_queued_messages() {
  find "$DUO_BASE/$1/spool/maildrop" -type f | wc -l
}
