#!/usr/bin/env bash
# System test: one message on mx2 for every rule under which the pipe must
# ignore a message to makealias@example.org. Each is delivered to the
# alias-sync pipe with status=sent (exit 0: never deferred, never bounced),
# and none creates an alias or gets a reply. The daemon of mx2 logs each
# ignore with the rule that applied.
#
# Usage: ignore-rules.sh ALIAS_SYNC_BINARY ALIAS_SYNC_PIPE_BINARY
#   (as root; KEEP=1 keeps the files of the run)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/pair.sh
source "$here/lib/pair.sh"
pair_enforce_time_limit "$@"

corpus=$here/../corpus/mail
designated=makealias@example.org

# How long to watch for a reply after the last delivery. A reply is queued
# before the pipe returns and local delivery takes about 0.1 s here.
reply_wait_seconds=5

# One entry per message, in the order sent: a label, its queue id on mx2,
# the login that the daemon's log line names (empty without SASL), and an
# extended regex that the logged reason must match, which names the rule.
labels=()
queue_ids=()
logins=()
reasons=()

record_message() {
  local label=$1 login=$2 reason=$3 queue_id
  queue_id=$(pair_transcript_queue_id) \
    || pair_fail "mx2 did not queue the message $label (transcript: $PAIR_LAST_TRANSCRIPT)"
  labels+=("$label")
  queue_ids+=("$queue_id")
  logins+=("$login")
  reasons+=("$reason")
  pair_step "sent $label (queue id $queue_id)"
}

# A copy of a corpus file without the mbox "From " line and Return-Path
# fields of its header block, which the sending client does not write. (swaks
# would drop the "From " line itself, and Postfix's cleanup(8) drops
# Return-Path (HDR_OPT_DROP in global/header_opts.c), but the copy makes
# what is sent plain to see.)
submission_copy() {
  local file=$1 copy
  copy=$PAIR_BASE/messages/$(basename "$file")
  awk 'NR == 1 && /^From / { next }
       /^\r?$/ { body = 1 }
       !body && /^Return-Path:/ { next }
       { print }' "$file" >"$copy"
  echo "$copy"
}

# Usage: send_corpus_file NAME REASON_REGEX   (authenticated as bob)
send_corpus_file() {
  local name=$1 reason=$2 copy
  copy=$(submission_copy "$corpus/$name.eml")
  pair_swaks_authenticated b bob "$name" --from "bob@$PAIR_DOMAIN" --to "$designated" --data "@$copy" \
    || pair_fail "mx2 rejected $name (transcript: $PAIR_LAST_TRANSCRIPT)"
  record_message "$name" bob "$reason"
}

# Usage: send_subject LABEL SUBJECT ALIAS_NAME REASON_REGEX   (authenticated as bob)
send_subject() {
  local label=$1 subject=$2 name=$3 reason=$4
  pair_swaks_authenticated b bob "$label" --from "bob@$PAIR_DOMAIN" --to "$designated" \
    --header "Subject: $subject" --body "Sent by the alias-sync system test ($label)." \
    || pair_fail "mx2 rejected the message with Subject '$subject' (transcript: $PAIR_LAST_TRANSCRIPT)"
  record_message "$label" bob "$reason"
  alias_names+=("$name")
}

any_mail_for_the_users() { pair_any_mail_for alice || pair_any_mail_for bob; }

pair_case_arguments "$@"
pair_setup "$PAIR_CASE_DAEMON" "$PAIR_CASE_PIPE"
mkdir "$PAIR_BASE/messages"
pair_pair_daemons
pair_start_daemon a
pair_start_daemon b
pair_wait_link_up

# Names that a message would create if it were wrongly acted on: the corpus
# requests first, then one per message sent below.
alias_names=(helpdesk support sales-team)

# The corpus files, each with one ignore rule. The reason patterns name the
# header or value that the rule looks at.
send_corpus_file 40-precedence-bulk 'Precedence: bulk'
send_corpus_file 41-precedence-junk 'Precedence: junk'
send_corpus_file 42-precedence-list 'Precedence: list'
send_corpus_file 43-list-id 'List-Id'
send_corpus_file 44-auto-submitted-generated 'Auto-Submitted: auto-generated'
send_corpus_file 45-read-receipt-mdn 'multipart/report'
send_corpus_file 46-own-header 'X-Alias-Sync'
send_corpus_file 47-own-message-id 'Message-ID'
# Auto-Submitted comes before Precedence (15 has both) in the rule order.
send_corpus_file 15-auto-replied 'Auto-Submitted: auto-replied'
send_corpus_file 10-reply-quoted 'AW:'

# Reply and forward prefixes before an otherwise valid request.
send_subject prefix-re 'Re: alias: pfx-re' pfx-re 'Re:'
send_subject prefix-re-upper 'RE: alias: pfx-re-upper' pfx-re-upper 'RE:'
send_subject prefix-fwd 'Fwd: alias: pfx-fwd' pfx-fwd 'Fwd:'
send_subject prefix-fw-upper 'FW: alias: pfx-fw-upper' pfx-fw-upper 'FW:'
send_subject prefix-fw 'Fw: alias: pfx-fw' pfx-fw 'Fw:'
send_subject prefix-aw 'AW: alias: pfx-aw' pfx-aw 'AW:'
send_subject prefix-wg 'WG: alias: pfx-wg' pfx-wg 'WG:'
send_subject prefix-sv 'SV: alias: pfx-sv' pfx-sv 'SV:'
send_subject prefix-vs 'VS: alias: pfx-vs' pfx-vs 'VS:'
send_subject prefix-antw 'Antw: alias: pfx-antw' pfx-antw 'Antw:'
send_subject prefix-re-counted 'Re[2]: alias: pfx-re-counted' pfx-re-counted 'Re\[2\]:'
# RFC 2047 Q encoding of "Re: alias: pfx-encoded".
send_subject prefix-encoded '=?UTF-8?Q?Re=3A_alias=3A_pfx-encoded?=' pfx-encoded 'Re:'

# Envelope senders that mark mail from a mail system, with a valid request
# and a login. configure-postfix sets null_sender= on the pipe service, so
# the pipe gets an empty sender; pipe(8) would pass MAILER-DAEMON without
# it, so the null sender's pattern accepts either word.
pair_swaks_authenticated b bob null-sender-authenticated --from '<>' --to "$designated" \
  --header "Subject: alias: null-sender" --body "Sent by the alias-sync system test (null sender with AUTH)." \
  || pair_fail "mx2 rejected an authenticated message with a null envelope sender (transcript: $PAIR_LAST_TRANSCRIPT)"
record_message null-sender-authenticated bob 'empty|MAILER-DAEMON'
alias_names+=(null-sender)
# Postfix's cleanup(8) turns MAILER-DAEMON@$myorigin (here @example.org)
# into the null sender (cleanup_addr_sender in cleanup_addr.c; seen here with
# Postfix 3.7.11). The host name keeps this sender as written, and the lower
# case tests the any-case match.
pair_swaks_authenticated b bob mailer-daemon-sender --from "mailer-daemon@mx1.$PAIR_DOMAIN" --to "$designated" \
  --header "Subject: alias: daemon-sender" --body "Sent by the alias-sync system test (MAILER-DAEMON sender)." \
  || pair_fail "mx2 rejected an authenticated message from MAILER-DAEMON (transcript: $PAIR_LAST_TRANSCRIPT)"
record_message mailer-daemon-sender bob "mailer-daemon@mx1\\.$PAIR_DOMAIN"
alias_names+=(daemon-sender)
pair_swaks_authenticated b bob designated-sender --from "$designated" --to "$designated" \
  --header "Subject: alias: loop-sender" --body "Sent by the alias-sync system test (designated address as sender)." \
  || pair_fail "mx2 rejected an authenticated message from $designated (transcript: $PAIR_LAST_TRANSCRIPT)"
record_message designated-sender bob "$designated"
alias_names+=(loop-sender)

# A valid request without a login, on port 25.
pair_send_plain b "bob@$PAIR_DOMAIN" "$designated" "alias: no-login" no-login \
  || pair_fail "mx2 rejected the unauthenticated message (transcript: $PAIR_LAST_TRANSCRIPT)"
record_message no-login '' 'SASL'
alias_names+=(no-login)

# The bounce: a DSN on port 25 from the null sender, as a remote MTA sends it.
bounce_copy=$(submission_copy "$corpus/14-bounce-dsn.eml")
pair_swaks b 14-bounce-dsn --server "$(pair_address b):25" --from '<>' --to "$designated" --data "@$bounce_copy" \
  || pair_fail "mx2 rejected the bounce (transcript: $PAIR_LAST_TRANSCRIPT)"
record_message 14-bounce-dsn '' 'empty|MAILER-DAEMON'

# Every message reached the pipe and the pipe exited 0.
for index in "${!queue_ids[@]}"; do
  pair_wait_until 30 "delivery of ${labels[$index]} (queue id ${queue_ids[$index]}) to the alias-sync pipe on mx2 (status=sent)" \
    pair_request_delivered_with b "${queue_ids[$index]}" sent
done
pair_step "mx2: Postfix delivered all ${#queue_ids[@]} messages to the alias-sync pipe (status=sent)"
for index in "${!queue_ids[@]}"; do
  if pair_maillog_queue_id_has b "${queue_ids[$index]}" 'status=(deferred|bounced)'; then
    pair_fail "mx2 deferred or bounced ${labels[$index]} (queue id ${queue_ids[$index]})"
  fi
done
pair_step "mx2: none of them was deferred or bounced"

pair_expect_never "$reply_wait_seconds" "a message for alice or bob on mx1 or mx2" any_mail_for_the_users
pair_expect_no_mail alice
pair_expect_no_mail bob
pair_step "no mail for alice or bob on either server within $reply_wait_seconds s"

for name in "${alias_names[@]}"; do
  pair_expect_alias_nowhere "$name"
done
pair_expect_queues_empty_without_bounce
pair_step "none of ${alias_names[*]} exists on either server; both queues are empty; no bounce"

# The daemon logs "request ID from LOGIN : ignore: REASON" for each message.
# All missing lines are listed together.
missing=()
for index in "${!queue_ids[@]}"; do
  prefix="request ${queue_ids[$index]} from ${logins[$index]} : ignore: "
  line=$(grep -F -- "$prefix" "$PAIR_BASE/b/daemon.log" | head -n 1 || true)
  if [[ -z $line ]]; then
    missing+=("${labels[$index]}: no line with '$prefix'")
  elif ! grep -qE -- "${reasons[$index]}" <<<"${line#*"$prefix"}"; then
    missing+=("${labels[$index]}: the reason does not match /${reasons[$index]}/: $line")
  fi
done
if ((${#missing[@]} > 0)); then
  printf '  %s\n' "${missing[@]}" >&2
  pair_fail "the mx2 daemon did not log the ignore of ${#missing[@]} of ${#queue_ids[@]} messages as expected (list above)"
fi
pair_step "mx2: the daemon logged each ignore with its rule"
pair_step "ignore-rules passed"
