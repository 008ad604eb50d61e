#!/bin/sh
# check.sh - lint shell scripts: a syntax check with the script's own shell, ShellCheck when it
# is installed, and extra checks ShellCheck does not make (strict mode, unguarded rm -r on a
# variable, curl piped to a shell, fixed /tmp paths, temp files without a cleanup trap,
# chmod 777). Without ShellCheck it also greps for the most common quoting and portability bugs.
#
# Usage: check.sh [-S SEVERITY] [-h] [FILE...]
#   FILE...      scripts to check (default: every file tracked by git that ends in .sh or
#                .bash or starts with a sh/bash/dash/ksh shebang)
#   -S SEVERITY  lowest ShellCheck severity reported: error, warning, info, style (default style)
#   -h           show this help
# Output lines look like `file:line: level: message [code]`.
# Exit status: 0 no problem found, 1 problems found, 2 bad usage, missing file or no script.

set -eu

usage() { sed -n '2,15s/^# \{0,1\}//p' "$0"; }

severity=style
while getopts 'S:h' opt; do
  case $opt in
    S) severity=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
case $severity in
  error|warning|info|style) ;;
  *) echo "check.sh: -S must be error, warning, info or style" >&2; exit 2 ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-sh.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP PIPE
trap 'exit 130' INT
trap 'exit 143' TERM

if [ $# -gt 0 ]; then
  for f in "$@"; do printf '%s\n' "$f"; done >"$tmp/files"
else
  if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    echo "check.sh: no FILE given and not inside a git work tree" >&2
    exit 2
  fi
  top=$(git rev-parse --show-toplevel)
  git -C "$top" -c core.quotepath=off ls-files | while IFS= read -r f; do
    [ -f "$top/$f" ] || continue
    case $f in
      *.sh|*.bash) printf '%s\n' "$top/$f"; continue ;;
    esac
    first=$(head -n 1 "$top/$f" 2>/dev/null | tr -d '\r' || true)
    case $first in
      '#!'*[/\ ]sh|'#!'*[/\ ]sh\ *|'#!'*bash*|'#!'*dash*|'#!'*ksh*) printf '%s\n' "$top/$f" ;;
    esac
  done >"$tmp/files"
fi
if [ ! -s "$tmp/files" ]; then
  echo "check.sh: no shell scripts to check" >&2
  exit 2
fi

have_sc=0
if command -v shellcheck >/dev/null 2>&1; then
  have_sc=1
  echo "Using $(shellcheck --version | sed -n 's/^version: /ShellCheck /p')"
else
  echo "ShellCheck is not installed: running syntax and grep checks only."
  echo "Install it for a real lint (apt install shellcheck | brew install shellcheck | dnf install ShellCheck)."
fi

problems=0
report() { # file line level message
  printf '%s:%s: %s: %s\n' "$1" "$2" "$3" "$4"
  problems=$((problems + 1))
}
# grep_report FILE LEVEL MESSAGE ERE [EXCLUDE_ERE]: one report per line matching ERE and not
# EXCLUDE_ERE; comment lines are skipped.
grep_report() {
  grep -nE -- "$4" "$1" 2>/dev/null | grep -vE '^[0-9]+:[[:space:]]*#' \
    | grep -vE -- "${5:-^\$}" >"$tmp/hits" || true
  while IFS=: read -r ln _; do
    report "$1" "$ln" "$2" "$3"
  done <"$tmp/hits"
}

while IFS= read -r file; do
  if [ ! -f "$file" ]; then
    echo "check.sh: no such file: $file" >&2
    exit 2
  fi

  first=$(head -n 1 "$file" | tr -d '\r')
  case $first in
    '#!'*bash*) dialect=bash ;;
    '#!'*dash*) dialect=dash ;;
    '#!'*ksh*)  dialect=ksh ;;
    '#!'*zsh*)  dialect=zsh ;;
    '#!'*sh|'#!'*sh\ *) dialect='sh' ;;
    *)
      case $file in *.bash) dialect='bash' ;; *) dialect='sh' ;; esac
      report "$file" 1 warning "no shebang line: add #!/bin/sh or #!/usr/bin/env bash (assuming $dialect)"
      ;;
  esac

  # 1. Syntax, with the interpreter that will run it.
  case $dialect in
    sh|dash) syn='sh' ;;
    *) syn=$dialect ;;
  esac
  if command -v "$syn" >/dev/null 2>&1; then
    if ! "$syn" -n "$file" 2>"$tmp/syntax"; then
      report "$file" 0 error "syntax check with $syn -n failed: $(tr '\n' ' ' <"$tmp/syntax")"
    fi
  fi

  # 2. ShellCheck (zsh is not supported by ShellCheck).
  if [ "$have_sc" -eq 1 ] && [ "$dialect" != zsh ]; then
    if ! shellcheck -x -S "$severity" -s "$dialect" -f gcc "$file" >"$tmp/sc" 2>&1; then
      cat "$tmp/sc"
      problems=$((problems + $(grep -c . "$tmp/sc")))
    fi
  fi

  # 3. Extra checks.
  if ! grep -qE '^[[:space:]]*set[[:space:]]+(-[a-zA-Z]*e|-o[[:space:]]+errexit)' "$file"; then
    report "$file" 1 warning "no 'set -e': failures do not stop the script [extra]"
  fi
  if ! grep -qE '^[[:space:]]*set[[:space:]]+(-[a-zA-Z]*u|-o[[:space:]]+nounset)|set[[:space:]].*-o[[:space:]]+nounset' "$file"; then
    report "$file" 1 warning "no 'set -u': unset variables expand to empty strings [extra]"
  fi
  if [ "$dialect" = bash ] || [ "$dialect" = ksh ] || [ "$dialect" = zsh ]; then
    if ! grep -qE 'set[[:space:]].*-o[[:space:]]+pipefail|set[[:space:]]+-[a-zA-Z]*o[[:space:]]+pipefail' "$file"; then
      report "$file" 1 warning "no 'set -o pipefail': a failing command inside a pipeline is ignored [extra]"
    fi
  fi
  grep_report "$file" warning "rm -r on a variable path without a \${VAR:?} guard: an empty variable deletes the wrong tree [extra]" \
    '(^|[;&|[:space:]])rm[[:space:]]+(-[a-zA-Z]*[rR][a-zA-Z]*[[:space:]]+|--recursive[[:space:]]+)(-[a-zA-Z-]+[[:space:]]+)*"?\$\{?[A-Za-z0-9_]' \
    ':\?'
  grep_report "$file" warning "downloads piped straight into a shell: download, verify a checksum, then run [extra]" \
    '(curl|wget)[^|]*\|[[:space:]]*(sudo[[:space:]]+)?(ba|z|da|k)?sh([[:space:]]|$)'
  grep_report "$file" warning "fixed path under /tmp: predictable names are a race and a symlink attack; use mktemp [extra]" \
    '(^|[^A-Za-z0-9_])/tmp/[A-Za-z0-9_.-]+' 'mktemp|TMPDIR'
  grep_report "$file" warning "mode 777 or 666 makes the file world-writable; grant the least access needed [extra]" \
    'chmod[[:space:]]+(-R[[:space:]]+)?0?(777|666)'
  if grep -qE 'mktemp' "$file" && ! grep -qE '^[[:space:]]*trap[[:space:]]' "$file"; then
    grep_report "$file" warning "mktemp without a trap: temp files are left behind on error or Ctrl-C [extra]" 'mktemp'
  fi

  # 4. Without ShellCheck: the most common bugs it would have caught.
  if [ "$have_sc" -eq 0 ]; then
    grep_report "$file" warning "unquoted variable in [ ]: breaks on empty values and spaces; quote it [grep]" \
      '\[[[:space:]]+\$[A-Za-z_{]'
    grep_report "$file" warning "iterating over ls output: breaks on spaces; use a glob [grep]" \
      'for[[:space:]]+[A-Za-z_]+[[:space:]]+in[[:space:]]+\$\(ls'
    # shellcheck disable=SC2016 # the backticks are the pattern, not an expansion
    grep_report "$file" info "backticks: use \$(...) [grep]" '`[^`]*`'
    grep_report "$file" warning "read without -r mangles backslashes [grep]" \
      '(^|[;&|[:space:]])read[[:space:]]+([^-]|-[^r[:space:]]*[[:space:]])'
    grep_report "$file" warning "eval: injection risk if any part comes from input [grep]" \
      '(^|[;&|[:space:]])eval[[:space:]]'
    if [ "$dialect" = sh ] || [ "$dialect" = dash ]; then
      grep_report "$file" warning "bash-only syntax in a /bin/sh script ([[, ==, function, arrays, source, <<<, &>, \${x//}) [grep]" \
        '\[\[|\[[^]]*[[:space:]]==[[:space:]]|^[[:space:]]*function[[:space:]]|^[[:space:]]*[A-Za-z_][A-Za-z0-9_]*=\(|(^|[;&|[:space:]])source[[:space:]]|<<<|&>|\$\{[A-Za-z_][A-Za-z0-9_]*//'
    fi
  fi
done <"$tmp/files"

echo
if [ "$problems" -eq 0 ]; then
  echo "No problems found in $(grep -c . "$tmp/files") file(s)."
  exit 0
fi
echo "$problems problem(s) in $(grep -c . "$tmp/files") file(s)."
exit 1
