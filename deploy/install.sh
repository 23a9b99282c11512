#!/usr/bin/env bash
# Installs this checkout as the kiosk of this machine: a `kiosk` system user, the code in
# /opt/kiosk with its virtual environment, /etc/kiosk/kiosk.toml (from kiosk.example.toml if
# there is none), the systemd unit (cage + watchdog), udev rules, log rotation and journal
# limits; then enables the service. Run as root on Debian/Ubuntu.
#
#   deploy/install.sh             install and enable
#   deploy/install.sh --root DIR  only lay the files out under DIR (a staging root, for review)
set -euo pipefail
ROOT=""
if [ "${1:-}" = "--root" ]; then ROOT="${2:?--root needs a folder}"; fi
HERE="$(cd "$(dirname "$0")/.." && pwd)"

put() {  # put MODE SOURCE TARGET
  install -D -m "$1" "$2" "$ROOT$3"
}

if [ -z "$ROOT" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends cage logrotate
  id kiosk >/dev/null 2>&1 || useradd --system --home-dir /var/lib/kiosk --shell /usr/sbin/nologin kiosk
  if [ "$HERE" != /opt/kiosk ]; then
    mkdir -p /opt/kiosk && cp -a "$HERE/." /opt/kiosk/
  fi
  (cd /opt/kiosk && scripts/setup.sh)
fi

put 0644 "$HERE/deploy/systemd/kiosk.service" /etc/systemd/system/kiosk.service
put 0644 "$HERE/deploy/udev/99-kiosk.rules" /etc/udev/rules.d/99-kiosk.rules
put 0644 "$HERE/deploy/logrotate/kiosk" /etc/logrotate.d/kiosk
put 0644 "$HERE/deploy/journald/kiosk.conf" /etc/systemd/journald.conf.d/kiosk.conf
if [ ! -e "$ROOT/etc/kiosk/kiosk.toml" ]; then
  # the configuration holds back-office tokens: readable by root and the kiosk group only
  put 0640 "$HERE/kiosk.example.toml" /etc/kiosk/kiosk.toml
fi
install -d -m 0750 "$ROOT/etc/kiosk"
install -d -m 0700 "$ROOT/var/lib/kiosk"
install -d -m 0750 "$ROOT/var/log/kiosk"

if [ -z "$ROOT" ]; then
  chown root:kiosk /etc/kiosk /etc/kiosk/kiosk.toml
  chown kiosk:kiosk /var/lib/kiosk /var/log/kiosk
  udevadm control --reload && udevadm trigger || true
  systemctl daemon-reload
  systemctl restart systemd-journald || true
  systemctl enable kiosk.service
  echo "installed: edit /etc/kiosk/kiosk.toml, check with 'kiosk doctor --config /etc/kiosk/kiosk.toml', then 'systemctl start kiosk'"
else
  echo "laid out under $ROOT"
fi
