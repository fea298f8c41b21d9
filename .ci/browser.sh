#!/usr/bin/env bash
# Debian's Chromium for the page tests (Playwright drives it through executable_path; it never
# downloads a browser of its own), with fonts that cover Latin and Cyrillic.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
# pdftoppm (poppler-utils) and zbarimg (zbar-tools) let the printing tests look at tickets and read their QR;
# libfribidi0 lets Pillow's raqm layout order Arabic tickets right to left (it loads FriBiDi at run time).
if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi dejavu || ! command -v pdftoppm >/dev/null \
    || ! command -v zbarimg >/dev/null || ! ldconfig -p 2>/dev/null | grep -q libfribidi.so.0; then
  echo "installing Debian's chromium, fonts, poppler-utils and zbar-tools"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-dejavu-core poppler-utils zbar-tools libfribidi0 >/dev/null
fi
echo "Chromium ready: $(chromium --version 2>/dev/null)"
