#!/usr/bin/env bash
# Installs the benchmark's reference tool, pandoc (Debian/Ubuntu, as root or with sudo).
# Only bench/run.py needs it; it is not part of CI or of scripts/test.sh.
set -euo pipefail
if command -v pandoc >/dev/null 2>&1; then
    echo "pandoc already installed: $(pandoc --version | head -n 1)"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends pandoc
pandoc --version | head -n 1
