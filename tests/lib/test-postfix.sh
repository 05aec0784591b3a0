# shellcheck shell=bash
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
