#!/bin/bash
# Benchmark: commit latency of create requests between two servers in
# network namespaces, with the delaying relay at 0 ms and at 35 ms each way
# (70 ms round trip), against the protocol's floor measured in the same run.
#
# Usage: bench-commit-latency.sh ALIAS_SYNC ALIAS_SYNC_PIPE [REQUESTS [DELAY_MS...]]
#   REQUESTS sequential create requests per delay (default 30), DELAY_MS the
#   one-way delays to measure (default 0 35). Runs as root (namespaces).
#
# Commit latency of one request: from the coordinator's `begun` journal
# record to its `finished` record (the participant's acknowledgement is
# journaled), from the records' `time` fields (milliseconds).
#
# Floor = 2 * RTT + 6 * append_fsync + 1 * apply + 2 * lookup, the critical
# path of the two-phase commit: the coordinator journals begun, the prepare
# and vote make one round trip with the participant's check and prepared
# record between them, the coordinator journals committed, the commit and
# acknowledgement make the second round trip with the participant's
# committed and applied records and its apply between them, and the
# coordinator journals finished. The coordinator's own apply runs while the
# commit travels. The two lookups are the postalias runs the protocol needs
# besides the build. The participant checks that the name is in no other
# alias table (this set-up has one), and the apply checks that the new
# database finds the name before it replaces the old one.
#   RTT           median round trip of 100 bytes through the relay (20 runs)
#   append_fsync  median append of one journal-sized record + fdatasync,
#                 in the servers' directory (20 runs)
#   apply         median of writing a file the size of the managed alias
#                 file to a temporary name, fsync, postalias on it, and
#                 renaming the file and its database (10 runs)
#   lookup        median of one `postalias -q NAME hash:FILE` (10 runs)
#
# Prints one table row per delay and the median time between the journal
# records of both servers, to show where time goes beyond the floor.

NETNS_KEEP_ON_FAILURE=1
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"

REQUESTS=${3:-30}
DELAYS=("${@:4}")
((${#DELAYS[@]} > 0)) || DELAYS=(0 35)
[[ $REQUESTS =~ ^[1-9][0-9]*$ ]] || fail "invalid REQUESTS '$REQUESTS': expected a positive number"

ECHO_PORT=7700
NETNS_RELAY_EXTRA_PAIRS=("$NETNS_ADDRESS_M_A:$ECHO_PORT=$NETNS_ADDRESS_B:$ECHO_PORT")
RESULTS=$DUO_BASE/results
mkdir -p "$RESULTS"

# Starts a TCP echo service in B, reached from A through the relay.
start_echo_service() {
  ip netns exec "$NETNS_B" "$PYTHON" -c '
import socketserver
import sys

class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        while data := self.request.recv(65536):
            self.request.sendall(data)

socketserver.ThreadingTCPServer.allow_reuse_address = True
server = socketserver.ThreadingTCPServer((sys.argv[1], int(sys.argv[2])), Echo)
print("ready", flush=True)
server.serve_forever()
' "$NETNS_ADDRESS_B" "$ECHO_PORT" >"$DUO_BASE/echo.out" 2>&1 &
  NETNS_PIDS+=($!)
  duo_wait_until 10 grep -q ready "$DUO_BASE/echo.out" || fail "the echo service did not start: $(cat "$DUO_BASE/echo.out")"
}

# Prints the median round trip in ms of 100 bytes from A through the relay
# to the echo service in B and back (20 runs, on one connection).
measure_round_trip() {
  netns_exec a "$PYTHON" -c '
import socket
import statistics
import sys
import time

connection = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
payload = b"x" * 100
samples = []
for _ in range(21):
    started = time.perf_counter()
    connection.sendall(payload)
    received = 0
    while received < len(payload):
        chunk = connection.recv(65536)
        if not chunk:
            sys.exit("the echo connection closed early")
        received += len(chunk)
    samples.append((time.perf_counter() - started) * 1000)
# The first run includes the relay opening its connection to the target.
print(f"{statistics.median(samples[1:]):.2f}")
' "$NETNS_ADDRESS_M_A" "$ECHO_PORT"
}

# Prints the median ms of appending SIZE bytes to a file in the servers'
# directory with O_APPEND and calling fdatasync, as the journal does
# (20 runs).
measure_append_fsync() {
  local size=$1
  "$PYTHON" - "$DUO_BASE/a/lib/append-probe" "$size" <<'PY'
import os
import statistics
import sys
import time

path, size = sys.argv[1], int(sys.argv[2])
record = b"x" * (size - 1) + b"\n"
descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
samples = []
for _ in range(20):
    started = time.perf_counter()
    os.write(descriptor, record)
    os.fdatasync(descriptor)
    samples.append((time.perf_counter() - started) * 1000)
os.close(descriptor)
os.unlink(path)
print(f"{statistics.median(samples):.2f}")
PY
}

# Prints the median ms of one apply as the daemon does it, with a file of
# the managed alias file's size: write to a temporary name, fsync, postalias,
# rename the file and its database, fsync the directory (10 runs). Runs in
# A, like the daemon, because Postfix's tools behave differently outside.
measure_apply() {
  netns_exec a "$PYTHON" - "$DUO_BASE/a/lib/aliases" "$DUO_BASE/a/lib/apply-probe" "$DUO_BASE/a/postfix" <<'PY'
import os
import statistics
import subprocess
import sys
import time

source, target, postfix_directory = sys.argv[1:4]
content = open(source, "rb").read()
directory = os.path.dirname(target)
temporary = os.path.join(directory, ".apply-probe.new")
samples = []
for _ in range(10):
    started = time.perf_counter()
    with open(temporary, "wb") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())
    subprocess.run(["postalias", "-c", postfix_directory, "hash:" + temporary], check=True)
    os.rename(temporary, target)
    os.rename(temporary + ".db", target + ".db")
    directory_descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    os.fsync(directory_descriptor)
    os.close(directory_descriptor)
    samples.append((time.perf_counter() - started) * 1000)
for path in (target, target + ".db"):
    os.unlink(path)
print(f"{statistics.median(samples):.2f} {len(content)}")
PY
}

# Prints the median ms of one `postalias -q` in A, as the daemon's checks
# run it (10 runs).
measure_lookup() {
  netns_exec a "$PYTHON" - "$DUO_BASE/a/lib/aliases" "$DUO_BASE/a/postfix" <<'PY'
import statistics
import subprocess
import sys
import time

table, postfix_directory = sys.argv[1:3]
samples = []
for _ in range(10):
    started = time.perf_counter()
    subprocess.run(["postalias", "-c", postfix_directory, "-q", "no-such-name", "hash:" + table],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples.append((time.perf_counter() - started) * 1000)
print(f"{statistics.median(samples):.2f}")
PY
}

# Prints the median size in bytes of the journal records of a, newline
# included.
journal_record_size() {
  "$PYTHON" -c '
import statistics
import sys
print(int(statistics.median(len(line) for line in open(sys.argv[1], "rb"))))
' "$DUO_BASE/a/lib/journal"
}

# Runs REQUESTS sequential create requests through a, each after the
# previous one finished, and appends their txids to FILE.
run_requests() {
  local delay=$1 file=$2 index name
  : >"$file"
  for ((index = 1; index <= REQUESTS; index++)); do
    name=$(printf 'd%03dr%03d' "$delay" "$index")
    netns_pipe a alice@example.org "alias: $name" "<$name.$$@client.example.org>"
    ((NETNS_PIPE_STATUS == 0)) || fail "request $name exited with $NETNS_PIPE_STATUS, expected 0"
    # The journals are polled here, not `alias-sync status`, which would
    # make the daemons run postconf during the next request.
    duo_wait_until 20 netns_journals_settled || fail "request $name did not finish within 20 s"
  done
  netns_commit_latencies a | tail -n "$REQUESTS" >"$file"
}

# Prints "median p90" of the second column of FILE.
latency_summary() {
  "$PYTHON" -c '
import math
import statistics
import sys
values = sorted(float(line.split()[1]) for line in open(sys.argv[1]))
p90 = values[math.ceil(0.9 * len(values)) - 1]
print(f"{statistics.median(values):.0f} {p90:.0f}")
' "$1"
}

# Prints the median ms between the records of both journals, for the
# transactions listed in FILE.
journal_breakdown() {
  "$PYTHON" - "$1" "$DUO_BASE/a/lib/journal" "$DUO_BASE/b/lib/journal" <<'PY'
import datetime
import json
import statistics
import sys

txids = {line.split()[0] for line in open(sys.argv[1])}
times = {}
for path, server in ((sys.argv[2], "a"), (sys.argv[3], "b")):
    for line in open(path, "rb"):
        record = json.loads(line.partition(b" ")[2])
        if record["txid"] in txids:
            moment = datetime.datetime.strptime(record["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
            times.setdefault(record["txid"], {})[f"{server}.{record['state']}"] = moment

# Both namespaces share the host's clock, so records of a and b compare.
steps = [
    ("a.begun", "b.prepared", "prepare travels, b checks and journals prepared"),
    ("b.prepared", "a.committed", "vote travels, a journals committed"),
    ("a.committed", "a.applied", "a applies and journals applied"),
    ("a.committed", "b.committed", "commit travels, b journals committed"),
    ("b.committed", "b.applied", "b applies and journals applied"),
    ("b.applied", "a.finished", "acknowledgement travels, a journals finished"),
    ("a.begun", "a.finished", "commit latency"),
]
for start, end, meaning in steps:
    values = [(t[end] - t[start]).total_seconds() * 1000 for t in times.values() if start in t and end in t]
    if values:
        print(f"  {start:>12} -> {end:<12} {statistics.median(values):7.1f} ms  {meaning}")
PY
}

netns_setup "${DELAYS[0]}"
start_echo_service
echo "$REQUESTS requests per delay; host $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

ROWS=()
for delay in "${DELAYS[@]}"; do
  if [[ $delay != "${DELAYS[0]}" ]]; then
    netns_stop_relay
    netns_start_relay "$delay"
    duo_wait_until 30 netns_link_up a || fail "the peer link of a did not come back after the relay restart"
    duo_wait_until 30 netns_link_up b || fail "the peer link of b did not come back after the relay restart"
  fi
  # One request first, so that the managed file and journal have their
  # usual size and the connections are warm.
  netns_pipe a alice@example.org "alias: warm$delay" "<warm$delay.$$@client.example.org>"
  duo_wait_until 20 netns_journals_settled || fail "the warm-up request did not finish"

  run_requests "$delay" "$RESULTS/latency-$delay"
  read -r median p90 <<<"$(latency_summary "$RESULTS/latency-$delay")"
  rtt=$(measure_round_trip)
  append=$(measure_append_fsync "$(journal_record_size)")
  read -r apply alias_file_size <<<"$(measure_apply)"
  lookup=$(measure_lookup)
  floor=$("$PYTHON" -c "print(f'{2 * $rtt + 6 * $append + $apply + 2 * $lookup:.1f}')")
  ratio=$("$PYTHON" -c "print(f'{$median / $floor:.2f}')")
  ROWS+=("$(printf '%8s %9s %9s %9s %9s %9s %8s %8s %7s' "$delay" "$rtt" "$append" "$apply" "$lookup" "$floor" "$median" "$p90" "$ratio")")
  echo "delay $delay ms each way: where the time goes (median between journal records):"
  journal_breakdown "$RESULTS/latency-$delay"
done

echo
echo "commit latency, $REQUESTS sequential requests per delay, managed alias file $alias_file_size bytes (times in ms)"
printf '%8s %9s %9s %9s %9s %9s %8s %8s %7s\n' "one-way" "RTT" "append" "apply" "lookup" "floor" "median" "p90" "ratio"
printf '%s\n' "${ROWS[@]}"
echo "floor = 2 * RTT + 6 * append (write + fdatasync) + 1 * apply + 2 * lookup (postalias -q); ratio = median / floor"
