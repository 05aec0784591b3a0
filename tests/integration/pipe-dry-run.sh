#!/bin/bash
# alias-sync-pipe --dry-run on the request messages of the corpus: the first
# line of its output is the decision the real pipe would hand the daemon.
# Runs the built binary with a throwaway Postfix configuration directory,
# because the pipe reads recipient_delimiter with postconf.
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
CF

failures=0
# message, SASL login, sender, expected first line (a prefix for reject/ignore)
while IFS='|' read -r message login sender expected; do
  first=$("$pipe" --dry-run --config "$base/alias-sync.conf" --sender="$sender" \
    --recipient=newalias@example.org --original-recipient=newalias@example.org \
    --sasl-username="$login" --queue-id=DRYRUN <"$corpus/mail/$message" | head -n 1)
  if [[ $first == "$expected"* ]]; then
    echo "ok: $message as '${login:-unauthenticated}': $first"
  else
    echo "FAIL: $message as '${login:-unauthenticated}': expected '$expected', got '$first'"
    failures=$((failures + 1))
  fi
done <<'CASES'
01-plain-7bit.eml|alice@example.org|alice@example.org|create sales-team -> alice@example.org, bob@example.org
01-plain-7bit.eml|bob@example.org|bob@example.org|reject:
01-plain-7bit.eml||alice@example.org|ignore:
03-base64-no-subject.eml|pat@example.org|pat@example.org|reject:
04-multipart-alt-applemail.eml|erin@example.org|erin@example.org|create design -> erin@example.org
08-rfc2047-folded-crlf.eml|alice@example.org|ivan@example.org|create kitchen -> ivan@example.org, judy@example.org
10-reply-quoted.eml|kim@example.org|kim@example.org|ignore:
12-nul-8bit.eml|olga@example.org|olga@example.org|reject:
14-bounce-dsn.eml||MAILER-DAEMON|ignore:
15-auto-replied.eml|bob@example.org|bob@example.org|ignore:
17-encoded-newline-injection.eml|alice@example.org|alice@example.org|reject:
CASES

((failures == 0)) || exit 1
