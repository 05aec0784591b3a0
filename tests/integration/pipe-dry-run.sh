#!/bin/bash
# alias-sync-pipe --dry-run on the request messages of the corpus: the first
# line of its output is the decision the real pipe would hand the daemon,
# and the rest is the reply it would send.
#
# The cases are the rows of the request tables in CORPUS/CASES.md, then the
# variations that only the envelope or one header makes: every reply and
# forward prefix, the envelope senders that never get a reply, and a
# message over request_size_limit. Runs the built binary with a throwaway
# Postfix configuration directory, because the pipe reads
# recipient_delimiter with postconf.
#
# Usage: pipe-dry-run.sh ALIAS_SYNC_PIPE CORPUS_DIRECTORY
set -euo pipefail

pipe=$(realpath "$1")
corpus=$(realpath "$2")
base=$(mktemp -d /tmp/alias-sync-dry-run.XXXXXX)
trap 'rm -rf "$base"' EXIT

mkdir -p "$base/postfix"
printf 'compatibility_level = 3.6\nrecipient_delimiter = +\n' >"$base/postfix/main.cf"
cat >"$base/alias-sync.conf" <<CF
server_name = mx1.example.org
domains = example.org
designated_local_part = newalias
administrators = alice@example.org
postfix_config_directory = $base/postfix
request_size_limit = 65536
CF

failures=0
cases=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# Runs the pipe on a message file; the output goes to $base/out.
# Usage: dry_run MESSAGE_FILE LOGIN SENDER
dry_run() {
  local status=0
  "$pipe" --dry-run --config "$base/alias-sync.conf" --sender="$3" \
    --recipient=newalias@example.org --original-recipient=newalias@example.org \
    --sasl-username="$2" --queue-id=DRYRUN <"$1" >"$base/out" || status=$?
  ((status == 0)) || fail "$(basename "$1") as '${2:-unauthenticated}': exit status $status, expected 0"
}

# expected: an exact first line, or "reject:"/"ignore:" as a prefix.
# Usage: expect MESSAGE_FILE LOGIN SENDER EXPECTED [LABEL]
expect() {
  local file=$1 login=$2 sender=$3 expected=$4 label=${5:-$(basename "$1")}
  cases=$((cases + 1))
  dry_run "$file" "$login" "$sender"
  local first
  first=$(head -n 1 "$base/out")
  if [[ $expected == reject: || $expected == ignore: ]]; then
    [[ $first == "$expected "* ]] || { fail "$label as '${login:-unauthenticated}': expected '$expected ...', got '$first'"; return; }
  else
    [[ $first == "$expected" ]] || { fail "$label as '${login:-unauthenticated}': expected '$expected', got '$first'"; return; }
  fi
  echo "ok: $label as '${login:-unauthenticated}': $first"

  # Only a rejection prints a reply; it goes to the login, never to From or
  # Reply-To, and is 7-bit.
  local lines
  lines=$(wc -l <"$base/out")
  if [[ $expected == reject: ]]; then
    grep -qx "To: $login" "$base/out" || fail "$label: the reply is not addressed to the login $login"
    grep -qx 'Auto-Submitted: auto-replied' "$base/out" || fail "$label: the reply lacks Auto-Submitted: auto-replied"
    if tail -n +2 "$base/out" | LC_ALL=C grep -q $'[\x80-\xff]'; then fail "$label: the reply has 8-bit bytes"; fi
  elif ((lines != 1)); then
    fail "$label: $lines lines of output, expected the decision alone"
  fi
}

# The sender of a corpus row: the message's Return-Path, or the one the
# login cell names ("(empty), sender `MAILER-DAEMON`").
row_sender() {
  local file=$1 login_cell=$2
  if [[ $login_cell =~ sender\ \`([^\`]*)\` ]]; then
    printf '%s\n' "${BASH_REMATCH[1]}"
    return
  fi
  sed -n 's/^Return-Path: <\(.*\)>\r\{0,1\}$/\1/p' "$file" | head -n 1
}

# 1. Every row of the request tables: | NN-name | login | what | `expected` ... |
rows=0
while IFS='|' read -r _ name login_cell _ expected_cell _; do
  name=$(echo "$name" | xargs)
  login_cell=$(echo "$login_cell" | xargs)
  [[ $name =~ ^[0-9][0-9]- ]] || continue
  expected=$(sed -n 's/^[^`]*`\([^`]*\)`.*/\1/p' <<<"$expected_cell")
  login=$login_cell
  [[ $login_cell == "(empty)"* ]] && login=""
  file="$corpus/mail/$name.eml"
  expect "$file" "$login" "$(row_sender "$file" "$login_cell")" "$expected"
  rows=$((rows + 1))
done < <(sed -n '/^## Request messages/,$p' "$corpus/CASES.md")
((rows >= 31)) || fail "only $rows rows read from $corpus/CASES.md"

# 2. Reply and forward prefixes on an otherwise valid request.
request="$corpus/mail/20-client-thunderbird-flowed.eml"
for prefix in 'Re:' 'RE:' 're :' 'Fwd:' 'FWD:' 'Fw:' 'FW:' 'AW:' 'WG:' 'SV:' 'VS:' 'Antw:' 'Re[2]:' 'Re(3):' 'Re^2:' 'Re：' \
  'TR:' 'RV:' 'R:' 'I:' 'Odp:' 'Ynt:' 'Réf. :' '回复：' 'Automatic reply:'; do
  sed "s/^Subject: alias: helpdesk/Subject: $prefix alias: helpdesk/" "$request" >"$base/prefixed.eml"
  expect "$base/prefixed.eml" dave@example.org dave@example.org ignore: "prefix '$prefix'"
done
sed 's/^Subject: alias: helpdesk/Subject: =?UTF-8?Q?Re=3A_alias=3A_helpdesk?=/' "$request" >"$base/prefixed.eml"
expect "$base/prefixed.eml" dave@example.org dave@example.org ignore: "encoded prefix 'Re:'"
# Words that only start like a prefix are no prefix.
sed 's/^Subject: alias: helpdesk/Subject: Rex: alias: helpdesk/' "$request" >"$base/prefixed.eml"
expect "$base/prefixed.eml" dave@example.org dave@example.org reject: "'Rex:' is no prefix"

# A mistyped arrow gets its own reason, not a complaint about the name.
sed 's/^Subject: alias: helpdesk/Subject: alias: helpdesk => dave@example.org/' "$request" >"$base/arrow.eml"
expect "$base/arrow.eml" dave@example.org dave@example.org reject: "arrow written '=>'"
grep -q 'where the arrow belongs' "$base/out" || fail "the reason for '=>' does not name the arrow"

# 3. Envelope senders that never get a reply, even with a login.
for sender in '' '<>' MAILER-DAEMON mailer-daemon@example.org newalias@example.org NewAlias@Example.org newalias+bounce@example.org; do
  expect "$request" dave@example.org "$sender" ignore: "sender '$sender'"
done

# 4. Over request_size_limit: one rejection naming the size. A large
# bounce stays unanswered.
{ cat "$request"; head -c 70000 /dev/zero | tr '\0' 'x' | fold -w 76; } >"$base/big.eml"
expect "$base/big.eml" dave@example.org dave@example.org reject: "message over the size limit"
size=$(stat -c %s "$base/big.eml")
grep -q "$size bytes" "$base/out" || fail "the size rejection does not name the size $size"
{ cat "$corpus/mail/14-bounce-dsn.eml"; head -c 70000 /dev/zero | tr '\0' 'x' | fold -w 76; } >"$base/big-bounce.eml"
expect "$base/big-bounce.eml" "" MAILER-DAEMON ignore: "bounce over the size limit"

echo "$cases cases, $failures failed"
((failures == 0)) || exit 1
