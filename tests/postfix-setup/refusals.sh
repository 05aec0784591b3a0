#!/usr/bin/env bash
# configure-postfix refuses servers where managed aliases would do nothing
# (the served domain is virtual, relayed, or local_transport is not
# local(8)), a master.cf that already has another service named
# alias-sync, and a default_database_type it cannot build. A refusal exits
# 2 with --dry-run and with --yes, prints the reason, and changes no file.
#
# Usage: refusals.sh ALIAS_SYNC_BINARY   (as root; KEEP=1 keeps the files)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/instance.sh
source "$here/lib/instance.sh"
ps_enforce_time_limit "$@"
ps_begin "$@"

# Run --dry-run and --yes on an instance shaped by the caller, and check
# both are refused with a report line that contains every TEXT.
# Usage: expect_refused NAME TEXT...
expect_refused() {
  local name=$1
  shift
  ps_snapshot "$name" original
  ps_configure "$name" --dry-run
  ps_expect_rc 2 "--dry-run on a server alias-sync must refuse"
  ps_expect_report_line "$@"
  ps_expect_stdout_lacks "main.cf: "
  ps_expect_stdout_lacks "Write the file"
  ps_configure "$name" --yes
  ps_expect_rc 2 "--yes on a server alias-sync must refuse"
  ps_expect_report_line "$@"
  ps_expect_config_is "$name" original "a refused run"
  ps_expect_no_transport_map "$name" "a refused run"
  ps_expect_absent "$(ps_managed_aliases "$name")" "a refused run"
  ps_expect_absent "$(ps_backup_dir "$name")" "a refused run"
  ps_expect_no_leftovers "$name"
}

ps_case "served domain is a virtual alias domain"
ps_new_instance virtual-alias
ps_postconf virtual-alias -e "mydestination = \$myhostname, localhost" \
  "virtual_alias_domains = $PS_DOMAIN" "virtual_alias_maps = hash:$(ps_etc virtual-alias)/virtual"
printf 'info@%s nobody\n' "$PS_DOMAIN" >"$(ps_etc virtual-alias)/virtual"
postmap -c "$(ps_etc virtual-alias)" "$(ps_etc virtual-alias)/virtual"
expect_refused virtual-alias "$PS_DOMAIN" virtual mydestination

ps_case "served domain is a virtual mailbox domain delivered over LMTP"
ps_new_instance virtual-mailbox
ps_postconf virtual-mailbox -e "mydestination = \$myhostname, localhost" \
  "virtual_mailbox_domains = $PS_DOMAIN" "virtual_transport = lmtp:unix:private/dovecot-lmtp"
expect_refused virtual-mailbox "$PS_DOMAIN" virtual mydestination

ps_case "served domain is not in mydestination"
ps_new_instance relayed
ps_postconf relayed -e "mydestination = \$myhostname, localhost" "relay_domains = $PS_DOMAIN"
expect_refused relayed "$PS_DOMAIN" mydestination

ps_case "one of two served domains is not local"
ps_new_instance half
sed -i "s|^domains = .*|domains = $PS_DOMAIN, example.net|" "$(ps_conf half)"
expect_refused half example.net mydestination

ps_case "local_transport is virtual"
ps_new_instance local-virtual
ps_postconf local-virtual -e "local_transport = virtual"
expect_refused local-virtual local_transport virtual

ps_case "local_transport is LMTP"
ps_new_instance local-lmtp
ps_postconf local-lmtp -e "local_transport = lmtp:unix:private/dovecot-lmtp"
expect_refused local-lmtp local_transport "lmtp:unix:private/dovecot-lmtp"

ps_case "master.cf has another service named alias-sync"
ps_new_instance clash
ps_postconf clash -M "alias-sync/unix=alias-sync unix - n n - - pipe flags=F user=nobody argv=/usr/bin/procmail -d \${user}"
expect_refused clash master.cf alias-sync "/usr/bin/procmail"

ps_case "default_database_type dbm is refused when planning"
ps_new_instance dbm
ps_postconf dbm -e "default_database_type = dbm"
expect_refused dbm default_database_type dbm

# Options that would write a service pipe(8) cannot run are refused before
# Postfix is read, with exit 2 and main.cf and master.cf untouched.
ps_case "options that pipe(8) could not run are refused"
ps_new_instance options
ps_snapshot options original
ps_configure options --yes --pipe-command "$PS_BASE/no-such-pipe"
ps_expect_rc 2 "a pipe command that does not exist"
ps_expect_stderr_has "is not an executable file"
ps_configure options --yes --pipe-user root
ps_expect_rc 2 "root as the pipe user"
ps_expect_stderr_has "pipe(8) refuses"
ps_configure options --yes --pipe-user no-such-user-here
ps_expect_rc 2 "a pipe user that does not exist"
ps_expect_stderr_has "does not exist"
ps_configure options --yes --postfix-config "$PS_BASE/options/no-such-dir"
ps_expect_rc 2 "a Postfix directory without main.cf"
ps_expect_stderr_has "has no main.cf"
ps_expect_config_is options original "after the refused options"

ps_finish
