#!/usr/bin/env bash
# Set up PeaceTable in ./.venv and run it:   bash packaging/dev.sh run [ARGS...]
# Set up and run the test suite:             bash packaging/dev.sh test [PYTEST ARGS...]
# Set up and remake the docs' screenshots:   bash packaging/dev.sh screenshots [--only NAME...]
#
# Needs only Python >= 3.11. On Debian/Ubuntu it installs, when missing and when it may
# (root, or sudo without a password), the few system libraries Qt loads (EGL/GL,
# xkbcommon, fontconfig, D-Bus, GLib; for a real window also the xcb libraries) and
# python3-venv; otherwise it prints the exact apt-get line to run.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}; shift || true
case "$mode" in
  run|test|screenshots) ;;
  *) echo "usage: bash packaging/dev.sh run|test|screenshots [ARGS...]" >&2; exit 2 ;;
esac
say() { echo "dev.sh: $*" >&2; }

PY=${PYTHON:-python3}
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || {
  echo "PeaceTable needs Python 3.11 or newer ($PY is $("$PY" --version 2>&1))." >&2; exit 1; }

need_libs() {
  command -v ldconfig >/dev/null 2>&1 || return 0
  local missing=() lib pkg
  local pairs=("libEGL.so.1:libegl1" "libGL.so.1:libgl1" "libxkbcommon.so.0:libxkbcommon0"
               "libfontconfig.so.1:libfontconfig1" "libdbus-1.so.3:libdbus-1-3"
               "libglib-2.0.so.0:libglib2.0-0")
  if { [ "$mode" = run ] && [ "${QT_QPA_PLATFORM:-}" != offscreen ]; } || [ "$mode" = screenshots ]; then
    pairs+=("libxkbcommon-x11.so.0:libxkbcommon-x11-0" "libxcb-cursor.so.0:libxcb-cursor0"
            "libxcb-icccm.so.4:libxcb-icccm4" "libxcb-keysyms.so.1:libxcb-keysyms1"
            "libxcb-image.so.0:libxcb-image0" "libxcb-render-util.so.0:libxcb-render-util0"
            "libxcb-shape.so.0:libxcb-shape0" "libxcb-xkb.so.1:libxcb-xkb1")
  fi
  for p in "${pairs[@]}"; do
    lib=${p%%:*}; pkg=${p##*:}
    ldconfig -p | grep -q "$lib" || missing+=("$pkg")
  done
  echo "${missing[*]:-}"
}

apt_install() {
  local pkgs="$*"
  [ -n "$pkgs" ] || return 0
  if command -v apt-get >/dev/null 2>&1; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || { sudo -n true 2>/dev/null && sudo="sudo -n"; }
    if [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; then
      echo "Installing system packages: $pkgs" >&2
      $sudo apt-get update -qq >/dev/null && \
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
      return
    fi
  fi
  echo "Qt needs these system packages; install them and run again:" >&2
  echo "  sudo apt-get install -y $pkgs" >&2
  exit 1
}

say "Checking the system libraries Qt needs…"
apt_install $(need_libs)
# the tests check that exported PDF reports render (pdftoppm from poppler-utils)
if [ "$mode" = test ] && ! command -v pdftoppm >/dev/null 2>&1; then
  apt_install poppler-utils
fi
# the screenshots are taken from real windows on a virtual X server
if [ "$mode" = screenshots ] && ! command -v Xvfb >/dev/null 2>&1; then
  say "Installing Xvfb (a virtual X server) for the screenshots…"
  apt_install xvfb
fi

if [ ! -x .venv/bin/python ]; then
  say "Creating the virtual environment in ./.venv…"
  if ! "$PY" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    apt_install python3-venv
    "$PY" -m venv .venv
  fi
fi
stamp=.venv/.peacetable-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  say "Installing PeaceTable and its dependencies into ./.venv (the first time takes a few minutes)…"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install -q -e ".[test]"
  touch "$stamp"
  say "Installed."
else
  say "./.venv is up to date."
fi

case "$mode" in
  run)  say "Starting PeaceTable (.venv/bin/peacetable $*)"; exec .venv/bin/peacetable "$@" ;;
  test) say "Running the tests (.venv/bin/python -m pytest $*)"; exec .venv/bin/python -m pytest "$@" ;;
  screenshots) say "Taking the screenshots from real windows under Xvfb (docs/screenshots/)"
               exec .venv/bin/python bench/screenshots.py "$@" ;;
esac
