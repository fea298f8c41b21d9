#!/usr/bin/env bash
# Debian's Chromium for the page tests (Playwright drives it through executable_path; it never
# downloads a browser of its own), with fonts that cover Latin and Cyrillic.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi dejavu; then
  echo "installing Debian's chromium and fonts"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
echo "Chromium ready: $(chromium --version 2>/dev/null)"
