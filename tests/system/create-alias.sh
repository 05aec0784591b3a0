#!/usr/bin/env bash
# System test: alice, logged in with SMTP AUTH on mx2, requests the alias
# "team". Both servers create it (alias file and Postfix alias database),
# both send a confirmation to team@example.org that lands in alice's
# mailbox, and mail to the alias is then delivered on both servers.
# tools/demo runs this script with PAIR_NARRATE=1.
#
# Usage: create-alias.sh ALIAS_SYNC_BINARY ALIAS_SYNC_PIPE_BINARY
#   (as root; KEEP=1 keeps the files of the run)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/pair.sh
source "$here/lib/pair.sh"
pair_enforce_time_limit "$@"

# Header lines of the messages in a mailbox that a reader wants to see.
mailbox_headers() {
  grep -iE '^(From|To|Subject|X-Alias-Sync):' "$1"
}

managed_entries() {
  grep -v '^[[:space:]]*$' "$1"
}

pair_case_arguments "$@"
pair_setup "$PAIR_CASE_DAEMON" "$PAIR_CASE_PIPE"
setup_done=$(pair_now_us)

pair_pair_daemons
pair_start_daemon a
pair_start_daemon b
pair_wait_link_up

# The request: an authenticated submission to the designated address.
submitted=$(pair_now_us)
pair_send_authenticated b alice makealias@example.org "alias: team" request \
  || pair_fail "mx2 rejected the authenticated request (transcript: $PAIR_LAST_TRANSCRIPT)"
accepted=$(pair_now_us)
pair_step "alice@example.org sent 'alias: team' to makealias@example.org on mx2 port 587 with SMTP AUTH"
pair_show "SMTP replies to the request:" grep -E '^<- +(235|250 2\.0\.0)' "$PAIR_LAST_TRANSCRIPT"
pair_wait_until 30 "delivery of the request to the alias-sync pipe on mx2 (status=sent)" \
  pair_maillog_has b "$(pair_request_delivery_pattern sent)"
pair_step "mx2: Postfix delivered the request to the alias-sync pipe (status=sent)"
pair_show "mx2 maillog:" grep -E 'relay=alias-sync,' "$PAIR_BASE/b/log/maillog"

for server in "${PAIR_SERVERS[@]}"; do
  name=$(pair_hostname "$server")
  pair_wait_until 30 "'team: alice' below an alias-sync comment in the alias file of $name" \
    pair_alias_file_has "$server" team alice
  pair_wait_until 30 "postalias -q team answering alice on $name" \
    pair_alias_db_has "$server" team alice
  pair_step "$name: team: alice is in the managed alias file and its Postfix database"
  pair_show "$name $PAIR_BASE/$server/lib/aliases:" managed_entries "$PAIR_BASE/$server/lib/aliases"
done

# The mailbox was empty before, so its modification time is the moment
# local(8) delivered the confirmation, whatever the polling interval.
last_confirmation=0
for server in "${PAIR_SERVERS[@]}"; do
  name=$(pair_hostname "$server")
  mailbox=$(pair_mailbox "$server" alice)
  pair_wait_until 30 "confirmation (X-Alias-Sync: confirmation) in alice's mailbox on $name" \
    pair_mailbox_has_confirmation "$server" alice
  delivered=$(stat -c %.6Y "$mailbox")
  delivered=${delivered/[.,]/}
  if ((delivered > last_confirmation)); then
    last_confirmation=$delivered
  fi
  pair_step "$name: confirmation delivered to alice through the new alias"
  pair_show "$name $mailbox:" mailbox_headers "$mailbox"
done

# Mail to the new alias from outside is accepted and delivered on both.
for server in "${PAIR_SERVERS[@]}"; do
  name=$(pair_hostname "$server")
  pair_send_plain "$server" bob@example.org team@example.org "for the team on $name" "to-team-$server" \
    || pair_fail "$name rejected mail to team@example.org (transcript: $PAIR_LAST_TRANSCRIPT)"
  pair_wait_until 30 "the message to team@example.org in alice's mailbox on $name" \
    pair_mailbox_has_subject "$server" alice "for the team on $name"
  pair_step "$name: a message to team@example.org on port 25 was delivered to alice"
done

pair_step "create-alias passed"
PAIR_SUMMARY+=("pair set-up (namespaces, Postfix, Dovecot): $(pair_format_us $((setup_done - PAIR_START_US))) s")
PAIR_SUMMARY+=("SMTP submission to both confirmations delivered: $(pair_format_us $((last_confirmation - submitted))) s (the SMTP session took $(pair_format_us $((accepted - submitted))) s)")
