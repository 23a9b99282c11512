#!/usr/bin/env bash
# Installs what the kiosk and its tests need on Debian/Ubuntu (idempotent; sudo where not root).
# Sourced by scripts/run-kiosk and scripts/run-tests; leaves an activated venv in .venv.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

APT_PACKAGES=(
  python3 python3-venv python3-dev gcc pkg-config   # Python and building pyscard
  libpcsclite-dev pcscd                              # PC/SC smart-card readers
  vsmartcard-vpcd                                    # virtual reader for --simulate and tests
  espeak-ng alsa-utils                               # speech output
  fonts-noto-cjk fonts-wqy-microhei                  # CJK fonts (mainland glyphs, rare characters)
  fonts-materialdesignicons-webfont                  # icons (Material Design Icons font)
  libzinnia0 tegaki-zinnia-simplified-chinese        # offline handwriting recognition
  libgl1 libegl1 libgl1-mesa-dri                     # Kivy's software rendering without a GPU
  socat graphviz                                     # serial/pty tools, flow diagrams
  openssl                                            # test certificates (mutual TLS)
  systemd logrotate                                  # checking the deployment recipe (deploy/)
  nginx                                              # serving the update repository in tests
  postgresql                                         # the fleet server's scaled database (tests)
  chromium chromium-driver                           # the fleet console in a real browser (tests)
)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then PYTHON="$candidate"; break; fi
  done
fi
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
  echo "setup: Python 3.11 or newer is needed ($PYTHON is $("$PYTHON" --version 2>&1))" >&2
  exit 1
}

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate

stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python packages" >&2
  python -m pip install -q --upgrade pip >/dev/null
  python -m pip install -q -e ".[ui,pcsc,voice,hid,backoffice,fleet,test]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
# The Simplified Chinese face of Noto Sans CJK, extracted once into assets/fonts/.
python scripts/extract-cjk-font.py
# Translations parsed, the font checked and the kiosk's bytecode compiled once at install, so a
# first start need not (build/, __pycache__/).
python -m kiosk.ui.install_cache
