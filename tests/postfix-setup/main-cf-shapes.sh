#!/usr/bin/env bash
# configure-postfix on main.cf files other than Debian's default: lists that
# already have several tables (written over continuation lines), an empty
# local_recipient_maps, the domain given as $mydomain or in a lookup table
# in mydestination, two served domains, virtual domains next to the served
# one, and btree as default_database_type. Existing values are kept and
# extended, and --undo returns the original bytes.
#
# Usage: main-cf-shapes.sh ALIAS_SYNC_BINARY   (as root; KEEP=1 keeps the files)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/instance.sh
source "$here/lib/instance.sh"
ps_enforce_time_limit "$@"
ps_begin "$@"

# The tables of a list parameter, one a line (postconf(5): separated by
# commas and/or white space).
list_items() {
  ps_parameter "$1" "$2" | sed 's/[, ]\{1,\}/\n/g' | grep -v '^$' || true
}

# Usage: expect_list NAME PARAMETER ITEM...   (the whole list, in order)
expect_list() {
  local name=$1 parameter=$2
  shift 2
  ps_check "$parameter lists: $*" diff -u <(printf '%s\n' "$@") <(list_items "$name" "$parameter")
}

# Check that nothing is left to do after the caller's apply, then undo and
# check the original bytes.
expect_undo_restores() {
  local name=$1
  ps_configure "$name" --dry-run
  ps_expect_rc 0 "--dry-run right after apply"
  ps_configure "$name" --undo --yes
  ps_expect_rc 0 "--undo --yes"
  ps_expect_config_is "$name" original "undo"
  ps_expect_no_transport_map "$name" "undo removes the transport map"
  ps_expect_no_leftovers "$name"
}

# --- lists with several tables ----------------------------------------------------

ps_case "existing transport_maps, alias_maps and local_recipient_maps are extended"
ps_new_instance lists
etc=$(ps_etc lists)
lib=$PS_BASE/lists/lib
printf 'retired@%s error:5.1.1 this address is retired\n' "$PS_DOMAIN" >"$etc/transport"
printf '/^noreply@/ discard:\n' >"$etc/transport.regexp"
printf 'team: alice\n' >"$etc/lists"
printf 'guest@%s OK\n' "$PS_DOMAIN" >"$etc/extra-recipients"
postmap -c "$etc" "hash:$etc/transport"
postmap -c "$etc" "hash:$etc/extra-recipients"
postalias -c "$etc" "hash:$etc/lists"
ps_postconf lists -e "alias_maps = hash:$etc/aliases hash:$etc/lists"
# Values over continuation lines, as admins write long lists.
cat >>"$etc/main.cf" <<EOF
transport_maps =
    hash:$etc/transport,
    regexp:$etc/transport.regexp
local_recipient_maps = proxy:unix:passwd.byname \$alias_maps
    hash:$etc/extra-recipients
EOF
ps_age "$etc/main.cf"
ps_snapshot lists original
original_transport_maps=$(ps_parameter lists transport_maps)
original_local_recipient_maps=$(ps_parameter lists local_recipient_maps)

ps_configure lists --dry-run
ps_expect_rc 1 "--dry-run with changes pending"
ps_expect_report_block "main.cf: transport_maps" "now:  $original_transport_maps"
ps_expect_report_block "main.cf: alias_maps" "now:  hash:$etc/aliases hash:$etc/lists"
ps_expect_report_block "main.cf: local_recipient_maps" "now:  $original_local_recipient_maps"
ps_configure lists --yes
ps_expect_rc 0 "apply"
expect_list lists transport_maps "hash:$etc/alias-sync-transport" "hash:$etc/transport" "regexp:$etc/transport.regexp"
expect_list lists alias_maps "hash:$etc/aliases" "hash:$etc/lists" "hash:$lib/aliases"
# shellcheck disable=SC2016 # $alias_maps is the text main.cf has
expect_list lists local_recipient_maps proxy:unix:passwd.byname '$alias_maps' \
  "hash:$etc/extra-recipients" "hash:$etc/alias-sync-transport"
ps_expect_parameter lists alias_database "hash:$etc/aliases"
ps_check "the admin's transport table still answers" \
  test "$(postmap -c "$etc" -q "retired@$PS_DOMAIN" "hash:$etc/transport")" = "error:5.1.1 this address is retired"
ps_check "postfix check is clean" test -z "$(postfix -c "$etc" check 2>&1)"
expect_undo_restores lists

# --- local_recipient_maps empty ---------------------------------------------------------

ps_case "empty local_recipient_maps is left alone"
ps_new_instance open
ps_postconf open -e "local_recipient_maps ="
ps_snapshot open original
ps_configure open --dry-run
ps_expect_rc 1 "--dry-run with changes pending"
ps_expect_stdout_lacks "main.cf: local_recipient_maps"
ps_expect_report_line "local_recipient_maps" "empty"
ps_configure open --yes
ps_expect_rc 0 "apply"
ps_expect_parameter open local_recipient_maps ""
ps_check "main.cf still sets local_recipient_maps to empty" \
  grep -qxE 'local_recipient_maps = ?' "$(ps_etc open)/main.cf"
expect_undo_restores open

# --- how the served domain is named -------------------------------------------------------

ps_case "served domain given as \$mydomain in mydestination"
ps_new_instance mydomain
ps_postconf mydomain -e "mydomain = $PS_DOMAIN" "mydestination = \$myhostname, \$mydomain, localhost"
ps_snapshot mydomain original
ps_configure mydomain --yes
ps_expect_rc 0 "apply"
ps_check "the transport map routes makealias@$PS_DOMAIN" \
  grep -qx "makealias@$PS_DOMAIN alias-sync:" "$(ps_transport_map mydomain)"
expect_undo_restores mydomain

ps_case "served domain listed in a mydestination table"
ps_new_instance domain-table
etc=$(ps_etc domain-table)
# postconf(5), mydestination: a "type:table" pattern "is matched when a
# name matches a lookup key (the lookup result is ignored)".
printf '%s OK\n' "$PS_DOMAIN" >"$etc/local-domains"
postmap -c "$etc" "hash:$etc/local-domains"
ps_postconf domain-table -e "mydestination = \$myhostname, hash:$etc/local-domains, localhost"
ps_snapshot domain-table original
ps_configure domain-table --yes
ps_expect_rc 0 "apply where a table in mydestination lists the served domain"
ps_expect_present "$(ps_transport_map domain-table)" "apply"
if [[ $PS_RC == 0 ]]; then
  expect_undo_restores domain-table
fi

ps_case "two served domains give two transport map entries"
ps_new_instance two
ps_postconf two -e "mydestination = \$myhostname, $PS_DOMAIN, example.net, localhost"
sed -i "s|^domains = .*|domains = $PS_DOMAIN, example.net|" "$(ps_conf two)"
ps_snapshot two original
ps_configure two --yes
ps_expect_rc 0 "apply"
for domain in "$PS_DOMAIN" example.net; do
  ps_check "postmap finds makealias@$domain" \
    test "$(postmap -c "$(ps_etc two)" -q "makealias@$domain" "hash:$(ps_transport_map two)")" = "alias-sync:"
done
ps_check "the transport map has exactly two entries" \
  test "$(grep -c '^makealias@' "$(ps_transport_map two)")" = 2
expect_undo_restores two

ps_case "virtual domains of other names stay as they are"
ps_new_instance virtual
etc=$(ps_etc virtual)
printf 'info@lists.example.net alice\n' >"$etc/virtual"
postmap -c "$etc" "hash:$etc/virtual"
ps_postconf virtual -e "virtual_alias_domains = lists.example.net" "virtual_alias_maps = hash:$etc/virtual"
ps_snapshot virtual original
ps_configure virtual --yes
ps_expect_rc 0 "apply on a server that also has virtual domains"
ps_expect_parameter virtual virtual_alias_domains lists.example.net
ps_expect_parameter virtual virtual_alias_maps "hash:$etc/virtual"
expect_undo_restores virtual

# --- database type ---------------------------------------------------------------------------

ps_case "default_database_type btree is used for every table"
ps_new_instance btree
etc=$(ps_etc btree)
lib=$PS_BASE/btree/lib
ps_postconf btree -e "default_database_type = btree" "alias_maps = btree:$etc/aliases" \
  "alias_database = btree:$etc/aliases"
postalias -c "$etc" "btree:$etc/aliases"
ps_snapshot btree original
ps_configure btree --yes
ps_expect_rc 0 "apply"
expect_list btree transport_maps "btree:$etc/alias-sync-transport"
expect_list btree alias_maps "btree:$etc/aliases" "btree:$lib/aliases"
ps_check "postmap reads the btree transport map" \
  test "$(postmap -c "$etc" -q "makealias@$PS_DOMAIN" "btree:$etc/alias-sync-transport")" = "alias-sync:"
expect_undo_restores btree

ps_finish
