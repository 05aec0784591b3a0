#!/usr/bin/env bash
# configure-postfix --undo when main.cf or master.cf changed after
# configure: it removes exactly what configure added and keeps every other
# change. Also --keep-alias-maps, undo after a second configure run, undo
# of an instance alias-sync never configured, and a same-named service
# that alias-sync did not write.
#
# Usage: undo.sh ALIAS_SYNC_BINARY   (as root; KEEP=1 keeps the files)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/instance.sh
source "$here/lib/instance.sh"
ps_enforce_time_limit "$@"
ps_begin "$@"

# Make NAME/expected: the original configuration with the given postconf
# arguments applied, which is what undo must leave after the same edit.
# Usage: write_expected NAME POSTCONF_ARGUMENTS...
write_expected() {
  local name=$1
  shift
  local copy=$PS_BASE/$name/expected
  install -d "$copy"
  cp "$(ps_snapshot_file "$name" original main.cf)" "$copy/main.cf"
  cp "$(ps_snapshot_file "$name" original master.cf)" "$copy/master.cf"
  postconf -c "$copy" "$@"
}

# Fail unless main.cf and master.cf of NAME are those of NAME/expected:
# first the settings (postconf -n and -M), then the bytes.
expect_expected_configuration() {
  local name=$1 etc copy
  etc=$(ps_etc "$name")
  copy=$PS_BASE/$name/expected
  ps_check "main.cf sets what it set before configure, plus the other edit" \
    diff -u <(ps_explicit_parameters "$copy") <(ps_explicit_parameters "$etc")
  ps_check "master.cf has the services it had before configure, plus the other edit" \
    diff -u <(postconf -c "$copy" -M | tr -s ' ' | sort) <(postconf -c "$etc" -M | tr -s ' ' | sort)
  ps_expect_same_bytes "$copy/main.cf" "$etc/main.cf" "main.cf after undo"
  ps_expect_same_bytes "$copy/master.cf" "$etc/master.cf" "master.cf after undo"
}

# Fail if main.cf or master.cf of NAME still has anything of alias-sync.
expect_no_alias_sync_settings() {
  local name=$1 etc
  etc=$(ps_etc "$name")
  ps_check "main.cf names no alias-sync table or transport" \
    bash -c "! postconf -c '$etc' -n | grep -E 'alias-sync-transport|alias-sync_|$PS_BASE/$name/lib/aliases'"
  ps_check "master.cf has no alias-sync service" \
    test -z "$(postconf -c "$etc" -M alias-sync/unix 2>/dev/null)"
}

ps_case "undo after an unrelated main.cf edit"
ps_new_instance main-edit
ps_snapshot main-edit original
ps_configure_or_fail main-edit
ps_postconf main-edit -e "delay_warning_time = 4h"
write_expected main-edit -e "delay_warning_time = 4h"
ps_configure main-edit --undo --dry-run
ps_expect_rc 1 "--undo --dry-run"
ps_expect_report_block "main.cf: transport_maps" "why:"
ps_expect_report_block "master.cf: service alias-sync/unix" "then: (removed)"
ps_configure main-edit --undo --yes
ps_expect_rc 0 "--undo --yes"
expect_expected_configuration main-edit
ps_expect_no_transport_map main-edit "undo"
ps_expect_no_leftovers main-edit

ps_case "undo after an unrelated master.cf edit"
ps_new_instance master-edit
ps_snapshot master-edit original
ps_configure_or_fail master-edit
ps_postconf master-edit -M "relay-slow/unix=relay-slow unix - - n - 2 smtp"
write_expected master-edit -M "relay-slow/unix=relay-slow unix - - n - 2 smtp"
ps_configure master-edit --undo --yes
ps_expect_rc 0 "--undo --yes"
expect_expected_configuration master-edit
ps_expect_no_transport_map master-edit "undo"

ps_case "undo keeps a table the admin added to transport_maps"
ps_new_instance admin-table
etc=$(ps_etc admin-table)
ps_snapshot admin-table original
ps_configure_or_fail admin-table
printf 'retired@%s error:5.1.1 this address is retired\n' "$PS_DOMAIN" >"$etc/admin-transport"
postmap -c "$etc" "hash:$etc/admin-transport"
ps_postconf admin-table -e "transport_maps = hash:$etc/alias-sync-transport, hash:$etc/admin-transport"
write_expected admin-table -e "transport_maps = hash:$etc/admin-transport"
ps_configure admin-table --undo --yes
ps_expect_rc 0 "--undo --yes"
ps_expect_parameter admin-table transport_maps "hash:$etc/admin-transport"
expect_expected_configuration admin-table

ps_case "undo --keep-alias-maps keeps the managed aliases"
ps_new_instance keep
etc=$(ps_etc keep)
ps_snapshot keep original
ps_configure_or_fail keep
ps_configure keep --undo --keep-alias-maps --dry-run
ps_expect_rc 1 "--undo --keep-alias-maps --dry-run"
ps_expect_stdout_lacks "main.cf: alias_maps"
ps_expect_report_line alias_maps "$(ps_managed_aliases keep)"
ps_configure keep --undo --keep-alias-maps --yes
ps_expect_rc 0 "--undo --keep-alias-maps --yes"
ps_expect_parameter keep alias_maps "hash:$etc/aliases, hash:$(ps_managed_aliases keep)"
ps_expect_parameter keep transport_maps ""
ps_check "master.cf has no alias-sync service" test -z "$(postconf -c "$etc" -M alias-sync/unix 2>/dev/null)"
ps_expect_no_transport_map keep "undo --keep-alias-maps"

ps_case "undo after configure ran twice"
ps_new_instance twice
ps_snapshot twice original
ps_configure_or_fail twice
# A second served domain: the second run rewrites the transport map only.
ps_postconf twice -e "mydestination = \$myhostname, $PS_DOMAIN, example.net, localhost"
sed -i "s|^domains = .*|domains = $PS_DOMAIN, example.net|" "$(ps_conf twice)"
ps_configure_or_fail twice
ps_configure twice --undo --yes
ps_expect_rc 0 "--undo --yes"
expect_no_alias_sync_settings twice
ps_expect_no_transport_map twice "undo"
ps_expect_parameter twice mydestination "\$myhostname, $PS_DOMAIN, example.net, localhost"

ps_case "undo on an instance alias-sync never configured"
ps_new_instance never
ps_snapshot never original
ps_configure never --undo --dry-run
ps_expect_rc 0 "--undo --dry-run with nothing to undo"
ps_expect_stdout_has "Nothing to change"
ps_configure never --undo --yes
ps_expect_rc 0 "--undo --yes with nothing to undo"
ps_expect_config_is never original "undo with nothing to undo"

ps_case "undo leaves a same-named service that alias-sync did not write"
ps_new_instance foreign
etc=$(ps_etc foreign)
ps_configure_or_fail foreign
foreign_entry="alias-sync unix - n n - - pipe flags=F user=nobody argv=/usr/bin/procmail -d \${user}"
ps_postconf foreign -M "alias-sync/unix=$foreign_entry"
ps_configure foreign --undo --yes
ps_expect_rc 0 "--undo --yes"
ps_expect_report_line alias-sync "$PS_PIPE_COMMAND"
ps_check "the other service stays" \
  test "$(postconf -c "$etc" -M alias-sync/unix | tr -s ' ')" = "$foreign_entry"
ps_expect_parameter foreign transport_maps ""
ps_expect_no_transport_map foreign "undo"

ps_finish
