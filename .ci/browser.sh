#!/usr/bin/env bash
# Debian's Chromium for the page tests (Playwright drives it through executable_path; it never
# downloads a browser of its own), with fonts that cover Latin and Cyrillic.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
# pdftoppm (poppler-utils) and zbarimg (zbar-tools) let the printing tests look at tickets and read their QR.
if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi dejavu || ! command -v pdftoppm >/dev/null \
    || ! command -v zbarimg >/dev/null; then
  echo "installing Debian's chromium, fonts, poppler-utils and zbar-tools"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-dejavu-core poppler-utils zbar-tools >/dev/null
fi
echo "Chromium ready: $(chromium --version 2>/dev/null)"
