# shellcheck shell=bash
# Configuration writers for one test server: Postfix (main.cf, master.cf,
# aliases), Dovecot (SASL only) and alias-sync. The alias-sync parts of
# main.cf and master.cf (transport map, pipe service, alias_maps entry) are
# not written here: pair.sh adds them with `alias-sync configure-postfix`.
# Sourced by pair.sh. Every function takes the server letter (a or b) and
# writes below $PAIR_BASE/<server>.

# Files that Postfix tools read from meta_directory (/etc/postfix on Debian).
# The bind mount hides the real /etc/postfix, so each server gets copies.
PAIR_POSTFIX_META_FILES=(dynamicmaps.cf postfix-files postfix-script post-install)
PAIR_POSTFIX_META_DIRS=(dynamicmaps.cf.d postfix-files.d)

pair_write_postfix_config() {
  local server=$1
  local dir=$PAIR_BASE/$server
  local name
  for name in "${PAIR_POSTFIX_META_FILES[@]}"; do
    cp -p "/etc/postfix/$name" "$dir/postfix/$name"
  done
  for name in "${PAIR_POSTFIX_META_DIRS[@]}"; do
    if [[ -d /etc/postfix/$name ]]; then
      cp -a "/etc/postfix/$name" "$dir/postfix/$name"
    fi
  done

  pair_write_main_cf "$server"
  pair_write_master_cf "$server"
  # Postfix reads a main.cf changed within the last second again and again,
  # 300 ms apart, until it is older (load_file in Postfix's util/). That
  # cost up to 2 s per server. A main.cf dated a minute back is read once.
  touch --date='-1 minute' "$dir/postfix/main.cf"

  cat >"$dir/postfix/aliases" <<EOF
# Mailboxes of the test users are plain files, written by local(8).
postmaster: alice
alice: $dir/mail/alice
bob: $dir/mail/bob
EOF
}

pair_write_main_cf() {
  local server=$1
  local dir=$PAIR_BASE/$server
  cat >"$dir/postfix/main.cf" <<EOF
# Postfix instance of test server $(pair_hostname "$server"), written by
# tests/system/lib/server-config.sh. It is bind-mounted on /etc/postfix.
compatibility_level = 3.6
queue_directory = $dir/spool
data_directory = $dir/data
syslog_name = postfix-$(pair_short_name "$server")
maillog_file = $dir/log/maillog
maillog_file_prefixes = $dir/log

myhostname = $(pair_hostname "$server")
mydomain = $PAIR_DOMAIN
myorigin = \$mydomain
mydestination = \$myhostname, $PAIR_DOMAIN, localhost
recipient_delimiter = +
inet_interfaces = 127.0.0.1, $(pair_address "$server")
inet_protocols = ipv4
mynetworks = 127.0.0.0/8, $PAIR_SUBNET
smtp_dns_support_level = disabled
smtp_host_lookup = native
biff = no

alias_maps = hash:/etc/postfix/aliases
alias_database = hash:/etc/postfix/aliases
EOF
}

# master.cf is Debian's master.cf.proto with chroot switched off for every
# service (a chroot would need copies of system files in each queue
# directory), plus SMTP submission with Dovecot SASL.
pair_write_master_cf() {
  local server=$1
  local dir=$PAIR_BASE/$server
  local proto=/etc/postfix/master.cf.proto
  if [[ ! -f $proto ]]; then
    proto=/usr/share/postfix/master.cf.dist
  fi

  awk '/^[^#[:space:]]/ && NF >= 8 { $5 = "n" } { print }' "$proto" >"$dir/postfix/master.cf"
  cat >>"$dir/postfix/master.cf" <<EOF

# Added by tests/system/lib/server-config.sh.
submission inet n       -       n       -       -       smtpd
  -o syslog_name=postfix-$(pair_short_name "$server")/submission
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sasl_type=dovecot
  -o smtpd_sasl_path=private/auth
  -o smtpd_tls_security_level=none
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
EOF
}

# Dovecot serves SASL only. It has no protocols, and Postfix reaches it
# through the auth listener in the queue directory (smtpd_sasl_path=private/auth).
pair_write_dovecot_config() {
  local server=$1
  local dir=$PAIR_BASE/$server
  cat >"$dir/dovecot/dovecot.conf" <<EOF
# Dovecot of test server $(pair_hostname "$server"), for Postfix SASL only.
base_dir = $dir/dovecot/run
state_dir = $dir/dovecot/state
instance_name = $(pair_ns "$server")
protocols =
listen = 127.0.0.1
log_path = $dir/log/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
passdb {
  driver = passwd-file
  args = scheme=SHA512-CRYPT username_format=%u $dir/dovecot/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
service auth {
  unix_listener $dir/spool/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
EOF

  local user hash
  : >"$dir/dovecot/users"
  for user in "${PAIR_USERS[@]}"; do
    hash=$(doveadm -c "$dir/dovecot/dovecot.conf" pw -s SHA512-CRYPT -p "$(pair_password "$user")")
    printf '%s@%s:%s\n' "$user" "$PAIR_DOMAIN" "$hash" >>"$dir/dovecot/users"
  done
  chown root:dovecot "$dir/dovecot/users"
  chmod 0640 "$dir/dovecot/users"
}

# Extra lines for a server's alias-sync.conf, keyed by server letter. A test
# script sets them after sourcing pair.sh and before pair_setup, for example
# PAIR_ALIAS_SYNC_EXTRA_CONFIG[b]="request_size_limit = 65536".
declare -gA PAIR_ALIAS_SYNC_EXTRA_CONFIG=()

pair_write_alias_sync_config() {
  local server=$1
  local dir=$PAIR_BASE/$server
  local other
  other=$(pair_other "$server")
  cat >"$dir/alias-sync.conf" <<EOF
# alias-sync on test server $(pair_hostname "$server").
server_name = $(pair_hostname "$server")
domains = $PAIR_DOMAIN
designated_local_part = makealias
administrators = alice@$PAIR_DOMAIN
alias_file = $dir/lib/aliases
journal_file = $dir/lib/journal
identity_directory = $dir/lib/identity
peer_certificate = $dir/peer.pem
request_socket = $dir/run/request.sock
control_socket = $dir/run/control.sock
listen_address = $(pair_address "$server")
listen_port = $PAIR_PEER_PORT
peer_address = $(pair_address "$other")
peer_port = $PAIR_PEER_PORT
transaction_timeout = 20
EOF
  if [[ -n ${PAIR_ALIAS_SYNC_EXTRA_CONFIG[$server]:-} ]]; then
    printf '%s\n' "${PAIR_ALIAS_SYNC_EXTRA_CONFIG[$server]}" >>"$dir/alias-sync.conf"
  fi
  chmod 0644 "$dir/alias-sync.conf"
}
