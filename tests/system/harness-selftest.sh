#!/usr/bin/env bash
# Check the test pair itself, without the alias-sync daemon: both Postfix
# instances, Dovecot SASL, local delivery, the managed alias database and
# the pipe service, with harness/recording-pipe standing in for
# alias-sync-pipe. alias-sync is only used for `configure-postfix`, which
# adds the pipe service and the routing to it, as in the test cases.
# When this fails, the system test cases cannot pass whatever the daemon does.
#
# Usage: harness-selftest.sh ALIAS_SYNC_BINARY
#   (as root; KEEP=1 keeps the files of the run)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/pair.sh
source "$here/lib/pair.sh"
pair_enforce_time_limit "$@"

pipe_calls() { printf '%s/%s/pipe-calls\n' "$PAIR_BASE" "$1"; }

pipe_call_count() {
  local files=("$(pipe_calls "$1")"/call-*)
  if [[ -e ${files[0]} ]]; then echo "${#files[@]}"; else echo 0; fi
}

pipe_call_count_is() { [[ $(pipe_call_count "$1") == "$2" ]]; }

# The file names are call-PID, so ls output is safe to read.
# shellcheck disable=SC2012
last_pipe_call() { ls -t "$(pipe_calls "$1")"/call-* | head -n 1; }

expect_line() {
  local file=$1 line=$2
  grep -qxF -- "$line" "$file" || pair_fail "expected the line '$line' in $file"
}

check_authenticated_request() {
  local started=$1 call=$2
  expect_line "$call" "user=alias-sync-pipe"
  expect_line "$call" "group=alias-sync-pipe"
  expect_line "$call" "argument=--config"
  expect_line "$call" "argument=$PAIR_BASE/b/alias-sync.conf"
  expect_line "$call" "argument=--sender=alice@example.org"
  expect_line "$call" "argument=--recipient=makealias@example.org"
  expect_line "$call" "argument=--original-recipient=makealias@example.org"
  expect_line "$call" "argument=--sasl-username=alice@example.org"
  grep -qE '^argument=--queue-id=[0-9A-F]+$' "$call" || pair_fail "no queue id in $call"
  expect_line "$call" "Subject: alias: team"
  grep -q '^Return-Path: <alice@example.org>' "$call" || pair_fail "no Return-Path in $call"

  local pipe_time
  pipe_time=$(sed -n 's/^time=//p' "$call")
  # The stub records date +%s.%N: nanoseconds once the dot is removed.
  pair_step "pipe started $(pair_format_us $((${pipe_time/./} / 1000 - started))) s after the SMTP connection opened"
}

if (($# != 1)); then
  printf 'usage: %s ALIAS_SYNC_BINARY\n' "$(basename "$0")" >&2
  exit 2
fi
pair_setup "$1" "$here/harness/recording-pipe"
for server in "${PAIR_SERVERS[@]}"; do
  install -d -m 0755 -o alias-sync-pipe -g alias-sync-pipe "$(pipe_calls "$server")"
done

pair_step "guard: blackhole route for $PAIR_GUARD_PREFIX in the root namespace"
ip route show type blackhole | grep -qF "$PAIR_GUARD_PREFIX" || pair_fail "guard route missing"

# An authenticated request reaches the pipe as alias-sync-pipe, with the
# SASL login in its arguments.
started=$(pair_now_us)
pair_send_authenticated b alice makealias@example.org "alias: team" auth-request \
  || pair_fail "authenticated submission to mx2 was rejected"
pair_step "mx2 accepted the authenticated request (swaks took $(pair_format_us $(($(pair_now_us) - started))) s)"
pair_wait_until 30 "pipe call on mx2" pipe_call_count_is b 1
pair_step "pipe call on mx2 seen $(pair_format_us $(($(pair_now_us) - started))) s after the SMTP connection opened (20 ms polling)"
check_authenticated_request "$started" "$(last_pipe_call b)"
pair_wait_until 30 "status=sent on mx2" pair_maillog_has b "$(pair_request_delivery_pattern sent)"

# Dovecot rejects a wrong password, and the submission service rejects mail
# without AUTH.
if pair_swaks b wrong-password --server "$(pair_address b):587" \
  --auth PLAIN --auth-user alice@example.org --auth-password wrong \
  --from alice@example.org --to makealias@example.org; then
  pair_fail "submission with a wrong password was accepted"
fi
grep -q '535 5.7.8' "$PAIR_LAST_TRANSCRIPT" || pair_fail "no 535 reply for a wrong password"
if pair_swaks b submission-no-auth --server "$(pair_address b):587" \
  --from alice@example.org --to makealias@example.org; then
  pair_fail "submission without AUTH on port 587 was accepted"
fi
pair_step "wrong password and missing AUTH on port 587 are rejected"

# Port 25 accepts the request, and the pipe receives an empty SASL login.
pair_send_plain b alice@example.org makealias@example.org "alias: team" plain-request \
  || pair_fail "unauthenticated request to mx2 port 25 was rejected"
pair_wait_until 30 "second pipe call on mx2" pipe_call_count_is b 2
expect_line "$(last_pipe_call b)" "argument=--sasl-username="
pair_step "unauthenticated request on port 25 reaches the pipe with an empty --sasl-username"

# Exit status 75 from the pipe defers the request, which stays in the queue.
touch "$(pipe_calls a)/tempfail"
pair_send_authenticated a alice makealias@example.org "alias: later" deferred-request \
  || pair_fail "authenticated submission to mx1 was rejected"
pair_wait_until 30 "status=deferred on mx1" pair_maillog_has a "$(pair_request_delivery_pattern deferred)"
pair_queue_has_recipient a makealias@example.org || pair_fail "deferred request not in the mx1 queue"
rm "$(pipe_calls a)/tempfail"
pair_run a postqueue -f
pair_wait_until 30 "status=sent on mx1 after the queue flush" \
  pair_maillog_has a "$(pair_request_delivery_pattern sent)"
pair_wait_until 30 "empty mx1 queue" pair_queue_is_empty a
pair_step "pipe exit status 75 defers the request, postqueue -f delivers it"

# local(8) delivers to the users' mailbox files on both servers.
for server in "${PAIR_SERVERS[@]}"; do
  pair_send_plain "$server" bob@example.org alice@example.org "hello $server" "local-$server" \
    || pair_fail "message to alice on $(pair_hostname "$server") was rejected"
  pair_wait_until 30 "message in alice's mailbox on $(pair_hostname "$server")" \
    pair_mailbox_has_subject "$server" alice "hello $server"
done
pair_step "local delivery to alice works on both servers"

# An entry that the alias-sync user adds to the managed alias file works at
# once, without a Postfix reload: smtpd accepts it and local(8) expands it.
cat >"$PAIR_BASE/a/lib/aliases" <<'EOF'
# alias-sync: written by the harness self-test
team: alice
EOF
pair_run_as alias-sync a postalias "$PAIR_BASE/a/lib/aliases"
pair_alias_file_has a team alice || pair_fail "pair_alias_file_has misses team on mx1"
pair_alias_db_has a team alice || pair_fail "pair_alias_db_has misses team on mx1"
pair_alias_db_lacks b team || pair_fail "pair_alias_db_lacks finds team on mx2"
pair_alias_file_lacks b team || pair_fail "pair_alias_file_lacks finds team on mx2"
pair_send_plain a bob@example.org team@example.org "to team" alias-delivery \
  || pair_fail "message to team on mx1 was rejected"
pair_wait_until 30 "message to team in alice's mailbox on mx1" \
  pair_mailbox_has_subject a alice "to team"
pair_step "a managed alias built by user alias-sync delivers to alice on mx1"

# The daemon sends confirmations with sendmail as user alias-sync with the
# supplementary group postdrop. Run through pair_run, sendmail finds the
# server's own main.cf.
printf 'Subject: confirmation test\nX-Alias-Sync: confirmation\n\nbody\n' |
  pair_run b timeout 30 setpriv --reuid=alias-sync --regid=alias-sync --groups=postdrop -- \
    /usr/sbin/sendmail -i -f makealias@example.org alice@example.org
pair_wait_until 30 "confirmation in alice's mailbox on mx2" pair_mailbox_has_confirmation b alice
pair_step "sendmail as alias-sync (group postdrop) delivers on mx2"

pair_wait_until 30 "empty queues" pair_queue_is_empty a
pair_wait_until 30 "empty queues" pair_queue_is_empty b
pair_step "harness self-test passed"
