#!/bin/bash
# A daemon that speaks another peer protocol version is refused by both
# servers, each naming both versions in its log; no link comes up and a
# request is deferred. Needs a test build (ALIAS_SYNC_TEST_HOOKS), where
# ALIAS_SYNC_TEST_PROTOCOL_VERSION sets the version a daemon announces.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
duo_setup

ours=$(grep -o 'peerProtocolVersion = [0-9]*' "$DUO_SOURCE_DIR/../../core/peerlink/peerconnection.h" | grep -o '[0-9]*$')
[[ -n $ours ]] || fail "cannot read peerProtocolVersion from core/peerlink/peerconnection.h"

duo_stop_daemon a
ALIAS_SYNC_TEST_PROTOCOL_VERSION=99 duo_start_daemon a

logged() {
  grep -qF "peer speaks protocol version $2, this server speaks $3; install the same alias-sync version on both servers" \
    "$DUO_BASE/$1/daemon.log"
}
duo_wait_until 30 logged a "$ours" 99 || fail "a (version 99) did not log that b speaks version $ours"
pass "a logs b's version $ours against its own 99"
duo_wait_until 30 logged b 99 "$ours" || fail "b (version $ours) did not log that a speaks version 99"
pass "b logs a's version 99 against its own $ours"

for server in a b; do
  set +e
  "$ALIAS_SYNC" --config "$(duo_config "$server")" status >"$DUO_BASE/$server/status.out"
  status=$?
  set -e
  ((status == 2)) || fail "status of $server exited $status, expected 2: $(cat "$DUO_BASE/$server/status.out")"
  grep -q '^peer link: *down' "$DUO_BASE/$server/status.out" || fail "status of $server does not show the link down"
done
pass "both servers report the link down"

duo_pipe b alice@example.org "alias: team"
((DUO_PIPE_STATUS == 75)) || fail "pipe exited with $DUO_PIPE_STATUS, expected 75 (EX_TEMPFAIL)"
pass "a request is deferred while the versions differ"
