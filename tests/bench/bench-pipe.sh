#!/bin/bash
# Benchmark: start-to-exit wall time and peak memory of alias-sync-pipe for
# one request message, as Postfix's pipe(8) runs it once per message.
#
# Usage: bench-pipe.sh ALIAS_SYNC ALIAS_SYNC_PIPE [RUNS]
#   RUNS runs per case (default 50). Runs as root, because it uses the
#   two-instance set-up (tests/two-instance/lib.sh): two daemons on
#   127.0.0.1, each with its own Postfix configuration directory, sendmail
#   queueing into that directory's maildrop, and no Postfix daemons.
#
# Cases, all with the configuration of server a:
#   dry-run      --dry-run on tests/corpus/mail/01-plain-7bit.eml from the
#                administrator: decides "create", contacts nothing
#   fake daemon  an "aliases?" request handed to a stand-in for the daemon
#                that replies "handled" at once: the pipe's own time,
#                the socket exchange included
#   list         "aliases?" handed to the real daemon, which reads its
#                managed alias file and queues the list reply with sendmail
#                before it replies to the pipe
#   create       "alias: NAME" handed to the real daemon, which commits it
#                with the other server and replies once it is committed
#                and applied on its own server
#   ignored      an unauthenticated "aliases?": ignored, reported to the
#                real daemon for its log
# and, to show where the time goes:
#   /bin/true    starting any process from the benchmark
#   --help       starting the pipe: loading, relocation, QCoreApplication,
#                the command line
#   postconf     the `postconf -c DIR -xh recipient_delimiter` child that
#                every run of the pipe starts
#   stub postconf  dry-run again, with a compiled stand-in for postconf that
#                only prints "+": the pipe without postconf's own work
#
# Wall time: time.perf_counter() from posix_spawn() to the return of
# wait4() (microsecond resolution). CPU: user + system time of the process
# and its children (postconf), from wait4(). Peak RSS: a second series of
# RUNS runs under /usr/bin/time -f %M. That is ru_maxrss of the process and
# of its waited-for children (postconf), the largest of them. It cannot be
# taken from the first series, because a child spawned by Python starts
# with the RSS of the Python process in ru_maxrss.
#
# Prints one table, then a strace timeline and syscall summary of one
# "aliases?" run against the real daemon.

# shellcheck source-path=SCRIPTDIR source=../two-instance/lib.sh
source "$(dirname "$0")/../two-instance/lib.sh"

RUNS=${3:-50}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || fail "invalid RUNS '$RUNS': expected a positive number"
CORPUS=$(realpath "$(dirname "$0")/../corpus/mail")
PYTHON=${PYTHON:-python3}

# The rate limit is off, because it would reject most of the benchmark's
# requests from one login without doing their usual work.
eval "$(declare -f duo_write_config | sed '1s/duo_write_config/duo_write_config_with_limits/')"
duo_write_config() {
  duo_write_config_with_limits "$@"
  echo 'request_rate_limit = 0' >>"$(duo_config "$1")"
}

# Writes COUNT request messages from LOGIN with SUBJECT to DIR/0.eml and
# onwards. %d in SUBJECT becomes the message's number. Each has its own
# Message-ID, so that the daemon never takes one for a repeated delivery.
write_messages() {
  local dir=$1 count=$2 login=$3 subject=$4 index
  mkdir -p "$dir"
  for ((index = 0; index < count; index++)); do
    printf 'From: %s\nTo: makealias@example.org\nSubject: %s\nMessage-ID: <bench.%s.%d.%d@client.example.org>\nDate: Fri, 4 Dec 2026 20:00:00 +0000\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\nPlease.\n' \
      "$login" "${subject//%d/$index}" "$(basename "$dir")" "$$" "$index" >"$dir/$index.eml"
  done
}

# Starts a stand-in for the daemon on SOCKET. It reads one frame (4-byte
# big-endian length, JSON) per connection and replies "handled" at once.
start_fake_daemon() {
  local socket=$1
  "$PYTHON" - "$socket" >"$DUO_BASE/fake-daemon.out" 2>&1 <<'PY' &
import json
import socket
import struct
import sys

server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(sys.argv[1])
server.listen(16)
print("ready", flush=True)
reply = json.dumps({"status": "handled", "detail": "benchmark stand-in"}, separators=(",", ":")).encode()
while True:
    connection, _ = server.accept()
    with connection:
        header = b""
        while len(header) < 4:
            chunk = connection.recv(4 - len(header))
            if not chunk:
                break
            header += chunk
        if len(header) < 4:
            continue
        remaining = struct.unpack(">I", header)[0]
        while remaining > 0:
            chunk = connection.recv(remaining)
            if not chunk:
                break
            remaining -= len(chunk)
        connection.sendall(struct.pack(">I", len(reply)) + reply)
PY
  DUO_DAEMON_PIDS+=($!)
  duo_wait_until 10 grep -q ready "$DUO_BASE/fake-daemon.out" ||
    fail "the stand-in daemon did not start: $(cat "$DUO_BASE/fake-daemon.out")"
}

# Runs one case and prints its table row.
# Usage: measure LABEL MESSAGE_DIR SETTLE_DIRS -- COMMAND...
#   MESSAGE_DIR contains 2 * RUNS messages (0.eml ...), one per run on standard
#   input, or is "-" for /dev/null. SETTLE_DIRS is a comma-separated list of
#   maildrop directories, or "-". After each run, outside the timing, the
#   benchmark waits until each has one more file (the reply or confirmation
#   that the run caused). So no run overlaps the daemons' work for the one
#   before.
measure() {
  local label=$1 messages=$2 settle=$3
  shift 4
  "$PYTHON" - "$RUNS" "$label" "$messages" "$settle" "$DUO_BASE/time.out" "$@" <<'PY'
import math
import os
import statistics
import sys
import time

runs, label, messages, settle, time_output = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
command = sys.argv[6:]
settle_dirs = [] if settle == "-" else settle.split(",")


def file_count(directory):
    return sum(1 for entry in os.scandir(directory) if entry.is_file())


def run_once(argv, index):
    """Run argv with message number index on standard input and return (wall ms, rusage)."""
    source = "/dev/null" if messages == "-" else os.path.join(messages, f"{index}.eml")
    before = [file_count(d) for d in settle_dirs]
    stdin = os.open(source, os.O_RDONLY)
    stdout = os.open("/dev/null", os.O_WRONLY)
    actions = [(os.POSIX_SPAWN_DUP2, stdin, 0), (os.POSIX_SPAWN_DUP2, stdout, 1)]
    started = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    wall = (time.perf_counter() - started) * 1000
    os.close(stdin)
    os.close(stdout)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{label}: run {index} exited with {os.waitstatus_to_exitcode(status)}, expected 0")
    deadline = time.monotonic() + 20
    while any(file_count(d) <= n for d, n in zip(settle_dirs, before)):
        if time.monotonic() > deadline:
            sys.exit(f"{label}: run {index} queued no reply within 20 s in {settle_dirs}")
        time.sleep(0.005)
    return wall, usage


walls, cpus = [], []
for index in range(runs):
    wall, usage = run_once(command, index)
    walls.append(wall)
    cpus.append((usage.ru_utime + usage.ru_stime) * 1000)

rss = []
timed = ["/usr/bin/time", "-f", "%M", "-o", time_output, "--"] + command
for index in range(runs, 2 * runs):
    run_once(timed, index)
    rss.append(int(open(time_output).read().split()[-1]) / 1024)

walls.sort()
p90 = walls[math.ceil(0.9 * runs) - 1]
print(f"{label:<14} {statistics.median(walls):8.2f} {p90:8.2f} {walls[-1]:8.2f} "
      f"{statistics.median(cpus):8.2f} {statistics.median(rss):9.1f} {max(rss):9.1f}", flush=True)
PY
}

# Prints a timeline of one run of COMMAND under strace (relative ms from the
# pipe's execve) and its syscall counts. Only the listed calls stop the
# process (--seccomp-bpf), but tracing still slows them, so the times show
# the order and the rough share of each step, not the untraced durations
# above.
trace_once() {
  local message=$1
  shift
  local trace=$DUO_BASE/strace.out
  strace -f -ttt --seccomp-bpf -e trace=execve,clone,clone3,vfork,connect,exit_group -o "$trace" "$@" \
    <"$message" >/dev/null
  "$PYTHON" - "$trace" <<'PY'
import re
import sys

events = []
start = None
for line in open(sys.argv[1]):
    match = re.match(r"(\d+) +(\d+\.\d+) (.*)", line)
    if not match:
        continue
    pid, moment, call = int(match.group(1)), float(match.group(2)), match.group(3)
    if start is None:
        start = moment
    if call.startswith("execve("):
        what = "execve " + call.split('"')[1]
    elif call.startswith(("clone(", "clone3(", "vfork(")):
        what = "start a child process (the configuration is read)"
    elif call.startswith("connect("):
        what = "connect " + (re.search(r'sun_path="([^"]*)"', call) or re.search(r"(.*)", call)).group(1)
    elif call.startswith("exit_group("):
        what = "exit"
    else:
        continue
    events.append(f"  {(moment - start) * 1000:8.2f} ms  pid {pid:<7} {what}")
print("\n".join(events))
PY
  echo "syscalls of the same run (strace -c -f, top 12 by count):"
  strace -f -c -S calls -o "$trace" "$@" <"$message" >/dev/null
  head -n 14 "$trace" | tail -n 12
}

duo_setup
CONFIG=$(duo_config a)
POSTFIX_DIRECTORY=$DUO_BASE/a/postfix
MAILDROP_A=$DUO_BASE/a/spool/maildrop
MAILDROP_B=$DUO_BASE/b/spool/maildrop
PIPE_ARGUMENTS=(--config "$CONFIG" --recipient=makealias@example.org --original-recipient=makealias@example.org
  --queue-id=BENCH)

# The stand-in daemon gets a copy of server a's configuration with its own socket.
FAKE_CONFIG=$DUO_BASE/fake.conf
sed "s|^request_socket = .*|request_socket = $DUO_BASE/fake.sock|" "$CONFIG" >"$FAKE_CONFIG"
start_fake_daemon "$DUO_BASE/fake.sock"

# A postconf that prints the delimiter and nothing else, for the "stub
# postconf" case.
STUB_DIRECTORY=$DUO_BASE/stub-commands
mkdir -p "$STUB_DIRECTORY"
printf '#include <stdio.h>\nint main(void) { puts("+"); return 0; }\n' >"$STUB_DIRECTORY/postconf.c"
cc -O2 -o "$STUB_DIRECTORY/postconf" "$STUB_DIRECTORY/postconf.c" || fail "cannot compile the stand-in postconf with cc"
STUB_CONFIG=$DUO_BASE/stub.conf
{
  cat "$CONFIG"
  echo "postfix_command_directory = $STUB_DIRECTORY"
} >"$STUB_CONFIG"

write_messages "$DUO_BASE/msg/list" $((2 * RUNS)) alice@example.org 'aliases?'
write_messages "$DUO_BASE/msg/create" $((2 * RUNS)) alice@example.org 'alias: bench-%d'
write_messages "$DUO_BASE/msg/warm" 3 alice@example.org 'alias: warm-%d'
mkdir -p "$DUO_BASE/msg/dry-run"
for ((index = 0; index < 2 * RUNS; index++)); do
  cp "$CORPUS/01-plain-7bit.eml" "$DUO_BASE/msg/dry-run/$index.eml"
done

# Three aliases first, so that the list has entries, the managed file its
# usual form, and the peer link and daemons have served a commit.
for index in 0 1 2; do
  "$ALIAS_SYNC_PIPE" "${PIPE_ARGUMENTS[@]}" --sender=alice@example.org --sasl-username=alice@example.org \
    <"$DUO_BASE/msg/warm/$index.eml" || fail "warm-up request $index failed"
  duo_wait_until 20 grep -q "^warm-$index:" "$DUO_BASE/b/lib/aliases" || fail "warm-up alias $index not on b"
done

echo "alias-sync-pipe $ALIAS_SYNC_PIPE"
echo "$RUNS runs per case; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '%-14s %8s %8s %8s %8s %9s %9s\n' case median p90 max cpu "rss med" "rss max"
printf '%-14s %8s %8s %8s %8s %9s %9s\n' "" ms ms ms ms MiB MiB
measure "/bin/true" - - -- /bin/true
measure "--help" - - -- "$ALIAS_SYNC_PIPE" --help
measure "postconf" - - -- /usr/sbin/postconf -c "$POSTFIX_DIRECTORY" -xh recipient_delimiter
measure "dry-run" "$DUO_BASE/msg/dry-run" - -- \
  "$ALIAS_SYNC_PIPE" --dry-run "${PIPE_ARGUMENTS[@]}" --sender=alice@example.org --sasl-username=alice@example.org
measure "stub postconf" "$DUO_BASE/msg/dry-run" - -- \
  "$ALIAS_SYNC_PIPE" --dry-run --config "$STUB_CONFIG" "${PIPE_ARGUMENTS[@]:2}" --sender=alice@example.org \
  --sasl-username=alice@example.org
measure "fake daemon" "$DUO_BASE/msg/list" - -- \
  "$ALIAS_SYNC_PIPE" --config "$FAKE_CONFIG" "${PIPE_ARGUMENTS[@]:2}" --sender=alice@example.org \
  --sasl-username=alice@example.org
measure "list" "$DUO_BASE/msg/list" "$MAILDROP_A" -- \
  "$ALIAS_SYNC_PIPE" "${PIPE_ARGUMENTS[@]}" --sender=alice@example.org --sasl-username=alice@example.org
measure "create" "$DUO_BASE/msg/create" "$MAILDROP_A,$MAILDROP_B" -- \
  "$ALIAS_SYNC_PIPE" "${PIPE_ARGUMENTS[@]}" --sender=alice@example.org --sasl-username=alice@example.org
measure "ignored" "$DUO_BASE/msg/list" - -- \
  "$ALIAS_SYNC_PIPE" "${PIPE_ARGUMENTS[@]}" --sender=alice@example.org --sasl-username=
echo
echo "median, p90 (nearest rank) and max of wall time from spawn to exit; cpu: median user + system time of"
echo "the pipe and postconf; rss: peak RSS of the pipe or postconf, whichever is larger (/usr/bin/time %M)"

echo
echo "one 'aliases?' run against the real daemon under strace (times inflated by tracing):"
trace_once "$DUO_BASE/msg/list/0.eml" "$ALIAS_SYNC_PIPE" "${PIPE_ARGUMENTS[@]}" --sender=alice@example.org \
  --sasl-username=alice@example.org
