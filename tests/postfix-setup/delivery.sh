#!/usr/bin/env bash
# configure-postfix on a running instance, in its own network namespace
# with SMTP on 127.0.0.1:25 there. After apply and reload a request message
# reaches the pipe, and mail to the other local addresses still reaches
# their mailboxes. The Postfix log has no failed table lookup. After --undo
# the designated address is unknown again and local mail still flows.
#
# Usage: delivery.sh ALIAS_SYNC_BINARY   (as root; KEEP=1 keeps the files)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/instance.sh
source "$here/lib/instance.sh"
ps_enforce_time_limit "$@"
ps_begin "$@"

# shellcheck disable=SC2012 # the file names are call-PID
last_pipe_call() { ls -t "$PS_BASE"/pipe-calls/call-* | head -n 1; }

expect_call_line() {
  local call=$1 line=$2
  ps_check "the pipe call has the line '$line'" grep -qxF -- "$line" "$call"
}

# The SMTP server must reject the designated address as an unknown local
# recipient (5xx), so the message is neither queued nor deferred.
expect_request_rejected() {
  local subject=$1
  PS_CHECKS=$((PS_CHECKS + 1))
  if ps_send "makealias@$PS_DOMAIN" "$subject"; then
    ps_record_failure "SMTP accepted makealias@$PS_DOMAIN, which is not configured ($PS_TRANSCRIPT)"
    return 0
  fi
  ps_check "makealias@$PS_DOMAIN is rejected as unknown (5.1.1)" \
    grep -qE '^<\*\* +550[ -]5\.1\.1 ' "$PS_TRANSCRIPT"
}

ps_case "before configure"
ps_new_instance live
ps_snapshot live original
ps_start live
ps_expect_local_delivery live "before configure"
expect_request_rejected "alias: early"

ps_case "apply on the running instance"
ps_configure live --dry-run
ps_expect_rc 1 "--dry-run with changes pending"
ps_expect_report_line "running" "reload"
ps_configure live --yes
ps_expect_rc 0 "apply"
ps_expect_stdout_has "reloaded Postfix"
ps_check "the maillog shows the reload" grep -qF "reload -- version" "$(ps_maillog live)"

ps_case "request message reaches the pipe"
calls_before=$(ps_pipe_call_count)
PS_CHECKS=$((PS_CHECKS + 1))
ps_send "makealias@$PS_DOMAIN" "alias: team" \
  || ps_record_failure "SMTP rejected the request to makealias@$PS_DOMAIN ($PS_TRANSCRIPT)"
ps_wait_until 20 "a pipe call for the request" ps_pipe_call_count_is $((calls_before + 1))
call=$(last_pipe_call)
expect_call_line "$call" "user=$PS_PIPE_USER"
expect_call_line "$call" "argument=--config"
expect_call_line "$call" "argument=$(ps_conf live)"
expect_call_line "$call" "argument=--sender=tester@$PS_DOMAIN"
expect_call_line "$call" "argument=--recipient=makealias@$PS_DOMAIN"
expect_call_line "$call" "argument=--original-recipient=makealias@$PS_DOMAIN"
expect_call_line "$call" "argument=--sasl-username="
expect_call_line "$call" "Subject: alias: team"
ps_check "the pipe call has a queue id" grep -qE '^argument=--queue-id=[0-9A-F]+$' "$call"
ps_check "the maillog has the delivery to the alias-sync service" \
  grep -qE "to=<makealias@${PS_DOMAIN//./\\.}>.*relay=alias-sync,.*status=sent" "$(ps_maillog live)"

ps_case "other mail still delivered after apply"
ps_expect_local_delivery live "after apply"
# postmaster is an alias of alice in the instance's own aliases file.
PS_CHECKS=$((PS_CHECKS + 1))
ps_send "postmaster@$PS_DOMAIN" "to postmaster after apply" \
  || ps_record_failure "SMTP rejected a message to postmaster@$PS_DOMAIN ($PS_TRANSCRIPT)"
ps_wait_until 20 "the message to postmaster in alice's mailbox" \
  ps_mailbox_has_subject live alice "to postmaster after apply"
ps_expect_clean_maillog live

ps_case "undo on the running instance"
ps_configure live --undo --yes
ps_expect_rc 0 "--undo --yes"
ps_expect_stdout_has "reloaded Postfix"
ps_expect_config_is live original "undo"
# Right after the undo: no Postfix process may still look up the removed map.
ps_expect_local_delivery live "right after undo"
expect_request_rejected "alias: late"
ps_expect_clean_maillog live
ps_check "no message waits in the queue" \
  test -z "$(ip netns exec "$PS_NAMESPACE" postqueue -c "$(ps_etc live)" -j)"

ps_finish
