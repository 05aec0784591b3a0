#!/usr/bin/env bash
# Real Postfix decides which alias a recipient's local part reaches: for
# every row of tests/corpus/recipients/recipient-delimiter.cases, mail to
# LOCALPART@example.org must land in the mailbox of the alias the row
# names, or in none of them. tst_aliasfile checks AliasFile's
# lookupRecipient() against the same rows, so the two agree through this
# shared table.
#
# Usage: alias-lookups.sh ALIAS_SYNC_BINARY   (as root; KEEP=1 keeps the files)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cases_file=$here/../corpus/recipients/recipient-delimiter.cases
# shellcheck source-path=SCRIPTDIR source=lib/instance.sh
source "$here/lib/instance.sh"
ps_enforce_time_limit "$@"
ps_begin "$@"

names=$(sed -n 's/^# aliases: //p' "$cases_file")
[[ -n $names ]] || ps_fatal "no '# aliases:' line in $cases_file"

box() { printf '%s/live/mail/box-%s\n' "$PS_BASE" "$1"; }

# Writes an alias table in which each name delivers to its own mailbox
# file. local(8) writes such files as the default_privs user (nobody).
write_alias_table() {
  local etc name
  etc=$(ps_etc live)
  : >"$etc/lookup-aliases"
  for name in $names; do
    printf '%s: %s\n' "$name" "$(box "$name")" >>"$etc/lookup-aliases"
    install -m 0600 -o nobody -g nogroup /dev/null "$(box "$name")"
  done
  postalias -c "$etc" "hash:$etc/lookup-aliases" || ps_fatal "postalias of the lookup table failed"
  # First, so that the instance's own postmaster alias does not match first.
  ps_postconf live -e "alias_maps = hash:$etc/lookup-aliases, hash:$etc/aliases"
}

subject_in_box() { grep -qxF "Subject: $2" "$(box "$1")"; }

subject_anywhere() {
  local name
  for name in $names; do
    subject_in_box "$name" "$1" && return 0
  done
  return 1
}

ps_case "instance with one mailbox per alias"
ps_new_instance live
write_alias_table
ps_start live

for delimiters in '+-' '+'; do
  ps_case "recipient_delimiter = $delimiters"
  ps_postconf live -e "recipient_delimiter = $delimiters"
  ip netns exec "$PS_NAMESPACE" postfix -c "$(ps_etc live)" reload 2>/dev/null || ps_fatal "postfix reload failed"

  negatives=()
  while IFS='|' read -r row_delimiters local expected _; do
    [[ $row_delimiters == "$delimiters" ]] || continue
    subject="lookup $local with '$delimiters' ($$)"
    # A local part that matches nothing may be refused at RCPT already;
    # either way no alias mailbox may receive it.
    if [[ $expected == - ]]; then
      ps_send "$local@$PS_DOMAIN" "$subject" || true
      negatives+=("$subject")
      continue
    fi
    PS_CHECKS=$((PS_CHECKS + 1))
    ps_send "$local@$PS_DOMAIN" "$subject" ||
      ps_record_failure "SMTP refused $local@$PS_DOMAIN ($PS_TRANSCRIPT)"
    ps_wait_until 20 "'$subject' in the mailbox of alias $expected" subject_in_box "$expected" "$subject"
  done < <(grep -v '^#' "$cases_file")

  # Mail is delivered in order, so the negatives have been handled by the
  # time the positives sent after them arrived; give them a moment more.
  sleep 1
  for subject in "${negatives[@]}"; do
    PS_CHECKS=$((PS_CHECKS + 1))
    if subject_anywhere "$subject"; then
      ps_record_failure "'$subject' reached an alias mailbox, but the table says no alias matches"
    fi
  done
done

ps_expect_clean_maillog live
ps_finish
