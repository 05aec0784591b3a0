#!/bin/bash
# When b pins a certificate that is not a's, b rejects a's connection and
# logs both fingerprints. A request on a is then deferred (exit 75) and
# creates nothing. b notices the new pin without a restart.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
duo_setup

mkdir -p "$DUO_BASE/stranger"
cat >"$DUO_BASE/stranger/alias-sync.conf" <<CF
server_name = mx-a.example.org
domains = example.org
identity_directory = $DUO_BASE/stranger/identity
CF
"$ALIAS_SYNC" --config "$DUO_BASE/stranger/alias-sync.conf" init >/dev/null
"$ALIAS_SYNC" --config "$(duo_config b)" peer pin "$DUO_BASE/stranger/identity/cert.pem" >/dev/null

a_fingerprint=$("$ALIAS_SYNC" --config "$(duo_config a)" peer show | sed -n 's/^this server: //p')
stranger_fingerprint=$("$ALIAS_SYNC" --config "$(duo_config b)" peer show | sed -n 's/^pinned peer: //p')

rejected() {
  grep -F "presenting certificate $a_fingerprint" "$DUO_BASE/b/daemon.log" |
    grep -qF "the pinned peer certificate is $stranger_fingerprint"
}
duo_wait_until 30 rejected || fail "b did not log the rejection with both fingerprints"
pass "b rejects a's certificate and logs both fingerprints"

duo_wait_until 30 bash -c "! '$ALIAS_SYNC' --config '$(duo_config a)' status >/dev/null 2>&1" || fail "a still reports the link up"
set +e
"$ALIAS_SYNC" --config "$(duo_config a)" status >/dev/null
status=$?
set -e
((status == 2)) || fail "status of a exited $status, expected 2 (critical)"
pass "status reports the link down with exit 2"

duo_pipe a alice@example.org "alias: team"
((DUO_PIPE_STATUS == 75)) || fail "pipe exited with $DUO_PIPE_STATUS, expected 75 (EX_TEMPFAIL)"
for server in a b; do
  ! grep -q '^team' "$DUO_BASE/$server/lib/aliases" || fail "team was created on $server"
done
pass "request deferred with 75 and nothing created"

# Pinning the right certificate again restores the link without a restart.
"$ALIAS_SYNC" --config "$(duo_config b)" peer pin "$DUO_BASE/a/lib/identity/cert.pem" >/dev/null
duo_wait_until 30 duo_link_up a || fail "the link did not come back after pinning a's certificate again"
duo_wait_until 30 duo_link_up b || fail "b's link did not come back after pinning a's certificate again"
pass "a corrected pin takes effect without a restart"

# Removing the pin withdraws the trust, also from the open links.
rm "$DUO_BASE/b/peer.pem"
duo_wait_until 30 bash -c "! '$ALIAS_SYNC' --config '$(duo_config a)' status >/dev/null 2>&1" ||
  fail "a still reports the link up after b removed its pin"
duo_pipe a alice@example.org "alias: team"
((DUO_PIPE_STATUS == 75)) || fail "pipe exited with $DUO_PIPE_STATUS after the pin was removed, expected 75"
pass "a removed pin ends the link"
