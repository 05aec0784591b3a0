# shellcheck shell=bash
# Throwaway Postfix instances for the `alias-sync configure-postfix` tests.
#
# Each instance lives in $PS_BASE/NAME and is run with `-c DIR` (the real
# /etc/postfix is never read or written):
#
#   NAME/etc/          config_directory: main.cf, master.cf, aliases, mailname
#                      and copies of the files Postfix reads from /etc/postfix
#   NAME/spool/ data/  queue_directory and data_directory
#   NAME/lib/          the managed alias file and journal_file of alias-sync;
#                      configure-postfix keeps its backups in lib/postfix-backup
#   NAME/mail/         mail_spool_directory: mailbox files that local(8)
#                      writes, for the passwd user nobody and the alias alice
#   NAME/log/maillog   Postfix's log (postlogd)
#   NAME/alias-sync.conf
#   NAME/runs/         standard output and error of every configure-postfix run
#
# A running instance (ps_start) runs in a network namespace of this script
# that has only a loopback interface, so SMTP on port 25 there reaches
# nothing else. Commands for that instance run through `ip netns exec`.
#
# Checks do not stop a script: ps_check and the ps_expect_* functions print
# "FAIL [case] ..." and count, return 0 even then (so set -e goes on), and
# ps_finish exits 1 if any failed. Set-up
# errors stop the script through ps_fatal. An EXIT trap stops every Postfix
# that was started (by the PID in its master.pid), stops what is left in the
# namespace, deletes it, clears the immutable flags a case set and removes
# $PS_BASE (kept with KEEP=1).
#
# Needs root, postfix, swaks, iproute2, util-linux, bsdutils (script) and
# e2fsprogs (chattr); without them a script exits 77, which ctest reports
# as skipped.
# shellcheck source-path=SCRIPTDIR source=../../lib/processes.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/processes.sh"

PS_SKIP_STATUS=77
PS_DOMAIN=example.org
PS_HOSTNAME=mx1.example.org
PS_PIPE_USER=alias-sync-pipe

PS_BASE=
PS_ALIAS_SYNC=
PS_NAMESPACE=
PS_CASE=
PS_CASE_START_US=0
PS_CHECKS=0
PS_FAILURES=0
PS_RUN_COUNT=0
PS_TRANSCRIPT_COUNT=0
PS_FAILED_COMMAND=
# Files a case made immutable; the teardown clears the flag before rm -rf.
PS_IMMUTABLE_FILES=()
# File systems a case mounted; the teardown unmounts them before rm -rf.
PS_MOUNTS=()
# "case name<TAB>seconds" per finished case, printed by ps_finish.
PS_CASE_TIMES=()

# The result of the last ps_configure: exit status and output files.
PS_RC=
PS_STDOUT=
PS_STDERR=

# --- time and output ---------------------------------------------------------

ps_now_us() {
  local now=$EPOCHREALTIME
  echo "${now/[.,]/}"
}

ps_format_us() { printf '%d.%03d' $(($1 / 1000000)) $((($1 % 1000000) / 1000)); }

PS_START_US=$(ps_now_us)

ps_step() {
  printf '[%7s s] %s\n' "$(ps_format_us $(($(ps_now_us) - PS_START_US)))" "$*"
}

ps_skip() {
  printf 'SKIP: %s\n' "$*" >&2
  exit "$PS_SKIP_STATUS"
}

# A set-up step failed: the remaining checks cannot mean anything.
ps_fatal() {
  printf 'FATAL [%s]: %s\n' "${PS_CASE:-set-up}" "$*" >&2
  exit 1
}

# --- checks ------------------------------------------------------------------

ps_record_failure() {
  PS_FAILURES=$((PS_FAILURES + 1))
  printf 'FAIL [%s]: %s\n' "$PS_CASE" "$*" >&2
}

# Usage: ps_check DESCRIPTION COMMAND...
ps_check() {
  local description=$1
  shift
  PS_CHECKS=$((PS_CHECKS + 1))
  if ! "$@"; then
    ps_record_failure "$description"
    return 0
  fi
}

ps_expect_rc() {
  local expected=$1 description=$2
  PS_CHECKS=$((PS_CHECKS + 1))
  if [[ $PS_RC != "$expected" ]]; then
    ps_record_failure "$description: exit status $PS_RC, expected $expected"
    ps_show_last_run
    return 0
  fi
}

# Print the output of the last configure-postfix run, for a failed check.
ps_show_last_run() {
  {
    echo "    --- standard output of: $(<"$PS_STDOUT.command")"
    sed 's/^/    | /' "$PS_STDOUT" | tail -n 60
    echo "    --- standard error"
    sed 's/^/    | /' "$PS_STDERR" | tail -n 20
  } >&2
}

# Usage: ps_expect_stdout_has TEXT   (a fixed string in standard output)
ps_expect_stdout_has() {
  PS_CHECKS=$((PS_CHECKS + 1))
  if ! grep -qF -- "$1" "$PS_STDOUT"; then
    ps_record_failure "the report lacks: $1"
    ps_show_last_run
    return 0
  fi
}

ps_expect_stdout_lacks() {
  PS_CHECKS=$((PS_CHECKS + 1))
  if grep -qF -- "$1" "$PS_STDOUT"; then
    ps_record_failure "the report contains, but should not: $1"
    ps_show_last_run
    return 0
  fi
}

ps_expect_stderr_has() {
  PS_CHECKS=$((PS_CHECKS + 1))
  if ! grep -qF -- "$1" "$PS_STDERR"; then
    ps_record_failure "standard error lacks: $1"
    ps_show_last_run
    return 0
  fi
}

ps_expect_stderr_lacks() {
  PS_CHECKS=$((PS_CHECKS + 1))
  if grep -qF -- "$1" "$PS_STDERR"; then
    ps_record_failure "standard error contains, but should not: $1"
    ps_show_last_run
    return 0
  fi
}

# Fail unless two files have the same bytes; show a diff when they differ.
# Usage: ps_expect_same_bytes EXPECTED ACTUAL DESCRIPTION
ps_expect_same_bytes() {
  local expected=$1 actual=$2 description=$3
  PS_CHECKS=$((PS_CHECKS + 1))
  if ! cmp -s "$expected" "$actual"; then
    ps_record_failure "$description: $actual differs from $expected"
    { diff -u "$expected" "$actual" 2>&1 || true; } | head -n 30 | sed 's/^/    /' >&2
    return 0
  fi
}

ps_expect_absent() {
  local path=$1 description=$2
  PS_CHECKS=$((PS_CHECKS + 1))
  if [[ -e $path ]]; then
    ps_record_failure "$description: $path exists"
    return 0
  fi
}

ps_expect_present() {
  local path=$1 description=$2
  PS_CHECKS=$((PS_CHECKS + 1))
  if [[ ! -e $path ]]; then
    ps_record_failure "$description: $path is missing"
    return 0
  fi
}

# --- cases -------------------------------------------------------------------

ps_end_case() {
  if [[ -n $PS_CASE ]]; then
    local elapsed=$(($(ps_now_us) - PS_CASE_START_US))
    PS_CASE_TIMES+=("$(ps_format_us "$elapsed") s  $PS_CASE")
  fi
}

# Usage: ps_case NAME   (starts a case; the previous one ends)
ps_case() {
  ps_end_case
  PS_CASE=$1
  PS_CASE_START_US=$(ps_now_us)
  ps_step "case: $PS_CASE"
}

# Print the timing of every case and exit 1 if a check failed.
ps_finish() {
  ps_end_case
  echo
  echo "Time per case:"
  printf '  %s\n' "${PS_CASE_TIMES[@]}"
  if ((PS_FAILURES > 0)); then
    printf '%d of %d checks failed\n' "$PS_FAILURES" "$PS_CHECKS"
    exit 1
  fi
  printf 'all %d checks passed\n' "$PS_CHECKS"
  exit 0
}

# --- set-up and teardown -----------------------------------------------------

ps_require_environment() {
  if ((EUID != 0)); then
    ps_skip "these tests need root (Postfix instances, network namespaces, chattr, users)"
  fi
  local tool
  for tool in postfix postconf postmap postalias swaks ip unshare chattr script useradd; do
    if ! command -v "$tool" >/dev/null; then
      ps_skip "$tool not found; install postfix, swaks, iproute2, util-linux, bsdutils, e2fsprogs and passwd"
    fi
  done
  if [[ ! -f /etc/postfix/postfix-script || ! -f /usr/share/postfix/main.cf.debian ]]; then
    ps_skip "Debian's postfix package files (/etc/postfix/postfix-script, /usr/share/postfix/main.cf.debian) not found"
  fi
}

# The pipe user a package install creates; it stays after the test.
ps_ensure_pipe_user() {
  if ! id -u "$PS_PIPE_USER" >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$PS_PIPE_USER"
  fi
}

# Re-run the calling script in a private mount namespace, for cases that
# mount file systems: the mounts vanish with the script, however it ends.
# Usage: ps_private_mount_namespace "$@"   (after ps_enforce_time_limit)
ps_private_mount_namespace() {
  if [[ -z ${PS_MOUNT_NAMESPACE_ACTIVE:-} ]]; then
    export PS_MOUNT_NAMESPACE_ACTIVE=1
    exec unshare --mount --propagation private "$0" "$@"
  fi
}

# Re-run the calling script under timeout(1), which sends SIGTERM after
# PS_TIME_LIMIT seconds (default 240) so that the TERM trap cleans up.
# ctest's own TIMEOUT sends SIGKILL, which would skip the teardown.
ps_enforce_time_limit() {
  if [[ -z ${PS_TIME_LIMIT_ACTIVE:-} ]]; then
    export PS_TIME_LIMIT_ACTIVE=1
    exec timeout --signal=TERM --kill-after=30 "${PS_TIME_LIMIT:-240}" "$0" "$@"
  fi
}

ps_record_failed_command() {
  PS_FAILED_COMMAND="$1 (exit status $2, $3 line $4)"
}

ps_interrupted() {
  printf 'FATAL [%s]: interrupted by SIG%s (the time limit is PS_TIME_LIMIT=%s s)\n' \
    "${PS_CASE:-set-up}" "$1" "${PS_TIME_LIMIT:-240}" >&2
  exit "$2"
}

# Usage: ps_begin "$@"   (the script's arguments: ALIAS_SYNC_BINARY)
ps_begin() {
  if (($# != 1)); then
    printf 'usage: %s ALIAS_SYNC_BINARY\n' "$(basename "$0")" >&2
    exit 2
  fi
  ps_require_environment
  if [[ ! -x $1 ]]; then
    ps_fatal "alias-sync binary not found or not executable: $1"
  fi
  PS_ALIAS_SYNC=$(realpath "$1")

  PS_BASE=$(mktemp -d /tmp/alias-sync-postfix-setup.XXXXXX)
  trap ps_teardown EXIT
  set -o errtrace
  trap 'ps_record_failed_command "$BASH_COMMAND" "$?" "${BASH_SOURCE[0]}" "$LINENO"' ERR
  trap 'ps_interrupted INT 130' INT
  trap 'ps_interrupted TERM 143' TERM
  # A closed terminal or output pipe must not skip the teardown either. The
  # PIPE handler ignores PIPE first: a second SIGPIPE from its own message
  # would kill bash before the EXIT trap runs.
  trap 'ps_interrupted HUP 129' HUP
  trap 'trap "" PIPE; ps_interrupted PIPE 141' PIPE
  # pipe(8) runs the stub as alias-sync-pipe, and local(8) writes mailboxes
  # as nobody: both must traverse the base directory.
  chmod 0755 "$PS_BASE"
  ps_ensure_pipe_user
  ps_write_recording_pipe
  ps_step "files of this run in $PS_BASE"
}

# The Postfix masters of every instance, by the PID in master.pid.
ps_master_pids() {
  local file
  for file in "$PS_BASE"/*/spool/pid/master.pid; do
    [[ -f $file ]] && tr -d ' ' <"$file"
  done
  return 0
}

ps_stop_pids() { stop_pids 10 "$@"; }

ps_namespace_exists() {
  [[ -n $PS_NAMESPACE ]] && ip netns list | awk -v ns="$PS_NAMESPACE" '$1 == ns { found = 1 } END { exit !found }'
}

ps_stop_everything() {
  local pids=()
  mapfile -t pids < <(ps_master_pids)
  # SIGTERM to the master is what `postfix stop` sends.
  local pid alive=()
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null && alive+=("$pid")
  done
  if ((${#alive[@]} > 0)); then
    ps_stop_pids "${alive[@]}"
  fi
  if ps_namespace_exists; then
    # Processes left in this script's namespace were started by this script.
    local leftover=()
    for pid in $(ip netns pids "$PS_NAMESPACE" 2>/dev/null); do
      printf 'warning: stopping leftover process %s in %s: %s\n' "$pid" "$PS_NAMESPACE" \
        "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" >&2
      leftover+=("$pid")
    done
    if ((${#leftover[@]} > 0)); then
      ps_stop_pids "${leftover[@]}"
    fi
    ip netns del "$PS_NAMESPACE"
  fi
}

# EXIT trap: runs after success and after a failure at any step.
ps_teardown() {
  local status=$?
  trap - EXIT ERR
  # With PIPE ignored, a write to a closed output fails instead of killing
  # the teardown.
  trap '' INT TERM HUP PIPE
  set +e
  if ((status != 0 && status != PS_SKIP_STATUS)) && [[ -n $PS_FAILED_COMMAND ]] && ((PS_FAILURES == 0)); then
    printf 'FATAL [%s]: command failed: %s\n' "${PS_CASE:-set-up}" "$PS_FAILED_COMMAND" >&2
  fi
  if ((status != 0)) && [[ -n $PS_BASE ]]; then
    ps_dump_logs
  fi
  ps_stop_everything
  local file
  for file in "${PS_IMMUTABLE_FILES[@]}"; do
    [[ -e $file ]] && chattr -i "$file"
  done
  for file in "${PS_MOUNTS[@]}"; do
    umount "$file"
  done
  if [[ $PS_BASE == /tmp/alias-sync-postfix-setup.* ]]; then
    if [[ ${KEEP:-0} == 1 ]]; then
      printf 'KEEP=1: files of this run are in %s\n' "$PS_BASE"
    else
      rm -rf --one-file-system "$PS_BASE"
    fi
  fi
  ps_step "cleaned up: Postfix stopped, namespace and files removed"
  exit "$status"
}

ps_dump_logs() {
  local log
  for log in "$PS_BASE"/*/log/maillog; do
    [[ -s $log ]] || continue
    printf '===== %s (last 40 lines)\n' "$log"
    tail -n 40 "$log"
  done
}

# --- instances ---------------------------------------------------------------

ps_etc() { printf '%s/%s/etc\n' "$PS_BASE" "$1"; }
ps_conf() { printf '%s/%s/alias-sync.conf\n' "$PS_BASE" "$1"; }
ps_transport_map() { printf '%s/alias-sync-transport\n' "$(ps_etc "$1")"; }
ps_managed_aliases() { printf '%s/%s/lib/aliases\n' "$PS_BASE" "$1"; }
ps_backup_dir() { printf '%s/%s/lib/postfix-backup\n' "$PS_BASE" "$1"; }
ps_mailbox() { printf '%s/%s/mail/%s\n' "$PS_BASE" "$1" "$2"; }
ps_maillog() { printf '%s/%s/log/maillog\n' "$PS_BASE" "$1"; }

# Postfix tools wait while main.cf is less than a second old (one postconf
# took 1.8 s here on a fresh main.cf). Dating a file the test wrote a minute
# back saves that wait; cmp compares bytes, not times.
ps_age() { touch --date='-1 minute' "$@"; }

# Files that Postfix tools read from meta_directory (/etc/postfix on Debian).
PS_POSTFIX_META_FILES=(dynamicmaps.cf postfix-files postfix-script post-install)
PS_POSTFIX_META_DIRS=(dynamicmaps.cf.d postfix-files.d)

# Write main.cf as Debian 12's postfix postinst does for "Internet Site"
# (main.cf.debian, main.cf.tls, then its postconf -e settings), with the
# paths of this instance in place of /etc/aliases and /etc/mailname.
ps_write_debian_main_cf() {
  local name=$1
  local dir=$PS_BASE/$name etc
  etc=$(ps_etc "$name")
  cat /usr/share/postfix/main.cf.debian /usr/share/postfix/main.cf.tls >"$etc/main.cf"
  cat >>"$etc/main.cf" <<EOF
smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated defer_unauth_destination
myhostname = $PS_HOSTNAME
alias_maps = hash:$etc/aliases
alias_database = hash:$etc/aliases
myorigin = $etc/mailname
mydestination = \$myhostname, $PS_DOMAIN, localhost.localdomain, localhost
relayhost =
mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128
mailbox_size_limit = 0
recipient_delimiter = +
inet_interfaces = all
inet_protocols = all

# This test instance (not from Debian's postinst):
queue_directory = $dir/spool
data_directory = $dir/data
maillog_file = $dir/log/maillog
maillog_file_prefixes = $dir/log
mail_spool_directory = $dir/mail
EOF
}

# Debian's master.cf.dist with chroot switched off for every service: a
# chroot would need copies of system files in each queue directory.
ps_write_master_cf() {
  local etc
  etc=$(ps_etc "$1")
  awk '/^[^#[:space:]]/ && NF >= 8 { $5 = "n" } { print }' /usr/share/postfix/master.cf.dist >"$etc/master.cf"
}

# Create instance NAME with the Debian default main.cf and pass
# `postfix check`. Shape the instance afterwards with ps_postconf.
# Usage: ps_new_instance NAME
ps_new_instance() {
  local name=$1
  local dir=$PS_BASE/$name etc
  etc=$(ps_etc "$name")
  [[ ! -e $dir ]] || ps_fatal "instance $name exists already"
  install -d -m 0755 "$dir" "$etc" "$dir/spool" "$dir/log" "$dir/lib" "$dir/runs" "$dir/snapshots"
  # mail_spool_directory, world-writable with the sticky bit like a
  # traditional /var/mail, so local(8) can create mailboxes and lock files.
  install -d -m 1777 "$dir/mail"
  install -d -m 0700 -o postfix -g postfix "$dir/data"
  local item
  for item in "${PS_POSTFIX_META_FILES[@]}"; do
    cp -p "/etc/postfix/$item" "$etc/$item"
  done
  for item in "${PS_POSTFIX_META_DIRS[@]}"; do
    if [[ -d /etc/postfix/$item ]]; then
      cp -a "/etc/postfix/$item" "$etc/$item"
    fi
  done

  ps_write_debian_main_cf "$name"
  ps_write_master_cf "$name"
  echo "$PS_HOSTNAME" >"$etc/mailname"
  cat >"$etc/aliases" <<EOF
# See man 5 aliases for format
postmaster: alice
alice: $dir/mail/alice
EOF
  # local(8) writes to a mailbox file named in an alias as nobody.
  install -m 0600 -o nobody -g nogroup /dev/null "$dir/mail/alice"
  ps_age "$etc/main.cf"

  cat >"$dir/alias-sync.conf" <<EOF
# alias-sync for the configure-postfix test instance $name.
server_name = $PS_HOSTNAME
domains = $PS_DOMAIN
alias_file = $dir/lib/aliases
journal_file = $dir/lib/journal
postfix_config_directory = $etc
EOF

  postalias -c "$etc" "$etc/aliases" || ps_fatal "postalias of $etc/aliases failed"
  # postfix check creates the queue directories with their owners.
  local output
  output=$(postfix -c "$etc" check 2>&1) || ps_fatal "postfix check of the new instance $name failed: $output"
  [[ -z $output ]] || ps_fatal "postfix check of the new instance $name warned: $output"
}

# Usage: ps_postconf NAME POSTCONF_ARGUMENTS...   (e.g. -e 'name = value')
ps_postconf() {
  local name=$1
  shift
  postconf -c "$(ps_etc "$name")" "$@" || ps_fatal "postconf $* failed on instance $name"
  ps_age "$(ps_etc "$name")/main.cf"
}

# Copy main.cf and master.cf to snapshots/LABEL.main.cf and .master.cf.
ps_snapshot() {
  local name=$1 label=$2
  local etc
  etc=$(ps_etc "$name")
  cp -p "$etc/main.cf" "$PS_BASE/$name/snapshots/$label.main.cf"
  cp -p "$etc/master.cf" "$PS_BASE/$name/snapshots/$label.master.cf"
}

ps_snapshot_file() { printf '%s/%s/snapshots/%s.%s\n' "$PS_BASE" "$1" "$2" "$3"; }

# Fail unless main.cf and master.cf have the bytes of snapshot LABEL.
# Usage: ps_expect_config_is NAME LABEL DESCRIPTION
ps_expect_config_is() {
  local name=$1 label=$2 description=$3
  local etc
  etc=$(ps_etc "$name")
  ps_expect_same_bytes "$(ps_snapshot_file "$name" "$label" main.cf)" "$etc/main.cf" "$description (main.cf)"
  ps_expect_same_bytes "$(ps_snapshot_file "$name" "$label" master.cf)" "$etc/master.cf" "$description (master.cf)"
}

# Files that a build or a rollback may leave behind: staging files of
# alias-sync (.NAME.new*), Berkeley DB's temporary files (__db.*) and
# postconf's temporary files (*.tmp).
ps_leftover_files() {
  local name=$1
  find "$(ps_etc "$name")" "$PS_BASE/$name/lib" -maxdepth 1 \
    \( -name '.alias-sync-transport.new*' -o -name '.aliases.new*' -o -name '__db.*' -o -name '*.tmp' \) -print
}

ps_expect_no_leftovers() {
  local name=$1 leftovers
  leftovers=$(ps_leftover_files "$name")
  PS_CHECKS=$((PS_CHECKS + 1))
  if [[ -n $leftovers ]]; then
    ps_record_failure "files left behind: $(echo "$leftovers" | tr '\n' ' ')"
    return 0
  fi
}

# Fail unless neither the transport map nor its database exists.
ps_expect_no_transport_map() {
  local name=$1 description=$2 map
  map=$(ps_transport_map "$name")
  ps_expect_absent "$map" "$description"
  ps_expect_absent "$map.db" "$description"
}

# The value of a parameter as main.cf has it (unexpanded).
ps_parameter() {
  postconf -c "$(ps_etc "$1")" -h "$2"
}

# Usage: ps_expect_parameter NAME PARAMETER EXPECTED_VALUE
ps_expect_parameter() {
  local name=$1 parameter=$2 expected=$3 actual
  actual=$(ps_parameter "$name" "$parameter")
  PS_CHECKS=$((PS_CHECKS + 1))
  if [[ $actual != "$expected" ]]; then
    ps_record_failure "$parameter is '$actual', expected '$expected'"
    return 0
  fi
}

# The set of parameters main.cf sets (postconf -n), one "name = value" a line.
# config_directory is left out: postconf -n lists it whenever -c is given.
ps_explicit_parameters() {
  postconf -c "$1" -n | grep -v '^config_directory = '
}

# --- running configure-postfix ------------------------------------------------

# The stub that the tests name with --pipe-command. pipe(8) runs it as the
# pipe user; it records that user and its arguments in one file per call in
# $PS_BASE/pipe-calls and exits 0.
ps_write_recording_pipe() {
  install -d -m 0755 "$PS_BASE/bin"
  install -d -m 0755 -o "$PS_PIPE_USER" -g "$PS_PIPE_USER" "$PS_BASE/pipe-calls"
  cat >"$PS_BASE/bin/recording-pipe" <<EOF
#!/bin/sh
# Records how pipe(8) ran it and exits 0 (written by tests/postfix-setup).
directory=$PS_BASE/pipe-calls
temporary=\$directory/.call-\$\$
{
  echo "user=\$(id -un)"
  for argument in "\$@"; do
    echo "argument=\$argument"
  done
  echo "--- standard input"
  cat
} >"\$temporary"
# A poller must never see a half-written file.
mv "\$temporary" "\$directory/call-\$\$"
EOF
  chmod 0755 "$PS_BASE/bin/recording-pipe"
  PS_PIPE_COMMAND=$PS_BASE/bin/recording-pipe
}

# Run configure-postfix on instance NAME with --pipe-command set to the stub
# and the given options; standard input is /dev/null. A running instance is
# configured from inside its namespace. The exit status goes to PS_RC and
# the output to the files PS_STDOUT and PS_STDERR.
# Usage: [ENV=...] ps_configure NAME OPTIONS...
ps_configure() {
  local name=$1
  shift
  PS_RUN_COUNT=$((PS_RUN_COUNT + 1))
  local prefix
  prefix=$(printf '%s/%s/runs/%02d' "$PS_BASE" "$name" "$PS_RUN_COUNT")
  PS_STDOUT=$prefix.stdout
  PS_STDERR=$prefix.stderr
  local command=("$PS_ALIAS_SYNC" --config "$(ps_conf "$name")" configure-postfix
    --pipe-command "$PS_PIPE_COMMAND" "$@")
  if ps_is_running "$name"; then
    command=(ip netns exec "$PS_NAMESPACE" "${command[@]}")
  fi
  printf '%s\n' "${ALIAS_SYNC_TEST_FAIL_STEP:+ALIAS_SYNC_TEST_FAIL_STEP=$ALIAS_SYNC_TEST_FAIL_STEP }${command[*]}" >"$PS_STDOUT.command"
  PS_RC=0
  "${command[@]}" </dev/null >"$PS_STDOUT" 2>"$PS_STDERR" || PS_RC=$?
  # configure-postfix wrote main.cf; later postconf calls need not wait.
  ps_age "$(ps_etc "$name")/main.cf"
}

# Configure NAME and stop the script if that fails: for cases that test
# what comes after.
ps_configure_or_fail() {
  local name=$1
  shift
  ps_configure "$name" --yes "$@"
  if [[ $PS_RC != 0 ]]; then
    ps_show_last_run
    ps_fatal "configure-postfix --yes on $name exited with status $PS_RC"
  fi
}

# --- a running instance --------------------------------------------------------

ps_is_running() { [[ -f $PS_BASE/$1/running ]]; }

# Start instance NAME in this script's network namespace (created on first
# use, with only a loopback interface) and wait for SMTP on 127.0.0.1:25.
ps_start() {
  local name=$1
  if [[ -z $PS_NAMESPACE ]]; then
    PS_NAMESPACE=aspfx-$$
    ip netns add "$PS_NAMESPACE"
    ip -n "$PS_NAMESPACE" link set lo up
  fi
  ps_running_instance_exists && ps_fatal "only one instance may run at a time (port 25 of $PS_NAMESPACE)"
  ip netns exec "$PS_NAMESPACE" postfix -c "$(ps_etc "$name")" start 2>>"$PS_BASE/$name/log/postfix-start.log" \
    || ps_fatal "postfix start of $name failed: $(cat "$PS_BASE/$name/log/postfix-start.log")"
  touch "$PS_BASE/$name/running"
  ps_poll 15 ps_smtp_ready || ps_fatal "no SMTP greeting on 127.0.0.1:25 in $PS_NAMESPACE within 15 s"
}

ps_running_instance_exists() {
  local file
  for file in "$PS_BASE"/*/running; do
    [[ -e $file ]] && return 0
  done
  return 1
}

ps_smtp_ready() {
  # shellcheck disable=SC2016 # the inner bash expands $greeting
  ip netns exec "$PS_NAMESPACE" timeout 5 bash -c '
    exec 3<>/dev/tcp/127.0.0.1/25 || exit 1
    IFS= read -r greeting <&3 || exit 1
    printf "QUIT\r\n" >&3
    [[ $greeting == 220* ]]' 2>/dev/null
}

# Run a command every 20 ms until it succeeds; return 1 after TIMEOUT seconds.
# Usage: ps_poll TIMEOUT COMMAND...
ps_poll() {
  local timeout=$1
  shift
  local deadline=$(($(ps_now_us) + timeout * 1000000))
  until "$@"; do
    if (($(ps_now_us) >= deadline)); then
      return 1
    fi
    sleep 0.02
  done
}

# A check that waits: a timeout is a failed check.
# Usage: ps_wait_until TIMEOUT DESCRIPTION COMMAND...
ps_wait_until() {
  local timeout=$1 description=$2
  shift 2
  PS_CHECKS=$((PS_CHECKS + 1))
  if ! ps_poll "$timeout" "$@"; then
    ps_record_failure "timed out after ${timeout} s waiting for: $description"
  fi
  return 0
}

# Send a message on port 25 of the running instance (inside the namespace).
# The transcript goes to PS_TRANSCRIPT; the exit status is swaks's.
# Usage: ps_send RECIPIENT SUBJECT
ps_send() {
  local recipient=$1 subject=$2
  PS_TRANSCRIPT_COUNT=$((PS_TRANSCRIPT_COUNT + 1))
  PS_TRANSCRIPT=$(printf '%s/transcript-%02d.txt' "$PS_BASE" "$PS_TRANSCRIPT_COUNT")
  ip netns exec "$PS_NAMESPACE" swaks --timeout 30 --server 127.0.0.1:25 --helo client.example.net \
    --from "tester@$PS_DOMAIN" --to "$recipient" --header "Subject: $subject" \
    --body "Sent by the configure-postfix test ($PS_CASE)." >"$PS_TRANSCRIPT" 2>&1
}

ps_mailbox_has_subject() {
  grep -qxF "Subject: $3" "$(ps_mailbox "$1" "$2")"
}

# The SMTP replies with a 4xx or 5xx code in the last transcript.
ps_transcript_errors() {
  grep -E '^<~?\*{0,2}-? +[45][0-9][0-9][ -]' "$PS_TRANSCRIPT" || true
}

# Send SUBJECT to USER@example.org and fail unless local(8) writes it to the
# user's mailbox file. USER is nobody (a user from /etc/passwd, delivered to
# mail_spool_directory) or alice (an entry in the instance's aliases file
# that names a file).
# Usage: ps_expect_delivered NAME USER SUBJECT
ps_expect_delivered() {
  local name=$1 user=$2 subject=$3
  if ! ps_send "$user@$PS_DOMAIN" "$subject"; then
    PS_CHECKS=$((PS_CHECKS + 1))
    ps_record_failure "SMTP rejected a message to $user@$PS_DOMAIN ($PS_TRANSCRIPT)"
    ps_transcript_errors | sed 's/^/    /' >&2
    return 0
  fi
  ps_wait_until 20 "'$subject' in the mailbox of $user" ps_mailbox_has_subject "$name" "$user" "$subject"
}

# Mail to both local recipients reaches their mailboxes.
# Usage: ps_expect_local_delivery NAME LABEL
ps_expect_local_delivery() {
  local name=$1 label=$2
  ps_expect_delivered "$name" nobody "$label for nobody"
  ps_expect_delivered "$name" alice "$label for alice"
}

# Log lines that mean mail is not routed: a transport map Postfix cannot
# open, a failed table lookup, a deferral of the whole address resolver, or
# a Postfix program that stopped with a fatal error.
PS_BAD_LOG_PATTERN='transport table|lookup error|address resolver failure|fatal:|panic:'

ps_maillog_is_clean() {
  ! grep -qE "$PS_BAD_LOG_PATTERN" "$(ps_maillog "$1")"
}

ps_expect_clean_maillog() {
  local name=$1
  PS_CHECKS=$((PS_CHECKS + 1))
  if ! ps_maillog_is_clean "$name"; then
    ps_record_failure "the maillog of $name has lines matching '$PS_BAD_LOG_PATTERN'"
    grep -E "$PS_BAD_LOG_PATTERN" "$(ps_maillog "$name")" | tail -n 10 | sed 's/^/    /' >&2
    return 0
  fi
}

ps_pipe_call_count() {
  local files=("$PS_BASE"/pipe-calls/call-*)
  if [[ -e ${files[0]} ]]; then echo "${#files[@]}"; else echo 0; fi
}

ps_pipe_call_count_is() { [[ $(ps_pipe_call_count) == "$1" ]]; }

# --- the report ----------------------------------------------------------------

# Print the block of the last report that starts with the line TITLE and
# ends before the next empty line.
ps_report_block() {
  awk -v title="$1" '
    $0 == title { inside = 1 }
    inside && $0 == "" { exit }
    inside { print }' "$PS_STDOUT"
}

# Fail unless the report has a block TITLE that contains every TEXT.
# Usage: ps_expect_report_block TITLE TEXT...
ps_expect_report_block() {
  local title=$1 block text
  shift
  block=$(ps_report_block "$title")
  PS_CHECKS=$((PS_CHECKS + 1))
  if [[ -z $block ]]; then
    ps_record_failure "the report has no block '$title'"
    ps_show_last_run
    return 0
  fi
  for text in "$@"; do
    if ! grep -qF -- "$text" <<<"$block"; then
      ps_record_failure "the report block '$title' lacks: $text"
      printf '%s\n' "$block" | sed 's/^/    | /' >&2
      return 0
    fi
  done
}

# Fail unless one line of the report contains every TEXT.
# Usage: ps_expect_report_line TEXT...
ps_expect_report_line() {
  PS_CHECKS=$((PS_CHECKS + 1))
  local lines
  lines=$(cat "$PS_STDOUT")
  local text
  for text in "$@"; do
    lines=$(grep -F -- "$text" <<<"$lines" || true)
  done
  if [[ -z $lines ]]; then
    ps_record_failure "no line of the report contains all of: $*"
    ps_show_last_run
    return 0
  fi
}
