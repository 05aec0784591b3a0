#!/usr/bin/env bash
# System test: with the daemon of mx1 stopped, an authenticated request on
# mx2 is deferred by Postfix and stays in the queue, and nothing is created.
# Once mx1's daemon is back and the queue is flushed, the alias exists on
# both servers and both confirmations arrive.
#
# Usage: peer-down-deferred.sh ALIAS_SYNC_BINARY ALIAS_SYNC_PIPE_BINARY
#   (as root; KEEP=1 keeps the files of the run)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/pair.sh
source "$here/lib/pair.sh"
pair_enforce_time_limit "$@"

pair_case_arguments "$@"
pair_setup "$PAIR_CASE_DAEMON" "$PAIR_CASE_PIPE"
pair_pair_daemons
pair_start_daemon a
pair_start_daemon b
pair_wait_link_up

pair_stop_daemon a
pair_wait_until 30 "alias-sync status 2 (peer link down) on mx2" pair_link_down b
pair_step "mx2: alias-sync status reports the peer link down"

pair_send_authenticated b alice makealias@example.org "alias: team" request-while-peer-down \
  || pair_fail "mx2 rejected the authenticated request (transcript: $PAIR_LAST_TRANSCRIPT)"
pair_step "alice@example.org sent 'alias: team' to makealias@example.org on mx2 port 587 with SMTP AUTH"

# The pipe may retry the peer for up to transaction_timeout (20 s) before
# it exits with EX_TEMPFAIL, hence the longer wait.
pair_wait_until 60 "deferral of the request by the alias-sync pipe on mx2 (status=deferred)" \
  pair_maillog_has b "$(pair_request_delivery_pattern deferred)"
pair_step "mx2: Postfix deferred the request (status=deferred)"
pair_queue_has_recipient b makealias@example.org \
  || pair_fail "the deferred request for makealias@example.org is not in the mx2 queue"
pair_step "mx2: the request waits in the mail queue"
if pair_maillog_has b "$(pair_request_delivery_pattern '(sent|bounced)')"; then
  pair_fail "mx2 delivered or bounced the request while the peer was down"
fi
pair_expect_alias_nowhere team
pair_expect_no_mail alice
pair_step "no alias team and no mail for alice on either server"

# The request still waiting in mx2's queue may make status warn (exit 1).
pair_start_daemon a
pair_wait_link_up_or_warning
pair_run b postqueue -f
pair_step "mx2: queue flushed (postqueue -f)"

pair_wait_until 30 "delivery of the request to the alias-sync pipe on mx2 (status=sent)" \
  pair_maillog_has b "$(pair_request_delivery_pattern sent)"
for server in "${PAIR_SERVERS[@]}"; do
  name=$(pair_hostname "$server")
  pair_wait_until 30 "'team: alice' below an alias-sync comment in the alias file of $name" \
    pair_alias_file_has "$server" team alice
  pair_wait_until 30 "postalias -q team answering alice on $name" \
    pair_alias_db_has "$server" team alice
  pair_wait_until 30 "confirmation (X-Alias-Sync: confirmation) in alice's mailbox on $name" \
    pair_mailbox_has_confirmation "$server" alice
  pair_step "$name: alias team created and confirmation delivered"
done
pair_wait_until 30 "an empty mail queue on mx2" pair_queue_is_empty b
pair_step "peer-down-deferred passed"
