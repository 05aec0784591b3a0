#!/usr/bin/env bash
# configure-postfix on a stopped instance with Debian 12's default main.cf:
# the report, the exit statuses of --dry-run and of apply, what apply
# writes, a second run that changes nothing, --postfix-config, and --undo
# back to the original bytes.
#
# Usage: report-and-apply.sh ALIAS_SYNC_BINARY   (as root; KEEP=1 keeps the files)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/instance.sh
source "$here/lib/instance.sh"
ps_enforce_time_limit "$@"
ps_begin "$@"

etc=
lib=

# The master.cf entry that the pipe service must have, as postconf -M
# prints it with runs of spaces squeezed.
expected_service_entry() {
  printf 'alias-sync unix - n n - - pipe flags=Rq user=%s null_sender= argv=%s --config %s' \
    "$PS_PIPE_USER" "$PS_PIPE_COMMAND" "$(ps_conf "$1")"
  # shellcheck disable=SC2016 # pipe(8) expands these macros, not the shell
  printf ' --sender=${sender} --recipient=${recipient} --original-recipient=${original_recipient}'
  # shellcheck disable=SC2016
  printf ' --sasl-username=${sasl_username} --queue-id=${queue_id}\n'
}

# The configuration configure-postfix must produce from the original,
# made with postconf on a copy in NAME/expected.
write_expected_configuration() {
  local name=$1
  local copy=$PS_BASE/$name/expected
  install -d "$copy"
  cp "$(ps_snapshot_file "$name" original main.cf)" "$copy/main.cf"
  cp "$(ps_snapshot_file "$name" original master.cf)" "$copy/master.cf"
  postconf -c "$copy" -e \
    "transport_maps = hash:$etc/alias-sync-transport" \
    "alias_maps = hash:$etc/aliases, hash:$lib/aliases" \
    "local_recipient_maps = proxy:unix:passwd.byname \$alias_maps, hash:$etc/alias-sync-transport" \
    "alias-sync_destination_recipient_limit = 1"
  postconf -c "$copy" -M "alias-sync/unix=$(expected_service_entry "$name")"
}

# Every master.cf entry on one line with runs of spaces squeezed, sorted.
services() { postconf -c "$1" -M | tr -s ' ' | sort; }

# --- report ---------------------------------------------------------------------

ps_case "dry run of Debian default main.cf: report"
ps_new_instance debian
etc=$(ps_etc debian)
lib=$PS_BASE/debian/lib
ps_snapshot debian original
ps_configure debian --dry-run
ps_expect_rc 1 "--dry-run with changes pending"
ps_expect_stdout_has "$etc"
ps_expect_report_block "Write the file $etc/alias-sync-transport" \
  "why:" "| makealias@$PS_DOMAIN alias-sync:" "hash:$etc/alias-sync-transport" postmap
ps_expect_report_block "Write the file $lib/aliases" "why:" "hash:$lib/aliases" postalias
ps_expect_report_block "main.cf: transport_maps" "why:" "now:  (empty)" \
  "then: hash:$etc/alias-sync-transport"
ps_expect_report_block "main.cf: alias_maps" "why:" "now:  hash:$etc/aliases" \
  "then: hash:$etc/aliases, hash:$lib/aliases"
ps_expect_report_block "main.cf: local_recipient_maps" "why:" \
  "now:  proxy:unix:passwd.byname \$alias_maps" \
  "then: proxy:unix:passwd.byname \$alias_maps, hash:$etc/alias-sync-transport"
ps_expect_report_block "main.cf: alias-sync_destination_recipient_limit" "why:" "then: 1"
ps_expect_report_block "master.cf: service alias-sync/unix" "why:" "$(expected_service_entry debian)"
# alias_database stays without the managed table, and the report mentions it.
ps_expect_report_line alias_database "hash:$etc/aliases"
ps_expect_stdout_lacks "main.cf: alias_database"
ps_expect_report_line "not running"
ps_expect_config_is debian original "--dry-run changes nothing"
ps_expect_no_transport_map debian "--dry-run writes no file"
ps_expect_absent "$lib/aliases" "--dry-run writes no file"

ps_case "apply without --yes and without a terminal"
ps_configure debian
ps_expect_rc 1 "no --yes and standard input not a terminal"
ps_expect_stdout_has "--yes"
ps_expect_config_is debian original "nothing applied without confirmation"
ps_expect_no_transport_map debian "nothing applied without confirmation"

ps_case "prompt answered no"
PS_CHECKS=$((PS_CHECKS + 1))
prompt_rc=0
printf 'n\n' | script -qec "$(printf '%q ' "$PS_ALIAS_SYNC" --config "$(ps_conf debian)" \
  configure-postfix --pipe-command "$PS_PIPE_COMMAND")" /dev/null >"$PS_BASE/prompt-no.out" 2>&1 || prompt_rc=$?
if [[ $prompt_rc != 1 ]]; then
  ps_record_failure "answering n at the prompt: exit status $prompt_rc, expected 1"
fi
ps_check "the prompt asks before applying" grep -qF '[y/N]' "$PS_BASE/prompt-no.out"
ps_expect_config_is debian original "nothing applied after answering n"
ps_expect_no_transport_map debian "nothing applied after answering n"

# --- apply ------------------------------------------------------------------------

ps_case "apply with --yes on Debian default main.cf"
ps_configure debian --yes
ps_expect_rc 0 "apply"
ps_expect_stdout_has "Postfix is not running"
ps_expect_stderr_lacks "failed"
write_expected_configuration debian
ps_check "main.cf sets exactly the original parameters plus alias-sync's four" \
  diff -u <(ps_explicit_parameters "$PS_BASE/debian/expected") <(ps_explicit_parameters "$etc")
ps_expect_parameter debian alias_database "hash:$etc/aliases"
ps_check "master.cf has the alias-sync pipe service" \
  diff -u <(expected_service_entry debian) <(postconf -c "$etc" -M alias-sync/unix | tr -s ' ')
ps_check "master.cf has the original services plus the pipe service" \
  diff -u <(services "$PS_BASE/debian/expected") <(services "$etc")
ps_check "the transport map has one line per served domain" \
  grep -qx "makealias@$PS_DOMAIN alias-sync:" "$etc/alias-sync-transport"
ps_check "postmap finds the designated address in the built map" \
  test "$(postmap -c "$etc" -q "makealias@$PS_DOMAIN" "hash:$etc/alias-sync-transport")" = "alias-sync:"
ps_check "postalias reads the managed alias database" \
  bash -c "postalias -c '$etc' -s 'hash:$lib/aliases' >/dev/null"
ps_expect_present "$lib/aliases" "the managed alias file is created"
ps_check "postfix check is clean after apply" \
  test -z "$(postfix -c "$etc" check 2>&1)"
ps_check "the stopped instance was not started" \
  bash -c "! postfix -c '$etc' status 2>/dev/null"
ps_expect_absent "$PS_BASE/debian/spool/pid/master.pid" "the stopped instance was not started"
ps_expect_no_leftovers debian
ps_snapshot debian configured
cp -p "$etc/alias-sync-transport" "$PS_BASE/debian/snapshots/transport"
cp -p "$etc/alias-sync-transport.db" "$PS_BASE/debian/snapshots/transport.db"

ps_case "second run changes nothing"
ps_configure debian --dry-run
ps_expect_rc 0 "--dry-run with nothing to change"
ps_expect_stdout_has "Nothing to change"
ps_expect_stdout_lacks "main.cf: "
ps_expect_stdout_lacks "Write the file"
ps_expect_stdout_lacks "master.cf: service"
ps_configure debian --yes
ps_expect_rc 0 "apply with nothing to change"
ps_expect_config_is debian configured "a second apply"
ps_expect_same_bytes "$PS_BASE/debian/snapshots/transport" "$etc/alias-sync-transport" "a second apply"
ps_expect_same_bytes "$PS_BASE/debian/snapshots/transport.db" "$etc/alias-sync-transport.db" "a second apply"

# --- undo ----------------------------------------------------------------------------

ps_case "undo: report and dry run"
ps_configure debian --undo --dry-run
ps_expect_rc 1 "--undo --dry-run with changes pending"
ps_expect_report_block "Remove the file $etc/alias-sync-transport" "why:"
ps_expect_report_block "main.cf: transport_maps" "why:" "now:  hash:$etc/alias-sync-transport"
ps_expect_report_block "main.cf: alias_maps" "why:" "then: hash:$etc/aliases"
ps_expect_report_block "main.cf: alias-sync_destination_recipient_limit" "why:"
ps_expect_report_block "master.cf: service alias-sync/unix" "why:" "then: (removed)"
ps_expect_config_is debian configured "--undo --dry-run changes nothing"

ps_case "undo without --yes and without a terminal"
ps_configure debian --undo
ps_expect_rc 1 "--undo without --yes and standard input not a terminal"
ps_expect_config_is debian configured "nothing undone without confirmation"

ps_case "undo restores the original bytes"
ps_configure debian --undo --yes
ps_expect_rc 0 "--undo --yes"
ps_expect_config_is debian original "undo with no other change since configure"
ps_expect_no_transport_map debian "undo removes the transport map"
ps_expect_present "$lib/aliases" "the managed alias file is alias-sync's data and stays"
ps_expect_no_leftovers debian

ps_case "undo twice changes nothing"
ps_configure debian --undo --dry-run
ps_expect_rc 0 "--undo --dry-run with nothing to change"
ps_expect_stdout_has "Nothing to change"
ps_configure debian --undo --yes
ps_expect_rc 0 "--undo --yes with nothing to change"
ps_expect_config_is debian original "a second undo"

# --- instance selection and errors -------------------------------------------------

ps_case "--postfix-config overrides postfix_config_directory"
ps_new_instance chosen
ps_new_instance decoy
ps_snapshot chosen original
ps_snapshot decoy original
# The configuration of "chosen" names the decoy; the option names chosen.
sed -i "s|^postfix_config_directory = .*|postfix_config_directory = $(ps_etc decoy)|" "$(ps_conf chosen)"
ps_configure chosen --yes --postfix-config "$(ps_etc chosen)"
ps_expect_rc 0 "apply with --postfix-config"
ps_expect_present "$(ps_transport_map chosen)" "the instance named by --postfix-config is configured"
ps_expect_config_is decoy original "the instance in postfix_config_directory is untouched"
ps_expect_no_transport_map decoy "the instance in postfix_config_directory is untouched"

ps_case "--pipe-user names the user of the pipe service"
ps_configure decoy --dry-run --pipe-user nobody
ps_expect_rc 1 "--dry-run with changes pending"
ps_expect_report_block "master.cf: service alias-sync/unix" "user=nobody "
ps_expect_stdout_lacks "user=$PS_PIPE_USER "

ps_case "dry run on a missing instance exits 2"
ps_configure chosen --dry-run --postfix-config "$PS_BASE/no-such-instance"
ps_expect_rc 2 "--dry-run when postconf cannot read the instance"
ps_check "the error names the directory" grep -qF "$PS_BASE/no-such-instance" "$PS_STDERR"
ps_configure chosen --yes --postfix-config "$PS_BASE/no-such-instance"
ps_expect_rc 2 "apply when postconf cannot read the instance"

ps_finish
