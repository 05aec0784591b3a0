# shellcheck shell=bash
# Building blocks of a pair of test servers, a and b, on one machine.
#
# The Postfix configuration directory of one test server: its own main.cf
# and queue, the static alias table with "postmaster" and "existing", and
# the managed table BASE/SERVER/lib/aliases in alias_maps. No Postfix
# daemon is started from it; postalias, postconf and sendmail use it.

# Writes BASE/SERVER/postfix and its data and queue directories.
write_test_postfix_directory() {
  local base=$1 server=$2
  local dir=$base/$server/postfix
  mkdir -p "$dir" "$base/$server/data" "$base/$server/spool"
  cat >"$dir/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $base/$server/spool
data_directory = $base/$server/data
myhostname = mx-$server.example.org
mydestination = \$myhostname, example.org, localhost
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
recipient_delimiter = +
alias_maps = hash:$dir/aliases, hash:$base/$server/lib/aliases
alias_database = hash:$dir/aliases
maillog_file = /dev/stdout
CF
  cp /usr/share/postfix/master.cf.dist "$dir/master.cf"
  printf 'postmaster: root\nexisting: root\n' >"$dir/aliases"
  chown postfix "$base/$server/data"
}

# Builds the static alias database and lets `postfix check` create the
# queue directories.
build_test_postfix_directory() {
  local dir=$1
  postalias -c "$dir" "hash:$dir/aliases"
  postfix -c "$dir" check
}

# Prints two free TCP ports on 127.0.0.1, picked by the kernel.
free_local_ports() {
  python3 - <<'PY'
import socket
sockets = [socket.socket() for _ in range(2)]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))
PY
}

# Runs configure-postfix and init for servers a and b, whose configuration
# files CONFIG_FUNCTION SERVER prints, and pins each certificate on the other.
# BASE/SERVER receives the command output; PIPE is the alias-sync-pipe path.
pair_test_servers() {
  local base=$1 config_function=$2 pipe=$3 server
  ensure_alias_sync_users # configure-postfix checks the pipe's user, as pipe(8) would
  for server in a b; do
    "$ALIAS_SYNC" --config "$($config_function "$server")" configure-postfix --yes \
      --pipe-command "$pipe" >"$base/$server/configure-postfix.out" 2>&1 ||
      fail "configure-postfix failed on $server: $(cat "$base/$server/configure-postfix.out")"
    "$ALIAS_SYNC" --config "$($config_function "$server")" init >"$base/$server/init.out" 2>/dev/null
  done
  "$ALIAS_SYNC" --config "$($config_function a)" peer pin "$base/b/lib/identity/cert.pem" >/dev/null
  "$ALIAS_SYNC" --config "$($config_function b)" peer pin "$base/a/lib/identity/cert.pem" >/dev/null
}
