#!/bin/bash
# Race rounds: in each round both servers receive a request through their
# own pipe at nearly the same moment, each pipe after a random delay of
# 0-30 ms. The requests are for the same new name, for two different names,
# or a delete of an existing name on one side while the other side creates
# something.
# A pipe that exits 75 is run again with the same message, as Postfix would
# deliver it again. After every round the test waits until both daemons
# report nothing pending and checks that every request got exactly one final
# outcome, that at most one of two same-name creates committed, that both
# managed files have the same fingerprint, that each Postfix database holds
# exactly what its file holds, and that no journal has an undecided
# transaction.
#
# Usage: race-rounds.sh ALIAS_SYNC ALIAS_SYNC_PIPE [ROUNDS]
# ALIAS_SYNC_SOAK_ROUNDS overrides ROUNDS (default 30); ALIAS_SYNC_RACE_SEED
# repeats the random choices of an earlier run; KEEP=1 keeps the files.
# shellcheck source=../two-instance/lib.sh
# The pipe's `sendmail -C DIR` is refused to other users, and the test
# creates system users: without root it is skipped (ctest's code 77).
if ((EUID != 0)); then
  echo "skipped: this test needs root"
  exit 77
fi
source "$(dirname "$0")/../two-instance/lib.sh"

ROUNDS=${ALIAS_SYNC_SOAK_ROUNDS:-${3:-30}}
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || fail "the round count must be a positive integer, got '$ROUNDS'"
SEED=${ALIAS_SYNC_RACE_SEED:-$((${EPOCHREALTIME/./} % 1000000))}
RANDOM=$SEED
# Postfix would retry for days, but here a request gets at most this many
# deliveries.
MAX_TRIES=20
RACE_JOB_PIDS=()

# Shorter timeouts than the defaults, so that a lost race or a retry costs
# seconds rather than minutes.
eval "$(declare -f duo_write_config | sed '1s/^duo_write_config/race_write_base_config/')"
duo_write_config() {
  race_write_base_config "$@"
  local file
  file=$(duo_config "$1")
  sed -i -e '/^transaction_timeout/d' -e '/^request_timeout/d' -e '/^reconnect_max/d' "$file"
  cat >>"$file" <<CF
transaction_timeout = 2s
request_timeout = 30s
heartbeat_interval = 500ms
heartbeat_timeout = 2s
reconnect_min = 100ms
reconnect_max = 1s
# Every round's requests come from few logins; the rate limit is not under test.
request_rate_limit = 0
CF
}

race_cleanup() {
  local status=$? pid
  # Under errexit the "(exit STATUS)" below would end the trap before
  # duo_cleanup stops the daemons.
  set +e
  for pid in "${RACE_JOB_PIDS[@]}"; do
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  # duo_cleanup reads the script's exit status from $?.
  (exit "$status")
  duo_cleanup
}
trap race_cleanup EXIT
# Bash runs the EXIT trap on a signal only when the signal is trapped.
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
# Requests

race_message() {
  local login=$1 subject=$2 message_id=$3
  printf 'From: %s\nTo: makealias@example.org\nSubject: %s\nMessage-ID: %s\nDate: Fri, 4 Dec 2026 20:00:00 +0000\n\nbody\n' \
    "$login" "$subject" "$message_id"
}

# Delivers one request through the pipe of SERVER until it exits with
# something other than 75, at most MAX_TRIES times, with the same queue id
# and Message-ID each time (Postfix keeps both for a deferred message).
# Appends "TRY STATUS" per delivery to DIR/LABEL.tries.
race_deliver() {
  local dir=$1 label=$2 server=$3 login=$4 subject=$5
  local queue_id message_id try status
  queue_id=$(<"$dir/$label.queue")
  message_id="<race-$label-$queue_id-$$@client.example.org>"
  for ((try = 1; try <= MAX_TRIES; try++)); do
    set +e
    race_message "$login" "$subject" "$message_id" |
      "$ALIAS_SYNC_PIPE" --config "$(duo_config "$server")" --sender="$login" \
        --recipient=makealias@example.org --original-recipient=makealias@example.org \
        --sasl-username="$login" --queue-id="$queue_id"
    status=$?
    set -e
    echo "$try $status" >>"$dir/$label.tries"
    ((status == 75)) || return 0
    sleep "0.$((100 + RANDOM % 200))"
  done
}

# Records one request of the round in DIR: LABEL.server, .login, .subject,
# .queue (the queue id, unique in the whole run).
race_request() {
  local dir=$1 label=$2 server=$3 login=$4 subject=$5
  echo "$server" >"$dir/$label.server"
  echo "$login" >"$dir/$label.login"
  echo "$subject" >"$dir/$label.subject"
  echo "R${ROUND}${label}" >"$dir/$label.queue"
}

# Starts every request of DIR in the background. Each job waits for the
# shared lock that this function holds, so that all of them start together,
# then sleeps its own random 0-30 ms before its pipe runs.
race_run_requests() {
  local dir=$1 label lock_fd
  exec {lock_fd}>"$dir/start.lock"
  flock -x "$lock_fd"
  RACE_JOB_PIDS=()
  for label in "${RACE_LABELS[@]}"; do
    local delay_ms=$((RANDOM % 31))
    echo "$delay_ms" >"$dir/$label.delay"
    (
      touch "$dir/$label.ready"
      flock -s "$dir/start.lock" true
      sleep "$(printf '0.%03d' "$delay_ms")"
      race_deliver "$dir" "$label" "$(<"$dir/$label.server")" "$(<"$dir/$label.login")" "$(<"$dir/$label.subject")"
    ) &
    RACE_JOB_PIDS+=($!)
  done
  for label in "${RACE_LABELS[@]}"; do
    duo_wait_until 10 test -e "$dir/$label.ready" || fail "the job for request $label did not start"
  done
  # Gives the jobs time to block on the lock. A job that reaches it later
  # only starts a little later.
  sleep 0.02
  flock -u "$lock_fd"
  exec {lock_fd}>&-

  local pid
  for pid in "${RACE_JOB_PIDS[@]}"; do
    wait "$pid" || fail "a delivery job exited with status $?"
  done
  RACE_JOB_PIDS=()
}

# ---------------------------------------------------------------------------
# Outcomes

# The coordinating daemon's log lines for the request LABEL, which end in
# "committed", "rejected: REASON" or "failed temporarily: REASON".
race_log_lines() {
  local dir=$1 label=$2 queue_id server
  queue_id=$(<"$dir/$label.queue")
  server=$(<"$dir/$label.server")
  # The outcome lines read "request QUEUEID transaction TXID ..." or, for
  # a check that failed before any transaction began, "request QUEUEID
  # (no transaction) ...".
  grep -E "request $queue_id (transaction |\(no transaction\) )" "$DUO_BASE/$server/daemon.log" | sed 's/[[:space:]]*$//' || true
}

# Sets OUTCOME (committed or rejected), REASON and TRIES for request LABEL,
# and fails unless it got exactly one final outcome.
race_outcome() {
  local dir=$1 label=$2 lines finals tempfail_lines last_status
  TRIES=$(wc -l <"$dir/$label.tries")
  last_status=$(tail -n 1 "$dir/$label.tries" | cut -d' ' -f2)
  ((last_status == 0)) ||
    round_fail "request $label: expected a final outcome (pipe exit 0) within $MAX_TRIES deliveries, the last exited $last_status"

  lines=$(race_log_lines "$dir" "$label")
  finals=$(grep -cE ' (committed|rejected: .*)$' <<<"$lines" || true)
  ((finals == 1)) ||
    round_fail "request $label: expected exactly one 'committed' or 'rejected' log line, saw $finals"
  tempfail_lines=$(grep -c ' failed temporarily: ' <<<"$lines" || true)
  ((tempfail_lines == TRIES - 1)) ||
    round_fail "request $label: expected one 'failed temporarily' log line per pipe exit 75 ($((TRIES - 1))), saw $tempfail_lines"

  local final
  final=$(grep -E ' (committed|rejected: .*)$' <<<"$lines")
  if [[ $final == *' committed' ]]; then
    OUTCOME=committed
    REASON=
  else
    OUTCOME=rejected
    REASON=${final#* rejected: }
  fi
  echo "$OUTCOME" >"$dir/$label.outcome"
  TOTAL_RETRIES=$((TOTAL_RETRIES + TRIES - 1))
  if [[ $OUTCOME == committed ]]; then
    TOTAL_COMMITTED=$((TOTAL_COMMITTED + 1))
  else
    TOTAL_REJECTED=$((TOTAL_REJECTED + 1))
  fi
}

round_fail() {
  local label
  echo "--- round $ROUND ($ROUND_KIND) failed; seed $SEED ---" >&2
  for label in "${RACE_LABELS[@]}"; do
    echo "request $label on $(<"$ROUND_DIR/$label.server") from $(<"$ROUND_DIR/$label.login"):" \
      "'$(<"$ROUND_DIR/$label.subject")', delay $(cat "$ROUND_DIR/$label.delay" 2>/dev/null) ms," \
      "deliveries (try status): $(tr '\n' ' ' <"$ROUND_DIR/$label.tries" 2>/dev/null)" >&2
    race_log_lines "$ROUND_DIR" "$label" | sed 's/^/    /' >&2
  done
  local server
  for server in a b; do
    echo "managed entries of $server:" >&2
    "$ALIAS_SYNC" aliases show "$DUO_BASE/$server/lib/aliases" 2>&1 | sed 's/^/    /' >&2
  done
  fail "round $ROUND: $*"
}

# ---------------------------------------------------------------------------
# State checks

race_pending_zero() {
  local output
  output=$("$ALIAS_SYNC" --config "$(duo_config "$1")" status 2>&1 || true)
  grep -q '^pending transactions: 0$' <<<"$output"
}

race_drained() {
  race_pending_zero a && race_pending_zero b
}

race_fingerprint() {
  "$ALIAS_SYNC" aliases fingerprint "$DUO_BASE/$1/lib/aliases"
}

# The value of NAME in SERVER's managed file, empty when it is not there.
race_file_value() {
  "$ALIAS_SYNC" aliases show "$DUO_BASE/$1/lib/aliases" 2>/dev/null | sed -n "s/^$2: //p"
}

race_created_by() {
  grep -B1 "^$2: " "$DUO_BASE/$1/lib/aliases" | head -n1 | sed -n 's/^# alias-sync: .*created-by=\([^ ]*\).*/\1/p'
}

# Prints every name and value in Postfix's database, in the form of
# `aliases show`, without the records postalias adds itself.
race_database_dump() {
  postalias -c "$DUO_BASE/$1/postfix" -s "hash:$DUO_BASE/$1/lib/aliases" |
    grep -vE '^(@|YP_LAST_MODIFIED|YP_MASTER_NAME):' | sed 's/:\t/: /' | sort
}

# Prints the transactions whose last journal record leaves them undecided.
race_undecided() {
  python3 - "$DUO_BASE/$1/lib/journal" <<'PY'
import json, sys
last = {}
try:
    lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
except FileNotFoundError:
    lines = []
for line in lines:
    record = json.loads(line.split(" ", 1)[1])
    last[(record["txid"], record.get("role", ""))] = record["state"]
for (txid, role), state in last.items():
    if state in ("begun", "prepared", "committed"):
        print(f"{role} {txid} {state}")
PY
}

race_check_state() {
  duo_wait_until 30 race_drained ||
    round_fail "expected 'pending transactions: 0' on both servers within 30 s; a: $("$ALIAS_SYNC" --config "$(duo_config a)" status 2>&1 | grep pending); b: $("$ALIAS_SYNC" --config "$(duo_config b)" status 2>&1 | grep pending)"

  local fingerprint_a fingerprint_b
  fingerprint_a=$(race_fingerprint a)
  fingerprint_b=$(race_fingerprint b)
  [[ $fingerprint_a == "$fingerprint_b" ]] ||
    round_fail "expected the same managed-file fingerprint on both servers, saw a $fingerprint_a and b $fingerprint_b"

  local server undecided
  for server in a b; do
    diff <("$ALIAS_SYNC" aliases show "$DUO_BASE/$server/lib/aliases" 2>/dev/null | sort) <(race_database_dump "$server") >"$ROUND_DIR/database-$server.diff" ||
      round_fail "expected the Postfix database of $server to hold exactly its managed file's names and values; diff (file < > database): $(cat "$ROUND_DIR/database-$server.diff")"
    undecided=$(race_undecided "$server")
    [[ -z $undecided ]] || round_fail "expected no undecided transaction in the journal of $server, saw: $undecided"
  done
}

# Fails unless NAME has VALUE (or is absent, for an empty VALUE) on both
# servers, in the file and in Postfix's database.
race_expect_alias() {
  local name=$1 value=$2 expected server found
  expected=${value:-absent}
  for server in a b; do
    found=$(race_file_value "$server" "$name")
    [[ ${found:-absent} == "$expected" ]] ||
      round_fail "expected $name: $expected in the managed file of $server, saw '${found:-absent}'"
    found=$(postalias -c "$DUO_BASE/$server/postfix" -q "$name" "hash:$DUO_BASE/$server/lib/aliases" || true)
    [[ ${found:-absent} == "$expected" ]] ||
      round_fail "expected postalias -q $name on $server to return '$expected', saw '${found:-absent}'"
  done
}

# ---------------------------------------------------------------------------
# Rounds

# Request variants: login, Subject suffix after the name, resulting value.
# Random choices are made in this shell, never in a command substitution,
# so that one seed repeats the whole run.
LOGINS=(alice@example.org bob@example.org)
race_value_for() {
  case $1 in
    *'-> '*) echo "${1##*-> }" ;;
    *) echo "${2%%@*}" ;;
  esac
}

SERVERS=(a b)

race_round_same_name() {
  local name="r${ROUND}same" first subject_a subject_b login_a login_b
  first=$((RANDOM % 2 == 0 ? 0 : 1))
  case $((RANDOM % 3)) in
    0) login_a=alice@example.org login_b=alice@example.org subject_a="alias: $name" subject_b="alias: $name" ;;
    1) login_a=alice@example.org login_b=bob@example.org subject_a="alias: $name" subject_b="alias: $name" ;;
    2) login_a=alice@example.org login_b=alice@example.org
       subject_a="alias: $name -> carol@example.org" subject_b="alias: $name -> dave@example.org" ;;
  esac
  ((first == 0)) || { local t=$login_a; login_a=$login_b login_b=$t; t=$subject_a subject_a=$subject_b subject_b=$t; }
  ROUND_KIND="same name $name"
  RACE_LABELS=(A B)
  race_request "$ROUND_DIR" A a "$login_a" "$subject_a"
  race_request "$ROUND_DIR" B b "$login_b" "$subject_b"
  race_run_requests "$ROUND_DIR"

  local outcome_a reason_a outcome_b reason_b
  race_outcome "$ROUND_DIR" A
  outcome_a=$OUTCOME reason_a=$REASON
  race_outcome "$ROUND_DIR" B
  outcome_b=$OUTCOME reason_b=$REASON
  race_check_state
  SAME_NAME_ROUNDS=$((SAME_NAME_ROUNDS + 1))

  local winner loser_reason
  if [[ $outcome_a == committed && $outcome_b == committed ]]; then
    round_fail "expected at most one of the two creates of $name to commit, both did"
  elif [[ $outcome_a == committed ]]; then
    winner=A loser_reason=$reason_b
  elif [[ $outcome_b == committed ]]; then
    winner=B loser_reason=$reason_a
  else
    round_fail "expected one of the two creates of the new name $name to commit, both were rejected: a '$reason_a', b '$reason_b'"
  fi
  [[ $loser_reason == *exist* ]] ||
    round_fail "expected the losing create of $name to be rejected because the name exists, saw '$loser_reason'"

  local login subject
  login=$(<"$ROUND_DIR/$winner.login")
  subject=$(<"$ROUND_DIR/$winner.subject")
  race_expect_alias "$name" "$(race_value_for "$subject" "$login")"
  local server
  for server in a b; do
    [[ $(race_created_by "$server" "$name") == "${login%%@*}" ]] ||
      round_fail "expected created-by=${login%%@*} above $name on $server, saw '$(race_created_by "$server" "$name")'"
  done
  ROUND_SUMMARY="$winner committed, the other rejected ($loser_reason)"
}

race_round_different_names() {
  local name_a="r${ROUND}a" name_b="r${ROUND}b" login_a login_b
  login_a=${LOGINS[RANDOM % 2]}
  login_b=${LOGINS[RANDOM % 2]}
  ROUND_KIND="different names $name_a $name_b"
  RACE_LABELS=(A B)
  race_request "$ROUND_DIR" A a "$login_a" "alias: $name_a"
  race_request "$ROUND_DIR" B b "$login_b" "alias: $name_b"
  race_run_requests "$ROUND_DIR"

  local label
  for label in A B; do
    race_outcome "$ROUND_DIR" "$label"
    [[ $OUTCOME == committed ]] ||
      round_fail "expected the create of request $label (a new name) to commit, it was rejected: $REASON"
  done
  race_check_state
  race_expect_alias "$name_a" "${login_a%%@*}"
  race_expect_alias "$name_b" "${login_b%%@*}"
  ROUND_SUMMARY="both committed"
}

# Creates NAME as bob through SERVER's pipe, one request on its own.
race_create_existing() {
  local name=$1 server=$2
  RACE_LABELS=(S)
  race_request "$ROUND_DIR" S "$server" bob@example.org "alias: $name"
  race_run_requests "$ROUND_DIR"
  race_outcome "$ROUND_DIR" S
  [[ $OUTCOME == committed ]] || round_fail "expected the set-up create of $name to commit, it was rejected: $REASON"
  race_check_state
}

race_round_create_delete() {
  local name="r${ROUND}del" other="r${ROUND}new" deleting creating variant side
  side=$((RANDOM % 2))
  deleting=${SERVERS[side]}
  creating=${SERVERS[1 - side]}
  ROUND_KIND="delete $name on $deleting, create on $creating"
  race_create_existing "$name" "${SERVERS[RANDOM % 2]}"

  variant=$((RANDOM % 3))
  local login subject created_name
  case $variant in
    0) login=alice@example.org subject="alias: $name -> carol@example.org" created_name=$name ;;
    1) login=bob@example.org subject="alias: $name" created_name=$name ;;
    2) login=alice@example.org subject="alias: $other" created_name=$other ;;
  esac
  RACE_LABELS=(D C)
  race_request "$ROUND_DIR" D "$deleting" bob@example.org "unalias: $name"
  race_request "$ROUND_DIR" C "$creating" "$login" "$subject"
  race_run_requests "$ROUND_DIR"

  race_outcome "$ROUND_DIR" D
  [[ $OUTCOME == committed ]] || round_fail "expected the delete of $name by its creator to commit, it was rejected: $REASON"
  race_outcome "$ROUND_DIR" C
  local create_outcome=$OUTCOME create_reason=$REASON
  race_check_state

  local value
  value=$(race_value_for "$subject" "$login")
  if [[ $created_name == "$other" ]]; then
    [[ $create_outcome == committed ]] || round_fail "expected the create of the new name $other to commit, it was rejected: $create_reason"
    race_expect_alias "$name" ""
    race_expect_alias "$other" "$value"
    ROUND_SUMMARY="delete committed, create of $other committed"
  elif [[ $create_outcome == committed ]]; then
    # The delete came first, so the name was free again.
    race_expect_alias "$name" "$value"
    ROUND_SUMMARY="delete committed, then the create of $name committed"
  else
    [[ $create_reason == *exist* ]] ||
      round_fail "expected the create of $name to be rejected because the name still existed, saw '$create_reason'"
    race_expect_alias "$name" ""
    ROUND_SUMMARY="create of $name rejected (exists), delete committed"
  fi
}

# ---------------------------------------------------------------------------

command -v flock >/dev/null || fail "flock (util-linux) is needed to start the pipes together"
echo "rounds: $ROUNDS, seed: $SEED (ALIAS_SYNC_RACE_SEED=$SEED repeats the random choices)"
duo_setup

SAME_NAME_ROUNDS=0
TOTAL_COMMITTED=0
TOTAL_REJECTED=0
TOTAL_RETRIES=0
started=$SECONDS
for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
  ROUND_DIR=$DUO_BASE/rounds/$ROUND
  mkdir -p "$ROUND_DIR"
  case $((ROUND % 3)) in
    1) race_round_same_name ;;
    2) race_round_different_names ;;
    0) race_round_create_delete ;;
  esac
  pass "round $ROUND ($ROUND_KIND): $ROUND_SUMMARY"
  # A soak run would otherwise keep every round's files.
  ((ROUNDS <= 100)) || rm -rf --one-file-system "$ROUND_DIR"
done

echo "rounds=$ROUNDS same-name=$SAME_NAME_ROUNDS committed=$TOTAL_COMMITTED rejected=$TOTAL_REJECTED tempfail-retries=$TOTAL_RETRIES"
# How often the two transactions really overlapped: the participant found
# its own undecided transaction for the name when the peer's prepare came.
race_count_lines() {
  cat "$DUO_BASE"/a/daemon.log "$DUO_BASE"/b/daemon.log | grep -cF "$1" || true
}
echo "overlapping transactions: peer's won $(race_count_lines "for the same name; the peer's wins")," \
  "voted no while holding the name $(race_count_lines 'participant votes no: the name is held by');" \
  "requests run again inside the daemon: $(race_count_lines ' runs again in ')"
echo "time: $((SECONDS - started)) s for $ROUNDS rounds"
