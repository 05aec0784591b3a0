#!/bin/bash
# Kills one daemon with SIGKILL at every fsync, rename, socket send and
# receive and Postfix tool run of one create and one delete transaction.
# After each kill it restarts the daemon without the shim and checks that
# both servers end with the same managed aliases and nothing undecided.
#
# Server b receives every request through its pipe, so b coordinates and a
# participates. ROLE picks the daemon that runs under the shim.
# Usage: crash-points.sh ALIAS_SYNC PIPE SHIM coordinator|participant
# Environment: POINTS="create:fsync:3:after ..." runs only those points;
# KEEP=1 keeps the directory with the logs.
# The pipe's `sendmail -C DIR` is refused to other users, and the test
# creates system users: without root it is skipped (ctest's code 77).
if ((EUID != 0)); then
  echo "skipped: this test needs root"
  exit 77
fi
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

role=${4:-}
case $role in
  coordinator) victim=b ;;
  participant) victim=a ;;
  *)
    echo "usage: $0 ALIAS_SYNC PIPE SHIM coordinator|participant" >&2
    exit 2
    ;;
esac
other=a
[[ $victim == a ]] && other=b

# How long a restarted pair may take to finish what the crash left open:
# resends run on link-up and every transaction_timeout.
settle_seconds=30
# How long a daemon armed at a point that its run never reached stays up
# after the transaction settled, in case an event is still to come.
unreached_grace_seconds=0.3

started_at=$SECONDS
crash_setup
mkdir -p "$CRASH_BASE/points"
crash_start_daemon "$other"

request_serial=0
next_ids() {
  request_serial=$((request_serial + 1))
  message_id="<crash-$request_serial.$$@client.example.org>"
  queue_id="CRASH$request_serial"
}

# Runs one request through b's pipe and waits until it settled, for the
# steps that are not under test. With a second argument 1 (the victim is
# armed) it sends no status request to the victim's daemon while waiting,
# see crash_settled_without_asking.
request_and_settle() {
  local subject=$1 armed=${2:-0} status
  next_ids
  status=$(crash_pipe b "$subject" "$message_id" "$queue_id")
  ((status == 0)) || fail "request '$subject' exited with $status, expected 0"
  if ((armed)); then
    crash_wait_until "$settle_seconds" crash_settled_without_asking "$victim"
  else
    crash_wait_until "$settle_seconds" crash_settled
  fi || fail "request '$subject' did not settle within $settle_seconds s"
}

# Starts the victim under the shim with the extra environment given, and
# waits until both peer links are up.
start_victim_with_shim() {
  crash_start_daemon "$victim" "$@"
  crash_wait_until 20 crash_both_links_up || fail "the peer links did not come up after starting $victim"
}

# --- Counting runs: the events of one create and one delete transaction ---

# Prints "EVENT MAX_N" for each event kind in a shim log.
event_maxima() {
  awk '{ if ($2 > max[$1]) max[$1] = $2 } END { for (e in max) print e, max[e] }' "$1" | sort
}

count_events() {
  local operation=$1 name=count-$1 log=$CRASH_BASE/count-$1.log arm=$CRASH_BASE/arm-count-$1
  start_victim_with_shim ALIAS_SYNC_CRASHPOINT_LOG="$log" ALIAS_SYNC_CRASHPOINT_ARM="$arm"
  if [[ $operation == delete ]]; then
    request_and_settle "alias: $name"
  fi
  touch "$arm"
  if [[ $operation == create ]]; then
    request_and_settle "alias: $name" 1
  else
    request_and_settle "unalias: $name" 1
  fi
  crash_stop_daemon "$victim"
  [[ -s $log ]] || fail "the shim logged no event for the $operation transaction in $log"
  echo "counting run ($operation, $role):"
  sed 's/^/  /' "$log"
}

count_events create
count_events delete

points=()
for operation in create delete; do
  while read -r event maximum; do
    for ((n = 1; n <= maximum; n++)); do
      points+=("$operation:$event:$n:before")
      [[ $event == exec ]] || points+=("$operation:$event:$n:after")
    done
  done < <(event_maxima "$CRASH_BASE/count-$operation.log")
done
if [[ -n ${POINTS:-} ]]; then
  read -r -a points <<<"$POINTS"
fi
echo "${#points[@]} crash points for the $role"

# --- One crash point ---

failures=()
unreached=0
killed=0
diverged=0

report_failure() {
  local point=$1 problems=$2
  failures+=("$point: $problems")
  echo "--- $point failed: $problems"
  echo "--- shim events of this point:"
  sed 's/^/    /' "$CRASH_BASE/points/$point.log" 2>/dev/null || echo "    (none)"
  local server
  for server in a b; do
    echo "--- status of $server:"
    crash_status "$server" | sed 's/^/    /'
    echo "--- last lines of the log of $server:"
    tail -n 25 "$CRASH_BASE/$server/daemon.log" | sed 's/^/    /'
    echo "--- journal of $server (operations left out):"
    crash_show_journal "$server" | tail -n 12 | sed 's/^/    /'
  done
}

# Prints where NAME is on the two servers: both, none, a-only or b-only,
# judged by each server's Postfix database.
alias_presence() {
  local name=$1 in_a=0 in_b=0
  crash_alias_in_database a "$name" && in_a=1
  crash_alias_in_database b "$name" && in_b=1
  case $in_a$in_b in
    11) echo both ;;
    00) echo none ;;
    10) echo a-only ;;
    01) echo b-only ;;
  esac
}

# Appends every disagreement between the two servers about NAME to the
# calling function's local array "problems".
check_agreement() {
  local name=$1 server undecided
  local fingerprint_a fingerprint_b
  fingerprint_a=$(crash_fingerprint a)
  fingerprint_b=$(crash_fingerprint b)
  if [[ $fingerprint_a != "$fingerprint_b" ]]; then
    problems+=("managed files differ: a $fingerprint_a, b $fingerprint_b")
    diverged=1
  fi
  for server in a b; do
    if crash_alias_in_file "$server" "$name" && ! crash_alias_in_database "$server" "$name"; then
      problems+=("$name is in the managed file of $server but not in its database")
    elif ! crash_alias_in_file "$server" "$name" && crash_alias_in_database "$server" "$name"; then
      problems+=("$name is in the database of $server but not in its managed file")
    fi
    undecided=$(crash_undecided_transactions "$server")
    if [[ -n $undecided ]]; then
      problems+=("journal of $server has undecided transactions: ${undecided//$'\n'/; }")
    fi
  done
  local presence
  presence=$(alias_presence "$name")
  if [[ $presence != both && $presence != none ]]; then
    problems+=("$name is on one server only ($presence)")
  fi
}

# Succeeds when both servers queued a reply to MESSAGE_ID.
replies_seen() {
  (($(crash_replies_queued a "$1") > 0 && $(crash_replies_queued b "$1") > 0))
}

# Succeeds when the shim logged the Nth EVENT in LOG.
point_reached() {
  local event=$1 n=$2 log=$3
  grep -q "^$event $n " "$log" 2>/dev/null
}

run_point() {
  local point=$1
  local operation event n when
  IFS=: read -r operation event n when <<<"$point"
  local name=${operation:0:2}-$event-$n-$when
  local log=$CRASH_BASE/points/$point.log arm=$CRASH_BASE/points/$point.arm
  local problems=()

  start_victim_with_shim ALIAS_SYNC_CRASHPOINT="$event:$n:$when:kill" \
    ALIAS_SYNC_CRASHPOINT_LOG="$log" ALIAS_SYNC_CRASHPOINT_ARM="$arm"
  local subject="alias: $name" expected_presence=both
  if [[ $operation == delete ]]; then
    request_and_settle "alias: $name"
    subject="unalias: $name"
    expected_presence=none
  fi

  touch "$arm"
  next_ids
  local first_message_id=$message_id first_queue_id=$queue_id
  local pipe_status
  pipe_status=$(crash_pipe b "$subject" "$first_message_id" "$first_queue_id")

  # The victim may crash after the pipe exited: the participant applies the
  # commit after the coordinator replied to the pipe. The shim logs the event
  # before it acts, so a settled transaction without that line in the log
  # means that this run does not reach the point.
  local deadline=$((SECONDS + settle_seconds)) outcome
  until crash_daemon_exited "$victim"; do
    if ! point_reached "$event" "$n" "$log" && crash_settled_without_asking "$victim"; then
      sleep "$unreached_grace_seconds"
      point_reached "$event" "$n" "$log" || break
    fi
    ((SECONDS < deadline)) || break
    sleep 0.05
  done
  if crash_daemon_exited "$victim"; then
    crash_reap_daemon "$victim"
    if ((CRASH_WAIT_STATUS == 128 + 9)); then
      outcome=killed
      killed=$((killed + 1))
    else
      outcome="exited with $CRASH_WAIT_STATUS"
      problems+=("the daemon of $victim exited with status $CRASH_WAIT_STATUS, expected SIGKILL from the shim")
    fi
  else
    crash_stop_daemon "$victim"
    outcome="not reached"
    unreached=$((unreached + 1))
  fi

  crash_start_daemon "$victim"
  if ! crash_wait_until "$settle_seconds" crash_settled; then
    problems+=("not settled within $settle_seconds s after the restart (pending transactions or differing files)")
  fi

  local presence
  presence=$(alias_presence "$name")
  if ((pipe_status == 0)) && [[ $presence != "$expected_presence" ]]; then
    problems+=("the pipe exited 0 but $name is on $presence, expected $expected_presence")
  fi
  if ((pipe_status != 0 && pipe_status != 75)); then
    problems+=("the pipe exited with $pipe_status, expected 0 or 75")
  fi

  # Postfix delivers a deferred message again later. The redelivery must get
  # a final outcome, and for a request that was acted on the first time, the
  # same outcome ("committed"), not "exists" or "not found".
  local retry_text=""
  if ((pipe_status == 75)); then
    local retry_status=75 attempts=0 retry_queue_id retry_outcome
    while ((retry_status == 75 && attempts < 20)); do
      attempts=$((attempts + 1))
      retry_queue_id=$first_queue_id-retry$attempts
      retry_status=$(crash_pipe b "$subject" "$first_message_id" "$retry_queue_id")
      ((retry_status == 75)) && sleep 0.5
    done
    retry_outcome=$(crash_logged_outcome b "$retry_queue_id")
    retry_text=", retry=$retry_status $retry_outcome after $attempts"
    if ((retry_status != 0)); then
      problems+=("the redelivered request exited with $retry_status after $attempts attempts, expected 0")
    elif [[ $retry_outcome != committed ]]; then
      problems+=("the redelivered request got '$retry_outcome', expected 'committed'")
    fi
    crash_wait_until "$settle_seconds" crash_settled ||
      problems+=("not settled within $settle_seconds s after the redelivery")
    presence=$(alias_presence "$name")
    if ((retry_status == 0)) && [[ $presence != "$expected_presence" ]]; then
      problems+=("after the redelivery $name is on $presence, expected $expected_presence")
    fi
  fi

  check_agreement "$name"

  # Each server normally queues one confirmation. The requester must get at
  # least one, or the request's outcome was lost for them. The participant
  # sends its confirmation after it acknowledged the commit, so it may still
  # be on its way when the transaction settled.
  local replies_a replies_b
  crash_wait_until 2 replies_seen "$first_message_id" || true
  replies_a=$(crash_replies_queued a "$first_message_id")
  replies_b=$(crash_replies_queued b "$first_message_id")
  if ((replies_a + replies_b == 0)); then
    problems+=("neither server queued a reply to $first_message_id")
  fi

  local line
  line="point $event:$n:$when ($operation) -> $outcome, pipe=$pipe_status$retry_text, alias=$(alias_presence "$name"), replies a=$replies_a b=$replies_b"
  if ((${#problems[@]} == 0)); then
    echo "$line, OK"
  else
    echo "$line, FAIL"
    local joined
    joined=$(printf '%s; ' "${problems[@]}")
    report_failure "$point" "${joined%; }"
  fi
  crash_stop_daemon "$victim"
}

for point in "${points[@]}"; do
  run_point "$point"
  if ((diverged)); then
    echo "The servers' managed files differ, so the remaining points are not run: the participant would reject every further prepare."
    break
  fi
done

elapsed=$((SECONDS - started_at))
echo "crash points of the $role: ${#points[@]} points, $killed killed, $unreached not reached, ${#failures[@]} failed, $elapsed s"
if ((${#failures[@]} > 0)); then
  printf 'FAIL: %s\n' "${failures[@]}"
  echo "$((${#points[@]} - ${#failures[@]})) passed, ${#failures[@]} failed"
  exit 1
fi
# A point that its own run never reaches means that the events of one
# transaction differ from the counting run. A few such points can come from
# timing, such as in which read a TLS record arrives. Many of them would
# mean that the test no longer tests the points it lists.
if ((unreached * 4 > ${#points[@]})); then
  fail "$unreached of ${#points[@]} points were not reached, expected at most a quarter"
fi
echo "${#points[@]} passed, 0 failed"
