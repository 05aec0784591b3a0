#!/bin/bash
# Requests that must not create anything: unauthenticated (silence), a
# reserved name, a name that exists in another alias table, a destination
# that an ordinary user may not choose (rejections with a reply).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
duo_setup

duo_pipe a "" "alias: team"
((DUO_PIPE_STATUS == 0)) || fail "unauthenticated request exited with $DUO_PIPE_STATUS"
sleep 0.5
(($(duo_queued_messages a) == 0)) || fail "an unauthenticated request got a reply"
pass "unauthenticated request ignored without a reply"

queued=0
for subject in "alias: postmaster" "alias: existing" "alias: team -> carol@example.org" "alias: Bad..name" "hello"; do
  duo_pipe a bob@example.org "$subject"
  ((DUO_PIPE_STATUS == 0)) || fail "'$subject' exited with $DUO_PIPE_STATUS"
  queued=$((queued + 1))
  duo_wait_until 10 bash -c "(( \$(find '$DUO_BASE/a/spool/maildrop' -type f | wc -l) == $queued ))" ||
    fail "no rejection reply for '$subject'"
  # The reply quotes the request, whether the pipe or the daemons rejected it.
  grep -lF "Subject: Alias request rejected: $subject" "$DUO_BASE"/a/spool/maildrop/* >/dev/null ||
    fail "the reply to '$subject' does not quote it in its Subject"
  pass "'$subject' rejected with a reply"
done

for server in a b; do
  ! grep -q '^[a-z]' "$DUO_BASE/$server/lib/aliases" || fail "an alias was created on $server"
done
pass "no alias created on either server"

# A name taken in virtual_alias_maps on the other server: cleanup(8) there
# would rewrite the address before local(8) reached the alias.
printf 'vteam@example.org root\n' >"$DUO_BASE/b/postfix/virtual"
postmap -c "$DUO_BASE/b/postfix" "hash:$DUO_BASE/b/postfix/virtual"
printf 'virtual_alias_maps = hash:%s\n' "$DUO_BASE/b/postfix/virtual" >>"$DUO_BASE/b/postfix/main.cf"
duo_pipe a alice@example.org "alias: vteam"
((DUO_PIPE_STATUS == 0)) || fail "'alias: vteam' exited with $DUO_PIPE_STATUS"
queued=$((queued + 1))
duo_wait_until 10 bash -c "(( \$(find '$DUO_BASE/a/spool/maildrop' -type f | wc -l) == $queued ))" ||
  fail "no rejection reply for 'alias: vteam'"
grep -q "virtual_alias_maps on mx-b.example.org" "$DUO_BASE/a/daemon.log" ||
  fail "the rejection of vteam does not name virtual_alias_maps on mx-b (logs: $(grep -h vteam "$DUO_BASE"/?/daemon.log))"
! grep -q '^vteam' "$DUO_BASE/a/lib/aliases" "$DUO_BASE/b/lib/aliases" || fail "vteam was created"
pass "a name in the other server's virtual_alias_maps rejected with a reply"
