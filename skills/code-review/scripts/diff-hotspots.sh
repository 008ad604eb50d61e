#!/bin/sh
# diff-hotspots.sh - map a change before reviewing it: churn per file, source vs test balance,
# and added lines that match risky patterns (secrets, injection, XSS, path handling, weak crypto,
# disabled TLS checks, swallowed errors, debug leftovers, focused or skipped tests).
#
# Usage: diff-hotspots.sh [--staged | BASE] [-h]
#   (no argument)  uncommitted changes, staged and unstaged, against HEAD
#   --staged       staged changes only
#   BASE           committed changes on this branch since it forked from BASE
#                  (git diff BASE...HEAD), e.g. origin/main
#   -h             show this help
# Pattern hits are leads for a human or agent to verify, not findings.
# Exit status: 0 report printed, 1 no changes in that range, 2 bad usage or not a git work tree.

set -eu

usage() { sed -n '2,14s/^# \{0,1\}//p' "$0"; }

case ${1:-} in
  -h|--help) usage; exit 0 ;;
esac
[ $# -le 1 ] || { usage >&2; exit 2; }

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "diff-hotspots: not inside a git work tree" >&2
  exit 2
fi
cd "$(git rev-parse --show-toplevel)"

if [ $# -eq 0 ]; then
  if git rev-parse -q --verify HEAD >/dev/null; then
    set -- HEAD; label="uncommitted changes against HEAD"
  else
    set -- --cached; label="staged changes (no commit yet)"
  fi
elif [ "$1" = --staged ] || [ "$1" = --cached ]; then
  set -- --cached; label="staged changes"
else
  if ! git rev-parse -q --verify "$1^{commit}" >/dev/null; then
    echo "diff-hotspots: '$1' is not a commit, branch or tag" >&2
    exit 2
  fi
  label="changes on $(git symbolic-ref --short -q HEAD || echo HEAD) since it forked from $1"
  set -- "$1...HEAD"
fi

if git diff --quiet "$@" --; then
  echo "No changes in range: $label"
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/diff-hotspots.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT PIPE TERM   # make signals run the EXIT trap too

git diff -M --numstat "$@" -- >"$tmp/numstat"

echo "Reviewing: $label"
echo
echo "Files by churn (+added -deleted):"
awk -F '\t' '{ c = ($1 == "-") ? -1 : $1 + $2
               printf "%d\t%s\t%s\t%s\n", c, $1, $2, $3 }' "$tmp/numstat" \
  | sort -t "$(printf '\t')" -k1,1nr \
  | awk -F '\t' '{ if ($1 < 0) printf "  binary        %s\n", $4
                  else printf "  +%-5s -%-5s %s\n", $2, $3, $4
                  f++; a += $2; d += $3 }
                END { printf "Total: %d file(s), +%d -%d\n", f, a, d }'
echo

awk -F '\t' '{ print $3 }' "$tmp/numstat" >"$tmp/paths"
test_re='(^|/)(tests?|__tests__|spec|specs|testdata|fixtures)/|[._-](test|spec)\.[a-z]+$|_test\.go$|(^|/)test_[^/]*\.py$'
doc_re='\.(md|mdx|rst|adoc|txt)$|^docs?/'
tests=$(grep -Ec "$test_re" "$tmp/paths" || true)
code=$(grep -Ev "$test_re" "$tmp/paths" | grep -Evc "$doc_re" || true)
echo "Balance: $code non-test source/config file(s), $tests test file(s)"
if [ "$code" -gt 0 ] && [ "$tests" -eq 0 ]; then
  echo "  ! code changed but no test changed: ask how the change is verified"
fi
if grep -Eq '(^|/)(package-lock\.json|pnpm-lock\.yaml|yarn\.lock|Cargo\.lock|go\.sum|poetry\.lock|uv\.lock|Gemfile\.lock)$' "$tmp/paths"; then
  echo "  ! lockfile changed: check which dependencies moved and why"
fi
if grep -Eiq '(^|/)(migrations?|migrate)/|\.sql$' "$tmp/paths"; then
  echo "  ! database migration or SQL file changed: check reversibility and locking"
fi
echo

echo "Risky patterns in added lines (file:line [category] text):"
git diff -M -U0 --no-color "$@" -- | awk '
  function hit(cat) {
    printf "  %s:%d [%s] %s\n", file, line, cat, substr(text, 1, 160); n++
  }
  /^\+\+\+ (b\/|"b\/|\/dev\/null)/ {
    file = substr($0, 5); sub(/^"?b\//, "", file); sub(/"?\t?$/, "", file)
    skip = (file ~ /(package-lock\.json|pnpm-lock\.yaml|yarn\.lock|Cargo\.lock|go\.sum|\.min\.(js|css)|\.map|\.snap)$/)
    next
  }
  /^@@ / {
    # @@ -a,b +c,d @@ : new-file line numbers start at c
    s = $0; sub(/^@@ -[0-9,]+ \+/, "", s); sub(/[ ,].*$/, "", s); line = s + 0
    next
  }
  /^\+/ {
    if (!skip) {
      text = substr($0, 2); l = tolower(text)
      if (l ~ /(api[_-]?key|secret|passw(or)?d|access[_-]?token|auth[_-]?token|private[_-]?key)["'\'']?[ \t]*[:=][ \t]*["'\''][^"'\'' ][^"'\'' ][^"'\'' ][^"'\'' ][^"'\'' ][^"'\'' ][^"'\'' ][^"'\'' ]/ \
          || text ~ /-----BEGIN [A-Z ]*PRIVATE KEY-----|AKIA[0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z]|gh[pousr]_[A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9]|xox[baprs]-[A-Za-z0-9]/)
        hit("secret")
      if (text ~ /(^|[^A-Za-z0-9_.])(eval|exec|execSync|spawnSync|system|popen|Function)[ \t]*\(|child_process|shell[ \t]*=[ \t]*True|os\.system|subprocess\.|Runtime\.getRuntime\(\)\.exec/ && l !~ /^[ \t]*(\/\/|#|\*)/)
        hit("exec")
      if (l ~ /(select|insert into|update|delete from)[^"'\''`]*["'\''`][ \t]*(\+|\.\.|%)|(select|insert into|update|delete from)[^`]*\$\{|f"[^"]*(select|insert|update|delete)[^"]*\{/)
        hit("sql")
      if (text ~ /innerHTML|outerHTML|dangerouslySetInnerHTML|v-html|\{@html|document\.write|insertAdjacentHTML|\|[ \t]*safe[ \t]*\}\}|mark_safe\(/)
        hit("xss")
      if (text ~ /path\.(join|resolve)\([^)]*(req\.|params|query|body|filename)|(readFile|readFileSync|createReadStream|writeFile|writeFileSync|open|sendFile|unlink|rm|rmSync)\([^)]*(req\.|params\.|query\.|body\.|filename)|extractall\(|ZipEntry|archive\/zip|archive\/tar/)
        hit("path")
      if (l ~ /(^|[^a-z0-9])(md5|sha1)([^a-z0-9]|$)|math\.random\(|createcipher\(|des-(cbc|ede|ecb)|-ecb([^a-z]|$)/)
        hit("crypto")
      if (text ~ /rejectUnauthorized[ \t]*:[ \t]*false|NODE_TLS_REJECT_UNAUTHORIZED|verify[ \t]*=[ \t]*False|InsecureSkipVerify[ \t]*:[ \t]*true|CURLOPT_SSL_VERIFYPEER|curl[^|]*[ \t]-k([ \t]|$)|--insecure/)
        hit("tls")
      if (text ~ /catch[ \t]*(\([^)]*\))?[ \t]*\{[ \t]*\}|except[ \t]*:[ \t]*(pass)?[ \t]*$|except[ \t]+(Base)?Exception[^:]*:[ \t]*pass|_[ \t]*=[ \t]*err[ \t]*$|\.catch\([ \t]*\([ \t]*\)[ \t]*=>[ \t]*(\{[ \t]*\}|null|undefined)[ \t]*\)/)
        hit("swallow")
      if (text ~ /(^|[^A-Za-z])(it|test|describe|context)\.only[ \t]*\(|(^|[^A-Za-z])(fit|fdescribe|xit|xdescribe)[ \t]*\(|\.skip[ \t]*\(|@pytest\.mark\.skip|@Disabled|@Ignore|t\.Skip\(/)
        hit("test-focus")
      if (text ~ /console\.(log|debug)\(|debugger;|(^|[^A-Za-z_.])print\(|pdb\.set_trace|breakpoint\(\)|dbg!\(|TODO|FIXME|XXX|HACK/)
        hit("leftover")
    }
    line++
    next
  }
  END { if (!n) print "  (none)" }
'
echo
echo "Next: read every changed file in full, then walk the checklist."
