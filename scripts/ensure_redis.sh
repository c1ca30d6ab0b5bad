#!/usr/bin/env bash
# Makes sure the cache tests have a redis-server binary to start (each test run starts its
# own on a free port; nothing needs to be running): installs Debian's as root where
# apt-get exists, otherwise stops at once with the one command to run.
set -uo pipefail

command -v redis-server >/dev/null && exit 0

if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "== installing Debian's redis-server for the cache tests"
  apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null &&
    command -v redis-server >/dev/null && exit 0
fi

echo "The cache tests need redis-server, and it could not be installed here. Run:" >&2
echo "    sudo apt-get install -y redis-server   (or your system's redis package)" >&2
echo "then run make test again." >&2
exit 1
