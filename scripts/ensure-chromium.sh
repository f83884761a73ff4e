#!/bin/sh
# The browser tests drive Debian's Chromium; install it where we can, or say what to do.
set -e
CHROMIUM="${PITSTOP_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests..."
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    exit 0
fi
echo "The browser tests need Chromium at $CHROMIUM: install it (Debian/Ubuntu: sudo apt-get install chromium) or set PITSTOP_CHROMIUM to its path." >&2
exit 1
