# shellcheck shell=bash
# Two alias-sync servers in network namespaces with a delaying relay
# between them:
#
#   ns A                     ns M (relay)                      ns B
#   daemon a  10.231.1.1 <-> 10.231.1.2  delay-relay  10.231.2.2 <-> 10.231.2.1  daemon b
#             veth m-link    veth a-link              veth b-link    veth m-link
#
# Each daemon listens on its own address, port 7625, and its peer_address
# is the relay's address on its own link. The relay forwards
# 10.231.1.2:7625 to b and 10.231.2.2:7625 to a, holding every chunk for
# its delay. A and B have no route to each other and no default route, so
# every packet between them passes the relay and nothing leaves the
# machine. The namespace names contain this shell's PID, so several tests
# can run at once; the addresses only exist inside those namespaces.
#
# Usage from a test script, with the paths of alias-sync and
# alias-sync-pipe as its first two arguments:
#   source "$(dirname "$0")/../lib/netns.sh"
#   netns_setup DELAY_MS
#
# This file sources tests/two-instance/lib.sh for its argument handling
# and small helpers (ALIAS_SYNC, ALIAS_SYNC_PIPE, DUO_BASE, fail, pass,
# duo_wait_until, duo_config) and replaces that file's EXIT trap with
# netns_cleanup, which also removes the namespaces.

set -euo pipefail

NETNS_LIB_DIR=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
# shellcheck source-path=SCRIPTDIR source=../two-instance/lib.sh
source "$NETNS_LIB_DIR/../two-instance/lib.sh"
# shellcheck source-path=SCRIPTDIR source=processes.sh
source "$NETNS_LIB_DIR/processes.sh"
trap netns_cleanup EXIT

NETNS_PREFIX="as-$$-$RANDOM"
NETNS_A=$NETNS_PREFIX-a
NETNS_M=$NETNS_PREFIX-m
NETNS_B=$NETNS_PREFIX-b
NETNS_CREATED=()
NETNS_PIDS=()
NETNS_RELAY_PID=
NETNS_PORT=7625
# Interface names inside the namespaces: in M, "a-link" leads to A and
# "b-link" to B; in A and in B, "m-link" leads to M.
NETNS_ADDRESS_A=10.231.1.1
NETNS_ADDRESS_M_A=10.231.1.2
NETNS_ADDRESS_M_B=10.231.2.2
NETNS_ADDRESS_B=10.231.2.1
NETNS_NFT_TABLE=partition
PYTHON=${PYTHON:-/usr/bin/python3}

# Namespace of server a or b.
netns_of() {
  case $1 in
    a) echo "$NETNS_A" ;;
    b) echo "$NETNS_B" ;;
    m) echo "$NETNS_M" ;;
    *) fail "unknown server '$1'; expected a, b or m" ;;
  esac
}

# Runs COMMAND inside the namespace of SERVER (a, b or m).
netns_exec() {
  local namespace
  namespace=$(netns_of "$1")
  shift
  ip netns exec "$namespace" "$@"
}

netns_cleanup() {
  local status=$?
  set +e
  trap - EXIT
  local pids=("${NETNS_PIDS[@]}")
  [[ -n $NETNS_RELAY_PID ]] && pids+=("$NETNS_RELAY_PID")
  ((${#pids[@]} > 0)) && stop_pids 5 "${pids[@]}"
  wait 2>/dev/null

  # Anything still running in a namespace was started by this test,
  # because the namespaces are its own.
  local namespace pid
  for namespace in "${NETNS_CREATED[@]}"; do
    for pid in $(ip netns pids "$namespace" 2>/dev/null); do
      echo "warning: pid $pid still running in $namespace at cleanup; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null
    done
    ip netns del "$namespace" 2>/dev/null || echo "warning: could not delete namespace $namespace" >&2
  done

  if ((status != 0 && status != NETNS_SKIP_STATUS)); then
    echo "--- FAILED: end of the logs of both daemons and the relay ---"
    tail -n 60 "$DUO_BASE"/a/daemon.log "$DUO_BASE"/b/daemon.log "$DUO_BASE"/relay.log 2>/dev/null
    echo "--- journal records of a and b (time role state txid reason) ---"
    netns_print_journal a 2>/dev/null | tail -n 30
    netns_print_journal b 2>/dev/null | tail -n 30
  fi
  if [[ ${KEEP:-0} == 1 || -n ${NETNS_KEEP_ON_FAILURE:-} && $status != 0 && $status != "$NETNS_SKIP_STATUS" ]]; then
    echo "kept $DUO_BASE"
  else
    rm -rf --one-file-system "$DUO_BASE"
  fi
  exit "$status"
}

# Exit status that ctest reports as a skipped test (SKIP_RETURN_CODE).
NETNS_SKIP_STATUS=77

# Skips the test (exit 77) when it cannot run here: it needs root for the
# namespaces, and these programs.
netns_require_environment() {
  if ((EUID != 0)); then
    echo "SKIP: these tests need root (network namespaces, nftables, Postfix tools)"
    exit "$NETNS_SKIP_STATUS"
  fi
  local tool
  for tool in ip nft postalias postfix "$PYTHON"; do
    if ! command -v "$tool" >/dev/null; then
      echo "SKIP: $tool not found; install iproute2, nftables, postfix and python3"
      exit "$NETNS_SKIP_STATUS"
    fi
  done
}

# Creates the three namespaces and the two veth pairs, all links up.
netns_create() {
  local namespace
  for namespace in "$NETNS_A" "$NETNS_M" "$NETNS_B"; do
    ip netns add "$namespace"
    NETNS_CREATED+=("$namespace")
    ip -n "$namespace" link set lo up
  done
  # Created inside M and the peer end moved at once, so the names only
  # have to be unique inside each namespace.
  ip -n "$NETNS_M" link add a-link type veth peer name m-link netns "$NETNS_A"
  ip -n "$NETNS_M" link add b-link type veth peer name m-link netns "$NETNS_B"
  ip -n "$NETNS_A" addr add "$NETNS_ADDRESS_A/24" dev m-link
  ip -n "$NETNS_M" addr add "$NETNS_ADDRESS_M_A/24" dev a-link
  ip -n "$NETNS_M" addr add "$NETNS_ADDRESS_M_B/24" dev b-link
  ip -n "$NETNS_B" addr add "$NETNS_ADDRESS_B/24" dev m-link
  ip -n "$NETNS_A" link set m-link up
  ip -n "$NETNS_B" link set m-link up
  ip -n "$NETNS_M" link set a-link up
  ip -n "$NETNS_M" link set b-link up
}

# Starts the relay in M with DELAY_MS each way and waits for its ready line.
# NETNS_RELAY_EXTRA_PAIRS may list more LISTEN=TARGET pairs (for example a
# measuring echo service).
NETNS_RELAY_EXTRA_PAIRS=()
netns_start_relay() {
  local delay_ms=$1
  # `ip netns exec` runs the program in place of itself, so $! is the
  # relay's PID. A shell function in the background would be a subshell.
  ip netns exec "$NETNS_M" "$PYTHON" "$NETNS_LIB_DIR/delay-relay.py" --delay-ms "$delay_ms" --verbose \
    "$NETNS_ADDRESS_M_A:$NETNS_PORT=$NETNS_ADDRESS_B:$NETNS_PORT" \
    "$NETNS_ADDRESS_M_B:$NETNS_PORT=$NETNS_ADDRESS_A:$NETNS_PORT" "${NETNS_RELAY_EXTRA_PAIRS[@]}" \
    >"$DUO_BASE/relay.out" 2>>"$DUO_BASE/relay.log" &
  NETNS_RELAY_PID=$!
  duo_wait_until 10 grep -q '^ready' "$DUO_BASE/relay.out" ||
    fail "the relay printed no ready line within 10 s: $(cat "$DUO_BASE/relay.out" "$DUO_BASE/relay.log")"
}

netns_stop_relay() {
  [[ -n $NETNS_RELAY_PID ]] || return 0
  stop_pids 5 "$NETNS_RELAY_PID"
  wait "$NETNS_RELAY_PID" 2>/dev/null || true
  NETNS_RELAY_PID=
}

# Interface in M that leads to SERVER.
netns_relay_interface() {
  case $1 in
    a) echo a-link ;;
    b) echo b-link ;;
    *) fail "unknown link '$1'; expected a or b" ;;
  esac
}

# Cuts the link between M and SERVER (a or b) by METHOD:
#   down: `ip link set down` on M's veth end. The peer's end loses its
#         carrier, and M loses its route to the server.
#   drop: an nftables rule in M drops every packet in and out of that
#         interface. The link stays up and neither side gets a TCP close.
netns_cut_link() {
  local method=$1 server=$2 interface
  interface=$(netns_relay_interface "$server")
  case $method in
    down)
      ip -n "$NETNS_M" link set "$interface" down
      ;;
    drop)
      netns_exec m nft -f - <<NFT
table inet $NETNS_NFT_TABLE {
  chain input { type filter hook input priority 0; iifname "$interface" drop; }
  chain output { type filter hook output priority 0; oifname "$interface" drop; }
}
NFT
      ;;
    *) fail "unknown partition method '$method'; expected down or drop" ;;
  esac
}

# Undoes every cut: both veth ends in M up, the nftables table gone.
netns_restore_links() {
  ip -n "$NETNS_M" link set a-link up
  ip -n "$NETNS_M" link set b-link up
  netns_exec m nft delete table inet "$NETNS_NFT_TABLE" 2>/dev/null || true
}

# Timing of the test daemons in milliseconds; a test may set these
# before netns_setup.
: "${NETNS_TRANSACTION_TIMEOUT_MS:=2000}"
: "${NETNS_HEARTBEAT_INTERVAL_MS:=500}"
: "${NETNS_HEARTBEAT_TIMEOUT_MS:=2000}"
: "${NETNS_RECONNECT_MIN_MS:=100}"
: "${NETNS_RECONNECT_MAX_MS:=1000}"

# Prints the timing settings of alias-sync.conf for the test daemons, and
# no rate limit: one login sends every request of a run.
netns_timing_settings() {
  printf '%s\n' \
    "transaction_timeout = ${NETNS_TRANSACTION_TIMEOUT_MS}ms" \
    'request_timeout = 30s' \
    "heartbeat_interval = ${NETNS_HEARTBEAT_INTERVAL_MS}ms" \
    "heartbeat_timeout = ${NETNS_HEARTBEAT_TIMEOUT_MS}ms" \
    "reconnect_min = ${NETNS_RECONNECT_MIN_MS}ms" \
    "reconnect_max = ${NETNS_RECONNECT_MAX_MS}ms" \
    'request_rate_limit = 0'
}

# Writes the Postfix configuration directory of SERVER, but leaves running
# postalias and `postfix check` to netns_check_postfix_config.
netns_write_postfix_config() {
  write_test_postfix_directory "$DUO_BASE" "$1"
}

# Builds the static alias database of SERVER and lets `postfix check`
# create the queue directories, inside the server's namespace. Postfix
# tools wait until a just-written main.cf is a few seconds old, so the
# setup writes both servers' files first and then runs these in parallel.
netns_check_postfix_config() {
  local server=$1 dir=$DUO_BASE/$1/postfix
  netns_exec "$server" postalias -c "$dir" "hash:$dir/aliases"
  netns_exec "$server" postfix -c "$dir" check
}

# Writes alias-sync.conf of SERVER: listening on LISTEN_ADDRESS, the peer
# reached at PEER_ADDRESS (the relay), timing from the NETNS_*_MS values.
netns_write_config() {
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
listen_address = $listen
listen_port = $NETNS_PORT
peer_address = $peer
peer_port = $NETNS_PORT
postfix_config_directory = $DUO_BASE/$server/postfix
$(netns_timing_settings)
CF
}

# Starts the daemon of SERVER inside its namespace. Extra arguments are
# VARIABLE=VALUE pairs for its environment (for example LD_PRELOAD).
netns_start_daemon() {
  local server=$1
  shift
  local namespace
  namespace=$(netns_of "$server")
  ip netns exec "$namespace" env "$@" "$ALIAS_SYNC" --config "$(duo_config "$server")" daemon \
    >>"$DUO_BASE/$server/daemon.log" 2>&1 &
  NETNS_PIDS+=($!)
  printf -v "NETNS_DAEMON_PID_$server" '%s' "$!"
}

# Stops the daemon of SERVER with SIGTERM (SIGKILL after 10 s).
netns_stop_daemon() {
  local variable="NETNS_DAEMON_PID_$1"
  local pid=${!variable}
  stop_pids 10 "$pid"
  wait "$pid" 2>/dev/null || true
}

# Prints `alias-sync status` of SERVER, run inside its namespace. Its exit
# status is the monitoring status and is ignored here.
netns_status() {
  netns_exec "$1" "$ALIAS_SYNC" --config "$(duo_config "$1")" status 2>&1 || true
}

# True when the status of SERVER shows its outbound peer link up.
netns_link_up() {
  netns_status "$1" | grep -Eq '^peer link: +up'
}

netns_link_down() {
  netns_status "$1" | grep -Eq '^peer link: +down'
}

# Number of lines in the daemon log of SERVER.
netns_log_lines() {
  wc -l <"$DUO_BASE/$1/daemon.log"
}

# True when the daemon of SERVER logged its outbound peer link up after
# line LINE of its log.
netns_link_up_logged() {
  tail -n "+$(($2 + 1))" "$DUO_BASE/$1/daemon.log" | grep -q 'peer link to .* is up'
}

# Prints the pending transactions count of SERVER, or "?" when the daemon
# sent no status.
netns_pending() {
  local count
  count=$(netns_status "$1" | sed -n 's/^pending transactions: *\([0-9][0-9]*\).*/\1/p')
  echo "${count:-?}"
}

netns_nothing_pending() {
  [[ $(netns_pending a) == 0 && $(netns_pending b) == 0 ]]
}

netns_setup() {
  local delay_ms=${1:-0} server
  netns_require_environment
  netns_create

  for server in a b; do
    mkdir -p "$DUO_BASE/$server/lib" "$DUO_BASE/$server/run"
    netns_write_postfix_config "$server"
  done
  netns_write_config a "$NETNS_ADDRESS_A" "$NETNS_ADDRESS_M_A"
  netns_write_config b "$NETNS_ADDRESS_B" "$NETNS_ADDRESS_M_B"

  # configure-postfix checks that the pipe's user exists, as pipe(8) would.
  ensure_alias_sync_users
  local jobs=() job
  for server in a b; do
    (
      netns_check_postfix_config "$server"
      netns_exec "$server" "$ALIAS_SYNC" --config "$(duo_config "$server")" configure-postfix --yes \
        --pipe-command "$ALIAS_SYNC_PIPE"
    ) >"$DUO_BASE/$server/configure-postfix.out" 2>&1 &
    jobs+=($!)
  done
  for server in a b; do
    job=${jobs[0]}
    jobs=("${jobs[@]:1}")
    wait "$job" || fail "the Postfix set-up of $server failed: $(cat "$DUO_BASE/$server/configure-postfix.out")"
    "$ALIAS_SYNC" --config "$(duo_config "$server")" init >"$DUO_BASE/$server/init.out" 2>/dev/null
  done
  "$ALIAS_SYNC" --config "$(duo_config a)" peer pin "$DUO_BASE/b/lib/identity/cert.pem" >/dev/null
  "$ALIAS_SYNC" --config "$(duo_config b)" peer pin "$DUO_BASE/a/lib/identity/cert.pem" >/dev/null

  netns_start_relay "$delay_ms"
  netns_start_daemon a
  netns_start_daemon b
  duo_wait_until 20 netns_link_up a || fail "the peer link of a did not come up within 20 s"
  duo_wait_until 20 netns_link_up b || fail "the peer link of b did not come up within 20 s"
}

# Feeds a request message to the real pipe inside the namespace of SERVER,
# as pipe(8) would run it, and sets NETNS_PIPE_STATUS to its exit status.
# The pipe logs to syslog; anything it prints goes to SERVER/pipe.log.
# Usage: netns_pipe SERVER SASL_LOGIN SUBJECT MESSAGE_ID
netns_pipe() {
  local server=$1 login=$2 subject=$3 message_id=$4
  set +e
  printf 'From: %s\nTo: makealias@example.org\nSubject: %s\nMessage-ID: %s\nDate: Fri, 4 Dec 2026 20:00:00 +0000\n\nbody\n' \
    "$login" "$subject" "$message_id" |
    netns_exec "$server" "$ALIAS_SYNC_PIPE" --config "$(duo_config "$server")" --sender="$login" \
      --recipient=makealias@example.org --original-recipient=makealias@example.org \
      --sasl-username="$login" --queue-id="TEST$RANDOM" >>"$DUO_BASE/$server/pipe.log" 2>&1
  # shellcheck disable=SC2034 # read by the scripts that source this file
  NETNS_PIPE_STATUS=$?
  set -e
}

# Prints the value of NAME in the Postfix database of SERVER; exit 1 when
# the database has no such key.
netns_alias_in_database() {
  local server=$1 name=$2
  netns_exec "$server" postalias -c "$DUO_BASE/$server/postfix" -q "$name" "hash:$DUO_BASE/$server/lib/aliases"
}

netns_fingerprint() {
  "$ALIAS_SYNC" aliases fingerprint "$DUO_BASE/$1/lib/aliases" 2>/dev/null
}

# Checks both journals: no transaction left undecided (last state begun,
# prepared or committed), every coordinator transaction finished, and a
# transaction that is in both journals has the same outcome on both.
# Prints one line per problem and returns 1 when there is any.
netns_check_journals() {
  "$PYTHON" - "$DUO_BASE/a/lib/journal" "$DUO_BASE/b/lib/journal" <<'PY'
import json
import sys
import zlib

def read(path):
    last = {}
    try:
        lines = open(path, "rb").read().split(b"\n")
    except FileNotFoundError:
        return last
    for number, line in enumerate(lines, 1):
        if not line:
            continue
        crc, _, body = line.partition(b" ")
        if len(crc) != 8 or int(crc, 16) != zlib.crc32(body):
            print(f"{path}: line {number} has a bad CRC")
            continue
        record = json.loads(body)
        last[record["txid"]] = (record.get("role", "coordinator"), record["state"])
    return last

def outcome(state):
    return {"committed": "commit", "applied": "commit", "finished": None,
            "aborted": "abort"}.get(state)

journals = {path: read(path) for path in sys.argv[1:]}
problems = 0
for path, last in journals.items():
    for txid, (role, state) in last.items():
        if state in ("begun", "prepared", "committed"):
            print(f"{path}: {role} transaction {txid} is undecided (last state {state})")
            problems += 1
        elif role == "coordinator" and state != "finished":
            print(f"{path}: coordinator transaction {txid} is not finished (last state {state})")
            problems += 1

# A coordinator's finished record hides its outcome, so compare the
# participant's outcome with the coordinator's last decision record.
def decisions(path):
    found = {}
    try:
        lines = open(path, "rb").read().split(b"\n")
    except FileNotFoundError:
        return found
    for line in lines:
        if not line:
            continue
        record = json.loads(line.partition(b" ")[2])
        if outcome(record["state"]):
            found[record["txid"]] = outcome(record["state"])
    return found

first, second = (decisions(path) for path in sys.argv[1:])
for txid in first.keys() & second.keys():
    if first[txid] != second[txid]:
        print(f"transaction {txid}: {sys.argv[1]} decided {first[txid]}, {sys.argv[2]} decided {second[txid]}")
        problems += 1
sys.exit(1 if problems else 0)
PY
}

# Prints the journal of SERVER one record a line, without the operation.
netns_print_journal() {
  echo "journal of $1:"
  "$PYTHON" - "$DUO_BASE/$1/lib/journal" <<'PY'
import json
import sys
for line in open(sys.argv[1], "rb"):
    try:
        record = json.loads(line.partition(b" ")[2])
    except ValueError:
        print("  (not a valid record)", line[:80])
        continue
    print("  {time} {role} {state} {txid} {reason}".format(reason=record.get("reason", ""), **record))
PY
}

# Prints, for each transaction that SERVER coordinated and finished, its
# txid and the milliseconds from its `begun` record to its `finished`
# record, in journal order.
netns_commit_latencies() {
  "$PYTHON" - "$DUO_BASE/$1/lib/journal" <<'PY'
import datetime
import json
import sys

def parse(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")

begun = {}
for line in open(sys.argv[1], "rb"):
    record = json.loads(line.partition(b" ")[2])
    if record.get("role") == "participant":
        continue
    if record["state"] == "begun":
        begun[record["txid"]] = parse(record["time"])
    elif record["state"] == "finished" and record["txid"] in begun:
        elapsed = parse(record["time"]) - begun.pop(record["txid"])
        print(record["txid"], round(elapsed.total_seconds() * 1000))
PY
}

# True when both journals are settled (see netns_check_journals).
netns_journals_settled() {
  netns_check_journals >/dev/null
}

# Waits up to SECONDS until both journals are settled and both daemons
# report `pending transactions: 0`. The journals are polled first,
# because each `alias-sync status` makes the daemon run postconf several
# times, which stalls its event loop.
netns_wait_settled() {
  local seconds=$1 label=$2 problems
  if ! duo_wait_until "$seconds" netns_journals_settled; then
    problems=$(netns_check_journals)
    fail "$label: the journals are still not settled after $seconds s:"$'\n'"$problems"
  fi
  duo_wait_until "$seconds" netns_nothing_pending ||
    fail "$label: pending transactions after $seconds s: a $(netns_pending a), b $(netns_pending b); expected 0 on both"
}

# Asserts that the two servers agree on NAME: the managed files have the
# same fingerprint, NAME is in both Postfix databases or in neither, and
# the journals hold nothing undecided. Prints the evidence on failure.
netns_assert_agreement() {
  local name=$1 label=$2 fingerprint_a fingerprint_b in_a=no in_b=no journal_problems
  fingerprint_a=$(netns_fingerprint a) || fail "$label: cannot read the managed alias file of a"
  fingerprint_b=$(netns_fingerprint b) || fail "$label: cannot read the managed alias file of b"
  [[ $fingerprint_a == "$fingerprint_b" ]] ||
    fail "$label: managed alias files differ: a $fingerprint_a, b $fingerprint_b"
  netns_alias_in_database a "$name" >/dev/null && in_a=yes
  netns_alias_in_database b "$name" >/dev/null && in_b=yes
  [[ $in_a == "$in_b" ]] ||
    fail "$label: '$name' in the Postfix database of a: $in_a, of b: $in_b; expected the same on both"
  journal_problems=$(netns_check_journals) ||
    fail "$label: the journals are not settled:"$'\n'"$journal_problems"
  # shellcheck disable=SC2034 # read by the scripts that source this file
  NETNS_ALIAS_EXISTS=$in_a
}
