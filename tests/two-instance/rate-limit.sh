#!/bin/bash
# request_rate_limit: a login's requests beyond the limit are not carried
# out. The first of them gets one reply that explains the limit and the
# later ones get none. Every delivery still exits 0, so Postfix bounces none.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
duo_setup

duo_stop_daemon a
printf 'request_rate_limit = 2\nrequest_rate_window = 1h\n' >>"$(duo_config a)"
duo_start_daemon a
duo_wait_until 20 duo_link_up a || fail "peer link of a did not come up after the restart"

replies() {
  grep -l "$1" "$DUO_BASE"/a/spool/maildrop/* 2>/dev/null | wc -l
}

for name in carol-one carol-two; do
  duo_pipe a carol@example.org "alias: $name"
  ((DUO_PIPE_STATUS == 0)) || fail "'alias: $name' exited with $DUO_PIPE_STATUS"
  duo_wait_until 10 duo_alias_in_database b "$name" >/dev/null || fail "$name was not created"
done
pass "two requests within the limit carried out"

duo_pipe a carol@example.org "alias: carol-three"
((DUO_PIPE_STATUS == 0)) || fail "the request over the limit exited with $DUO_PIPE_STATUS"
duo_wait_until 10 bash -c "(( \$(grep -l 'requests within 1h' '$DUO_BASE'/a/spool/maildrop/* 2>/dev/null | wc -l) == 1 ))" ||
  fail "no reply that explains the rate limit"
pass "the first request over the limit answered with the limit"

duo_pipe a carol@example.org "alias: carol-four"
((DUO_PIPE_STATUS == 0)) || fail "the second request over the limit exited with $DUO_PIPE_STATUS"
duo_pipe a carol@example.org "hello"
((DUO_PIPE_STATUS == 0)) || fail "a rejected request over the limit exited with $DUO_PIPE_STATUS"
grep -q "rejected without a reply over request_rate_limit 2 per 1h" "$DUO_BASE/a/daemon.log" ||
  fail "the daemon did not log the silent refusal"
(($(replies 'requests within 1h') == 1)) || fail "a second rate-limit reply was sent"
(($(replies 'carol-four') == 0)) || fail "carol-four got a reply"
(($(replies 'hello') == 0)) || fail "the rejected request over the limit got a reply"
pass "later requests over the limit rejected without a reply"

for server in a b; do
  for name in carol-three carol-four; do
    ! duo_alias_in_database "$server" "$name" >/dev/null || fail "$name was created on $server"
  done
done

# Another login is not affected.
duo_pipe a bob@example.org "alias: bobs"
duo_wait_until 10 duo_alias_in_database b bobs >/dev/null || fail "bob's request was held by carol's limit"
pass "requests over the limit created nothing; other logins unaffected"
