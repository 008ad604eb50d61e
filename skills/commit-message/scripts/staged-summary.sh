#!/bin/sh
# staged-summary.sh - print a compact summary of the staged change, to write a commit message from.
#
# Usage: staged-summary.sh [-n LINES] [-h]
#   Run inside a git work tree. Prints the branch, every staged file (status, +added/-deleted,
#   path), totals, the areas touched (scope candidates), hints about the likely commit type and
#   possible breaking changes, and the last five commit subjects (to match the repo's style).
#   -n LINES  also print the first LINES lines of the staged diff (default: 0, no diff)
#   -h        show this help
# Exit status: 0 summary printed, 1 nothing is staged, 2 not a git work tree or bad usage.

set -eu

usage() { sed -n '2,11s/^# \{0,1\}//p' "$0"; }

lines=0
while getopts 'n:h' opt; do
  case $opt in
    n) lines=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
case $lines in
  ''|*[!0-9]*) echo "staged-summary: -n needs a number, got '$lines'" >&2; exit 2 ;;
esac

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "staged-summary: not inside a git work tree" >&2
  exit 2
fi
cd "$(git rev-parse --show-toplevel)"

if git diff --cached --quiet; then
  echo "Nothing is staged. Stage the change first (git add -p), or see unstaged files with: git status --short"
  exit 1
fi

branch=$(git symbolic-ref --short -q HEAD || echo '(detached HEAD)')
echo "Branch: $branch"
echo

tmp=$(mktemp -d "${TMPDIR:-/tmp}/staged-summary.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT PIPE TERM   # make signals run the EXIT trap too

git diff --cached -M --name-status >"$tmp/status"
git diff --cached -M --numstat >"$tmp/numstat"

echo "Staged files (status  +added -deleted  path):"
# Both listings come out in the same order, one line per file.
paste "$tmp/status" "$tmp/numstat" | awk -F '\t' '
  {
    st = substr($1, 1, 1)
    if (st == "R" || st == "C") { path = $2 " -> " $3; add = $4; del = $5 }
    else                        { path = $2;           add = $3; del = $4 }
    if (add == "-") { churn = "binary" } else { churn = "+" add " -" del; ta += add; td += del }
    printf "  %s  %-12s %s\n", st, churn, path
    n++
  }
  END { printf "Total: %d file(s), +%d -%d lines\n", n, ta, td }'
echo

# Paths after renames, one per line.
awk -F '\t' '{ p = (substr($1,1,1) == "R" || substr($1,1,1) == "C") ? $3 : $2; print p }' \
  "$tmp/status" >"$tmp/paths"

echo "Areas touched (scope candidates, most files first):"
awk -F / '
  NF == 1 { area = "(root)" }
  NF > 1  { area = $1
            if (NF > 2 && ($1 == "packages" || $1 == "apps" || $1 == "libs" || $1 == "services" \
                           || $1 == "crates" || $1 == "modules" || $1 == "plugins" || $1 == "skills"))
              area = $2 }
  { count[area]++ }
  END { for (a in count) printf "  %-24s %d file(s)\n", a, count[a] }' "$tmp/paths" | sort -k2,2nr -k1,1
echo

echo "Hints:"
total=$(wc -l <"$tmp/paths" | tr -d ' ')
docs=$(grep -Eci '(\.(md|mdx|rst|adoc|txt)$|^docs?/)' "$tmp/paths" || true)
tests=$(grep -Eci '(^|/)(tests?|__tests__|spec|specs)/|[._-](test|spec)\.[a-z]+$|_test\.go$' "$tmp/paths" || true)
ci=$(grep -Eci '^(\.github/workflows/|\.gitlab-ci\.yml$|\.circleci/|azure-pipelines\.yml$|Jenkinsfile$|\.buildkite/)' "$tmp/paths" || true)
build=$(grep -Eci '(^|/)(package\.json|package-lock\.json|pnpm-lock\.yaml|yarn\.lock|Cargo\.(toml|lock)|go\.(mod|sum)|pyproject\.toml|requirements[^/]*\.txt|poetry\.lock|uv\.lock|Gemfile(\.lock)?|pom\.xml|build\.gradle(\.kts)?|Makefile|Dockerfile|tsconfig[^/]*\.json|vite\.config\.[a-z]+)$' "$tmp/paths" || true)
added=$(grep -c '^A' "$tmp/status" || true)
deleted=$(grep -c '^D' "$tmp/status" || true)
renamed=$(grep -c '^R' "$tmp/status" || true)

[ "$docs" -eq "$total" ] && echo "  - only documentation files: type is probably docs"
[ "$tests" -eq "$total" ] && echo "  - only test files: type is probably test"
[ "$ci" -gt 0 ] && [ "$ci" -eq "$total" ] && echo "  - only CI configuration: type is probably ci"
[ "$build" -gt 0 ] && echo "  - $build build/dependency file(s) staged: build(deps) if that is the whole change"
[ "$tests" -gt 0 ] && [ "$tests" -lt "$total" ] && echo "  - tests change together with code ($tests test file(s))"
[ "$tests" -eq 0 ] && [ "$docs" -lt "$total" ] && echo "  - no test file staged: say in the body how the change was verified, if it matters"
[ "$added" -gt 0 ] && echo "  - $added new file(s)"
[ "$deleted" -gt 0 ] && echo "  - $deleted deleted file(s): check whether anything public was removed"
[ "$renamed" -gt 0 ] && echo "  - $renamed renamed file(s): a move alone is refactor"

# Removed lines that declare public API are the usual source of breaking changes.
api=$(git diff --cached -M -U0 | grep -v '^--- ' \
  | grep -Ec '^-.*(\bexport\b|\bpublic\b|module\.exports)|^-[[:space:]]*((async )?def [a-zA-Z]|func [A-Z]|func \([^)]*\) [A-Z]|pub (fn|struct|enum|trait|mod))' || true)
if [ "$api" -gt 0 ]; then
  echo "  - $api removed line(s) declare exported/public API: check for a BREAKING CHANGE"
fi
if git diff --cached -U0 | grep -Eq '^\+.*(TODO|FIXME|XXX|console\.log\(|debugger;)'; then
  echo "  - added lines contain TODO/FIXME/console.log/debugger: intended?"
fi
echo

if git rev-parse -q --verify HEAD >/dev/null; then
  echo "Recent subjects (match this style):"
  git log -5 --format='  %s'
else
  echo "Recent subjects: none (this will be the first commit)"
fi

if [ "$lines" -gt 0 ]; then
  echo
  echo "First $lines line(s) of the staged diff:"
  git diff --cached -M | head -n "$lines"
fi
