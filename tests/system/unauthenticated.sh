#!/usr/bin/env bash
# System test: the same request as create-alias, but sent to mx2 port 25
# without SMTP AUTH. Postfix still hands it to the alias-sync pipe, which
# must create nothing on either server and send no reply.
#
# Usage: unauthenticated.sh ALIAS_SYNC_BINARY ALIAS_SYNC_PIPE_BINARY
#   (as root; KEEP=1 keeps the files of the run)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/pair.sh
source "$here/lib/pair.sh"
pair_enforce_time_limit "$@"

# How long to watch for a reply after the pipe has returned. A reply is
# queued before the pipe or the daemon finishes with the request and local
# delivery takes about 0.1 s here, so 5 s leaves a wide margin.
reply_wait_seconds=5

pair_case_arguments "$@"
pair_setup "$PAIR_CASE_DAEMON" "$PAIR_CASE_PIPE"
pair_pair_daemons
pair_start_daemon a
pair_start_daemon b
pair_wait_link_up

pair_send_plain b alice@example.org makealias@example.org "alias: team" unauthenticated-request \
  || pair_fail "mx2 rejected the unauthenticated request (transcript: $PAIR_LAST_TRANSCRIPT)"
pair_step "sent 'alias: team' from alice@example.org to makealias@example.org on mx2 port 25 without AUTH"
pair_wait_until 30 "delivery of the request to the alias-sync pipe on mx2 (status=sent)" \
  pair_maillog_has b "$(pair_request_delivery_pattern sent)"
pair_step "mx2: Postfix delivered the request to the alias-sync pipe (status=sent)"

pair_expect_never "$reply_wait_seconds" "a message for alice on mx1 or mx2" pair_any_mail_for alice
pair_expect_no_mail alice
pair_step "no reply to alice on either server within $reply_wait_seconds s"

pair_expect_alias_nowhere team
pair_wait_until 30 "an empty mail queue on mx2" pair_queue_is_empty b
pair_wait_until 30 "an empty mail queue on mx1" pair_queue_is_empty a
pair_step "no alias team on either server, and both mail queues are empty"
pair_step "unauthenticated passed"
