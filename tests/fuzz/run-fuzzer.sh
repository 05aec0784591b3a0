#!/bin/bash
# Runs one libFuzzer target for ctest: first every seed and regression file
# once as an input, then a fuzzing run of --seconds seconds that starts from
# those directories and writes new inputs to a temporary directory, which
# is removed afterwards. Any crash, sanitizer report, leak, timeout of one
# input (-timeout) or memory limit (-rss_limit_mb) fails the test, and the
# input that caused it is saved under --artifacts.
#
# Usage:
#   run-fuzzer.sh --fuzzer PATH --seconds N --max-len BYTES --dict FILE
#                 --regressions DIR --artifacts DIR [--seeds DIR]...
#   run-fuzzer.sh --unavailable REASON
#
# Exit status: 0 passed, 1 failed, 77 skipped because the target could
# not be built (REASON gives the cause).
set -euo pipefail

fuzzer="" seconds="" max_len="" dict="" regressions="" artifacts="" unavailable=""
seed_dirs=()
while (($# > 0)); do
  case $1 in
    --fuzzer) fuzzer=$2 ;;
    --seconds) seconds=$2 ;;
    --max-len) max_len=$2 ;;
    --dict) dict=$2 ;;
    --regressions) regressions=$2 ;;
    --artifacts) artifacts=$2 ;;
    --seeds) seed_dirs+=("$2") ;;
    --unavailable) unavailable=$2 ;;
    *)
      echo "run-fuzzer: unknown option $1" >&2
      exit 1
      ;;
  esac
  shift 2
done

if [[ -n $unavailable ]]; then
  echo "run-fuzzer: skipped: $unavailable" >&2
  exit 77
fi
if [[ ! -x $fuzzer ]]; then
  echo "run-fuzzer: $fuzzer does not exist; build the project first (it builds the fuzz targets with clang++)" >&2
  exit 1
fi

# The regressions directory exists only once a reproducer has been saved.
input_dirs=("${seed_dirs[@]}")
if [[ -d $regressions ]]; then
  input_dirs+=("$regressions")
fi
mkdir -p "$artifacts"

# libFuzzer exits 77 by default when it finds a bug, which ctest would
# count as a skip, so every libFuzzer run gets -error_exitcode=1.
common_options=(-error_exitcode=1 -timeout=5 -rss_limit_mb=1024 -detect_leaks=1 "-artifact_prefix=$artifacts/")

mapfile -t inputs < <(find "${input_dirs[@]}" -type f | sort)
echo "run-fuzzer: running ${#inputs[@]} seed and regression files once"
if ((${#inputs[@]} > 0)); then
  if ! "$fuzzer" "${common_options[@]}" "${inputs[@]}"; then
    echo "run-fuzzer: FAILED on a seed or regression file (see the report above)" >&2
    exit 1
  fi
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/alias-sync-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
echo "run-fuzzer: fuzzing for $seconds seconds from ${input_dirs[*]}"
# The first directory receives the new inputs, so the seed directories in
# the source tree are only read. Without -max_len libFuzzer would take the
# size of the largest seed as the limit for generated inputs. Seeds longer
# than -max_len are fuzzed from their first max_len bytes, after the run
# above has run them whole.
if ! "$fuzzer" "${common_options[@]}" "-max_total_time=$seconds" "-max_len=$max_len" "-dict=$dict" \
  -print_final_stats=1 "$scratch" "${input_dirs[@]}"; then
  echo "run-fuzzer: FAILED; the input that caused it is under $artifacts" >&2
  exit 1
fi
echo "run-fuzzer: passed"
