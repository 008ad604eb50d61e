#!/bin/sh
# repeat.sh - run a test command many times to tell a deterministic failure from a flaky one.
#
# Usage: repeat.sh [-n RUNS] [-k] [-t SECONDS] [-h] -- COMMAND [ARG...]
#   -n RUNS     how many times to run COMMAND (default 10)
#   -k          stop at the first failing run
#   -t SECONDS  kill a run that takes longer than this (needs `timeout` from coreutils);
#               a killed run counts as a failure and is reported as a timeout
#   -h          show this help
# Each run's combined stdout/stderr is kept only for failing runs, in a directory printed at
# the end. Prints per-run status and duration, then a summary.
# Example: repeat.sh -n 30 -- npx vitest run src/parser.test.ts -t "empty config"
# Exit status: 0 every run passed, 1 at least one run failed, 2 bad usage.

set -eu

usage() { sed -n '2,15s/^# \{0,1\}//p' "$0"; }

runs=10 stop=0 limit=
while getopts 'n:kt:h' opt; do
  case $opt in
    n) runs=$OPTARG ;;
    k) stop=1 ;;
    t) limit=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ "${1:-}" = -- ] && shift
if [ $# -eq 0 ]; then
  echo "repeat.sh: no command given" >&2
  usage >&2
  exit 2
fi
case $runs in ''|*[!0-9]*|0) echo "repeat.sh: -n needs a positive number" >&2; exit 2 ;; esac
if [ -n "$limit" ]; then
  case $limit in *[!0-9]*) echo "repeat.sh: -t needs whole seconds" >&2; exit 2 ;; esac
  command -v timeout >/dev/null 2>&1 || { echo "repeat.sh: -t needs the timeout command" >&2; exit 2; }
fi

logs=$(mktemp -d "${TMPDIR:-/tmp}/repeat.XXXXXX")
passed=0 failed=0 timeouts=0 failures='' i=0 min='' max=0
trap 'echo; echo "Interrupted during run $i; logs so far: $logs"; exit 130' INT TERM
echo "Running $runs time(s): $*"

while [ "$i" -lt "$runs" ]; do
  i=$((i + 1))
  start=$(date +%s)
  if [ -n "$limit" ]; then
    if timeout "$limit" "$@" >"$logs/run-$i.log" 2>&1; then rc=0; else rc=$?; fi
  else
    if "$@" >"$logs/run-$i.log" 2>&1; then rc=0; else rc=$?; fi
  fi
  secs=$(( $(date +%s) - start ))
  if [ -z "$min" ] || [ "$secs" -lt "$min" ]; then min=$secs; fi
  if [ "$secs" -gt "$max" ]; then max=$secs; fi
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    rm -f "$logs/run-$i.log"
    printf 'run %3d: pass  (%ss)\n' "$i" "$secs"
  else
    failed=$((failed + 1))
    failures="$failures $i"
    if [ -n "$limit" ] && [ "$rc" -eq 124 ]; then
      timeouts=$((timeouts + 1))
      printf 'run %3d: TIMEOUT after %ss  log: %s\n' "$i" "$limit" "$logs/run-$i.log"
    else
      printf 'run %3d: FAIL  (exit %d, %ss)  log: %s\n' "$i" "$rc" "$secs" "$logs/run-$i.log"
    fi
    if [ "$stop" -eq 1 ]; then break; fi
  fi
done

echo
echo "Summary: $passed passed, $failed failed out of $i run(s); duration ${min:-0}s..${max}s"
if [ "$failed" -eq 0 ]; then
  rmdir "$logs" 2>/dev/null || true
  echo "Verdict: stable pass (not reproduced in $i runs)"
  exit 0
fi
echo "Failing runs:$failures"
[ "$timeouts" -eq 0 ] || echo "Timeouts: $timeouts (look for hangs, deadlocks, unresolved promises)"
if [ "$passed" -eq 0 ] && [ "$i" -eq 1 ] && [ "$runs" -gt 1 ]; then
  echo "Verdict: failed on the first run (stopped by -k); rerun without -k to check stability"
elif [ "$passed" -eq 0 ]; then
  echo "Verdict: deterministic failure (failed every run)"
else
  echo "Verdict: FLAKY ($failed/$i failed)"
fi
echo "Logs: $logs"
echo "Compare a failing log with a passing one by rerunning once and diffing the outputs."
exit 1
