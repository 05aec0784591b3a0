# shellcheck shell=bash
# The system users the Debian package creates (specs/packaging.md). Tests
# that run alias-sync as those users, or name them to Postfix, create them
# when missing; like the package's, they stay afterwards.
ensure_alias_sync_users() {
  local user
  for user in alias-sync alias-sync-pipe; do
    if ! id -u "$user" >/dev/null 2>&1; then
      useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin "$user"
    fi
  done
}
