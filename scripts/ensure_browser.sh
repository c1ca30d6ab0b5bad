#!/usr/bin/env bash
# Makes sure the browser tests (tests/browser/) have a Chromium, before `make test` runs
# pytest: Debian's `chromium` on PATH, else Playwright's own build. Installs one where it
# can (apt-get as root; else Playwright's download); where it cannot, stops at once with
# the one command to run. Only bash builtins are used, so a test can run it with no PATH.
#   PLAYWRIGHT  the Playwright command of the venv (default .venv/bin/playwright)
set -uo pipefail

PLAYWRIGHT=${PLAYWRIGHT:-.venv/bin/playwright}

command -v chromium >/dev/null && exit 0

if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "== installing Debian's chromium for the browser tests"
  apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null &&
    command -v chromium >/dev/null && exit 0
fi

# Does nothing if Playwright's Chromium is already installed, downloads it otherwise.
echo "== no chromium on PATH: setting up Playwright's Chromium for the browser tests"
"$PLAYWRIGHT" install chromium && exit 0

if command -v apt-get >/dev/null; then
  fix="sudo apt-get install -y chromium"
else
  fix="$PLAYWRIGHT install chromium   (it needs to download the browser)"
fi
echo "The browser tests need Chromium, and none could be installed here. Run:" >&2
echo "    $fix" >&2
echo "then run make test again." >&2
exit 1
