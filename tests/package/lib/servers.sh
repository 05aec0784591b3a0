# shellcheck shell=bash
# The two servers of the package test, each a Debian 12 root with the
# package installed, in its own network namespace:
#
#   server a: mx1.example.org, 10.201.0.1, root $PKG_WORK/a, namespace aspkg-a-PID
#   server b: mx2.example.org, 10.201.0.2, root $PKG_WORK/b, namespace aspkg-b-PID
#
# Every command of a server runs through pkg_server_run: inside its network
# namespace, in a UTS namespace with its host name, chrooted into its root,
# with a clean environment. Postfix, Dovecot and the alias-sync daemon are
# started by hand there, since no systemd runs as PID 1.
#
# Needs PKG_WORK and PKG_LIB_DIR. Sourced after common.sh and rootfs.sh.
# shellcheck source-path=SCRIPTDIR source=../../lib/processes.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/processes.sh"

PKG_DOMAIN=example.org
PKG_SUBNET_PREFIX=10.201.0
PKG_SERVERS=(a b)
PKG_USERS=(alice bob)
PKG_RUN_ID=$$
PKG_GUARD_ROUTE=$PKG_SUBNET_PREFIX.0/24
PKG_GUARD_ROUTE_ADDED=0
PKG_TRANSCRIPT_COUNT=0

pkg_ns() { printf 'aspkg-%s-%s\n' "$1" "$PKG_RUN_ID"; }

pkg_other() {
  case $1 in
    a) echo b ;;
    b) echo a ;;
  esac
}

pkg_address() {
  case $1 in
    a) echo "$PKG_SUBNET_PREFIX.1" ;;
    b) echo "$PKG_SUBNET_PREFIX.2" ;;
  esac
}

pkg_hostname() {
  case $1 in
    a) echo "mx1.$PKG_DOMAIN" ;;
    b) echo "mx2.$PKG_DOMAIN" ;;
  esac
}

pkg_root() { printf '%s/%s\n' "$PKG_WORK" "$1"; }

# Fixed test passwords. They exist only in the roots of one run.
pkg_password() { printf '%s-package-test-password\n' "$1"; }

# Run a command in ROOT as root, in a UTS namespace whose host name is HOST,
# so that maintainer scripts read HOST as the machine's name. The network
# namespace stays the host's, from which apt reaches the Debian mirror.
# Usage: pkg_chroot_as_host HOST ROOT COMMAND...
pkg_chroot_as_host() {
  local host=$1 root=$2
  shift 2
  # shellcheck disable=SC2016 # expanded by the inner sh
  unshare --uts -- sh -c 'hostname "$0" && exec "$@"' "$host" \
    env -i PATH="$PKG_CHROOT_PATH" LANG=C.UTF-8 HOME=/root TERM=dumb \
    DEBIAN_FRONTEND=noninteractive chroot "$root" "$@"
}

# apt-get in ROOT with host name HOST, in the host's network namespace
# (to reach the Debian mirror). Same checks as pkg_apt.
# Usage: pkg_apt_as_host HOST ROOT LOG APT_GET_ARGUMENTS...
pkg_apt_as_host() {
  local host=$1 root=$2 log=$3
  shift 3
  local status=0
  pkg_chroot_as_host "$host" "$root" apt-get -o Dpkg::Use-Pty=0 -o APT::Color=0 "$@" >"$log" 2>&1 || status=$?
  if ((status != 0)); then
    pkg_fail_with_log "apt-get $* exited with status $status in $root" "$log"
  fi
  if grep -qE 'returned error exit status|^dpkg: error|^E: ' "$log"; then
    grep -nE 'returned error exit status|^dpkg: error|^E: ' "$log" >&2
    pkg_fail_with_log "apt-get $* reported an error in $root although it exited 0" "$log"
  fi
}

# Run a command as server X: its network namespace, its host name, its root.
# Usage: pkg_server_run X COMMAND...
pkg_server_run() {
  local server=$1
  shift
  # shellcheck disable=SC2016 # expanded by the inner sh
  ip netns exec "$(pkg_ns "$server")" unshare --uts -- sh -c 'hostname "$0" && exec "$@"' \
    "$(pkg_hostname "$server")" \
    env -i PATH="$PKG_CHROOT_PATH" LANG=C.UTF-8 HOME=/root TERM=dumb \
    DEBIAN_FRONTEND=noninteractive chroot "$(pkg_root "$server")" "$@"
}

# apt-get as server X, inside its network namespace: for removals and
# local packages whose dependencies are installed, so that the maintainer
# scripts reach the Postfix running there. Same checks as pkg_apt.
# Usage: pkg_server_apt X LOG APT_GET_ARGUMENTS...
pkg_server_apt() {
  local server=$1 log=$2
  shift 2
  local status=0
  pkg_server_run "$server" apt-get -o Dpkg::Use-Pty=0 -o APT::Color=0 "$@" >"$log" 2>&1 || status=$?
  if ((status != 0)); then
    pkg_fail_with_log "apt-get $* exited with status $status on $(pkg_hostname "$server")" "$log"
  fi
  if grep -qE 'returned error exit status|^dpkg: error|^E: ' "$log"; then
    grep -nE 'returned error exit status|^dpkg: error|^E: ' "$log" >&2
    pkg_fail_with_log "apt-get $* reported an error on $(pkg_hostname "$server") although it exited 0" "$log"
  fi
}

# Give ROOT the host name of server X in /etc/hostname and /etc/hosts, as
# the installer of that server would have written them.
pkg_write_host_files() {
  local server=$1 root=$2 host
  host=$(pkg_hostname "$server")
  echo "${host%%.*}" >"$root/etc/hostname"
  cat >"$root/etc/hosts" <<EOF
127.0.0.1	localhost
127.0.1.1	$host ${host%%.*}
EOF
}

# --- network -------------------------------------------------------------------

# Two namespaces joined by a veth pair. The blackhole route in the host's
# namespace (metric = this script's PID, so it is this run's alone) keeps a
# mistaken connection to the test addresses from leaving the machine:
# the host's default route leads off it.
pkg_create_network() {
  local ns_a ns_b
  ns_a=$(pkg_ns a)
  ns_b=$(pkg_ns b)
  ip route add blackhole "$PKG_GUARD_ROUTE" metric "$PKG_RUN_ID"
  PKG_GUARD_ROUTE_ADDED=1
  pkg_defer pkg_remove_network

  ip netns add "$ns_a"
  ip netns add "$ns_b"
  ip link add veth-a netns "$ns_a" type veth peer name veth-b netns "$ns_b"
  ip -n "$ns_a" addr add "$(pkg_address a)/24" dev veth-a
  ip -n "$ns_b" addr add "$(pkg_address b)/24" dev veth-b
  ip -n "$ns_a" link set lo up
  ip -n "$ns_b" link set lo up
  ip -n "$ns_a" link set veth-a up
  ip -n "$ns_b" link set veth-b up
}

pkg_namespace_exists() { ip netns list | awk -v ns="$1" '$1 == ns { found = 1 } END { exit !found }'; }

pkg_remove_network() {
  local server ns
  for server in "${PKG_SERVERS[@]}"; do
    ns=$(pkg_ns "$server")
    if pkg_namespace_exists "$ns"; then
      pkg_stop_namespace_processes "$ns"
      ip netns del "$ns"
    fi
  done
  if ((PKG_GUARD_ROUTE_ADDED)); then
    ip route del blackhole "$PKG_GUARD_ROUTE" metric "$PKG_RUN_ID"
    PKG_GUARD_ROUTE_ADDED=0
  fi
}

# --- processes -------------------------------------------------------------------

pkg_process_alive() { kill -0 "$1" 2>/dev/null; }

# SIGTERM to every PID, up to 15 s for all to exit, then SIGKILL.
pkg_stop_pids() { stop_pids 15 "$@"; }

# Every process left in a namespace of this run was started by this run.
pkg_stop_namespace_processes() {
  local ns=$1 pid pids=()
  for pid in $(ip netns pids "$ns" 2>/dev/null); do
    printf 'warning: stopping leftover process %s in %s: %s\n' "$pid" "$ns" \
      "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" >&2
    pids+=("$pid")
  done
  if ((${#pids[@]} > 0)); then
    pkg_stop_pids "${pids[@]}"
  fi
}

# --- configuration ---------------------------------------------------------------

# Set KEY = VALUE in /etc/alias-sync/alias-sync.conf of a root with sed, as
# an admin edits the conffile: the first line that sets or shows KEY
# (commented out, as shipped) becomes the setting; without one, the line is
# appended.
# Usage: pkg_set_alias_sync_option ROOT KEY VALUE
pkg_set_alias_sync_option() {
  local root=$1 key=$2 value=$3
  local conf=$root/etc/alias-sync/alias-sync.conf
  if grep -qE "^#?[[:space:]]*${key}[[:space:]]*=" "$conf"; then
    sed -i -E "0,/^#?[[:space:]]*${key}[[:space:]]*=.*/s//${key} = ${value//\//\\/}/" "$conf"
  else
    printf '%s = %s\n' "$key" "$value" >>"$conf"
  fi
}

pkg_write_alias_sync_config() {
  local server=$1 root
  root=$(pkg_root "$server")
  pkg_set_alias_sync_option "$root" server_name "$(pkg_hostname "$server")"
  pkg_set_alias_sync_option "$root" domains "$PKG_DOMAIN"
  pkg_set_alias_sync_option "$root" listen_address "$(pkg_address "$server")"
  pkg_set_alias_sync_option "$root" peer_address "$(pkg_address "$(pkg_other "$server")")"
  # A shorter vote timeout than the default 30 s keeps a failing run short;
  # request_timeout must stay above twice this value.
  pkg_set_alias_sync_option "$root" transaction_timeout 15
  # The peer reconnects within 5 s after the other daemon restarted.
  pkg_set_alias_sync_option "$root" reconnect_max 5

  local key expected actual
  for key in server_name domains listen_address peer_address transaction_timeout reconnect_max; do
    case $key in
      server_name) expected=$(pkg_hostname "$server") ;;
      domains) expected=$PKG_DOMAIN ;;
      listen_address) expected=$(pkg_address "$server") ;;
      peer_address) expected=$(pkg_address "$(pkg_other "$server")") ;;
      # A bare number is seconds, as before durations took units; the
      # command prints the value with its unit.
      transaction_timeout) expected=15s ;;
      reconnect_max) expected=5s ;;
    esac
    actual=$(pkg_server_run "$server" alias-sync config "$key") \
      || pkg_fail "alias-sync config $key failed on $(pkg_hostname "$server")"
    [[ $actual == "$expected" ]] \
      || pkg_fail "alias-sync config $key prints '$actual' on $(pkg_hostname "$server"), expected '$expected' after editing the conffile"
  done
}

# Postfix as an admin sets up a server for example.org: host name, local
# domains, listening addresses, a submission service with Dovecot SASL,
# and a log file (the root has no syslog daemon). The alias-sync parts come
# later from `alias-sync configure-postfix`.
pkg_write_postfix_config() {
  local server=$1
  pkg_server_run "$server" postconf -e \
    "myhostname = $(pkg_hostname "$server")" \
    "mydestination = \$myhostname, $PKG_DOMAIN, localhost.localdomain, localhost" \
    "inet_interfaces = 127.0.0.1, $(pkg_address "$server")" \
    "inet_protocols = ipv4" \
    "mynetworks = 127.0.0.0/8, $PKG_SUBNET_PREFIX.0/24" \
    "maillog_file = /var/log/mail.log"
  pkg_server_run "$server" postconf -M "submission/inet=submission inet n - y - - smtpd"
  pkg_server_run "$server" postconf -P \
    "submission/inet/syslog_name=postfix/submission" \
    "submission/inet/smtpd_sasl_auth_enable=yes" \
    "submission/inet/smtpd_sasl_type=dovecot" \
    "submission/inet/smtpd_sasl_path=private/auth" \
    "submission/inet/smtpd_client_restrictions=permit_sasl_authenticated,reject" \
    "submission/inet/smtpd_relay_restrictions=permit_sasl_authenticated,reject"
}

# Dovecot with Debian's own configuration (PAM and the system users), plus
# the SASL socket for Postfix and plain-text logins: the test's SMTP client
# does not use TLS. /etc/dovecot/local.conf is read last by Debian's
# dovecot.conf.
pkg_write_dovecot_config() {
  local server=$1 root
  root=$(pkg_root "$server")
  cat >"$root/etc/dovecot/local.conf" <<'EOF'
# Written by the alias-sync package test: SASL for Postfix over plain SMTP.
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
log_path = /var/log/dovecot.log
service auth {
  unix_listener /var/spool/postfix/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
EOF
}

# alice and bob are local system users with passwords (PAM) and mailboxes
# in /var/mail, written by local(8).
pkg_create_mail_users() {
  local server=$1 user
  for user in "${PKG_USERS[@]}"; do
    pkg_server_run "$server" useradd --create-home --shell /bin/bash "$user"
    printf '%s:%s\n' "$user" "$(pkg_password "$user")" | pkg_server_run "$server" chpasswd
  done
}

# --- Postfix, Dovecot and the daemon --------------------------------------------

# True when server X's SMTP listener on PORT sends a 220 greeting.
pkg_smtp_ready() {
  local server=$1 port=$2
  # shellcheck disable=SC2016 # expanded by the inner bash
  ip netns exec "$(pkg_ns "$server")" timeout 5 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    IFS= read -r greeting <&3 || exit 1
    printf "QUIT\r\n" >&3
    [[ $greeting == 220* ]]' "$(pkg_address "$server")" "$port" 2>/dev/null
}

pkg_start_dovecot() {
  local server=$1 root
  root=$(pkg_root "$server")
  pkg_server_run "$server" dovecot
  pkg_defer pkg_stop_dovecot "$server"
  pkg_wait_until 15 "Dovecot's auth socket /var/spool/postfix/private/auth on $(pkg_hostname "$server")" \
    test -S "$root/var/spool/postfix/private/auth"
}

pkg_stop_dovecot() {
  local server=$1 file
  file=$(pkg_root "$server")/run/dovecot/master.pid
  if [[ -f $file ]]; then
    pkg_stop_pids "$(tr -d ' ' <"$file")"
    rm -f "$file"
  fi
}

# What Debian's postfix@.service does: configure-instance.sh copies the
# files the chrooted services need into the queue directory, then postfix
# start (postmulti -i - -p start is the same for the default instance).
pkg_start_postfix() {
  local server=$1 log
  log=$PKG_WORK/$server-postfix-start.log
  pkg_server_run "$server" /usr/lib/postfix/configure-instance.sh - >"$log" 2>&1 \
    || pkg_fail_with_log "configure-instance.sh failed on $(pkg_hostname "$server")" "$log"
  pkg_server_run "$server" postfix start >>"$log" 2>&1 \
    || pkg_fail_with_log "postfix start failed on $(pkg_hostname "$server")" "$log"
  pkg_defer pkg_stop_postfix "$server"
  pkg_wait_until 20 "SMTP greeting on $(pkg_hostname "$server") port 25" pkg_smtp_ready "$server" 25
  pkg_wait_until 20 "SMTP greeting on $(pkg_hostname "$server") port 587" pkg_smtp_ready "$server" 587
}

# postfix stop inside the server, then SIGTERM to the master if it is
# still there (postfix stop needs a working configuration).
pkg_stop_postfix() {
  local server=$1 file
  file=$(pkg_root "$server")/var/spool/postfix/pid/master.pid
  [[ -f $file ]] || return 0
  if pkg_namespace_exists "$(pkg_ns "$server")"; then
    pkg_server_run "$server" postfix stop >/dev/null 2>&1 || true
  fi
  local pid
  pid=$(tr -d ' ' <"$file" 2>/dev/null) || return 0
  if [[ -n $pid ]] && pkg_process_alive "$pid"; then
    pkg_stop_pids "$pid"
  fi
}

# Start the daemon of server X from the installed unit file through
# run-unit.sh, as systemd would start it (see there for what is emulated).
pkg_start_daemon() {
  local server=$1 root log
  root=$(pkg_root "$server")
  log=$PKG_WORK/$server-daemon.log
  local unit=$root/lib/systemd/system/alias-sync.service
  "$PKG_LIB_DIR/run-unit.sh" plan "$root" "$unit" >"$PKG_WORK/$server-unit-plan.txt" 2>&1 \
    || pkg_fail_with_log "the unit runner cannot start $unit" "$PKG_WORK/$server-unit-plan.txt"
  printf -- '----- daemon started by run-unit.sh at %s\n' "$(date -u +%FT%TZ)" >>"$log"
  # Expanded in place (no function, no subshell), so that $! is the
  # process that execs down to the daemon.
  # shellcheck disable=SC2016 # expanded by the inner sh
  ip netns exec "$(pkg_ns "$server")" unshare --mount --propagation private --uts -- \
    sh -c 'hostname "$0" && exec "$@"' "$(pkg_hostname "$server")" \
    "$PKG_LIB_DIR/run-unit.sh" exec "$root" "$unit" >>"$log" 2>&1 &
  echo "$!" >"$PKG_WORK/$server-daemon.pid"
  pkg_defer pkg_stop_daemon "$server"
  pkg_wait_until 20 "'started:' in the daemon log of $(pkg_hostname "$server") ($log)" \
    pkg_daemon_started "$server"
  pkg_step "$(pkg_hostname "$server"): alias-sync daemon started from the unit file (pid $(<"$PKG_WORK/$server-daemon.pid"))"
}

pkg_daemon_pid() { cat "$PKG_WORK/$1-daemon.pid" 2>/dev/null; }

pkg_daemon_started() {
  local server=$1 pid
  pid=$(pkg_daemon_pid "$server")
  pkg_process_alive "$pid" || pkg_fail_with_log "the alias-sync daemon of $(pkg_hostname "$server") exited during start" \
    "$PKG_WORK/$server-daemon.log"
  # Only the lines since the last start count.
  awk '/^----- daemon started by run-unit.sh/ { started = 0 } /alias-sync.daemon: started:/ { started = 1 } END { exit !started }' \
    "$PKG_WORK/$server-daemon.log"
}

pkg_stop_daemon() {
  local server=$1 pid
  pid=$(pkg_daemon_pid "$server") || return 0
  [[ -n $pid ]] || return 0
  pkg_stop_pids "$pid"
  wait "$pid" 2>/dev/null || true
  rm -f "$PKG_WORK/$server-daemon.pid"
}

# alias-sync status exits 0 when the peer link is up and nothing is
# pending (monitoring-plugins convention).
pkg_link_up() {
  local server=$1
  pkg_server_run "$server" alias-sync status >"$PKG_WORK/$server-status.txt" 2>&1
}

pkg_wait_link_up() {
  local server
  for server in "${PKG_SERVERS[@]}"; do
    pkg_wait_until 30 "alias-sync status exit 0 (peer link up) on $(pkg_hostname "$server"); last output in $PKG_WORK/$server-status.txt" \
      pkg_link_up "$server"
  done
}

# --- mail ----------------------------------------------------------------------------

# Run swaks in server X's namespace against X's address. The transcript
# goes to $PKG_WORK/transcripts/NN-LABEL.txt (PKG_LAST_TRANSCRIPT).
# Usage: pkg_swaks X LABEL SWAKS_ARGUMENTS...
pkg_swaks() {
  local server=$1 label=$2
  shift 2
  PKG_TRANSCRIPT_COUNT=$((PKG_TRANSCRIPT_COUNT + 1))
  install -d "$PKG_WORK/transcripts"
  PKG_LAST_TRANSCRIPT=$(printf '%s/transcripts/%02d-%s.txt' "$PKG_WORK" "$PKG_TRANSCRIPT_COUNT" "$label")
  ip netns exec "$(pkg_ns "$server")" swaks --timeout 30 --helo "client.$PKG_DOMAIN" "$@" \
    >"$PKG_LAST_TRANSCRIPT" 2>&1
}

# Submit on port 587 with SMTP AUTH PLAIN as the system user USER. Dovecot
# with PAM reports the login as the bare user name.
# Usage: pkg_send_authenticated X USER RECIPIENT SUBJECT LABEL
pkg_send_authenticated() {
  local server=$1 user=$2 recipient=$3 subject=$4 label=$5
  pkg_swaks "$server" "$label" --server "$(pkg_address "$server"):587" \
    --auth PLAIN --auth-user "$user" --auth-password "$(pkg_password "$user")" \
    --from "$user@$PKG_DOMAIN" --to "$recipient" \
    --header "Subject: $subject" --body "Sent by the alias-sync package test ($label)."
}

# Send on port 25 without authentication.
# Usage: pkg_send_plain X SENDER RECIPIENT SUBJECT LABEL
pkg_send_plain() {
  local server=$1 sender=$2 recipient=$3 subject=$4 label=$5
  pkg_swaks "$server" "$label" --server "$(pkg_address "$server"):25" \
    --from "$sender" --to "$recipient" \
    --header "Subject: $subject" --body "Sent by the alias-sync package test ($label)."
}

pkg_mailbox() { printf '%s/var/mail/%s\n' "$(pkg_root "$1")" "$2"; }

pkg_mailbox_has_subject() {
  grep -qxF "Subject: $3" "$(pkg_mailbox "$1" "$2")" 2>/dev/null
}

# A confirmation of alias NAME: "X-Alias-Sync: confirmation" and the
# alias as recipient.
pkg_mailbox_has_confirmation() {
  local server=$1 user=$2 name=$3 mailbox
  mailbox=$(pkg_mailbox "$server" "$user")
  [[ -f $mailbox ]] || return 1
  awk -v to="$name@$PKG_DOMAIN" '
    /^From / { confirmation = 0; recipient = 0 }
    tolower($0) ~ /^x-alias-sync:[ \t]*confirmation[ \t]*$/ { confirmation = 1 }
    tolower($0) ~ ("^to:.*" tolower(to)) { recipient = 1 }
    confirmation && recipient { found = 1 }
    END { exit !found }' "$mailbox"
}

# True when `postalias -q NAME /var/lib/alias-sync/aliases` prints TARGET
# on server X (the table type is Postfix's default_database_type).
pkg_alias_db_has() {
  local server=$1 name=$2 target=$3 value
  value=$(pkg_server_run "$server" postalias -q "$name" /var/lib/alias-sync/aliases 2>/dev/null) || return 1
  [[ $value == "$target" ]]
}

pkg_maillog() { printf '%s/var/log/mail.log\n' "$(pkg_root "$1")"; }

# postfix check must exit 0 and print nothing (no warning either).
pkg_expect_postfix_check_clean() {
  local server=$1 output status=0
  output=$(pkg_server_run "$server" postfix check 2>&1) || status=$?
  ((status == 0)) || pkg_fail "postfix check exited with status $status on $(pkg_hostname "$server"): $output"
  [[ -z $output ]] || pkg_fail "postfix check printed warnings on $(pkg_hostname "$server"): $output"
}

# Logs that explain a failure of a server.
pkg_register_server_logs() {
  local server=$1 root name
  root=$(pkg_root "$server")
  name=$(pkg_hostname "$server")
  pkg_show_on_failure "$name: alias-sync daemon (standard error)" "$PKG_WORK/$server-daemon.log" 60
  pkg_show_on_failure "$name: last alias-sync status" "$PKG_WORK/$server-status.txt" 20
  pkg_show_on_failure "$name: Postfix maillog" "$root/var/log/mail.log" 60
  pkg_show_on_failure "$name: Dovecot log" "$root/var/log/dovecot.log" 20
  pkg_show_on_failure "$name: managed alias file" "$root/var/lib/alias-sync/aliases" 30
  pkg_show_on_failure "$name: configure-postfix output" "$PKG_WORK/$server-configure-postfix.log" 60
}
