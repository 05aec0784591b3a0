#!/usr/bin/env bash
# Package test: the .deb packages on fresh Debian 12 roots, installed,
# configured, upgraded, removed and purged with real dpkg and apt.
#
#  1. A debootstrap root (cached) gets Postfix ("Internet Site") and
#     Dovecot, then the package at version VERSION~old1 with apt, which
#     resolves Qt and the rest from Debian. dpkg's view of the package, the
#     users, directories, identity and unit are checked, and Postfix's
#     main.cf and master.cf must be unchanged.
#  2. Two copies of that root become mx1 and mx2.example.org, each in its
#     own network namespace; mx2 gets a new identity by dpkg-reconfigure.
#     Each pins the other's certificate, runs configure-postfix --yes and
#     starts Postfix, Dovecot (SASL with PAM and system users) and the
#     daemon from the installed unit file (lib/run-unit.sh).
#  3. alice requests an alias from mx1 with SMTP AUTH. The confirmation
#     must reach her through the new alias on both servers.
#  4. mx1 is upgraded to VERSION: identity, aliases, journal, conffile and
#     Postfix's files must not change, and a second alias must work.
#  5. mx1 removes the package: alias-sync's routing leaves Postfix, the
#     managed aliases keep working. Then it purges it: the alias table
#     leaves alias_maps, the files go, the users stay, Postfix delivers.
#
# Usage: install-configure-upgrade-remove.sh SOURCE_DIR DEB_DIR
#   DEB_DIR contains alias-sync_VERSION_ARCH.deb and the ~old1 repack
#   (build-package.sh makes them); when they are missing, this script
#   builds them itself. As root; KEEP=1 keeps the roots and logs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
PKG_LIB_DIR=$here/lib
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$PKG_LIB_DIR/common.sh"
# shellcheck source-path=SCRIPTDIR source=lib/rootfs.sh
source "$PKG_LIB_DIR/rootfs.sh"
# shellcheck source-path=SCRIPTDIR source=lib/build.sh
source "$PKG_LIB_DIR/build.sh"
# shellcheck source-path=SCRIPTDIR source=lib/servers.sh
source "$PKG_LIB_DIR/servers.sh"
# shellcheck source-path=SCRIPTDIR source=lib/checks.sh
source "$PKG_LIB_DIR/checks.sh"

if (($# != 2)); then
  echo "usage: $(basename "$0") SOURCE_DIR DEB_DIR" >&2
  exit 2
fi
pkg_enforce_time_limit "${PKG_TIME_LIMIT:-1500}" "$@"
source_dir=$(cd "$1" && pwd)
deb_dir=$2

pkg_require_root
pkg_require_tools "debootstrap zstd iproute2 util-linux swaks openssl dpkg-dev" \
  debootstrap zstd ip unshare chroot swaks openssl dpkg-deb dpkg-parsechangelog
pkg_setup_traps

PKG_WORK=$(mktemp -d /tmp/alias-sync-package.XXXXXX)
chmod 0755 "$PKG_WORK"

# Runs last: nothing below the work directory may stay mounted.
pkg_remove_work() {
  pkg_unmount_below "$PKG_WORK" || true
  if [[ -n $(pkg_mounts_below "$PKG_WORK") ]]; then
    printf 'FAIL: still mounted below %s: %s\n' "$PKG_WORK" "$(pkg_mounts_below "$PKG_WORK" | tr '\n' ' ')" >&2
    PKG_CLEANUP_FAILED=1
    return 1
  fi
  if [[ ${KEEP:-0} == 1 ]]; then
    printf 'KEEP=1: roots and logs of this run are in %s\n' "$PKG_WORK"
  else
    rm -rf --one-file-system "$PKG_WORK"
  fi
}
pkg_defer pkg_remove_work

version=$(pkg_source_version "$source_dir")
arch=$(dpkg --print-architecture)
old_version="${version}~old1"
new_deb=$deb_dir/alias-sync_${version}_${arch}.deb
old_deb=$deb_dir/alias-sync_${old_version}_${arch}.deb

# --- the packages ----------------------------------------------------------------

if [[ ! -f $new_deb || ! -f $old_deb ]]; then
  pkg_step "no packages of version $version in $deb_dir: building them"
  pkg_require_tools "dpkg-dev debhelper lintian git" dpkg-buildpackage lintian git
  deb_dir=$PKG_WORK/debs
  pkg_phase_begin "build (dpkg-buildpackage)"
  pkg_build_debs "$source_dir" "$PKG_WORK" "$deb_dir"
  pkg_phase_end
  pkg_phase_begin "lintian"
  pkg_lintian "$deb_dir/alias-sync_${version}_${arch}.changes" "$deb_dir/lintian.log"
  pkg_phase_end
  new_deb=$deb_dir/alias-sync_${version}_${arch}.deb
  pkg_repack_lower_version "$new_deb" "$PKG_WORK" "$deb_dir"
  old_deb=$PKG_OLD_DEB
fi
pkg_step "packages: $(basename "$old_deb") (first install), $(basename "$new_deb") (upgrade)"

# --- root0: a fresh Debian 12 server with Postfix, Dovecot and the package ---------

root0=$PKG_WORK/root0
pkg_phase_begin "base root (debootstrap or cache)"
pkg_make_base_root "$PKG_WORK" "$root0"
pkg_phase_end
pkg_step "base root from $PKG_BASE_ROOT_SOURCE"

pkg_phase_begin "apt: postfix and dovecot-core"
pkg_write_host_files a "$root0"
pkg_install_policy_rc_d "$root0"
pkg_configure_apt_sources "$root0"
pkg_root_mount "$root0"
pkg_apt "$root0" "$PKG_WORK/apt-update.log" update
# The answers a real server gives to the Postfix questions of the installer.
printf '%s\n' \
  "postfix postfix/main_mailer_type select Internet Site" \
  "postfix postfix/mailname string $PKG_DOMAIN" \
  | pkg_chroot "$root0" debconf-set-selections
pkg_apt_as_host "$(pkg_hostname a)" "$root0" "$PKG_WORK/apt-install-mail.log" install -y postfix dovecot-core
[[ -f $root0/etc/postfix/main.cf ]] || pkg_fail "the Postfix postinst wrote no /etc/postfix/main.cf (was the Internet Site preseed ignored?)"
pkg_phase_end

pkg_phase_begin "apt: alias-sync $old_version"
install -d -m 0755 "$root0/srv/alias-sync-packages"
cp "$old_deb" "$new_deb" "$root0/srv/alias-sync-packages/"
cp -p "$root0/etc/postfix/main.cf" "$PKG_WORK/main.cf.before-package"
cp -p "$root0/etc/postfix/master.cf" "$PKG_WORK/master.cf.before-package"
alias_maps_before=$(pkg_chroot "$root0" postconf -h alias_maps)

install_log=$PKG_WORK/apt-install-alias-sync-old.log
pkg_show_on_phase_failure "apt-get install alias-sync $old_version" "$install_log" 60
pkg_apt_as_host "$(pkg_hostname a)" "$root0" "$install_log" install -y \
  "/srv/alias-sync-packages/$(basename "$old_deb")"
pkg_step "apt-get install ./$(basename "$old_deb"): $(grep -m1 -E '^[0-9]+ upgraded, [0-9]+ newly installed' "$install_log")"
pkg_phase_end

pkg_phase_begin "checks after the first install"
pkg_expect_fresh_install "$root0" "$old_version" "$install_log"
cmp -s "$PKG_WORK/main.cf.before-package" "$root0/etc/postfix/main.cf" \
  || pkg_fail "installing alias-sync changed /etc/postfix/main.cf: $(diff "$PKG_WORK/main.cf.before-package" "$root0/etc/postfix/main.cf")"
cmp -s "$PKG_WORK/master.cf.before-package" "$root0/etc/postfix/master.cf" \
  || pkg_fail "installing alias-sync changed /etc/postfix/master.cf: $(diff "$PKG_WORK/master.cf.before-package" "$root0/etc/postfix/master.cf")"
fingerprint0=$(pkg_certificate_fingerprint "$root0")
pkg_step "users, directories, modes, identity ($fingerprint0), unit and Postfix's files as expected"

# The unit runner itself: a ReadWritePaths entry that does not exist must
# fail the start, as systemd fails it.
sed '/^\[Service\]/a ReadWritePaths=/var/lib/alias-sync-missing' \
  "$root0/lib/systemd/system/alias-sync.service" >"$PKG_WORK/missing-path.service"
if "$PKG_LIB_DIR/run-unit.sh" plan "$root0" "$PKG_WORK/missing-path.service" >"$PKG_WORK/missing-path.txt" 2>&1; then
  pkg_fail "run-unit.sh accepted a unit whose ReadWritePaths entry does not exist"
fi
pkg_phase_end
pkg_root_unmount "$root0"

# --- two servers -------------------------------------------------------------------

pkg_phase_begin "servers: copies, identities, network"
root_a=$(pkg_root a)
root_b=$(pkg_root b)
pkg_copy_root "$root0" "$root_a"
pkg_copy_root "$root0" "$root_b"
pkg_remove_tree "$root0"
pkg_root_mount "$root_a"
pkg_root_mount "$root_b"
for server in "${PKG_SERVERS[@]}"; do
  pkg_register_server_logs "$server"
done

# mx2: the same installed system, but with its own host name and identity.
pkg_write_host_files b "$root_b"
rm -rf "$root_b/var/lib/alias-sync/identity"
reconfigure_log=$PKG_WORK/b-dpkg-reconfigure.log
status=0
pkg_chroot_as_host "$(pkg_hostname b)" "$root_b" dpkg-reconfigure alias-sync >"$reconfigure_log" 2>&1 || status=$?
((status == 0)) || pkg_fail_with_log "dpkg-reconfigure alias-sync exited with status $status on mx2" "$reconfigure_log"
pkg_expect_identity "$root_b"
fingerprint_a=$(pkg_certificate_fingerprint "$root_a")
fingerprint_b=$(pkg_certificate_fingerprint "$root_b")
[[ $fingerprint_a == "$fingerprint0" ]] || pkg_fail "mx1's identity changed when the root was copied: $fingerprint_a, installed $fingerprint0"
[[ $fingerprint_a != "$fingerprint_b" ]] || pkg_fail "dpkg-reconfigure on mx2 did not create a new identity (fingerprint $fingerprint_b)"
pkg_step "mx2: dpkg-reconfigure alias-sync created a new identity $fingerprint_b (mx1 keeps $fingerprint_a)"

pkg_create_network
pkg_step "network namespaces $(pkg_ns a) ($(pkg_address a)) and $(pkg_ns b) ($(pkg_address b)) joined by a veth pair"
pkg_phase_end

pkg_phase_begin "servers: configure and start"
for server in "${PKG_SERVERS[@]}"; do
  pkg_write_alias_sync_config "$server"
  pkg_write_postfix_config "$server"
  pkg_write_dovecot_config "$server"
  pkg_create_mail_users "$server"
done
# Postfix as the admin set it up, before alias-sync touched it: purge must
# bring mx1 back to exactly this.
pkg_server_run a postconf -n >"$PKG_WORK/a-postconf-n-before-alias-sync.txt"
pkg_server_run a postconf -M >"$PKG_WORK/a-postconf-M-before-alias-sync.txt"

# Pairing, as an admin does it: copy each certificate to the other server
# and pin it there.
for server in "${PKG_SERVERS[@]}"; do
  other=$(pkg_other "$server")
  cp "$(pkg_root "$other")/var/lib/alias-sync/identity/cert.pem" "$(pkg_root "$server")/root/peer-cert.pem"
  pin_output=$(pkg_server_run "$server" alias-sync peer pin /root/peer-cert.pem 2>&1) \
    || pkg_fail "alias-sync peer pin failed on $(pkg_hostname "$server"): $pin_output"
  pkg_expect_stat "$(pkg_root "$server")" /etc/alias-sync/peer.pem 644 root:root
done
pkg_step "each server pinned the other's certificate with alias-sync peer pin"

for server in "${PKG_SERVERS[@]}"; do
  log=$PKG_WORK/$server-configure-postfix.log
  status=0
  pkg_server_run "$server" alias-sync configure-postfix --yes >"$log" 2>&1 || status=$?
  ((status == 0)) || pkg_fail_with_log "alias-sync configure-postfix --yes exited with status $status on $(pkg_hostname "$server")" "$log"
  pkg_expect_postfix_check_clean "$server"
done
pkg_step "alias-sync configure-postfix --yes applied on both servers; postfix check is clean"

for server in "${PKG_SERVERS[@]}"; do
  root=$(pkg_root "$server")
  # At boot systemd-tmpfiles-setup.service creates /run/alias-sync from the
  # package's tmpfiles.d entry. /run is a new tmpfs here, as after a boot.
  pkg_chroot "$root" systemd-tmpfiles --create --prefix=/run/alias-sync
  pkg_expect_stat "$root" /run/alias-sync 2750 alias-sync:alias-sync-pipe
  pkg_start_dovecot "$server"
  pkg_start_postfix "$server"
  pkg_step "$(pkg_hostname "$server"): Dovecot and Postfix (ports 25 and 587) running"
done
for server in "${PKG_SERVERS[@]}"; do
  pkg_start_daemon "$server"
done
pkg_wait_link_up
pkg_step "peer link up: alias-sync status exits 0 on both servers"
pkg_phase_end

# The daemon runs with the credentials the unit requests, as the kernel reports them.
pkg_expect_daemon_credentials() {
  local server=$1 pid status_file
  pid=$(pkg_daemon_pid "$server")
  status_file=/proc/$pid/status
  local uid postdrop_gid
  uid=$(pkg_chroot "$(pkg_root "$server")" id -u alias-sync)
  postdrop_gid=$(pkg_chroot "$(pkg_root "$server")" getent group postdrop | cut -d: -f3)
  awk '$1 == "Uid:" { print $2, $3, $4, $5 }' "$status_file" | grep -qx "$uid $uid $uid $uid" \
    || pkg_fail "the daemon of $(pkg_hostname "$server") does not run as alias-sync: $(grep '^Uid:' "$status_file")"
  awk '$1 == "Groups:"' "$status_file" | grep -qw "$postdrop_gid" \
    || pkg_fail "the daemon of $(pkg_hostname "$server") lacks the group postdrop ($postdrop_gid): $(grep '^Groups:' "$status_file")"
  grep -qx $'NoNewPrivs:\t1' "$status_file" \
    || pkg_fail "the daemon of $(pkg_hostname "$server") runs without no_new_privs"
  awk '$5 == "/" { print $6 }' "/proc/$pid/mountinfo" | grep -q '^ro' \
    || pkg_fail "the daemon of $(pkg_hostname "$server") sees / writable (ProtectSystem=strict)"
}
for server in "${PKG_SERVERS[@]}"; do
  pkg_expect_daemon_credentials "$server"
done
pkg_step "both daemons run as alias-sync with group postdrop, no_new_privs and a read-only /"

# --- the first alias ------------------------------------------------------------------

# Wait until alias NAME -> TARGET exists on both servers and its
# confirmation reached USER through the alias on both.
pkg_expect_alias_on_both() {
  local name=$1 user=$2
  local server
  for server in "${PKG_SERVERS[@]}"; do
    pkg_wait_until 30 "postalias -q $name /var/lib/alias-sync/aliases answering $user on $(pkg_hostname "$server")" \
      pkg_alias_db_has "$server" "$name" "$user"
    pkg_wait_until 30 "the confirmation of $name@$PKG_DOMAIN (X-Alias-Sync: confirmation) in $user's mailbox on $(pkg_hostname "$server")" \
      pkg_mailbox_has_confirmation "$server" "$user" "$name"
    pkg_step "$(pkg_hostname "$server"): $name -> $user in the alias database, confirmation delivered through $name@$PKG_DOMAIN"
  done
}

pkg_phase_begin "first alias"
pkg_send_authenticated a alice "makealias@$PKG_DOMAIN" "alias: team" request-team \
  || pkg_fail "mx1 rejected alice's authenticated request (transcript: $PKG_LAST_TRANSCRIPT)"
pkg_step "alice sent 'alias: team' to makealias@$PKG_DOMAIN on mx1 port 587 with SMTP AUTH"
pkg_expect_alias_on_both team alice
pkg_phase_end

# --- upgrade ----------------------------------------------------------------------------

PKG_PRESERVED_FILES=(
  /var/lib/alias-sync/identity/key.pem
  /var/lib/alias-sync/identity/cert.pem
  /var/lib/alias-sync/aliases
  /var/lib/alias-sync/aliases.db
  /var/lib/alias-sync/journal
  /etc/alias-sync/alias-sync.conf
  /etc/alias-sync/peer.pem
  /etc/postfix/main.cf
  /etc/postfix/master.cf
  /etc/postfix/alias-sync-transport
  /etc/postfix/alias-sync-transport.db
)

pkg_phase_begin "upgrade mx1 to $version"
# systemd would stop the service in the old prerm and start it again after
# the upgrade. Without systemd the test does both.
pkg_stop_daemon a
pkg_hash_files "$root_a" "${PKG_PRESERVED_FILES[@]}" >"$PKG_WORK/a-files-before-upgrade.txt"
if grep -q '^missing ' "$PKG_WORK/a-files-before-upgrade.txt"; then
  pkg_fail "files expected on mx1 before the upgrade are missing: $(grep '^missing ' "$PKG_WORK/a-files-before-upgrade.txt" | tr '\n' ' ')"
fi
upgrade_log=$PKG_WORK/a-apt-upgrade.log
pkg_show_on_phase_failure "apt-get install alias-sync $version (upgrade)" "$upgrade_log" 60
pkg_server_apt a "$upgrade_log" install -y "/srv/alias-sync-packages/$(basename "$new_deb")"
pkg_expect_package_state "$root_a" "install ok installed $version"
grep -q "Unpacking alias-sync ($version) over ($old_version)" "$upgrade_log" \
  || pkg_fail_with_log "apt did not upgrade alias-sync from $old_version to $version" "$upgrade_log"
if grep -qF "systemctl enable --now alias-sync" "$upgrade_log"; then
  pkg_fail_with_log "the postinst printed the first-install steps on an upgrade" "$upgrade_log"
fi
pkg_hash_files "$root_a" "${PKG_PRESERVED_FILES[@]}" >"$PKG_WORK/a-files-after-upgrade.txt"
if ! diff -u "$PKG_WORK/a-files-before-upgrade.txt" "$PKG_WORK/a-files-after-upgrade.txt" >"$PKG_WORK/a-upgrade-diff.txt"; then
  cat "$PKG_WORK/a-upgrade-diff.txt" >&2
  pkg_fail "the upgrade changed files it must keep (sha256, mode, owner above)"
fi
# The admin's edit of the conffile is the only difference dpkg may see.
pkg_expect_dpkg_verify "$root_a" "??5?????? c $PKG_CONFFILE"
pkg_step "upgrade kept identity, alias file and database, journal, conffile, peer pin and Postfix's files byte for byte"

pkg_start_daemon a
pkg_wait_link_up
pkg_send_authenticated a bob "makealias@$PKG_DOMAIN" "alias: crew" request-crew \
  || pkg_fail "mx1 rejected bob's authenticated request after the upgrade (transcript: $PKG_LAST_TRANSCRIPT)"
pkg_step "bob sent 'alias: crew' to makealias@$PKG_DOMAIN on the upgraded mx1"
pkg_expect_alias_on_both crew bob
pkg_phase_end

# --- remove ------------------------------------------------------------------------------

# Usage: pkg_expect_delivery X RECIPIENT USER LABEL
pkg_expect_delivery() {
  local server=$1 recipient=$2 user=$3 label=$4
  local subject
  subject="$label $(date +%s%N)"
  pkg_send_plain "$server" "carol@example.net" "$recipient" "$subject" "$label" \
    || pkg_fail "$(pkg_hostname "$server") rejected mail to $recipient (transcript: $PKG_LAST_TRANSCRIPT)"
  pkg_wait_until 30 "the message '$subject' to $recipient in $user's mailbox on $(pkg_hostname "$server")" \
    pkg_mailbox_has_subject "$server" "$user" "$subject"
}

pkg_postconf() { pkg_server_run "$1" postconf -h "$2"; }

pkg_phase_begin "remove on mx1"
# systemd's prerm stop of the service, done by hand.
pkg_stop_daemon a

# A removal whose undo fails must stop with the package installed, so that
# nothing routes mail to a program that is gone. An immutable main.cf
# makes the undo's postconf -e fail (the prerm's set -e passes it on).
chattr +i "$root_a/etc/postfix/main.cf" || pkg_fail "chattr +i on $root_a/etc/postfix/main.cf failed; this check needs ext4 or a file system with the immutable flag"
refused_log=$PKG_WORK/a-apt-remove-refused.log
status=0
pkg_server_run a apt-get -o Dpkg::Use-Pty=0 -o APT::Color=0 remove -y alias-sync >"$refused_log" 2>&1 || status=$?
chattr -i "$root_a/etc/postfix/main.cf"
((status != 0)) || pkg_fail_with_log "apt-get remove exited 0 although configure-postfix --undo could not write main.cf" "$refused_log"
grep -q 'pre-removal script subprocess returned error exit status' "$refused_log" \
  || pkg_fail_with_log "apt-get remove failed, but not in the prerm" "$refused_log"
pkg_expect_package_state "$root_a" "install ok installed $version"
[[ -n $(pkg_server_run a postconf -M alias-sync/unix 2>/dev/null) ]] \
  || pkg_fail "the alias-sync service left master.cf although the removal stopped"
pkg_step "mx1: with main.cf immutable the prerm failed, apt-get remove exited $status and the package stayed installed with its routing"
remove_log=$PKG_WORK/a-apt-remove.log
pkg_show_on_phase_failure "apt-get remove alias-sync" "$remove_log" 60
pkg_server_apt a "$remove_log" remove -y alias-sync
pkg_expect_package_state "$root_a" "deinstall ok config-files $version"

service=$(pkg_server_run a postconf -M alias-sync/unix 2>/dev/null)
[[ -z $service ]] || pkg_fail "master.cf still has the alias-sync service after removal: $service"
grep -q 'alias-sync' "$root_a/etc/postfix/master.cf" \
  && pkg_fail "master.cf still mentions alias-sync after removal: $(grep -n alias-sync "$root_a/etc/postfix/master.cf")"
for parameter in transport_maps local_recipient_maps; do
  value=$(pkg_postconf a "$parameter")
  [[ $value != *alias-sync* ]] || pkg_fail "$parameter still names an alias-sync table after removal: $value"
done
value=$(pkg_server_run a postconf -n | grep '^alias-sync_' || true)
[[ -z $value ]] || pkg_fail "main.cf still sets alias-sync's parameters after removal: $value"
alias_maps=$(pkg_postconf a alias_maps)
[[ $alias_maps == *":/var/lib/alias-sync/aliases"* ]] \
  || pkg_fail "removal took the managed alias table out of alias_maps: '$alias_maps'"
for file in /etc/postfix/alias-sync-transport /etc/postfix/alias-sync-transport.db; do
  [[ ! -e $root_a$file ]] || pkg_fail "$file is still there after removal"
done
for file in "$PKG_CONFFILE" /var/lib/alias-sync/identity/key.pem /var/lib/alias-sync/aliases \
  /var/lib/alias-sync/aliases.db; do
  [[ -f $root_a$file ]] || pkg_fail "$file is gone after removal; only purge removes it"
done
[[ ! -e $root_a/usr/sbin/alias-sync ]] || pkg_fail "/usr/sbin/alias-sync is still there after removal"
pkg_expect_postfix_check_clean a
pkg_step "removal: alias-sync's service, transport table and recipient map left Postfix; alias_maps keeps $alias_maps"

pkg_expect_delivery a "team@$PKG_DOMAIN" alice after-remove-team
pkg_step "mx1: mail to team@$PKG_DOMAIN (a managed alias) still reaches alice after removal"
pkg_expect_delivery a "bob@$PKG_DOMAIN" bob after-remove-bob
pkg_step "mx1: mail to bob@$PKG_DOMAIN is delivered after removal"
# Nothing routes to the removed pipe: the designated address is now an
# unknown local recipient, rejected during the SMTP session.
if pkg_send_plain a "carol@example.net" "makealias@$PKG_DOMAIN" "alias: late" after-remove-request; then
  pkg_fail "mx1 accepted mail for makealias@$PKG_DOMAIN after removal (transcript: $PKG_LAST_TRANSCRIPT)"
fi
grep -qE '^<(\*\*|-) +550' "$PKG_LAST_TRANSCRIPT" \
  || pkg_fail "mail for makealias@$PKG_DOMAIN after removal was not rejected with 550 (transcript: $PKG_LAST_TRANSCRIPT)"
pkg_step "mx1: makealias@$PKG_DOMAIN is rejected with 550 after removal, not routed to the removed pipe"
pkg_phase_end

# --- purge ---------------------------------------------------------------------------------

pkg_phase_begin "purge on mx1"
purge_log=$PKG_WORK/a-apt-purge.log
pkg_show_on_phase_failure "apt-get purge alias-sync" "$purge_log" 60
pkg_server_apt a "$purge_log" purge -y alias-sync
pkg_expect_package_state "$root_a" "not-installed"
alias_maps=$(pkg_postconf a alias_maps)
[[ $alias_maps != *alias-sync* ]] || pkg_fail "alias_maps still names the managed alias table after purge: $alias_maps"
[[ $alias_maps == "$alias_maps_before" ]] \
  || pkg_fail "alias_maps is '$alias_maps' after purge, expected the value before alias-sync: '$alias_maps_before'"
for option in n M; do
  pkg_server_run a postconf "-$option" >"$PKG_WORK/a-postconf-$option-after-purge.txt"
  diff -u "$PKG_WORK/a-postconf-$option-before-alias-sync.txt" "$PKG_WORK/a-postconf-$option-after-purge.txt" \
    >"$PKG_WORK/a-postconf-$option-after-purge.diff" \
    || pkg_fail "postconf -$option after purge differs from before configure-postfix: $(cat "$PKG_WORK/a-postconf-$option-after-purge.diff")"
done
for path in /var/lib/alias-sync /etc/alias-sync /run/alias-sync; do
  [[ ! -e $root_a$path ]] || pkg_fail "$path is still there after purge: $(ls -la "$root_a$path")"
done
for user in alias-sync alias-sync-pipe; do
  pkg_chroot "$root_a" getent passwd "$user" >/dev/null || pkg_fail "user $user is gone after purge; system users stay"
  pkg_chroot "$root_a" getent group "$user" >/dev/null || pkg_fail "group $user is gone after purge"
done
pkg_expect_postfix_check_clean a
pkg_step "purge: the managed table left alias_maps ($alias_maps), the files are gone, the users stay"

pkg_expect_delivery a "bob@$PKG_DOMAIN" bob after-purge-bob
pkg_step "mx1: mail to bob@$PKG_DOMAIN is delivered after purge"
pkg_expect_delivery a "alice@$PKG_DOMAIN" alice after-purge-alice
pkg_step "mx1: mail to alice@$PKG_DOMAIN is delivered after purge"
pkg_phase_end

pkg_step "package test passed: install, configure, alias, upgrade, remove, purge"
