#!/usr/bin/env bash
# Run by test.sh: installs Ace by DAISY (the EPUB accessibility checker) for tests/test_write_epub_ace.py,
# as ace-puppeteer driving Debian's Chromium (the plain `ace` needs Electron, which is not
# downloaded). Installs only what is missing: Debian's chromium (and nodejs and npm) with
# apt-get, and @daisy/ace into .tools/ace with npm. Never fails: if something cannot be
# installed it prints a warning and exits 0, and the Ace tests are skipped.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ACE_VERSION="1.4.6"
TOOLS="$ROOT/.tools/ace"
CHROMIUM="/usr/bin/chromium"

warn() {
  echo "WARNING: $* - the Ace accessibility tests will be skipped." >&2
  exit 0
}

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

UPDATED=""
apt_install() {
  command -v apt-get >/dev/null || return 1
  if [ -z "$UPDATED" ]; then
    $SUDO apt-get update -qq >/dev/null || return 1
    UPDATED=1
  fi
  echo "Installing $* (for Ace)"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" \
    >/dev/null || return 1
}

if [ ! -x "$CHROMIUM" ]; then
  apt_install chromium || warn "could not install Debian's chromium"
  [ -x "$CHROMIUM" ] || warn "chromium is installed but $CHROMIUM is missing"
fi

installed_version() {
  local manifest="$1/node_modules/@daisy/ace/package.json"
  [ -x "$1/node_modules/.bin/ace-puppeteer" ] && [ -f "$manifest" ] || return 1
  sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$manifest" | head -n 1
}

if [ "$(installed_version "$TOOLS")" != "$ACE_VERSION" ]; then
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt_install nodejs npm || warn "could not install Debian's nodejs and npm"
  fi
  # Install next to the final folder and move it in place only when complete, so an
  # interrupted install is redone next time.
  partial="$TOOLS.partial"
  rm -rf "$partial" && mkdir -p "$partial" || warn "could not create $partial"
  echo "Installing @daisy/ace@$ACE_VERSION into ${TOOLS#"$ROOT"/}"
  if ! log="$(cd "$partial" && ELECTRON_SKIP_BINARY_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 \
    npm install --prefix "$partial" --no-audit --no-fund --no-progress --loglevel=error \
    --save-exact "@daisy/ace@$ACE_VERSION" 2>&1)"; then
    rm -rf "$partial"
    echo "$log" | tail -n 20 >&2
    warn "npm could not install @daisy/ace@$ACE_VERSION"
  fi
  [ "$(installed_version "$partial")" = "$ACE_VERSION" ] ||
    { rm -rf "$partial"; warn "npm did not install ace-puppeteer $ACE_VERSION"; }
  rm -rf "$TOOLS" && mv "$partial" "$TOOLS" || warn "could not move Ace into $TOOLS"
fi
exit 0
