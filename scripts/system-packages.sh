#!/bin/sh
# Installs the Debian packages Sokuho needs when they are missing.
#   required: libsqlite3-dev (SQLite), libcurl4-openssl-dev (HTTP)
#   for tests: sqlite3 (tamper tests), systemd (systemd-analyze), util-linux (setpriv, script),
#              acl (setfacl: the spool's ACLs in the multi-user tests), passwd (useradd),
#              curl (receiver checks), python3 (the reference webhook verifier),
#              chromium, poppler-utils and fonts-noto-cjk (the printed-page tests print each
#              document to PDF with headless Chromium, in Japanese, and read it back),
#              chromium-driver (the city's inbox browser test, with PyPI selenium),
#              prometheus (promtool: the alert rules' tests), and the package tools below
#   for scripts/package (--with-package-tools): dpkg-dev (dpkg-shlibdeps), binutils (strip),
#              xz-utils, lintian, man-db (man -w in the package test)
# Usage: scripts/system-packages.sh [--with-test-tools | --with-package-tools]
set -eu

want="libsqlite3-dev libcurl4-openssl-dev"
case "${1:-}" in --with-test-tools | --with-package-tools)
    want="$want dpkg-dev binutils xz-utils lintian man-db" ;;
esac
if [ "${1:-}" = "--with-test-tools" ]; then
    want="$want sqlite3 util-linux curl acl passwd chromium chromium-driver poppler-utils fonts-noto-cjk prometheus"
    command -v python3 >/dev/null 2>&1 || want="$want python3 python3-pip"
    command -v systemd-analyze >/dev/null 2>&1 || want="$want systemd"
fi

missing=""
for p in $want; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "sokuho: installing missing system packages:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
# shellcheck disable=SC2086
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing
