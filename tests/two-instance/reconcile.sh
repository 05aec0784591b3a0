#!/bin/bash
# Managed files that differ (edited by hand while a daemon was stopped):
# `alias-sync status` reports DIVERGED on both servers, `reconcile
# --dry-run` shows the difference, and `reconcile --from peer --yes` copies
# the other server's entries so that both files agree again.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
duo_setup

fingerprint() {
  "$ALIAS_SYNC" aliases fingerprint "$DUO_BASE/$1/lib/aliases"
}

link_up() {
  duo_run_cli "$1" status
  grep -q '^peer link: *up' <<<"$OUT"
}

status_diverged() {
  duo_run_cli "$1" status
  ((STATUS == 2)) && grep -q DIVERGED <<<"$OUT"
}

status_ok() {
  duo_run_cli "$1" status
  ((STATUS == 0)) && ! grep -q DIVERGED <<<"$OUT"
}

# --- two identical managed files -----------------------------------------------
duo_run_cli a alias add shared alice
duo_expect_status 0 "alias add shared on a"
duo_wait_until 10 grep -qx 'shared: alice' "$DUO_BASE/b/lib/aliases" || fail "expected 'shared: alice' on b"
duo_wait_until 10 status_ok a || fail "expected status OK on a before the edit, saw exit $STATUS: $OUT"
duo_run_cli a reconcile --dry-run
duo_expect_status 0 "reconcile --dry-run with identical files"
[[ $OUT == *identical* ]] || fail "reconcile --dry-run with identical files: expected 'identical', saw '$OUT'"
pass "identical files: reconcile --dry-run exits 0"

# --- b's file edited by hand while its daemon is stopped ----------------------
duo_stop_daemon b
sed -i 's/^shared: alice$/shared: dave@example.org/' "$DUO_BASE/b/lib/aliases"
printf '# alias-sync: txid=hand-made-1 created-by=admin:root created-at=2026-01-02T03:04:05Z server=mx-b.example.org\nhandmade: carol@example.org\n' \
  >>"$DUO_BASE/b/lib/aliases"
# An entry without a metadata line is not managed: the fingerprint leaves it
# out, and the copy must leave it where it is.
printf '\nunmanaged: erin@example.org\n' >>"$DUO_BASE/b/lib/aliases"
before_a=$(fingerprint a)
before_b=$(fingerprint b)
[[ $before_a != "$before_b" ]] || fail "the edit did not change the fingerprint of b's managed file"
duo_start_daemon b
# duo_link_up needs status to exit 0, which a divergence prevents.
for server in a b; do
  duo_wait_until 20 link_up "$server" || fail "expected the peer link of $server to come up again, status says: $OUT"
done

for server in a b; do
  duo_wait_until 20 status_diverged "$server" ||
    fail "status on $server: expected exit 2 and a line with DIVERGED, saw exit $STATUS: $OUT"
  pass "status on $server reports the divergence: $(head -n1 <<<"$OUT")"
done

# --- the difference ------------------------------------------------------------
duo_run_cli b reconcile --dry-run
duo_expect_status 1 "reconcile --dry-run on b with different files"
for expected in "$before_a" "$before_b" 'handmade: carol@example.org' 'shared: alice' 'shared: dave@example.org'; do
  [[ $OUT == *"$expected"* ]] || fail "reconcile --dry-run on b: expected '$expected' in the output, saw:
$OUT"
done
only_here=$(sed -n '/^only on mx-b.example.org/,/^[^ ]/p' <<<"$OUT")
[[ $only_here == *handmade* ]] || fail "reconcile --dry-run on b: expected handmade under 'only on mx-b.example.org', saw:
$OUT"
[[ $OUT != *unmanaged* ]] || fail "reconcile --dry-run on b: expected no unmanaged entry in the difference, saw:
$OUT"
pass "reconcile --dry-run on b shows the difference"

duo_run_cli a reconcile --dry-run
duo_expect_status 1 "reconcile --dry-run on a"
only_peer=$(sed -n '/^only on mx-b.example.org/,/^[^ ]/p' <<<"$OUT")
[[ $only_peer == *handmade* ]] || fail "reconcile --dry-run on a: expected handmade under 'only on mx-b.example.org (peer)', saw:
$OUT"
pass "reconcile --dry-run on a shows the same difference from its side"

# --- refusals before anything is copied ----------------------------------------
duo_run_cli b reconcile --from sideways
duo_expect_status 2 "reconcile --from sideways"
pass "an invalid --from exits 2: $ERR"

duo_run_cli b reconcile --from peer
duo_expect_status 1 "reconcile --from peer without --yes and without a terminal"
[[ $ERR == *'--from peer --yes'* ]] || fail "reconcile without a terminal: expected a hint to use --from peer --yes, saw '$ERR'"
pass "without a terminal and without --yes nothing is copied: $ERR"

# script(1) gives the command a terminal, so it prints the question, and
# "n" declines.
prompt_output=$(printf 'n\n' | timeout 30 script -qec \
  "'$ALIAS_SYNC' --config '$(duo_config b)' reconcile --from peer" /dev/null || true)
[[ $prompt_output == *'Copy the managed aliases of mx-a.example.org to mx-b.example.org? [y/N]'* ]] ||
  fail "reconcile --from peer at a terminal: expected the question, saw:
$prompt_output"
pass "at a terminal reconcile asks before copying"

[[ $(fingerprint a) == "$before_a" && $(fingerprint b) == "$before_b" ]] ||
  fail "a refused or declined reconcile changed a managed file"
pass "nothing changed by the refusals"

# --- the copy ------------------------------------------------------------------
duo_run_cli b reconcile --from peer --yes
duo_expect_status 0 "reconcile --from peer --yes on b"
[[ $OUT == *'Copied the managed aliases of mx-a.example.org to mx-b.example.org (transaction '* ]] ||
  fail "reconcile --from peer --yes: expected 'Copied the managed aliases of mx-a.example.org to mx-b.example.org (transaction TXID).', saw '$OUT'"
pass "reconcile --from peer --yes: $(tail -n1 <<<"$OUT")"

duo_wait_until 10 bash -c "[[ \$('$ALIAS_SYNC' aliases fingerprint '$DUO_BASE/b/lib/aliases') == '$before_a' ]]" ||
  fail "expected b's managed file to get a's fingerprint $before_a, saw $(fingerprint b)"
[[ $(fingerprint a) == "$before_a" ]] || fail "expected a's managed file to keep fingerprint $before_a, saw $(fingerprint a)"
pass "both managed files have fingerprint $before_a"

! grep -q '^handmade:' "$DUO_BASE/b/lib/aliases" || fail "handmade is still in b's managed file"
grep -qx 'shared: alice' "$DUO_BASE/b/lib/aliases" || fail "expected 'shared: alice' in b's managed file"
! duo_alias_in_database b handmade >/dev/null || fail "expected postalias -q handmade on b to find nothing"
[[ $(duo_alias_in_database b shared) == alice ]] || fail "expected postalias -q shared on b to return alice"
grep -qx 'unmanaged: erin@example.org' "$DUO_BASE/b/lib/aliases" || fail "the copy removed the unmanaged entry from b's file"
[[ $(duo_alias_in_database b unmanaged) == erin@example.org ]] || fail "expected postalias -q unmanaged on b to return erin@example.org"
pass "b's file and database hold a's managed entries and keep b's unmanaged one"

for server in a b; do
  duo_wait_until 20 status_ok "$server" || fail "status on $server after the copy: expected exit 0 without DIVERGED, saw exit $STATUS: $OUT"
  pass "status on $server OK again"
done

duo_run_cli a reconcile --dry-run
duo_expect_status 0 "reconcile --dry-run after the copy"
pass "reconcile --dry-run finds nothing to copy"
