#!/usr/bin/env bash
# A failure at each step of configure-postfix and of --undo on a running
# instance (through the test hook ALIAS_SYNC_TEST_FAIL_STEP): main.cf and
# master.cf get their bytes back, and the running Postfix still delivers
# local mail, with no failed table lookup in its log. After a failed
# configure the designated address is still unknown; after a failed undo
# requests still reach the pipe.
#
# Usage: delivery-after-failures.sh ALIAS_SYNC_BINARY   (as root; KEEP=1 keeps the files)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/instance.sh
source "$here/lib/instance.sh"
ps_enforce_time_limit "$@"
ps_begin "$@"

CONFIGURE_STEPS=(save write-files set-parameters set-service postfix-check reload)
# main.cf and master.cf stay unchanged after configure here, so --undo
# writes their old bytes back in its set-parameters step.
UNDO_STEPS=(set-parameters postfix-check reload remove-files)

expect_failed_at() {
  local step=$1
  ps_expect_rc 1 "a run whose step $step fails"
  ps_expect_stderr_has "$step"
}

# After a failed configure the SMTP server rejects a request with 550
# (unknown recipient), so it is never accepted and deferred.
expect_request_rejected() {
  local subject=$1
  PS_CHECKS=$((PS_CHECKS + 1))
  if ps_send "makealias@$PS_DOMAIN" "$subject"; then
    ps_record_failure "SMTP accepted makealias@$PS_DOMAIN after a failed configure ($PS_TRANSCRIPT)"
    return 0
  fi
  ps_check "makealias@$PS_DOMAIN is rejected as unknown (5.1.1)" \
    grep -qE '^<\*\* +550[ -]5\.1\.1 ' "$PS_TRANSCRIPT"
}

# After a failed undo: a request still reaches the pipe.
expect_request_piped() {
  local subject=$1 calls_before
  calls_before=$(ps_pipe_call_count)
  PS_CHECKS=$((PS_CHECKS + 1))
  if ! ps_send "makealias@$PS_DOMAIN" "$subject"; then
    ps_record_failure "SMTP rejected makealias@$PS_DOMAIN after a failed undo ($PS_TRANSCRIPT)"
    return 0
  fi
  ps_wait_until 20 "a pipe call for '$subject'" ps_pipe_call_count_is $((calls_before + 1))
}

ps_new_instance live
ps_snapshot live original
ps_start live

for step in "${CONFIGURE_STEPS[@]}"; do
  ps_case "running instance: configure step $step fails"
  ALIAS_SYNC_TEST_FAIL_STEP=$step ps_configure live --yes
  expect_failed_at "$step"
  ps_expect_config_is live original "after the failed configure"
  ps_expect_no_transport_map live "after the failed configure"
  ps_expect_no_leftovers live
  ps_expect_local_delivery live "after configure failed at $step"
  expect_request_rejected "alias: after $step failed"
  ps_expect_clean_maillog live
done

ps_case "running instance: configure after the failures"
ps_configure_or_fail live
ps_snapshot live configured
expect_request_piped "alias: configured"

for step in "${UNDO_STEPS[@]}"; do
  ps_case "running instance: undo step $step fails"
  ALIAS_SYNC_TEST_FAIL_STEP=$step ps_configure live --undo --yes
  expect_failed_at "$step"
  ps_expect_config_is live configured "after the failed undo"
  ps_expect_present "$(ps_transport_map live).db" "after the failed undo"
  ps_expect_no_leftovers live
  ps_expect_local_delivery live "after undo failed at $step"
  expect_request_piped "alias: after undo $step failed"
  ps_expect_clean_maillog live
done

ps_case "running instance: undo after the failures"
ps_configure live --undo --yes
ps_expect_rc 0 "--undo --yes"
ps_expect_config_is live original "undo"
ps_expect_local_delivery live "after undo"
ps_expect_clean_maillog live

ps_finish
