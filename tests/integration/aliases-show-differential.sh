#!/bin/bash
# `alias-sync aliases show` and `aliases fingerprint` against the real
# postalias(1): for every alias file given, postalias builds a hash table
# from a copy, and its dump (`postalias -s`) must hold exactly the names and
# values that `aliases show` prints. Every line postalias warns about must
# have a warning from alias-sync on the same line, and both must report the
# same number of duplicate names. Also checks the command's exit statuses.
#
# Usage: aliases-show-differential.sh ALIAS_SYNC_BINARY DIR...
# Each DIR is searched for *.aliases files.
set -euo pipefail

alias_sync=$(realpath "$1")
shift
base=$(mktemp -d /tmp/alias-sync-aliases-show.XXXXXX)
trap 'rm -rf "$base"' EXIT

if ! command -v postalias >/dev/null; then
  echo "SKIP: postalias not found (package postfix)" >&2
  exit 77
fi
# postalias reads main.cf; this one keeps Postfix 3.6+ defaults
# (smtputf8_enable = yes), which is what alias-sync models.
printf 'compatibility_level = 3.6\n' >"$base/main.cf"

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

files=0
for dir in "$@"; do
  for source in "$dir"/*.aliases; do
    files=$((files + 1))
    name=$(basename "$source")
    copy=$base/$name
    cp "$source" "$copy"

    # postalias adds the records "@", YP_LAST_MODIFIED and YP_MASTER_NAME
    # itself. It also stores an empty name, which local(8) never looks up
    # (it bounces an empty local part as "null username"). `aliases show`
    # leaves all four out by design.
    postalias -c "$base" "hash:$copy" 2>"$base/postalias.err" || {
      fail "$name: postalias exited non-zero: $(cat "$base/postalias.err")"
      continue
    }
    postalias -c "$base" -s "hash:$copy" 2>/dev/null |
      { grep -v -e '^@:	@$' -e '^YP_LAST_MODIFIED:	' -e '^YP_MASTER_NAME:	' -e '^:	' || true; } |
      sed 's/:	/: /' | LC_ALL=C sort >"$base/postalias.dump"

    "$alias_sync" aliases show "$copy" >"$base/show.out" 2>"$base/show.err" || {
      fail "$name: aliases show exited non-zero: $(cat "$base/show.err")"
      continue
    }
    LC_ALL=C sort "$base/show.out" >"$base/show.sorted"
    if ! diff -u "$base/postalias.dump" "$base/show.sorted" >"$base/diff"; then
      fail "$name: postalias stores other names or values than aliases show prints:"
      sed 's/^/    /' "$base/diff" >&2
    fi

    # The same physical lines draw a warning. postalias gives no line for
    # duplicates, so those are counted instead.
    while read -r line; do
      grep -aq ", line $line: " "$base/show.err" || fail "$name: postalias warns about line $line, alias-sync does not"
    done < <(LC_ALL=C sed -n 's/.*, line \([0-9]*\): .*/\1/p' "$base/postalias.err" | sort -un)
    duplicates_postalias=$(grep -ac 'duplicate entry' "$base/postalias.err" || true)
    # A file that defines "@" itself makes postalias warn once more, when it
    # then tries to store its own "@" record.
    if grep -aq '^@: ' "$base/show.out"; then
      duplicates_postalias=$((duplicates_postalias - 1))
    fi
    duplicates_ours=$(grep -ac 'duplicate entry' "$base/show.err" || true)
    ((duplicates_postalias == duplicates_ours)) ||
      fail "$name: postalias reports $duplicates_postalias duplicates, alias-sync $duplicates_ours"

    "$alias_sync" aliases fingerprint "$copy" 2>/dev/null | grep -qxE '[0-9a-f]{64}' ||
      fail "$name: aliases fingerprint did not print one SHA-256 in hex"
    echo "ok: $name ($(wc -l <"$base/show.out") names)"
  done
done
((files > 0)) || fail "no *.aliases files in $*"

# Exit statuses: 1 for a file that cannot be read, 2 for wrong arguments.
status=0
"$alias_sync" aliases show "$base/absent.aliases" 2>/dev/null || status=$?
((status == 1)) || fail "aliases show of a missing file exited $status, expected 1"
status=0
"$alias_sync" aliases 2>/dev/null || status=$?
((status == 2)) || fail "aliases without a subcommand exited $status, expected 2"
# A directory or a FIFO is refused at once, never read (a FIFO would block).
mkfifo "$base/fifo"
for path in "$base" "$base/fifo"; do
  status=0
  timeout 10 "$alias_sync" aliases show "$path" 2>"$base/not-a-file.err" || status=$?
  ((status == 1)) || fail "aliases show of $path exited $status, expected 1"
  grep -q 'is not a regular file' "$base/not-a-file.err" || fail "aliases show of $path: $(cat "$base/not-a-file.err")"
done

if ((failures > 0)); then
  echo "$failures failures" >&2
  exit 1
fi
echo "all $files files agree with postalias"
