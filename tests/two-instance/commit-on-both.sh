#!/bin/bash
# A request through the pipe of b creates the alias in the managed files and
# the Postfix databases of both servers, and both queue a confirmation.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
duo_setup

duo_pipe b alice@example.org "alias: team"
((DUO_PIPE_STATUS == 0)) || fail "pipe exited with $DUO_PIPE_STATUS, expected 0"
pass "pipe exit status 0"

# The pipe's reply waits for the coordinator only. The participant applies
# the commit a moment later.
for server in a b; do
  duo_wait_until 10 grep -qx 'team: alice' "$DUO_BASE/$server/lib/aliases" || fail "no 'team: alice' in the alias file of $server"
  grep -B1 -x 'team: alice' "$DUO_BASE/$server/lib/aliases" | head -n1 |
    grep -qE '^# alias-sync: txid=[^ ]+ created-by=alice created-at=[0-9T:Z-]+ server=mx-b.example.org$' ||
    fail "the metadata line above team on $server is wrong"
  [[ $(duo_alias_in_database "$server" team) == alice ]] || fail "postalias -q team on $server"
  pass "team: alice on $server in the file and the database"
done

cmp -s <(grep -v '^$' "$DUO_BASE/a/lib/aliases") <(grep -v '^$' "$DUO_BASE/b/lib/aliases") ||
  fail "the two managed alias files differ"
pass "managed alias files are identical"

duo_wait_until 10 bash -c "(( \$(find '$DUO_BASE/a/spool/maildrop' -type f | wc -l) == 1 ))" ||
  fail "a queued $(duo_queued_messages a) messages, expected its confirmation"
((  $(duo_queued_messages b) == 1 )) || fail "b queued $(duo_queued_messages b) messages, expected its confirmation"
pass "each server queued one confirmation"

# The same name again is rejected with a reply, not created twice.
duo_pipe a alice@example.org "alias: team"
((DUO_PIPE_STATUS == 0)) || fail "second request exited with $DUO_PIPE_STATUS"
(($(grep -c '^team:' "$DUO_BASE/a/lib/aliases") == 1)) || fail "team appears twice on a"
duo_wait_until 10 bash -c "(( \$(find '$DUO_BASE/a/spool/maildrop' -type f | wc -l) == 2 ))" || fail "no rejection reply queued on a"
pass "an existing name is rejected with a reply"

# The list by mail: one reply to the sender with the aliases that sender made.
duo_pipe a alice@example.org "aliases?"
((DUO_PIPE_STATUS == 0)) || fail "'aliases?' exited with $DUO_PIPE_STATUS"
duo_wait_until 10 bash -c "(( \$(find '$DUO_BASE/a/spool/maildrop' -type f | wc -l) == 3 ))" || fail "no list reply queued on a"
grep -l 'X-Alias-Sync: result' "$DUO_BASE"/a/spool/maildrop/* | xargs grep -l 'team: alice' >/dev/null ||
  fail "the list reply does not name 'team: alice'"
pass "'aliases?' answered with the sender's aliases"

status_output=$("$ALIAS_SYNC" --config "$(duo_config a)" status) || fail "status exited non-zero: $status_output"
grep -q 'pending transactions: 0' <<<"$status_output" || fail "status shows pending transactions: $status_output"
pass "status OK with nothing pending"

# With its own daemon stopped, the pipe cannot hand the request over: it
# exits 75 so that Postfix keeps the message, and nothing changes.
duo_stop_daemon b
duo_pipe b alice@example.org "alias: other"
((DUO_PIPE_STATUS == 75)) || fail "pipe with its daemon stopped exited with $DUO_PIPE_STATUS, expected 75"
! grep -q '^other' "$DUO_BASE/a/lib/aliases" || fail "other was created on a"
pass "request deferred with 75 while the local daemon is down"
