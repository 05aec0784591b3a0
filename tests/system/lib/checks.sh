# shellcheck shell=bash
# Mail submission and conditions on the state of one test server, for use
# with pair_wait_until, pair_expect_never and plain `if`. Sourced by pair.sh.
# Each condition only returns a status, and the caller decides what fails.

# True when the server's SMTP listener on PORT sends a 220 greeting.
pair_smtp_ready() {
  local server=$1 port=$2
  # shellcheck disable=SC2016 # the inner bash expands $0 and $1
  pair_run "$server" timeout 5 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    IFS= read -r greeting <&3 || exit 1
    printf "QUIT\r\n" >&3
    [[ $greeting == 220* ]]' "$(pair_address "$server")" "$port" 2>/dev/null
}

PAIR_TRANSCRIPT_COUNT=0

# Run swaks inside the server's namespace against the server's own address.
# The transcript goes to $PAIR_BASE/transcripts/NN-LABEL.txt.
# Usage: pair_swaks SERVER LABEL SWAKS_ARGUMENTS...
pair_swaks() {
  local server=$1 label=$2
  shift 2
  PAIR_TRANSCRIPT_COUNT=$((PAIR_TRANSCRIPT_COUNT + 1))
  local transcript
  transcript=$(printf '%s/transcripts/%02d-%s.txt' "$PAIR_BASE" "$PAIR_TRANSCRIPT_COUNT" "$label")
  # shellcheck disable=SC2034 # read by the test scripts
  PAIR_LAST_TRANSCRIPT=$transcript
  pair_run "$server" swaks --timeout 30 --helo "client.$PAIR_DOMAIN" "$@" >"$transcript" 2>&1
}

# Submit on port 587 with SMTP AUTH PLAIN as USER@example.org.
# Usage: pair_send_authenticated SERVER USER RECIPIENT SUBJECT LABEL
pair_send_authenticated() {
  local server=$1 user=$2 recipient=$3 subject=$4 label=$5
  pair_swaks "$server" "$label" --server "$(pair_address "$server"):587" \
    --auth PLAIN --auth-user "$user@$PAIR_DOMAIN" --auth-password "$(pair_password "$user")" \
    --from "$user@$PAIR_DOMAIN" --to "$recipient" \
    --header "Subject: $subject" --body "Sent by the alias-sync system test ($label)."
}

# Send on port 25 without authentication.
# Usage: pair_send_plain SERVER SENDER RECIPIENT SUBJECT LABEL
pair_send_plain() {
  local server=$1 sender=$2 recipient=$3 subject=$4 label=$5
  pair_swaks "$server" "$label" --server "$(pair_address "$server"):25" \
    --from "$sender" --to "$recipient" \
    --header "Subject: $subject" --body "Sent by the alias-sync system test ($label)."
}

pair_mailbox() { printf '%s/%s/mail/%s\n' "$PAIR_BASE" "$1" "$2"; }

pair_mailbox_is_empty() { [[ ! -s $(pair_mailbox "$1" "$2") ]]; }

pair_mailbox_has_subject() {
  local server=$1 user=$2 subject=$3
  grep -qxF "Subject: $subject" "$(pair_mailbox "$server" "$user")"
}

# A confirmation carries the header "X-Alias-Sync: confirmation".
pair_mailbox_has_confirmation() {
  local server=$1 user=$2
  grep -qiE '^X-Alias-Sync:[[:space:]]*confirmation[[:space:]]*$' "$(pair_mailbox "$server" "$user")"
}

# True when the managed alias file has "NAME: TARGET" with an alias-sync
# metadata comment on the line just above it.
pair_alias_file_has() {
  local server=$1 name=$2 target=$3
  awk -v name="$name" -v target="$target" '
    $0 ~ "^" name ":[ \t]*" target "[ \t]*$" && previous ~ /^# alias-sync:/ { found = 1 }
    { previous = $0 }
    END { exit !found }' "$PAIR_BASE/$server/lib/aliases"
}

pair_alias_file_lacks() {
  local server=$1 name=$2
  ! grep -qE "^${name}[[:space:]]*:" "$PAIR_BASE/$server/lib/aliases"
}

# Print the value of NAME in the server's managed alias database.
pair_alias_db_value() {
  local server=$1 name=$2
  pair_run "$server" postalias -q "$name" "hash:$PAIR_BASE/$server/lib/aliases"
}

pair_alias_db_has() {
  local server=$1 name=$2 target=$3 value
  value=$(pair_alias_db_value "$server" "$name" 2>/dev/null) || return 1
  [[ $value == "$target" ]]
}

# postalias -q exits 1 both for "not found" and for a fatal error, so this
# also requires the database to exist and postalias to report no error.
pair_alias_db_lacks() {
  local server=$1 name=$2 value
  local errors=$PAIR_BASE/$server/postalias-query.err
  [[ -f $PAIR_BASE/$server/lib/aliases.db ]] || return 1
  value=$(pair_alias_db_value "$server" "$name" 2>"$errors") && return 1
  [[ -z $value ]] && ! grep -qE 'fatal|error|warning' "$errors"
}

# Usage: pair_maillog_has SERVER EXTENDED_REGEX
pair_maillog_has() {
  local server=$1 pattern=$2
  grep -qE "$pattern" "$PAIR_BASE/$server/log/maillog" 2>/dev/null
}

# The maillog line of a delivery to the designated address through the
# alias-sync transport, with the given status (sent, deferred, bounced).
pair_request_delivery_pattern() {
  printf 'to=<makealias@%s>.*relay=alias-sync,.*status=%s' "${PAIR_DOMAIN//./\\.}" "$1"
}

pair_queue_has_recipient() {
  local server=$1 address=$2
  pair_run "$server" postqueue -j | grep -qF "\"address\": \"$address\""
}

pair_queue_is_empty() {
  local server=$1 queue
  queue=$(pair_run "$server" postqueue -j) || return 1
  [[ -z $queue ]]
}

# Fail unless NAME is absent from the alias file and the alias database of
# both servers.
pair_expect_alias_nowhere() {
  local name=$1 server
  for server in "${PAIR_SERVERS[@]}"; do
    pair_alias_file_lacks "$server" "$name" \
      || pair_fail "$name is in the alias file of $(pair_hostname "$server")"
    pair_alias_db_lacks "$server" "$name" \
      || pair_fail "$name is in the alias database of $(pair_hostname "$server") (or postalias -q failed)"
  done
}

# Fail unless USER's mailbox is empty on both servers.
pair_expect_no_mail() {
  local user=$1 server
  for server in "${PAIR_SERVERS[@]}"; do
    pair_mailbox_is_empty "$server" "$user" \
      || pair_fail "$user's mailbox on $(pair_hostname "$server") is not empty: $(pair_mailbox "$server" "$user")"
  done
}

pair_any_mail_for() {
  ! pair_mailbox_is_empty a "$1" || ! pair_mailbox_is_empty b "$1"
}

# --- request messages, queue ids and replies ---------------------------------

# Run swaks against port 587 of the server with SMTP AUTH PLAIN as
# USER@example.org. The caller gives the envelope and the message.
# Usage: pair_swaks_authenticated SERVER USER LABEL SWAKS_ARGUMENTS...
pair_swaks_authenticated() {
  local server=$1 user=$2 label=$3
  shift 3
  pair_swaks "$server" "$label" --server "$(pair_address "$server"):587" \
    --auth PLAIN --auth-user "$user@$PAIR_DOMAIN" --auth-password "$(pair_password "$user")" "$@"
}

# Print the queue id that the server gave the message of a swaks transcript
# ("250 2.0.0 Ok: queued as ID"). Fails when the message was not queued.
# Usage: pair_transcript_queue_id [TRANSCRIPT]   (default: the last one)
pair_transcript_queue_id() {
  local transcript=${1:-$PAIR_LAST_TRANSCRIPT}
  sed -nE 's/^<- +250 [0-9.]+ Ok: queued as ([0-9A-Za-z]+)\r?$/\1/p' "$transcript" | grep .
}

# True when a maillog line of queue id QUEUE_ID matches EXTENDED_REGEX.
# Usage: pair_maillog_queue_id_has SERVER QUEUE_ID EXTENDED_REGEX
pair_maillog_queue_id_has() {
  local server=$1 queue_id=$2 pattern=$3
  grep -E ": $queue_id: " "$PAIR_BASE/$server/log/maillog" 2>/dev/null | grep -qE "$pattern"
}

# True when Postfix handed message QUEUE_ID to the alias-sync pipe with the
# given status (sent, deferred, bounced).
pair_request_delivered_with() {
  local server=$1 queue_id=$2 status=$3
  pair_maillog_queue_id_has "$server" "$queue_id" "relay=alias-sync,.*status=$status"
}

# True when the server's Postfix bounced a message or sent a non-delivery
# notification (bounce(8) logs "sender non-delivery notification: ID").
pair_maillog_has_bounce() {
  pair_maillog_has "$1" 'status=bounced|sender non-delivery notification'
}

# Waits for both mail queues to empty and fails when either server bounced
# a message.
pair_expect_queues_empty_without_bounce() {
  pair_wait_until 30 "an empty mail queue on mx2" pair_queue_is_empty b
  pair_wait_until 30 "an empty mail queue on mx1" pair_queue_is_empty a
  local server
  for server in "${PAIR_SERVERS[@]}"; do
    if pair_maillog_has_bounce "$server"; then
      pair_fail "$(pair_hostname "$server") bounced a message (see its maillog below)"
    fi
  done
}

# Print the number of messages in USER's mailbox on the server. local(8)
# starts each message with a "From " line and writes ">From " for such a
# line in the body, so every "From " line starts a message.
pair_mailbox_message_count() {
  local mailbox
  mailbox=$(pair_mailbox "$1" "$2")
  [[ -f $mailbox ]] || { echo 0; return 0; }
  grep -c '^From ' "$mailbox" || true
}

# Print the number of messages in USER's mailboxes on both servers together.
pair_mailbox_total() {
  local user=$1 server total=0
  for server in "${PAIR_SERVERS[@]}"; do
    total=$((total + $(pair_mailbox_message_count "$server" "$user")))
  done
  echo "$total"
}

# Print the header fields of message INDEX (from 1) in USER's mailbox, each
# unfolded onto one line, the Return-Path that local(8) adds included.
# Usage: pair_mailbox_headers SERVER USER INDEX
pair_mailbox_headers() {
  local server=$1 user=$2 index=$3
  awk -v want="$index" '
    /^From / { count++; in_header = (count == want); field = ""; next }
    !in_header { next }
    /^$/ { if (field != "") print field; field = ""; in_header = 0; next }
    /^[ \t]/ { sub(/^[ \t]+/, " "); field = field $0; next }
    { if (field != "") print field; field = $0 }
    END { if (in_header && field != "") print field }' "$(pair_mailbox "$server" "$user")"
}

# Print the number of messages in USER's mailbox on the server that have a
# header field matching EXTENDED_REGEX (case-insensitive, unfolded field).
# Usage: pair_mailbox_count_with_header SERVER USER EXTENDED_REGEX
pair_mailbox_count_with_header() {
  local server=$1 user=$2 pattern=$3 index matches=0 count
  count=$(pair_mailbox_message_count "$server" "$user")
  for ((index = 1; index <= count; index++)); do
    if pair_mailbox_headers "$server" "$user" "$index" | grep -qiE -- "$pattern"; then
      matches=$((matches + 1))
    fi
  done
  echo "$matches"
}
