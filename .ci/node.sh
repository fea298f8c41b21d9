#!/usr/bin/env bash
# npm for the browser libraries (package-lock.json), from Debian's packages when the machine has none.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v npm >/dev/null; then
  echo "installing Debian's nodejs and npm"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
