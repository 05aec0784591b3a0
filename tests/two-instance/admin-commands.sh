#!/bin/bash
# The admin's `alias-sync alias add|remove|list`: a change made on one
# server reaches both through the daemons, rejections and usage errors get
# their own exit statuses, and a daemon or peer that is down gives 75.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
duo_setup

file_has_line() {
  grep -qxF "$2" "$DUO_BASE/$1/lib/aliases"
}

# --- add -------------------------------------------------------------------
duo_run_cli a alias add team alice bob@example.org
duo_expect_status 0 "alias add team on a"
[[ $OUT =~ ^created\ team\ -\>\ alice,\ bob@example.org\ \(transaction\ ([^\ \)]+)\)$ ]] ||
  fail "alias add: expected 'created team -> alice, bob@example.org (transaction TXID)', saw '$OUT'"
txid=${BASH_REMATCH[1]}
pass "alias add printed '$OUT'"

for server in a b; do
  duo_wait_until 10 file_has_line "$server" 'team: alice, bob@example.org' ||
    fail "expected 'team: alice, bob@example.org' in the managed file of $server"
  found=$(duo_alias_in_database "$server" team || true)
  [[ $found == 'alice, bob@example.org' ]] ||
    fail "expected postalias -q team on $server to return 'alice, bob@example.org', saw '$found'"
  metadata=$(grep -B1 -xF 'team: alice, bob@example.org' "$DUO_BASE/$server/lib/aliases" | head -n1)
  [[ $metadata == *"txid=$txid "* && $metadata == *'created-by='*root* && $metadata == *'server=mx-a.example.org'* ]] ||
    fail "expected the metadata of team on $server to name txid $txid, created-by root and server mx-a.example.org, saw '$metadata'"
  pass "team on $server in the file and the database, metadata '$metadata'"
done

# --- list ------------------------------------------------------------------
for server in a b; do
  duo_run_cli "$server" alias list
  duo_expect_status 0 "alias list on $server"
  [[ $OUT == 'team: alice, bob@example.org' ]] ||
    fail "alias list on $server: expected exactly 'team: alice, bob@example.org', saw '$OUT'"
  pass "alias list on $server"

  duo_run_cli "$server" alias list --long
  duo_expect_status 0 "alias list --long on $server"
  row=$(grep '^team: ' <<<"$OUT" || true)
  for column in root "$txid" mx-a.example.org; do
    [[ $row == *"$column"* ]] || fail "alias list --long on $server: expected '$column' in the row of team, saw '$row'"
  done
  [[ $row =~ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z ]] ||
    fail "alias list --long on $server: expected a created-at time in the row of team, saw '$row'"
  pass "alias list --long on $server: $row"
done

# --- rejections --------------------------------------------------------------
duo_run_cli b alias add team carol@example.org
duo_expect_status 1 "alias add of the existing managed name team"
[[ $ERR == *exist* ]] || fail "alias add team again: expected a reason saying the name exists on stderr, saw '$ERR'"
pass "existing managed name rejected: $ERR"

duo_run_cli a alias add existing carol@example.org
duo_expect_status 1 "alias add of 'existing', a name in Postfix's own alias file"
[[ $ERR == *exist* ]] || fail "alias add existing: expected a reason saying the name exists, saw '$ERR'"
pass "name in another alias table rejected: $ERR"

duo_run_cli a alias add abuse carol@example.org
duo_expect_status 1 "alias add of the reserved name abuse"
[[ $ERR == *reserved* ]] || fail "alias add abuse: expected a reason saying the name is reserved, saw '$ERR'"
pass "reserved name rejected: $ERR"

for server in a b; do
  ! grep -qE '^(abuse|existing):' "$DUO_BASE/$server/lib/aliases" ||
    fail "a rejected name was written to the managed file of $server"
  (($(grep -c '^team:' "$DUO_BASE/$server/lib/aliases") == 1)) || fail "team appears more than once on $server"
done
pass "rejections changed no managed file"

# --- usage errors ------------------------------------------------------------
for arguments in "alias" "alias add" "alias add onlyname" "alias remove" "alias remove a b" "alias list extra" "alias frob"; do
  # shellcheck disable=SC2086 # the words are the arguments
  duo_run_cli a $arguments
  duo_expect_status 2 "'alias-sync $arguments'"
  [[ $ERR == *usage:* ]] || fail "'alias-sync $arguments': expected the usage on stderr, saw '$ERR'"
done
pass "usage errors exit 2 with the usage"

# --- remove ------------------------------------------------------------------
duo_run_cli b alias remove team
duo_expect_status 0 "alias remove team on b"
[[ $OUT =~ ^removed\ team\ \(transaction\ [^\ \)]+\)$ ]] ||
  fail "alias remove: expected 'removed team (transaction TXID)', saw '$OUT'"
pass "alias remove printed '$OUT'"

for server in a b; do
  duo_wait_until 10 bash -c "! grep -q '^team:' '$DUO_BASE/$server/lib/aliases'" ||
    fail "expected team to be gone from the managed file of $server"
  ! duo_alias_in_database "$server" team >/dev/null || fail "expected postalias -q team on $server to find nothing"
  duo_run_cli "$server" alias list
  duo_expect_status 0 "alias list on $server after the removal"
  [[ -z $OUT ]] || fail "alias list on $server after the removal: expected nothing, saw '$OUT'"
done
pass "team removed from both servers"

duo_run_cli a alias remove team
duo_expect_status 1 "alias remove of a name that is not managed"
[[ -n $ERR ]] || fail "alias remove team again: expected the reason on stderr"
pass "removing a missing name rejected: $ERR"

fingerprint_a=$("$ALIAS_SYNC" aliases fingerprint "$DUO_BASE/a/lib/aliases")
fingerprint_b=$("$ALIAS_SYNC" aliases fingerprint "$DUO_BASE/b/lib/aliases")
[[ $fingerprint_a == "$fingerprint_b" ]] ||
  fail "expected the same managed-file fingerprint on both servers, saw a $fingerprint_a and b $fingerprint_b"
pass "both managed files have fingerprint $fingerprint_a"

# --- temporary failures --------------------------------------------------------
# With the peer stopped the coordinator cannot get a vote: 75, nothing created.
duo_stop_daemon b
duo_run_cli a alias add lonely carol@example.org
duo_expect_status 75 "alias add with the peer stopped"
[[ $ERR == *'failed temporarily'* ]] || fail "alias add with the peer stopped: expected 'failed temporarily' on stderr, saw '$ERR'"
! grep -q '^lonely:' "$DUO_BASE/a/lib/aliases" || fail "lonely was created on a while the peer was stopped"
pass "peer stopped: exit 75, $ERR"

duo_stop_daemon a
duo_run_cli a alias add lonely carol@example.org
duo_expect_status 75 "alias add with the local daemon stopped"
[[ $ERR == *"$DUO_BASE/a/run/control.sock"* ]] ||
  fail "alias add with the local daemon stopped: expected the control socket's path in the message, saw '$ERR'"
pass "local daemon stopped: exit 75, $ERR"

duo_run_cli a alias list
duo_expect_status 75 "alias list with the local daemon stopped"
pass "alias list with the local daemon stopped: exit 75"
