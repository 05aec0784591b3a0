# shellcheck shell=bash
# Debian 12 root file systems for the package test: a debootstrap base root
# cached as a tarball, copies of it, chroot mounts and commands run in a
# root the way an admin runs them on a server.
#
# Mounts: pkg_root_mount ROOT mounts /proc, /dev (rbind, rslave), /sys and
# a fresh tmpfs on /run, as a booted system has them. Every function that
# removes a root refuses while anything below it is still mounted.

PKG_SUITE=bookworm
# A real Debian 12 server boots with systemd: systemd-sysv makes it the
# init and brings systemd itself, whose systemd-tmpfiles the package's
# postinst calls and whose systemd-analyze checks the unit. minbase has
# neither.
PKG_DEBOOTSTRAP_INCLUDE=systemd,systemd-sysv
PKG_DEBOOTSTRAP_VARIANT=minbase
PKG_CACHE_DIR=${PKG_CACHE_DIR:-/var/cache/alias-sync-tests}
PKG_CACHE_MAX_AGE_DAYS=7
PKG_CHROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# Roots that are mounted now, for the clean-up.
PKG_MOUNTED_ROOTS=()

# Print the first Debian mirror URI for the suite, from the host's apt
# sources (deb822 first, then the one-line format).
pkg_debian_mirror() {
  local sources=/etc/apt/sources.list.d/debian.sources
  if [[ -f $sources ]]; then
    awk -v suite="$PKG_SUITE" '
      function flush() {
        if (uri != "" && suites ~ ("(^| )" suite "( |$)") && types ~ /(^| )deb( |$)/ && found == "") found = uri
        uri = ""; suites = ""; types = ""
      }
      /^[[:space:]]*$/ { flush(); next }
      /^URIs:/ { uri = $2 }
      /^Suites:/ { $1 = ""; suites = $0; sub(/^ /, "", suites) }
      /^Types:/ { $1 = ""; types = $0; sub(/^ /, "", types) }
      END { flush(); if (found != "") print found }' "$sources"
    return 0
  fi
  if [[ -f /etc/apt/sources.list ]]; then
    awk -v suite="$PKG_SUITE" '$1 == "deb" && $3 == suite { print $2; exit }' /etc/apt/sources.list
  fi
}

pkg_host_architecture() { dpkg --print-architecture; }

# Increase when pkg_build_base_cache makes a different root.
PKG_BASE_RECIPE=2

# The cache file name carries the suite, the architecture, the variant and
# a hash of the package list and recipe, so that a change of any of them
# builds a new base root instead of reusing an old one.
pkg_base_cache_file() {
  local key
  key=$(printf '%s %s %s' "$PKG_DEBOOTSTRAP_VARIANT" "$PKG_DEBOOTSTRAP_INCLUDE" "$PKG_BASE_RECIPE" \
    | sha256sum | cut -c1-12)
  printf '%s/debootstrap-%s-%s-%s-%s.tar.zst\n' "$PKG_CACHE_DIR" "$PKG_SUITE" \
    "$(pkg_host_architecture)" "$PKG_DEBOOTSTRAP_VARIANT" "$key"
}

pkg_cache_is_fresh() {
  local file=$1
  [[ -s $file ]] && [[ -n $(find "$file" -maxdepth 0 -mtime "-$PKG_CACHE_MAX_AGE_DAYS" -print) ]]
}

# Run debootstrap into a new directory below WORK and store the result as
# the cache tarball. The tarball is written under a temporary name and
# renamed, so an interrupted run never leaves a truncated cache behind.
# Usage: pkg_build_base_cache WORK CACHE_FILE
pkg_build_base_cache() {
  local work=$1 cache=$2
  local mirror target log
  mirror=$(pkg_debian_mirror)
  if [[ -z $mirror ]]; then
    pkg_fail "no Debian mirror for $PKG_SUITE found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"
  fi
  target=$work/debootstrap
  log=$work/debootstrap.log
  pkg_step "debootstrap --variant=$PKG_DEBOOTSTRAP_VARIANT --include=$PKG_DEBOOTSTRAP_INCLUDE $PKG_SUITE from $mirror"
  # debootstrap mounts /proc and /sys in the target while it runs, so the
  # clean-up unmounts whatever an interrupted run left there.
  pkg_defer pkg_unmount_below "$target"
  if ! debootstrap --variant="$PKG_DEBOOTSTRAP_VARIANT" --include="$PKG_DEBOOTSTRAP_INCLUDE" \
    "$PKG_SUITE" "$target" "$mirror" >"$log" 2>&1; then
    pkg_print_tail "debootstrap" "$target/debootstrap/debootstrap.log" 40
    pkg_fail_with_log "debootstrap of $PKG_SUITE from $mirror failed" "$log"
  fi
  pkg_expect_nothing_mounted_below "$target"

  # debootstrap installs the suite as released. An installed Debian 12
  # server also has the updates and security suites and is kept up to
  # date, so the cached root gets those sources and an upgrade.
  pkg_configure_apt_sources "$target"
  pkg_install_policy_rc_d "$target"
  pkg_root_mount "$target"
  pkg_apt "$target" "$work/base-update.log" update
  pkg_apt "$target" "$work/base-upgrade.log" -y upgrade
  pkg_step "base root: $(grep -cE '^(Setting up|Unpacking) ' "$work/base-upgrade.log" || true) unpack and set-up steps from the updates and security suites"
  pkg_chroot "$target" apt-get clean
  pkg_root_unmount "$target"
  rm -f "$target/usr/sbin/policy-rc.d" "$target/etc/resolv.conf"

  install -d -m 0755 "$PKG_CACHE_DIR"
  local temporary
  temporary=$(mktemp "$cache.XXXXXX.partial")
  # Numeric owners, extended attributes and file capabilities are kept:
  # the roots must be what debootstrap made.
  if ! tar --numeric-owner --xattrs --xattrs-include='*' --acls -C "$target" -cf - . \
    | zstd -q -T0 -3 -f -o "$temporary"; then
    rm -f "$temporary"
    pkg_fail "could not write the base root cache $temporary"
  fi
  mv -f "$temporary" "$cache"
  rm -rf --one-file-system "$target"
}

# Make DEST a fresh base root: from the cache when it is there and younger
# than PKG_CACHE_MAX_AGE_DAYS days, else from a new debootstrap run.
# Usage: pkg_make_base_root WORK DEST
pkg_make_base_root() {
  local work=$1 dest=$2 cache
  cache=$(pkg_base_cache_file)
  local started
  started=$(pkg_now_us)
  if pkg_cache_is_fresh "$cache"; then
    pkg_step "base root: cache hit $cache ($(du -h "$cache" | cut -f1), $(stat -c %y "$cache" | cut -d. -f1))"
    # shellcheck disable=SC2034 # read by the calling script
    PKG_BASE_ROOT_SOURCE="cache hit"
  else
    if [[ -e $cache ]]; then
      pkg_step "base root: cache $cache is older than $PKG_CACHE_MAX_AGE_DAYS days, building a new one"
    else
      pkg_step "base root: no cache at $cache, running debootstrap"
    fi
    pkg_build_base_cache "$work" "$cache"
    pkg_record_timing "debootstrap + write cache" "$(pkg_format_us $(($(pkg_now_us) - started)))"
    # shellcheck disable=SC2034
    PKG_BASE_ROOT_SOURCE="debootstrap"
  fi
  local extracted
  extracted=$(pkg_now_us)
  install -d -m 0755 "$dest"
  zstd -q -dc "$cache" | tar --numeric-owner --xattrs --xattrs-include='*' --acls -C "$dest" -xpf -
  pkg_record_timing "base root: extract cache" "$(pkg_format_us $(($(pkg_now_us) - extracted)))"
}

# --- mounts ------------------------------------------------------------------

# Print the mount points at or below DIR, deepest first. mountinfo escapes
# blanks in mount points (\040), and the test's paths have none.
pkg_mounts_below() {
  local dir=$1
  awk -v dir="$dir" '$5 == dir || index($5, dir "/") == 1 { print $5 }' /proc/self/mountinfo \
    | awk '{ print gsub("/", "/"), $0 }' | sort -k1,1nr -k2r | cut -d' ' -f2-
}

pkg_expect_nothing_mounted_below() {
  local dir=$1 left
  left=$(pkg_mounts_below "$dir")
  if [[ -n $left ]]; then
    pkg_fail "still mounted below $dir: $(echo "$left" | tr '\n' ' ')"
  fi
}

# Unmount everything at or below DIR, deepest first. Where a normal unmount
# fails (a process still has a file open there), unmount lazily.
pkg_unmount_below() {
  local dir=$1 point
  while IFS= read -r point; do
    [[ -n $point ]] || continue
    umount "$point" 2>/dev/null || umount -l "$point" 2>/dev/null \
      || printf 'warning: could not unmount %s\n' "$point" >&2
  done < <(pkg_mounts_below "$dir")
  local left
  left=$(pkg_mounts_below "$dir")
  if [[ -n $left ]]; then
    printf 'warning: still mounted below %s after unmounting: %s\n' "$dir" "$(echo "$left" | tr '\n' ' ')" >&2
    return 1
  fi
}

# Mount the API file systems into ROOT as a booted Debian system has them:
# /proc, /dev (the host's, recursively, as a slave so that nothing mounted
# below it propagates back), /sys and an empty tmpfs on /run.
pkg_root_mount() {
  local root=$1
  pkg_defer pkg_root_unmount "$root"
  PKG_MOUNTED_ROOTS+=("$root")
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mount --make-rslave "$root/dev"
  mount -t sysfs sysfs "$root/sys"
  mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$root/run"
  install -d -m 1777 "$root/run/lock"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
}

pkg_root_unmount() {
  local root=$1
  pkg_unmount_below "$root" || return 1
  local kept=() entry
  for entry in "${PKG_MOUNTED_ROOTS[@]}"; do
    [[ $entry == "$root" ]] || kept+=("$entry")
  done
  PKG_MOUNTED_ROOTS=("${kept[@]}")
}

# Copy an unmounted root. Copying a mounted one would copy the host's /dev.
# Usage: pkg_copy_root SOURCE DEST
pkg_copy_root() {
  local source=$1 dest=$2
  pkg_expect_nothing_mounted_below "$source"
  cp -a --one-file-system "$source" "$dest"
}

# Remove a root, but never one with anything still mounted below it: an rm
# through a /dev bind mount would delete the host's device nodes.
pkg_remove_tree() {
  local dir=$1
  [[ -e $dir ]] || return 0
  if [[ -n $(pkg_mounts_below "$dir") ]]; then
    printf 'warning: not removing %s: still mounted: %s\n' "$dir" "$(pkg_mounts_below "$dir" | tr '\n' ' ')" >&2
    return 1
  fi
  rm -rf --one-file-system "$dir"
}

# --- commands in a root ------------------------------------------------------

# Run a command in ROOT with a clean environment, as root.
# Usage: pkg_chroot ROOT COMMAND...
pkg_chroot() {
  local root=$1
  shift
  env -i PATH="$PKG_CHROOT_PATH" LANG=C.UTF-8 HOME=/root TERM=dumb \
    DEBIAN_FRONTEND=noninteractive chroot "$root" "$@"
}

# Like pkg_chroot, inside the network namespace NS.
# Usage: pkg_chroot_netns NS ROOT COMMAND...
pkg_chroot_netns() {
  local ns=$1 root=$2
  shift 2
  ip netns exec "$ns" env -i PATH="$PKG_CHROOT_PATH" LANG=C.UTF-8 HOME=/root TERM=dumb \
    chroot "$root" "$@"
}

# A policy-rc.d that refuses every start, so that the postinst of Postfix
# and Dovecot never starts a daemon in the host's namespaces. invoke-rc.d
# and deb-systemd-invoke both honour it.
pkg_install_policy_rc_d() {
  local root=$1
  printf '#!/bin/sh\n# Written by the alias-sync package test: no service starts during apt.\nexit 101\n' \
    >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
}

# Give the root the host's apt sources (the suite plus its updates and
# security suites, as an installed Debian 12 system has them) in place of
# the single line debootstrap writes.
pkg_configure_apt_sources() {
  local root=$1
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/debian.sources"
    rm -f "$root/etc/apt/sources.list"
  fi
}

# Run apt-get in ROOT with its output in LOG. Fail when apt exits non-zero,
# and also when the output reports a failed maintainer script (dpkg prints
# "returned error exit status") or an apt or dpkg error.
# Usage: pkg_apt ROOT LOG APT_GET_ARGUMENTS...
pkg_apt() {
  local root=$1 log=$2
  shift 2
  local status=0
  pkg_chroot "$root" apt-get -o Dpkg::Use-Pty=0 -o APT::Color=0 "$@" >"$log" 2>&1 || status=$?
  if ((status != 0)); then
    pkg_fail_with_log "apt-get $* exited with status $status in $root" "$log"
  fi
  if grep -qE 'returned error exit status|^dpkg: error|^E: ' "$log"; then
    grep -nE 'returned error exit status|^dpkg: error|^E: ' "$log" >&2
    pkg_fail_with_log "apt-get $* reported an error in $root although it exited 0" "$log"
  fi
}
