#!/usr/bin/env bash
# Installs the Debian packages the test suite needs and npm cannot provide.
# Fails loudly (non-zero, with the reason) rather than letting tests skip.
set -euo pipefail

# command to check → Debian package that provides it
declare -A NEEDS=(
  [/usr/bin/chromium]=chromium
  [/usr/sbin/sshd]=openssh-server
  [/usr/bin/sudo]=sudo
  [/usr/bin/setpriv]=util-linux
  [/usr/bin/systemd-analyze]=systemd
  [/usr/sbin/useradd]=passwd
  [/usr/bin/python3]=python3
  [/usr/bin/perl]=perl-base
)

missing=()
for path in "${!NEEDS[@]}"; do
  [ -x "$path" ] || missing+=("${NEEDS[$path]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "atelier: installing Debian packages needed by the tests: ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO=sudo; else
    echo "atelier: cannot install ${missing[*]}: not root and no passwordless sudo. Install them and rerun." >&2
    exit 1
  fi
else SUDO=; fi
if ! command -v apt-get >/dev/null; then
  echo "atelier: cannot install ${missing[*]}: apt-get not found (the test setup targets Debian/Ubuntu)." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for path in "${!NEEDS[@]}"; do
  [ -x "$path" ] || { echo "atelier: $path is still missing after installing ${NEEDS[$path]}" >&2; exit 1; }
done
