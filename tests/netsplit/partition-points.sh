#!/bin/bash
# Cuts the link between the two servers at every step of one create
# transaction, in the coordinator and in the participant, and checks that
# both servers end with the same aliases and nothing undecided.
#
# Usage: partition-points.sh ALIAS_SYNC ALIAS_SYNC_PIPE CRASHPOINT_SHIM [ROLE...]
#   ROLE is coordinator or participant (default: both).
#
# For each role a counting run lists the events (journal and file fsyncs,
# renames, socket sends and receives, Postfix tool runs) of one
# transaction with the crash-point shim. Then, for each event, the daemon
# of that role is restarted with the shim set to pause before that event
# (and, for sends, also after it). While it is paused the link is cut,
# then the daemon resumes, the test waits longer than transaction_timeout
# and heartbeat_timeout, and restores the link. Once both daemons report
# nothing pending, the test checks:
#  - the managed files have the same fingerprint;
#  - the alias is in both Postfix databases or in neither;
#  - the journals hold nothing undecided;
#  - a request whose pipe exited 0 created the alias on both.
# A request whose pipe exited 75 is delivered again with the same
# Message-ID, as Postfix would, until it gets a final outcome.
#
# The cut alternates between `ip link set down` and an nftables drop rule,
# and between the relay's link to a and its link to b.
#
# The daemons also talk when idle: pings and the exchange of managed-file
# fingerprints, both at heartbeat_interval. Those frames count as send and
# recv events too, at moments that differ from run to run. So the counting
# is repeated and the sequence that the runs share is taken (see
# select_points). A point's N for send and recv is its position among the
# transaction's own messages. A pause run that stops at another frame
# resumes without a cut and tries again.
#
# Set KEEP=1 to keep the working directory; it is kept on failure.

NETNS_KEEP_ON_FAILURE=1
# Short timeouts keep the whole run within a few minutes, because every
# point waits longer than transaction_timeout and heartbeat_timeout once.
# The interval is as long as the timeout allows (less than half of it), so
# that idle traffic seldom falls into a transaction.
NETNS_TRANSACTION_TIMEOUT_MS=1000
NETNS_HEARTBEAT_INTERVAL_MS=500
NETNS_HEARTBEAT_TIMEOUT_MS=1100
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"

[[ -n ${3:-} && -f $3 ]] || fail "the crash-point shim '${3:-}' does not exist; pass the built alias_sync_crashpoint.so"
SHIM=$(realpath "$3")
ROLES=("${@:4}")
((${#ROLES[@]} > 0)) || ROLES=(coordinator participant)

netns_setup 0
echo "timing: transaction_timeout ${NETNS_TRANSACTION_TIMEOUT_MS} ms," \
  "heartbeat_interval ${NETNS_HEARTBEAT_INTERVAL_MS} ms, heartbeat_timeout ${NETNS_HEARTBEAT_TIMEOUT_MS} ms"

# Time the link stays cut after the paused daemon resumes: longer than the
# vote timeout and the heartbeat timeout, so that both take effect.
CUT_MS=$((NETNS_TRANSACTION_TIMEOUT_MS + 500))
if ((NETNS_HEARTBEAT_TIMEOUT_MS + 500 > CUT_MS)); then
  CUT_MS=$((NETNS_HEARTBEAT_TIMEOUT_MS + 500))
fi
SETTLE_SECONDS=30
# The pipe waits up to request_timeout (30 s) for its daemon.
PIPE_SECONDS=40
# Pause runs per point, named by letter, before the test accepts a pause at
# another frame.
ATTEMPTS=(a b c d)
# Counting runs per role at most (see select_points).
COUNTING_RUNS=6

seconds_of_ms() {
  printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000))
}

server_of_role() {
  case $1 in
    coordinator) echo a ;;
    participant) echo b ;;
    *) fail "unknown role '$1'; expected coordinator or participant" ;;
  esac
}

# Waits until both daemons logged their outbound link up after line
# LINE_A of a's log and LINE_B of b's log. Restarting one daemon takes
# down both links, so both log it coming up again. The logs are read
# instead of `alias-sync status`, which makes the daemon run postconf
# several times.
wait_links_up() {
  local line_a=$1 line_b=$2 label=$3
  duo_wait_until 20 netns_link_up_logged a "$line_a" || fail "the peer link of a did not come up within 20 s ($label)"
  duo_wait_until 20 netns_link_up_logged b "$line_b" || fail "the peer link of b did not come up within 20 s ($label)"
}

# Restarts the daemon of SERVER with the shim loaded and waits for both
# links. Events count only after RUN_DIR/arm exists. CRASHPOINT is the
# ALIAS_SYNC_CRASHPOINT value, empty for a counting run.
restart_with_shim() {
  local server=$1 run_dir=$2 crashpoint=${3:-}
  local environment=(
    "LD_PRELOAD=$SHIM"
    "ALIAS_SYNC_CRASHPOINT_LOG=$run_dir/events"
    "ALIAS_SYNC_CRASHPOINT_ARM=$run_dir/arm"
    "ALIAS_SYNC_CRASHPOINT_PAUSE_DIR=$run_dir"
  )
  [[ -n $crashpoint ]] && environment+=("ALIAS_SYNC_CRASHPOINT=$crashpoint")
  mkdir -p "$run_dir"
  local line_a line_b
  line_a=$(netns_log_lines a)
  line_b=$(netns_log_lines b)
  netns_stop_daemon "$server"
  echo "--- test: restart with ${crashpoint:-counting} at $(date +%T.%N) ---" >>"$DUO_BASE/$server/daemon.log"
  netns_start_daemon "$server" "${environment[@]}"
  wait_links_up "$line_a" "$line_b" "after restarting $server"
}

restart_without_shim() {
  local line_a line_b
  line_a=$(netns_log_lines a)
  line_b=$(netns_log_lines b)
  netns_stop_daemon "$1"
  netns_start_daemon "$1"
  wait_links_up "$line_a" "$line_b" "after restarting $1"
}

# Reads counting runs (pairs of EVENTS_FILE and the number of its lines
# written before the journals settled), finds the transaction's own event
# sequence and prints its points, one line each:
#   EVENT N WHEN LOCAL_EVENTS_BEFORE EXPECTED
# EXPECTED is the byte count for send and recv and the detail otherwise.
# Idle frames are extra send and recv events at random places (and now and
# then one read or write joins an idle frame with a message). So the common
# subsequence of each pair of runs is taken, and the transaction's sequence
# is the one most pairs give, once it leads (three runs at least).
# Exits 2 when more runs are needed.
# Usage: select_points ROLE EVENTS_FILE SETTLED_LINES [EVENTS_FILE SETTLED_LINES...]
select_points() {
  "$PYTHON" - "$@" <<'PY'
import collections
import re
import sys

LOCAL = ("fsync", "exec", "rename")

def read(path, settled, role):
    lines = [line.rstrip("\n").split(" ", 2) for line in open(path)]
    last_journal = max((i for i, (kind, _, detail) in enumerate(lines)
                        if kind == "fsync" and re.match(r"\S*/journal ", detail)), default=len(lines))
    sequence, sends_after_journal = [], 0
    for index, (kind, count, detail) in enumerate(lines):
        if kind in LOCAL:
            # A confirmation mail may still run after the journals settled;
            # nothing else execs or fsyncs in that quiet time.
            sequence.append((kind, detail))
            continue
        if index >= settled:
            continue
        if index > last_journal:
            # The coordinator's last record is `finished`, after the last
            # message. The participant's last message is the
            # acknowledgement, the first send after its last record.
            if role == "coordinator" or kind != "send" or sends_after_journal:
                continue
            sends_after_journal += 1
        sequence.append((kind, re.search(r"(\d+) bytes", detail).group(1)))
    return sequence

def common(first, second):
    """Longest common subsequence of two event sequences."""
    table = [[0] * (len(second) + 1) for _ in range(len(first) + 1)]
    for i in range(len(first) - 1, -1, -1):
        for j in range(len(second) - 1, -1, -1):
            table[i][j] = (table[i + 1][j + 1] + 1 if first[i] == second[j]
                           else max(table[i + 1][j], table[i][j + 1]))
    result, i, j = [], 0, 0
    while i < len(first) and j < len(second):
        if first[i] == second[j]:
            result.append(first[i])
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return result

role, arguments = sys.argv[1], sys.argv[2:]
runs = [read(arguments[i], int(arguments[i + 1]), role) for i in range(0, len(arguments), 2)]
if len(runs) < 3:
    sys.exit(2)
votes = collections.Counter(
    tuple(common(runs[i], runs[j])) for i in range(len(runs)) for j in range(i + 1, len(runs)))
ranked = votes.most_common(2)
if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
    sys.exit(2)
sequence = list(ranked[0][0])
for run in runs:
    if [e for e in run if e[0] in LOCAL] != [e for e in sequence if e[0] in LOCAL]:
        print("the counting runs differ in their fsync, exec and rename events:", file=sys.stderr)
        for other in runs:
            print("  ", [e for e in other if e[0] in LOCAL], file=sys.stderr)
        sys.exit(1)

counts = collections.Counter()
local_events = 0
for kind, expected in sequence:
    counts[kind] += 1
    for when in (["before", "after"] if kind == "send" else ["before"]):
        print(kind, counts[kind], when, local_events, expected)
    if kind in LOCAL:
        local_events += 1
PY
}

# Writes the points of one transaction in ROLE to FILE (see select_points).
# Each counting run restarts the daemon of ROLE with the shim counting and
# sends one request to a, so a coordinates.
count_points() {
  local role=$1 file=$2 server run run_dir runs=() status
  server=$(server_of_role "$role")
  for ((run = 1; run <= COUNTING_RUNS; run++)); do
    run_dir=$DUO_BASE/points/$role-count$run
    restart_with_shim "$server" "$run_dir"
    touch "$run_dir/arm"
    # Names as long as the points' names, so the messages have the same size.
    netns_pipe a alice@example.org "alias: c${role:0:1}0${run}x" "<c${role:0:1}0${run}x.$$@client.example.org>"
    ((NETNS_PIPE_STATUS == 0)) || fail "counting request $run exited with $NETNS_PIPE_STATUS, expected 0"
    duo_wait_until "$SETTLE_SECONDS" netns_journals_settled || fail "counting transaction $run did not settle"
    runs+=("$run_dir/events" "$(wc -l <"$run_dir/events")")
    # Give a confirmation mail after the acknowledgement time to show.
    sleep 0.3
    status=0
    select_points "$role" "${runs[@]}" >"$file" || status=$?
    ((status == 0)) && return 0
    ((status == 2)) || fail "the counting runs of the $role cannot be compared"
  done
  fail "$COUNTING_RUNS counting runs of the $role did not settle on one event sequence; the last was:"$'\n'"$(cat "$run_dir/events")"
}

# True when the daemon paused at the expected point: the last event in
# EVENTS_FILE has the EXPECTED byte count or detail, and as many fsync,
# exec and rename events came before it as in the counting run.
paused_at_expected() {
  "$PYTHON" - "$@" <<'PY'
import re
import sys

path, local_events, expected = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lines = open(path).read().splitlines()
kind, count, detail = lines[-1].split(" ", 2)
before = sum(1 for line in lines[:-1] if line.split(" ", 1)[0] in ("fsync", "exec", "rename"))
if kind in ("send", "recv"):
    match = re.search(r"(\d+) bytes", detail)
    same = match is not None and match.group(1) == expected
else:
    same = detail == expected
sys.exit(0 if same and before == local_events else 1)
PY
}

# Delivers the request again with the same Message-ID until the pipe exits
# 0, at most 5 times, 1 s apart, as Postfix retries a deferred message.
# Sets REDELIVERIES to the number of extra deliveries.
redeliver_until_final() {
  local name=$1 message_id=$2 label=$3
  REDELIVERIES=0
  while ((REDELIVERIES < 5)); do
    REDELIVERIES=$((REDELIVERIES + 1))
    netns_pipe a alice@example.org "alias: $name" "$message_id"
    ((NETNS_PIPE_STATUS == 0)) && return 0
    ((NETNS_PIPE_STATUS == 75)) || fail "$label: redelivery $REDELIVERIES exited with $NETNS_PIPE_STATUS, expected 0 or 75"
    sleep 1
  done
  fail "$label: still deferred (75) after $REDELIVERIES redeliveries with the same Message-ID; expected a final answer"
}

# Waits for the background pipe JOB and sets PIPE_STATUS to the exit
# status it saved in RUN_DIR/pipe.status.
wait_pipe() {
  local job=$1 run_dir=$2 label=$3
  duo_wait_until "$PIPE_SECONDS" bash -c "! kill -0 $job 2>/dev/null" ||
    fail "$label: the pipe did not exit within $PIPE_SECONDS s"
  wait "$job" || true
  PIPE_STATUS=$(cat "$run_dir/pipe.status")
}

# Checks the outcome of the request for NAME whose pipe exited
# PIPE_STATUS, and sets OUTCOME to a summary.
check_outcome() {
  local name=$1 message_id=$2 pipe_status=$3 label=$4
  netns_wait_settled "$SETTLE_SECONDS" "$label"
  netns_assert_agreement "$name" "$label"
  case $pipe_status in
    0)
      [[ $NETNS_ALIAS_EXISTS == yes ]] ||
        fail "$label: the pipe exited 0 (committed) but '$name' is in neither Postfix database"
      OUTCOME="pipe 0, alias on both"
      ;;
    75)
      local existed_before=$NETNS_ALIAS_EXISTS
      redeliver_until_final "$name" "$message_id" "$label"
      netns_wait_settled "$SETTLE_SECONDS" "$label, after redelivery"
      netns_assert_agreement "$name" "$label, after redelivery"
      [[ $NETNS_ALIAS_EXISTS == yes ]] ||
        fail "$label: the redelivered request exited 0 but '$name' is in neither Postfix database"
      OUTCOME="pipe 75 (alias on both before redelivery: $existed_before), 0 after $REDELIVERIES redelivery, alias on both"
      ;;
    *)
      fail "$label: the pipe exited $pipe_status, expected 0 or 75"
      ;;
  esac
}

POINTS_RUN=0
POINTS_ELSEWHERE=0
RETRIES=0

# Runs one point: pause ROLE at EVENT N WHEN, cut by METHOD on the relay's
# link to SIDE, resume, restore, and check. LOCAL_EVENTS and EXPECTED
# identify the event (see select_points).
run_point() {
  local role=$1 index=$2 event=$3 count=$4 when=$5 local_events=$6 expected=$7 method=$8 side=$9
  local server label attempt started paused_at name message_id run_dir pipe_job
  server=$(server_of_role "$role")
  label="$role $event $count $when (cut: $method, link to $side)"
  started=$SECONDS

  for attempt in "${ATTEMPTS[@]}"; do
    run_dir=$DUO_BASE/points/$role-$index$attempt
    name=p${role:0:1}$(printf '%02d' "$index")$attempt
    message_id="<$name.$$@client.example.org>"
    restart_with_shim "$server" "$run_dir" "$event:$count:$when:pause"
    touch "$run_dir/arm"
    (
      netns_pipe a alice@example.org "alias: $name" "$message_id"
      echo "$NETNS_PIPE_STATUS" >"$run_dir/pipe.status"
    ) &
    pipe_job=$!

    if ! duo_wait_until 15 test -e "$run_dir/paused"; then
      wait_pipe "$pipe_job" "$run_dir" "$label"
      fail "$label: the $role never reached this point (pipe exit $PIPE_STATUS); its events were:"$'\n'"$(cat "$run_dir/events" 2>/dev/null)"
    fi
    paused_at=$(tail -n 1 "$run_dir/events")
    if paused_at_expected "$run_dir/events" "$local_events" "$expected" || [[ $attempt == "${ATTEMPTS[-1]}" ]]; then
      break
    fi
    # An idle frame came first: let this request finish untouched.
    RETRIES=$((RETRIES + 1))
    touch "$run_dir/resume"
    wait_pipe "$pipe_job" "$run_dir" "$label, attempt $attempt"
    check_outcome "$name" "$message_id" "$PIPE_STATUS" "$label, attempt $attempt without a cut"
  done
  if ! paused_at_expected "$run_dir/events" "$local_events" "$expected"; then
    POINTS_ELSEWHERE=$((POINTS_ELSEWHERE + 1))
    echo "note: $label: after ${#ATTEMPTS[@]} attempts still paused at '$paused_at'," \
      "not at the expected '$expected' after $local_events fsync, exec and rename events; cutting there"
  fi

  netns_cut_link "$method" "$side"
  touch "$run_dir/resume"
  sleep "$(seconds_of_ms "$CUT_MS")"
  netns_restore_links

  wait_pipe "$pipe_job" "$run_dir" "$label"
  check_outcome "$name" "$message_id" "$PIPE_STATUS" "$label"
  POINTS_RUN=$((POINTS_RUN + 1))
  pass "$label: $OUTCOME, $((SECONDS - started)) s"
}

mkdir -p "$DUO_BASE/points"
for role in "${ROLES[@]}"; do
  server=$(server_of_role "$role")
  points_file=$DUO_BASE/points/$role.points
  count_points "$role" "$points_file"
  mapfile -t points <"$points_file"
  echo "$role: ${#points[@]} points:"
  sed 's/^/  /' "$points_file"

  index=0
  for point in "${points[@]}"; do
    index=$((index + 1))
    read -r event count when local_events expected <<<"$point"
    methods=(down drop)
    sides=(a b)
    run_point "$role" "$index" "$event" "$count" "$when" "$local_events" "$expected" \
      "${methods[index % 2]}" "${sides[(index / 2) % 2]}"
  done
  restart_without_shim "$server"
done

pass "$POINTS_RUN partition points ($RETRIES extra pause runs for idle frames, $POINTS_ELSEWHERE cut at another frame), $SECONDS s in all"
