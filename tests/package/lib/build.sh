# shellcheck shell=bash
# Building alias-sync's .deb packages with Debian's own tools, checking
# them with lintian, and repacking a copy with a lower version for the
# upgrade test.

# Print the package version from debian/changelog of SOURCE.
pkg_source_version() {
  dpkg-parsechangelog -l "$1/debian/changelog" -S Version
}

# Copy the files git lists in SOURCE (tracked and untracked, not ignored) to
# DEST. Tracked files deleted in the work tree are left out.
# Usage: pkg_copy_source SOURCE DEST
pkg_copy_source() {
  local source=$1 dest=$2 list=$2.files
  local file
  install -d -m 0755 "$dest"
  : >"$list"
  while IFS= read -r -d '' file; do
    if [[ -e $source/$file || -L $source/$file ]]; then
      printf '%s\0' "$file" >>"$list"
    fi
  done < <(git -C "$source" ls-files -co --exclude-standard -z)
  tar -C "$source" --null -T "$list" -cf - | tar -C "$dest" -xf -
  rm -f "$list"
}

# Build the binary packages from a copy of SOURCE below WORK and copy the
# .deb, .changes and .buildinfo files to OUTDIR. The package's own test
# run (dh_auto_test) is skipped with nocheck: this test suite runs it.
# Usage: pkg_build_debs SOURCE WORK OUTDIR
pkg_build_debs() {
  local source=$1 work=$2 outdir=$3
  local version upstream tree log
  version=$(pkg_source_version "$source")
  upstream=${version%-*}
  tree=$work/src/alias-sync-$upstream
  log=$outdir/dpkg-buildpackage.log
  install -d -m 0755 "$outdir"
  pkg_copy_source "$source" "$tree"
  pkg_step "copied $(git -C "$source" ls-files -co --exclude-standard | wc -l) files of $source to $tree"

  local missing
  if ! missing=$(cd "$tree" && dpkg-checkbuilddeps 2>&1); then
    pkg_fail "build dependencies missing: $missing; install them with apt-get install (see debian/control)"
  fi

  pkg_step "DEB_BUILD_OPTIONS='nocheck parallel=$(nproc)' DEB_BUILD_PROFILES=nocheck dpkg-buildpackage -us -uc -b (log: $log)"
  local status=0
  # The nocheck profile drops the <!nocheck> Build-Depends (postfix,
  # openssl), which DEB_BUILD_OPTIONS=nocheck alone does not.
  (cd "$tree" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" DEB_BUILD_PROFILES=nocheck dpkg-buildpackage -us -uc -b) \
    >"$log" 2>&1 || status=$?
  if ((status != 0)); then
    pkg_fail_with_log "dpkg-buildpackage -us -uc -b exited with status $status" "$log" 80
  fi

  local arch file
  arch=$(dpkg-architecture -qDEB_HOST_ARCH)
  for file in "alias-sync_${version}_${arch}.deb" "alias-sync_${version}_${arch}.changes" \
    "alias-sync_${version}_${arch}.buildinfo"; do
    if [[ ! -f $work/src/$file ]]; then
      ls -l "$work/src" >&2
      pkg_fail "dpkg-buildpackage did not produce $file"
    fi
  done
  cp "$work/src"/alias-sync*_"${version}"_* "$outdir/"
  pkg_step "built: $(cd "$outdir" && printf '%s ' ./*.deb)"
}

# Run lintian on the .changes file (every package of the build). Fail on
# any error (E:), print the warnings (W:) and informational tags (I:).
# Usage: pkg_lintian CHANGES LOG
pkg_lintian() {
  local changes=$1 log=$2
  local status=0
  # lintian leaves its mldbm-elf-* caches in TMPDIR; keep them in the
  # work directory, which the teardown removes.
  TMPDIR=$(dirname "$log") lintian --display-info --tag-display-limit 0 "$changes" >"$log" 2>&1 || status=$?
  local errors warnings
  errors=$(grep -c '^E: ' "$log" || true)
  warnings=$(grep -cE '^[WI]: ' "$log" || true)
  if ((warnings > 0)); then
    pkg_step "lintian: $warnings warning and info tags:"
    grep -E '^[WI]: ' "$log" | sed 's/^/    /'
  fi
  if ((errors > 0)); then
    grep '^E: ' "$log" | sed 's/^/    /' >&2
    pkg_fail "lintian reported $errors errors on $changes (log: $log)"
  fi
  # lintian exits non-zero for errors only (fail-on=error), so any other
  # non-zero status means lintian itself failed.
  if ((status != 0)); then
    pkg_fail_with_log "lintian exited with status $status but reported no E: line" "$log"
  fi
  pkg_step "lintian: no errors"
}

# Repack DEB with the version VERSION~old1, which dpkg orders before
# VERSION, so that installing DEB over it is an upgrade of the same files.
# Sets PKG_OLD_DEB to the path of the new package.
# Usage: pkg_repack_lower_version DEB WORK OUTDIR
pkg_repack_lower_version() {
  local deb=$1 work=$2 outdir=$3
  local version lower arch tree out
  version=$(dpkg-deb -f "$deb" Version)
  arch=$(dpkg-deb -f "$deb" Architecture)
  lower="${version}~old1"
  tree=$work/repack
  rm -rf "$tree"
  dpkg-deb -R "$deb" "$tree"
  sed -i "s/^Version: .*/Version: $lower/" "$tree/DEBIAN/control"
  out=$outdir/alias-sync_${lower}_${arch}.deb
  dpkg-deb --build "$tree" "$out" >/dev/null
  rm -rf "$tree"
  if [[ $(dpkg-deb -f "$out" Version) != "$lower" ]]; then
    pkg_fail "repacked package $out has version $(dpkg-deb -f "$out" Version), expected $lower"
  fi
  if ! dpkg --compare-versions "$lower" lt "$version"; then
    pkg_fail "dpkg --compare-versions does not order $lower before $version"
  fi
  # shellcheck disable=SC2034 # read by the calling script
  PKG_OLD_DEB=$out
}
