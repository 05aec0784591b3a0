#!/usr/bin/env bash
# Package build test: builds alias-sync's .deb packages from a copy of the
# source tree with dpkg-buildpackage (DEB_BUILD_OPTIONS=nocheck), checks
# them with lintian (no E: tag allowed) and repacks a copy with a lower
# version for the upgrade test. The packages go to OUTDIR, where
# install-configure-upgrade-remove.sh finds them.
#
# Usage: build-package.sh SOURCE_DIR OUTDIR   (as root; KEEP=1 keeps the
#   copy of the source tree and the build tree)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$here/lib/common.sh"
# shellcheck source-path=SCRIPTDIR source=lib/build.sh
source "$here/lib/build.sh"

if (($# != 2)); then
  echo "usage: $(basename "$0") SOURCE_DIR OUTDIR" >&2
  exit 2
fi
pkg_enforce_time_limit "${PKG_BUILD_TIME_LIMIT:-1500}" "$@"
source_dir=$(cd "$1" && pwd)
outdir=$2

pkg_require_root
pkg_require_tools "dpkg-dev debhelper lintian git zstd" dpkg-buildpackage dpkg-checkbuilddeps lintian git
pkg_setup_traps

work=$(mktemp -d /tmp/alias-sync-package-build.XXXXXX)
if [[ ${KEEP:-0} == 1 ]]; then
  pkg_defer echo "KEEP=1: the build tree is in $work"
else
  pkg_defer rm -rf --one-file-system "$work"
fi
rm -rf "$outdir"
install -d -m 0755 "$outdir"

pkg_phase_begin "build (dpkg-buildpackage)"
pkg_build_debs "$source_dir" "$work" "$outdir"
pkg_phase_end

version=$(pkg_source_version "$source_dir")
arch=$(dpkg-architecture -qDEB_HOST_ARCH)

pkg_phase_begin "lintian"
pkg_lintian "$outdir/alias-sync_${version}_${arch}.changes" "$outdir/lintian.log"
pkg_phase_end

pkg_repack_lower_version "$outdir/alias-sync_${version}_${arch}.deb" "$work" "$outdir"
pkg_step "repacked $(basename "$PKG_OLD_DEB") (version ${version}~old1, lower than $version)"
