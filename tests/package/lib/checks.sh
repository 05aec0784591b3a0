# shellcheck shell=bash
# Checks of an installed, removed or purged alias-sync package in a root,
# on what dpkg, getent and stat report inside that root. Each check fails
# the run with the value it found.

# The files the package must install.
PKG_CONTRACT_FILES=(
  /usr/sbin/alias-sync
  /usr/libexec/alias-sync/alias-sync-pipe
  /lib/systemd/system/alias-sync.service
  /usr/lib/tmpfiles.d/alias-sync.conf
  /etc/alias-sync/alias-sync.conf
  /usr/share/man/man8/alias-sync.8.gz
  /usr/share/man/man8/alias-sync-pipe.8.gz
  /usr/share/man/man5/alias-sync.conf.5.gz
  /usr/share/doc/alias-sync/copyright
  /usr/share/doc/alias-sync/changelog.gz
)
PKG_CONFFILE=/etc/alias-sync/alias-sync.conf

# Print "MODE OWNER:GROUP" of PATH inside ROOT (names from the root's own
# /etc/passwd and /etc/group).
pkg_stat_in_root() {
  pkg_chroot "$1" stat -c '%a %U:%G' "$2"
}

# Usage: pkg_expect_stat ROOT PATH MODE OWNER:GROUP
pkg_expect_stat() {
  local root=$1 path=$2 mode=$3 owner=$4 actual
  actual=$(pkg_stat_in_root "$root" "$path" 2>&1) || pkg_fail "$path is missing in $root: $actual"
  [[ $actual == "$mode $owner" ]] || pkg_fail "$path is '$actual' in $root, expected '$mode $owner'"
}

# Print dpkg's status and version of alias-sync, or "not-installed" when
# dpkg has no record of the package.
pkg_package_state() {
  local root=$1 output
  # shellcheck disable=SC2016 # ${Status} is dpkg-query's format, not the shell's
  if output=$(pkg_chroot "$root" dpkg-query -W -f='${Status} ${Version}' alias-sync 2>&1); then
    echo "$output"
  elif [[ $output == *"no packages found matching alias-sync"* ]]; then
    echo "not-installed"
  else
    pkg_fail "dpkg-query -W alias-sync failed in $root: $output"
  fi
}

# Usage: pkg_expect_package_state ROOT EXPECTED
pkg_expect_package_state() {
  local root=$1 expected=$2 actual
  actual=$(pkg_package_state "$root")
  [[ $actual == "$expected" ]] || pkg_fail "dpkg-query reports alias-sync as '$actual' in $root, expected '$expected'"
}

pkg_expect_contract_files() {
  local root=$1 listed file
  listed=$(pkg_chroot "$root" dpkg -L alias-sync)
  for file in "${PKG_CONTRACT_FILES[@]}"; do
    grep -qxF "$file" <<<"$listed" || pkg_fail "dpkg -L alias-sync does not list $file"
    [[ -f $root$file ]] || pkg_fail "$file is listed by dpkg -L but missing in $root"
  done
  local manual
  for manual in "$root"/usr/share/man/man*/alias-sync*.gz; do
    [[ -f $manual ]] || continue
    gzip -t "$manual" || pkg_fail "manual page $manual is not a valid gzip file"
    zcat "$manual" | grep -q '^\.TH' || pkg_fail "manual page $manual has no .TH line"
  done
  local conffiles
  # shellcheck disable=SC2016 # dpkg-query's format
  conffiles=$(pkg_chroot "$root" dpkg-query -W -f='${Conffiles}' alias-sync)
  grep -qE "^ $PKG_CONFFILE [0-9a-f]{32}\$" <<<"$conffiles" \
    || pkg_fail "dpkg does not list $PKG_CONFFILE as a conffile; Conffiles: $conffiles"
}

# dpkg --verify compares every installed file with the package's md5sums.
# EXPECTED is the exact output allowed (empty after a fresh install).
# Usage: pkg_expect_dpkg_verify ROOT [EXPECTED]
pkg_expect_dpkg_verify() {
  local root=$1 expected=${2:-} output status=0
  output=$(pkg_chroot "$root" dpkg --verify alias-sync 2>&1) || status=$?
  if [[ $output != "$expected" ]]; then
    pkg_fail "dpkg --verify alias-sync in $root printed '$output', expected '${expected:-nothing}'"
  fi
  if [[ -z $expected ]] && ((status != 0)); then
    pkg_fail "dpkg --verify alias-sync exited with status $status in $root"
  fi
}

# The two system users, as `adduser --system --group` creates them.
pkg_expect_system_users() {
  local root=$1 user home expected_home shell uid gid group_entry group_gid
  for user in alias-sync alias-sync-pipe; do
    local entry
    entry=$(pkg_chroot "$root" getent passwd "$user") || pkg_fail "user $user does not exist in $root"
    IFS=: read -r _ _ uid gid _ home shell <<<"$entry"
    group_entry=$(pkg_chroot "$root" getent group "$user") || pkg_fail "group $user does not exist in $root"
    group_gid=$(cut -d: -f3 <<<"$group_entry")
    ((gid == group_gid)) || pkg_fail "the primary group of $user is $gid, expected the group $user ($group_gid)"
    ((uid < 1000)) || pkg_fail "user $user has uid $uid; a system user has a uid below 1000"
    case $user in
      alias-sync) expected_home=/var/lib/alias-sync ;;
      alias-sync-pipe) expected_home=/nonexistent ;;
    esac
    [[ $home == "$expected_home" ]] || pkg_fail "user $user has home $home, expected $expected_home"
    [[ $shell == /usr/sbin/nologin || $shell == /bin/false ]] \
      || pkg_fail "user $user has login shell $shell, expected /usr/sbin/nologin"
  done
}

# SHA-256 fingerprint of the server's certificate, computed by the host's
# openssl, in the colon form alias-sync prints.
pkg_certificate_fingerprint() {
  openssl x509 -noout -fingerprint -sha256 -in "$1/var/lib/alias-sync/identity/cert.pem" | cut -d= -f2
}

pkg_expect_identity() {
  local root=$1
  pkg_expect_stat "$root" /var/lib/alias-sync/identity 700 alias-sync:alias-sync
  pkg_expect_stat "$root" /var/lib/alias-sync/identity/key.pem 600 alias-sync:alias-sync
  pkg_expect_stat "$root" /var/lib/alias-sync/identity/cert.pem 644 alias-sync:alias-sync
  grep -q 'BEGIN PRIVATE KEY' "$root/var/lib/alias-sync/identity/key.pem" \
    || pkg_fail "$root/var/lib/alias-sync/identity/key.pem holds no PEM private key"
  local fingerprint shown
  fingerprint=$(pkg_certificate_fingerprint "$root") \
    || pkg_fail "openssl cannot read $root/var/lib/alias-sync/identity/cert.pem"
  # peer show exits 1 while no peer is pinned. Its first line is this server's.
  shown=$(pkg_chroot "$root" alias-sync peer show 2>&1 | awk '/^this server:/ { print $3 }') || true
  [[ $shown == "$fingerprint" ]] \
    || pkg_fail "alias-sync peer show prints '$shown' for this server, openssl computes $fingerprint"
}

# Everything the package sets up at installation, in a root that was just
# installed from nothing.
# Usage: pkg_expect_fresh_install ROOT VERSION APT_LOG
pkg_expect_fresh_install() {
  local root=$1 version=$2 log=$3
  pkg_expect_package_state "$root" "install ok installed $version"
  pkg_expect_contract_files "$root"
  pkg_expect_dpkg_verify "$root"
  pkg_expect_system_users "$root"

  pkg_expect_stat "$root" /var/lib/alias-sync 755 alias-sync:alias-sync
  pkg_expect_stat "$root" /etc/alias-sync 755 root:root
  pkg_expect_stat "$root" "$PKG_CONFFILE" 644 root:root
  pkg_expect_stat "$root" /run/alias-sync 2750 alias-sync:alias-sync-pipe
  pkg_expect_identity "$root"

  # Installed, not enabled: the daemon cannot run before the admin sets
  # the domains. systemctl reads the unit files and links offline.
  local enabled
  enabled=$(pkg_chroot "$root" systemctl is-enabled alias-sync.service 2>&1) || true
  [[ $enabled == disabled ]] || pkg_fail "systemctl is-enabled alias-sync prints '$enabled', expected 'disabled'"

  pkg_expect_unit_verifies "$root"

  local text
  for text in "alias-sync peer pin" "alias-sync configure-postfix" "systemctl enable --now alias-sync"; do
    grep -qF "$text" "$log" || pkg_fail "the postinst's next steps ('$text') are not in the apt output $log"
  done
}

# systemd-analyze verify with systemd's own parser. A minimal root has no
# man-db, so the manual pages named in Documentation= are not looked up
# here; pkg_expect_contract_files checks the files instead.
pkg_expect_unit_verifies() {
  local root=$1 output status=0
  output=$(pkg_chroot "$root" systemd-analyze verify --man=no /lib/systemd/system/alias-sync.service 2>&1) || status=$?
  if ((status != 0)) || grep -q 'alias-sync' <<<"$output"; then
    pkg_fail "systemd-analyze verify alias-sync.service in $root (exit status $status): $output"
  fi
}

# Print "HASH  PATH MODE OWNER:GROUP" for every FILE below ROOT. A missing
# file prints "missing  PATH", so that its appearance counts as a change too.
pkg_hash_files() {
  local root=$1 file
  shift
  for file in "$@"; do
    if [[ -e $root$file ]]; then
      printf '%s  %s %s\n' "$(sha256sum <"$root$file" | cut -d' ' -f1)" "$file" "$(pkg_stat_in_root "$root" "$file")"
    else
      printf 'missing  %s\n' "$file"
    fi
  done
}
