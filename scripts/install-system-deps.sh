#!/usr/bin/env bash
# Installs the Debian packages carbon-ledger needs, only those missing: Python 3.11 with venv, Node.js and npm
# (for Anvil and solc-js), the PostgreSQL server the storage tests run against, and Chromium with its driver for
# the browser tests (Playwright drives Debian's /usr/bin/chromium; it downloads no browser of its own).
set -euo pipefail

missing=()
command -v python3.11 >/dev/null 2>&1 || missing+=(python3.11 python3.11-venv)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "need root to install ${missing[*]}; install them and run again" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
