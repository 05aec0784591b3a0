#!/usr/bin/env bash
# A failure at any step of configure-postfix or of --undo, on a stopped
# instance: the run exits 1, names the failed step and the reason, puts
# main.cf, master.cf and the transport map back byte for byte, and leaves
# no temporary file behind. Real failures are used where they exist: a
# backup directory that cannot be created, a full configuration file
# system, an immutable master.cf, a master.cf that `postfix check` rejects.
# Every step also fails through the test hook ALIAS_SYNC_TEST_FAIL_STEP,
# which fails a step right after its own work.
#
# Usage: step-failures.sh ALIAS_SYNC_BINARY   (as root; KEEP=1 keeps the files)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/instance.sh
source "$here/lib/instance.sh"
ps_enforce_time_limit "$@"
ps_private_mount_namespace "$@"
ps_begin "$@"

CONFIGURE_STEPS=(save write-files set-parameters set-service postfix-check reload)
# When main.cf and master.cf are unchanged since configure, --undo writes
# their old bytes back in its set-parameters step and has no set-service step.
UNDO_STEPS_BYTES=(set-parameters postfix-check reload remove-files)
UNDO_STEPS_EDITED=(set-service set-parameters postfix-check reload remove-files)

# Check the last run failed at STEP and reported every file restored.
# Usage: expect_failed_at STEP [REASON]
expect_failed_at() {
  local step=$1 reason=${2:-}
  ps_expect_rc 1 "a run whose step $step fails"
  ps_expect_stderr_has "$step"
  if [[ -n $reason ]]; then
    ps_expect_stderr_has "$reason"
  fi
  ps_check "the run reports the files restored, not a failed restore" \
    bash -c "! grep -qiE 'restor[a-z]* .*failed|failed too' '$PS_STDERR'"
}

# Check the instance is as snapshot LABEL and no transport map exists.
expect_unconfigured() {
  local name=$1 label=$2
  ps_expect_config_is "$name" "$label" "after the failed run"
  ps_expect_no_transport_map "$name" "after the failed run"
  ps_expect_no_leftovers "$name"
}

# Keep the transport map and its database, to compare after a failed undo.
save_transport_map() {
  local name=$1
  cp -p "$(ps_transport_map "$name")" "$PS_BASE/$name/snapshots/transport"
  cp -p "$(ps_transport_map "$name").db" "$PS_BASE/$name/snapshots/transport.db"
}

# Check the instance is still configured as snapshot LABEL.
expect_still_configured() {
  local name=$1 label=$2 map
  map=$(ps_transport_map "$name")
  ps_expect_config_is "$name" "$label" "after the failed undo"
  ps_expect_same_bytes "$PS_BASE/$name/snapshots/transport" "$map" "after the failed undo"
  ps_expect_same_bytes "$PS_BASE/$name/snapshots/transport.db" "$map.db" "after the failed undo"
  ps_expect_no_leftovers "$name"
}

# Move the config directory of NAME onto a 1 MiB tmpfs and fill it up to
# FREE_KIB kibibytes. The BDB hash file that postmap builds for the
# transport map takes 12 KiB, its text 4 KiB, and a rewritten main.cf 4 KiB.
# Usage: fill_config_directory NAME FREE_KIB
fill_config_directory() {
  local name=$1 free_kib=$2 etc
  etc=$(ps_etc "$name")
  cp -a "$etc" "$etc.on-disk"
  mount -t tmpfs -o size=1m,mode=0755 "alias-sync-test-$name" "$etc"
  PS_MOUNTS+=("$etc")
  cp -a "$etc.on-disk/." "$etc/"
  # dd stops with "No space left on device", which is the point.
  dd if=/dev/zero of="$etc/filler" bs=4k 2>/dev/null || true
  truncate -s "-${free_kib}K" "$etc/filler"
  ps_age "$etc/main.cf"
}

# --- the test hook, configure --------------------------------------------------

ps_new_instance hooks
ps_snapshot hooks original
for step in "${CONFIGURE_STEPS[@]}"; do
  ps_case "configure: step $step fails"
  ALIAS_SYNC_TEST_FAIL_STEP=$step ps_configure hooks --yes
  expect_failed_at "$step" ALIAS_SYNC_TEST_FAIL_STEP
  expect_unconfigured hooks original
  ps_expect_absent "$(ps_managed_aliases hooks)" "the managed alias file did not exist before"
done

ps_case "configure after the failed runs succeeds and undoes"
ps_configure hooks --yes
ps_expect_rc 0 "apply after six failed runs"
ps_configure hooks --undo --yes
ps_expect_rc 0 "undo"
ps_expect_config_is hooks original "undo after the failed runs"

# --- the test hook, undo --------------------------------------------------------------

ps_new_instance undo-bytes
ps_snapshot undo-bytes original
ps_configure_or_fail undo-bytes
ps_snapshot undo-bytes configured
save_transport_map undo-bytes
for step in "${UNDO_STEPS_BYTES[@]}"; do
  ps_case "undo with unchanged files: step $step fails"
  ALIAS_SYNC_TEST_FAIL_STEP=$step ps_configure undo-bytes --undo --yes
  expect_failed_at "$step" ALIAS_SYNC_TEST_FAIL_STEP
  expect_still_configured undo-bytes configured
done
ps_case "undo with unchanged files after the failed runs"
ps_configure undo-bytes --undo --yes
ps_expect_rc 0 "undo"
ps_expect_config_is undo-bytes original "undo after the failed undo runs"
ps_expect_no_transport_map undo-bytes "undo"

ps_new_instance undo-edited
ps_configure_or_fail undo-edited
# An edit after configure makes --undo remove its additions one by one.
ps_postconf undo-edited -e "delay_warning_time = 4h"
ps_snapshot undo-edited edited
save_transport_map undo-edited
for step in "${UNDO_STEPS_EDITED[@]}"; do
  ps_case "undo after an edit: step $step fails"
  ALIAS_SYNC_TEST_FAIL_STEP=$step ps_configure undo-edited --undo --yes
  expect_failed_at "$step" ALIAS_SYNC_TEST_FAIL_STEP
  expect_still_configured undo-edited edited
done
ps_case "undo after an edit, after the failed runs"
ps_configure undo-edited --undo --yes
ps_expect_rc 0 "undo"
ps_expect_parameter undo-edited delay_warning_time 4h
ps_expect_parameter undo-edited transport_maps ""
ps_expect_no_transport_map undo-edited "undo"

# --- real failures ------------------------------------------------------------------

ps_case "save fails: the backup directory cannot be created"
ps_new_instance no-backup
# Backups go to dirname(journal_file)/postfix-backup; a regular file in
# that path makes the directory impossible to create.
touch "$PS_BASE/no-backup/lib/not-a-directory"
sed -i "s|^journal_file = .*|journal_file = $PS_BASE/no-backup/lib/not-a-directory/journal|" "$(ps_conf no-backup)"
ps_snapshot no-backup original
ps_configure no-backup --yes
expect_failed_at save "$PS_BASE/no-backup/lib/not-a-directory/postfix-backup"
expect_unconfigured no-backup original

ps_case "write-files fails: configuration file system full"
ps_new_instance full-write
fill_config_directory full-write 8
ps_snapshot full-write original
ps_configure full-write --yes
expect_failed_at write-files "No space left on device"
expect_unconfigured full-write original
ps_expect_absent "$(ps_managed_aliases full-write)" "the managed alias file did not exist before"

ps_case "set-parameters fails: configuration file system full"
ps_new_instance full-parameters
fill_config_directory full-parameters 16
ps_snapshot full-parameters original
ps_configure full-parameters --yes
expect_failed_at set-parameters "No space left on device"
expect_unconfigured full-parameters original

ps_case "set-service fails: master.cf is immutable"
ps_new_instance immutable
ps_snapshot immutable original
chattr +i "$(ps_etc immutable)/master.cf"
PS_IMMUTABLE_FILES+=("$(ps_etc immutable)/master.cf")
ps_configure immutable --yes
expect_failed_at set-service "master.cf"
chattr -i "$(ps_etc immutable)/master.cf"
expect_unconfigured immutable original

ps_case "postfix check fails already: refused before any change"
ps_new_instance no-postlog
# maillog_file needs the postlog service; postfix check rejects its absence.
# configure-postfix runs postfix check while planning and refuses with 2.
ps_postconf no-postlog -MX postlog/unix-dgram
ps_snapshot no-postlog original
ps_configure no-postlog --yes
ps_expect_rc 2 "configure-postfix on an instance that postfix check rejects"
ps_expect_stdout_has "'postfix check' fails before any change"
expect_unconfigured no-postlog original

ps_case "undo set-service fails: master.cf is immutable"
ps_new_instance undo-immutable
ps_configure_or_fail undo-immutable
ps_postconf undo-immutable -e "delay_warning_time = 4h"
ps_snapshot undo-immutable edited
save_transport_map undo-immutable
chattr +i "$(ps_etc undo-immutable)/master.cf"
PS_IMMUTABLE_FILES+=("$(ps_etc undo-immutable)/master.cf")
ps_configure undo-immutable --undo --yes
expect_failed_at set-service "master.cf"
chattr -i "$(ps_etc undo-immutable)/master.cf"
expect_still_configured undo-immutable edited

ps_finish
