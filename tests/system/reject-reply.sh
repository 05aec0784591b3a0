#!/usr/bin/env bash
# System test: rejected requests on mx2 each get exactly one reply in the
# sender's mailbox, sent with a null envelope sender, and the pipe's exit
# status keeps Postfix from bouncing anything:
# - bob, an ordinary user, points an alias at alice: the pipe rejects it;
# - alice requests "bob", a local user's name: the daemons reject it;
# - a request larger than request_size_limit (64 KiB on mx2) is rejected;
# - with mx2's daemon stopped, a request is deferred and stays queued, while
#   an ignored message is still delivered (status=sent); after the daemon is
#   back and the queue is flushed, the request is carried out once.
#
# Usage: reject-reply.sh ALIAS_SYNC_BINARY ALIAS_SYNC_PIPE_BINARY
#   (as root; KEEP=1 keeps the files of the run)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/pair.sh
source "$here/lib/pair.sh"
pair_enforce_time_limit "$@"

designated=makealias@example.org
size_limit=65536
# A body of about 200 KB, well above size_limit.
big_body_lines=2600

# How long the mailbox counts must stay as expected after the last
# delivery, to catch a second reply to the same request.
settle_seconds=3

# Submit "Subject: SUBJECT" as USER on mx2 with the Message-ID <ID> and set
# queue_id. swaks replaces its own "Message-Id" field only when the name is
# written with exactly that case.
# Usage: send_request USER SUBJECT ID LABEL [SWAKS_ARGUMENTS...]
send_request() {
  local user=$1 subject=$2 id=$3 label=$4
  shift 4
  pair_swaks_authenticated b "$user" "$label" --from "$user@$PAIR_DOMAIN" --to "$designated" \
    --header "Subject: $subject" --header "Message-Id: <$id>" "$@" \
    || pair_fail "mx2 rejected the request '$subject' from $user (transcript: $PAIR_LAST_TRANSCRIPT)"
  queue_id=$(pair_transcript_queue_id) \
    || pair_fail "mx2 did not queue the request '$subject' (transcript: $PAIR_LAST_TRANSCRIPT)"
  pair_step "$user@$PAIR_DOMAIN sent '$subject' on mx2 port 587 (queue id $queue_id)"
}

# Print "SERVER INDEX" of every message in USER's mailboxes whose In-Reply-To
# is <ID>, one per line.
replies_to() {
  local user=$1 id=$2 server count index
  for server in "${PAIR_SERVERS[@]}"; do
    count=$(pair_mailbox_message_count "$server" "$user")
    for ((index = 1; index <= count; index++)); do
      if pair_mailbox_headers "$server" "$user" "$index" | grep -qixF "In-Reply-To: <$id>"; then
        echo "$server $index"
      fi
    done
  done
}

has_reply_to() { [[ -n $(replies_to "$1" "$2") ]]; }

# Fail unless exactly one message in USER's mailboxes replies to <ID> and it
# has the header fields of a rejection. Sets reply_server and reply_index to
# where it is, and records in subject_problems when its Subject does not
# quote the request's SUBJECT (checked last, after the other conditions).
# Usage: expect_one_rejection USER ID SUBJECT
expect_one_rejection() {
  local user=$1 id=$2 subject=$3 found count server index headers field reply_subject
  found=$(replies_to "$user" "$id")
  count=$(grep -c . <<<"$found" || true)
  if ((count != 1)); then
    pair_fail "$user has $count replies to <$id> instead of one (server and index: $(tr '\n' ' ' <<<"$found"))"
  fi
  read -r server index <<<"$found"
  headers=$(pair_mailbox_headers "$server" "$user" "$index")
  # local(8) writes the envelope sender as Return-Path, so <> shows that the
  # reply was sent with the null sender.
  for field in 'Return-Path: <>' 'Auto-Submitted: auto-replied' 'X-Alias-Sync: rejection'; do
    grep -qixF "$field" <<<"$headers" \
      || pair_fail "the reply to <$id> in $user's mailbox on $(pair_hostname "$server") lacks '$field'; its header: $headers"
  done
  for field in Date Message-ID; do
    grep -qiE "^$field: +[^ ]" <<<"$headers" \
      || pair_fail "the reply to <$id> in $user's mailbox on $(pair_hostname "$server") has no $field field; its header: $headers"
  done
  reply_subject=$(grep -i '^Subject:' <<<"$headers" || true)
  if ! grep -qF -- "$subject" <<<"$reply_subject"; then
    subject_problems+=("the reply to '$subject' has '$reply_subject'")
  fi
  reply_server=$server
  reply_index=$index
}

# Print the body of message INDEX in USER's mailbox on SERVER.
mailbox_body() {
  local server=$1 user=$2 index=$3
  awk -v want="$index" '
    /^From / { count++; in_body = 0; in_message = (count == want); next }
    in_message && !in_body && /^$/ { in_body = 1; next }
    in_message && in_body { print }' "$(pair_mailbox "$server" "$user")"
}

# Print the number of confirmations of "later" in alice's mailbox on SERVER.
later_confirmations() {
  pair_mailbox_count_with_header "$1" alice '^Subject: Alias created: later '
}

has_later_confirmation() { (($(later_confirmations "$1") >= 1)); }

mailbox_totals_exceed() {
  (($(pair_mailbox_total bob) > 2 || $(pair_mailbox_total alice) > 3))
}

subject_problems=()

pair_case_arguments "$@"
# An associative array declared in lib/server-config.sh, read by pair_setup.
# shellcheck disable=SC2034,SC2154
PAIR_ALIAS_SYNC_EXTRA_CONFIG[b]="request_size_limit = $size_limit"
pair_setup "$PAIR_CASE_DAEMON" "$PAIR_CASE_PIPE"
pair_pair_daemons
pair_start_daemon a
pair_start_daemon b
pair_wait_link_up

# --- the three rejections, sent together --------------------------------------

helpers_id=helpers-request@client.example.org
send_request bob 'alias: helpers -> alice@example.org' "$helpers_id" not-own-mailbox \
  --body "Sent by the alias-sync system test (destination not the sender's mailbox)."
helpers_queue_id=$queue_id

local_user_id=local-user-request@client.example.org
send_request alice 'alias: bob' "$local_user_id" local-user-name \
  --body "Sent by the alias-sync system test (name of a local user)."
local_user_queue_id=$queue_id

big_id=big-request@client.example.org
big_body=$PAIR_BASE/big-body.txt
for ((line = 0; line < big_body_lines; line++)); do
  printf 'Line %05d of a request body that is far larger than request_size_limit allows.\n' "$line"
done >"$big_body"
send_request bob 'alias: big' "$big_id" oversized --body "@$big_body"
big_queue_id=$queue_id

for queue_id in "$helpers_queue_id" "$local_user_queue_id" "$big_queue_id"; do
  pair_wait_until 30 "delivery of queue id $queue_id to the alias-sync pipe on mx2 (status=sent)" \
    pair_request_delivered_with b "$queue_id" sent
done
pair_step "mx2: Postfix delivered the three requests to the alias-sync pipe (status=sent)"

pair_wait_until 30 "a reply to <$helpers_id> in bob's mailbox" has_reply_to bob "$helpers_id"
pair_wait_until 30 "a reply to <$local_user_id> in alice's mailbox" has_reply_to alice "$local_user_id"
pair_wait_until 30 "a reply to <$big_id> in bob's mailbox" has_reply_to bob "$big_id"

expect_one_rejection bob "$helpers_id" 'alias: helpers -> alice@example.org'
pair_step "bob: one rejection of 'alias: helpers -> alice@example.org' (Return-Path <>, Auto-Submitted, In-Reply-To)"
expect_one_rejection alice "$local_user_id" 'alias: bob'
pair_step "alice: one rejection of 'alias: bob' (Return-Path <>, Auto-Submitted, In-Reply-To)"
expect_one_rejection bob "$big_id" 'alias: big'
big_reply=$(mailbox_body "$reply_server" bob "$reply_index")
grep -qF "$size_limit" <<<"$big_reply" \
  || pair_fail "the reply to the oversized request does not name the limit $size_limit: $big_reply"
# The size the pipe counts includes the header block that Postfix passes on.
grep -oE '[0-9]{6,}' <<<"$big_reply" | awk -v min=$((big_body_lines * 79)) '$1 >= min && $1 < 2 * min { found = 1 } END { exit !found }' \
  || pair_fail "the reply to the oversized request does not name its size (at least $((big_body_lines * 79)) bytes): $big_reply"
pair_step "bob: one rejection of the oversized 'alias: big' naming its size and the limit $size_limit"

for name in helpers bob big; do
  pair_expect_alias_nowhere "$name"
done
pair_step "no alias helpers, bob or big on either server"

# --- deferral while mx2's daemon is down --------------------------------------

pair_stop_daemon b
later_id=later-request@client.example.org
send_request alice 'alias: later' "$later_id" daemon-down \
  --body "Sent by the alias-sync system test (daemon stopped)."
later_queue_id=$queue_id
pair_wait_until 30 "deferral of queue id $later_queue_id by the alias-sync pipe on mx2 (status=deferred)" \
  pair_request_delivered_with b "$later_queue_id" deferred
pair_step "mx2: Postfix deferred the request (status=deferred)"
pair_queue_has_recipient b "$designated" \
  || pair_fail "the deferred request for $designated is not in the mx2 queue"
if pair_maillog_queue_id_has b "$later_queue_id" 'status=(sent|bounced)'; then
  pair_fail "mx2 delivered or bounced the request while its daemon was stopped"
fi
pair_expect_alias_nowhere later

# An ignored message needs no daemon: the pipe only reports it to the daemon
# for the log, and exits 0 when that fails.
send_request bob 'Re: alias: while-down' while-down-request@client.example.org ignored-daemon-down \
  --body "Sent by the alias-sync system test (a reply while the daemon is stopped)."
pair_wait_until 30 "delivery of queue id $queue_id (ignored) to the alias-sync pipe on mx2 (status=sent)" \
  pair_request_delivered_with b "$queue_id" sent
pair_step "mx2: an ignored message was delivered to the pipe (status=sent) while the daemon was stopped"
pair_expect_alias_nowhere while-down

(($(pair_mailbox_total alice) == 1)) \
  || pair_fail "alice has $(pair_mailbox_total alice) messages instead of the one rejection while mx2's daemon was stopped"
pair_step "mx2: the request waits in the queue; no alias later, no reply"

# The request waiting in mx2's queue may make status warn (exit 1).
pair_start_daemon b
pair_wait_link_up_or_warning
pair_run b postqueue -f
pair_step "mx2: queue flushed (postqueue -f)"
pair_wait_until 30 "delivery of queue id $later_queue_id to the alias-sync pipe on mx2 (status=sent)" \
  pair_request_delivered_with b "$later_queue_id" sent
for server in "${PAIR_SERVERS[@]}"; do
  name=$(pair_hostname "$server")
  pair_wait_until 30 "'later: alice' below an alias-sync comment in the alias file of $name" \
    pair_alias_file_has "$server" later alice
  pair_wait_until 30 "postalias -q later answering alice on $name" \
    pair_alias_db_has "$server" later alice
  pair_wait_until 30 "a confirmation of later in alice's mailbox on $name" \
    has_later_confirmation "$server"
  pair_step "$name: alias later created and its confirmation delivered"
done

# --- nothing more arrives, nothing bounces ------------------------------------

pair_expect_never "$settle_seconds" "more than 2 messages for bob or 3 for alice" mailbox_totals_exceed
for server in "${PAIR_SERVERS[@]}"; do
  count=$(later_confirmations "$server")
  ((count == 1)) || pair_fail "alice has $count confirmations of later on $(pair_hostname "$server") instead of one"
done
(($(pair_mailbox_total bob) == 2)) \
  || pair_fail "bob has $(pair_mailbox_total bob) messages instead of the two rejections"
(($(pair_mailbox_total alice) == 3)) \
  || pair_fail "alice has $(pair_mailbox_total alice) messages instead of one rejection and two confirmations"
pair_step "exactly one reply per request: 2 messages for bob, 3 for alice"

pair_expect_queues_empty_without_bounce
pair_step "both queues are empty; no bounce"

if ((${#subject_problems[@]} > 0)); then
  printf '  %s\n' "${subject_problems[@]}" >&2
  pair_fail "the Subject of ${#subject_problems[@]} of 3 rejections does not quote the request's Subject (list above)"
fi
pair_step "the Subject of each rejection quotes the request's Subject"
pair_step "reject-reply passed"
