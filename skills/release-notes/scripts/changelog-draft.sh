#!/bin/sh
# changelog-draft.sh - group the commits between two refs by Conventional Commits type into a
# Markdown draft for release notes. The draft is raw material: rewrite it for users.
#
# Usage: changelog-draft.sh [-h] [FROM [TO]]
#   FROM  older ref, excluded (default: the newest tag reachable from TO's parent, so that
#         a tagged TO compares with the tag before it; whole history when there is no tag)
#   TO    newer ref, included (default: HEAD)
#   -h    show this help
# Merge commits are skipped. Subjects that are not Conventional Commits go under
# "Unsorted". Breaking changes come from `type!:` and from BREAKING CHANGE footers.
# Prints the range, a suggested SemVer bump, the groups, and the authors.
# Exit status: 0 draft printed, 1 no commits in range, 2 bad usage or unknown ref.

set -eu

usage() { sed -n '2,14s/^# \{0,1\}//p' "$0"; }

case ${1:-} in -h|--help) usage; exit 0 ;; esac
[ $# -le 2 ] || { usage >&2; exit 2; }

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "changelog-draft: not inside a git work tree" >&2
  exit 2
fi

to=${2:-HEAD}
if ! git rev-parse -q --verify "$to^{commit}" >/dev/null; then
  echo "changelog-draft: unknown ref '$to'" >&2; exit 2
fi
if [ $# -ge 1 ] && [ -n "$1" ]; then
  from=$1
  if ! git rev-parse -q --verify "$from^{commit}" >/dev/null; then
    echo "changelog-draft: unknown ref '$from'" >&2; exit 2
  fi
else
  from=$(git describe --tags --abbrev=0 "$to^" 2>/dev/null || true)
fi

if [ -n "$from" ]; then range="$from..$to"; else range=$to; fi
count=$(git rev-list --no-merges --count "$range")
if [ "$count" -eq 0 ]; then
  echo "No commits in ${range}."
  exit 1
fi

date=$(git log -1 --format=%cs "$to")
label=$(git describe --tags --exact-match "$to" 2>/dev/null || echo "$to")
[ "$label" = HEAD ] && label=Unreleased
echo "<!-- draft generated from ${from:-the first commit}..$to ($count commit(s), merges skipped) -->"
echo

# One record per commit: hash US subject US body RS (US = \037, RS = \036).
git log --no-merges --reverse --format='%h%x1f%s%x1f%b%x1e' "$range" | awk -v to="$label" -v date="$date" '
  BEGIN {
    RS = "\036"; FS = "\037"
    ntypes = split("feat fix perf revert docs refactor build ci test style chore", order, " ")
    title["feat"] = "Features";         title["fix"] = "Bug fixes"
    title["perf"] = "Performance";      title["revert"] = "Reverts"
    title["docs"] = "Documentation";    title["refactor"] = "Refactoring"
    title["build"] = "Build and dependencies"; title["ci"] = "Continuous integration"
    title["test"] = "Tests";            title["style"] = "Code style"
    title["chore"] = "Chores"
  }
  {
    sub(/^\n+/, "", $1)
    if ($1 == "") next
    hash = $1; subject = $2; body = $3
    type = ""; scope = ""; desc = subject; bang = 0
    if (match(subject, /^[A-Za-z]+(\([^)]*\))?!?: /)) {
      head = substr(subject, 1, RLENGTH - 2); desc = substr(subject, RLENGTH + 1)
      if (head ~ /!$/) { bang = 1; head = substr(head, 1, length(head) - 1) }
      p = index(head, "(")
      if (p) { type = substr(head, 1, p - 1); scope = substr(head, p + 1, length(head) - p - 1) }
      else type = head
      type = tolower(type)
    }
    entry = "- " (scope != "" ? "**" scope ":** " : "") desc " (" hash ")"
    if (type != "" && (type in title)) { items[type] = items[type] entry "\n"; seen[type] = 1 }
    else if (type != "") { items["other"] = items["other"] "- " subject " (" hash ")\n" }
    else { items["unsorted"] = items["unsorted"] "- " subject " (" hash ")\n" }
    if (type == "feat") feats++
    if (type == "fix" || type == "perf") fixes++

    note = ""
    if (match(body, /(^|\n)BREAKING[ -]CHANGE: /)) {
      note = substr(body, RSTART + RLENGTH)
      cut = index(note, "\n\n"); if (cut) note = substr(note, 1, cut - 1)
      gsub(/\n/, " ", note); sub(/[ \t]+$/, "", note)
    }
    if (bang || note != "") {
      breaking = breaking "- " (scope != "" ? "**" scope ":** " : "") (note != "" ? note : desc) " (" hash ")\n"
      nbreak++
    }
  }
  END {
    bump = nbreak ? "major (0.x: minor)" : feats ? "minor" : fixes ? "patch" : "patch, or none if nothing user-facing changed"
    printf "## %s (%s)\n\n", to, date
    printf "Suggested version bump: %s (%d breaking, %d feat, %d fix/perf)\n\n", bump, nbreak, feats, fixes
    if (breaking != "") printf "### BREAKING CHANGES\n\n%s\n", breaking
    for (i = 1; i <= ntypes; i++) {
      t = order[i]
      if (t in seen) printf "### %s\n\n%s\n", title[t], items[t]
    }
    if ("other" in items) printf "### Other types\n\n%s\n", items["other"]
    if ("unsorted" in items) printf "### Unsorted (not Conventional Commits: classify by reading the diff)\n\n%s\n", items["unsorted"]
  }'

echo "### Authors"
echo
git log --no-merges --format='%aN' "$range" | sort | uniq -c | sort -k1,1nr -k2 \
  | awk '{ n = $1; $1 = ""; sub(/^ /, ""); printf "- %s (%d commit%s)\n", $0, n, (n > 1 ? "s" : "") }'
