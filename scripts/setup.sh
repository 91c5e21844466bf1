# Sourced by book.sh and test.sh: installs what Chapbook needs on Debian or Ubuntu and
# makes .venv. Safe to run again: it installs only what is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

apt_install() {
  local missing=()
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    if ! command -v apt-get >/dev/null; then
      echo "Please install: ${missing[*]}" >&2
      return 1
    fi
    echo "Installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# WeasyPrint's system libraries (Pango, HarfBuzz's subsetter, fontconfig).
if command -v dpkg >/dev/null; then
  apt_install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig
fi

# The print PDF's fonts beyond the book's own EB Garamond (styles/print.css lists them): a
# face for each script (fonts-noto-core, 43 MB), Chinese, Japanese and Korean (fonts-noto-cjk,
# 91 MB), the monospace for code (fonts-dejavu-core, fonts-noto-mono), and symbols and emoji
# in black and white (fonts-symbola, 3 MB: a colour emoji font would print as pictures).
# Licences: OFL 1.1 (Noto), Bitstream Vera (DejaVu), "free for any use" (Symbola). Nothing is
# fetched at build time.
if command -v dpkg >/dev/null; then
  apt_install fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-noto-mono fonts-symbola
fi

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  echo "Chapbook needs Python 3.11 or newer as '$PYTHON' (set PYTHON=...)" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv 2>/dev/null || { apt_install python3-venv && "$PYTHON" -m venv .venv; }
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
