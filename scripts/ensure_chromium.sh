#!/bin/sh
# Browser tests drive Debian's Chromium; install it when missing (never a browser download by Playwright).
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "Installing Debian's chromium for the browser tests…"
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get install -y chromium >/dev/null 2>&1 || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y chromium >/dev/null; } || {
    echo "Could not install chromium: run 'apt-get install -y chromium' and try again."; exit 1; }
