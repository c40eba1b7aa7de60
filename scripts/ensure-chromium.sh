#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests (playwright-core drives it;
# no test tool ever downloads a browser of its own). Idempotent: when it is there, this returns at once.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

fail() {
  echo "ensure-chromium: $*" >&2
  echo "ensure-chromium: the browser tests need Debian's 'chromium' package at $CHROMIUM." >&2
  echo "ensure-chromium: install it by hand with: apt-get update && apt-get install -y chromium" >&2
  exit 1
}

command -v apt-get >/dev/null 2>&1 || fail "apt-get is not available on this machine."

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    fail "installing needs root (or password-less sudo), and this is $(id -un)."
  fi
fi

echo "ensure-chromium: $CHROMIUM is missing; installing Debian's chromium package (about a minute)..."
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq || fail "apt-get update failed."
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null || fail "apt-get install chromium failed."

[ -x "$CHROMIUM" ] || fail "the chromium package installed, but $CHROMIUM is still not there."
echo "ensure-chromium: installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)."
