#!/bin/sh
# new-adr.sh - create the next numbered Architecture Decision Record from a template.
#
# Usage: new-adr.sh [-d DIR] [-t TEMPLATE] [-s STATUS] [-h] TITLE...
#   TITLE        the decision, e.g. "Use PostgreSQL for job storage"
#   -d DIR       ADR folder (default: the first existing of docs/adr, docs/adrs,
#                docs/decisions, docs/architecture/decisions, doc/adr, doc/decisions, adr,
#                decisions at the repository root; else docs/adr is created)
#   -t TEMPLATE  template file (default: DIR/template.md if it exists, else the template
#                shipped with this skill); {{NUMBER}} {{TITLE}} {{DATE}} {{STATUS}} are filled in
#   -s STATUS    initial status (default: Proposed)
#   -h           show this help
# The file is named NNNN-title-slug.md with the next free number. Prints its path.
# Exit status: 0 created, 1 file exists or cannot be written, 2 bad usage.

set -eu

usage() { sed -n '2,16s/^# \{0,1\}//p' "$0"; }

here=$(cd "$(dirname "$0")" && pwd)
dir='' template='' status=Proposed
while getopts 'd:t:s:h' opt; do
  case $opt in
    d) dir=$OPTARG ;;
    t) template=$OPTARG ;;
    s) status=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
title=$*
if [ -z "$title" ]; then
  echo "new-adr.sh: a title is required" >&2
  usage >&2
  exit 2
fi

if [ -z "$dir" ]; then
  root=$(git rev-parse --show-toplevel 2>/dev/null || pwd)
  for candidate in docs/adr docs/adrs docs/decisions docs/architecture/decisions \
                   doc/adr doc/decisions adr decisions; do
    if [ -d "$root/$candidate" ]; then dir=$root/$candidate; break; fi
  done
  [ -n "$dir" ] || dir=$root/docs/adr
fi

if [ -z "$template" ]; then
  if [ -f "$dir/template.md" ]; then template=$dir/template.md
  else template=$here/../assets/adr-template.md
  fi
fi
if [ ! -f "$template" ]; then
  echo "new-adr.sh: template not found: $template" >&2
  exit 2
fi
mkdir -p -- "$dir"

# Next number: highest NNNN- prefix in the folder, plus one.
last=0
for f in "$dir"/[0-9]*-*; do
  [ -e "$f" ] || continue
  n=${f##*/}; n=${n%%-*}
  case $n in ''|*[!0-9]*) continue ;; esac
  n=$(printf '%s' "$n" | sed 's/^0*//')
  if [ "${n:-0}" -gt "$last" ]; then last=$n; fi
done
next=$((last + 1))
number=$(printf '%04d' "$next")

slug=$(printf '%s' "$title" | tr '[:upper:]' '[:lower:]' | tr -cs 'a-z0-9' '-' | sed 's/^-*//; s/-*$//' | cut -c1-60 | sed 's/-*$//')
[ -n "$slug" ] || slug=decision
file=$dir/$number-$slug.md
if [ -e "$file" ]; then
  echo "new-adr.sh: $file already exists" >&2
  exit 1
fi

date=$(date +%Y-%m-%d)
# Literal replacement (no regex or & surprises in the title).
NUMBER=$number TITLE=$title DATE=$date STATUS=$status awk '
  function repl(s, from, to,    out, i) {
    out = ""
    while ((i = index(s, from)) > 0) { out = out substr(s, 1, i - 1) to; s = substr(s, i + length(from)) }
    return out s
  }
  {
    line = $0
    line = repl(line, "{{NUMBER}}", ENVIRON["NUMBER"])
    line = repl(line, "{{TITLE}}", ENVIRON["TITLE"])
    line = repl(line, "{{DATE}}", ENVIRON["DATE"])
    line = repl(line, "{{STATUS}}", ENVIRON["STATUS"])
    print line
  }' "$template" >"$file"

echo "$file"
