"""Telling systemd how the kiosk is: ready to serve, still alive (the watchdog), stopping.

Under a `Type=notify` unit with `WatchdogSec=`, systemd restarts a kiosk that stops pinging:
the pings come from the event loop that also draws the screen, so a frozen screen stops them.
Outside systemd (no `NOTIFY_SOCKET`) every call does nothing.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping

import sdnotify

log = logging.getLogger(__name__)


class ServiceNotifier:
    """sd_notify messages to the service manager, if there is one."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.enabled = bool(env.get("NOTIFY_SOCKET"))
        self.interval: float | None = None
        """Seconds between watchdog pings (half of `WatchdogSec`), or None without one."""
        # WATCHDOG_PID names cage, whose child the kiosk is (the unit has NotifyAccess=all)
        usec = env.get("WATCHDOG_USEC", "")
        if self.enabled and usec.isdigit() and int(usec) > 0:
            self.interval = int(usec) / 2_000_000
        self._notifier = sdnotify.SystemdNotifier() if self.enabled else None

    def _send(self, message: str) -> None:
        if self._notifier is not None:
            self._notifier.notify(message)

    def ready(self, status: str) -> None:
        """The kiosk serves residents now."""
        log.info("ready: %s", status)
        self._send(f"READY=1\nSTATUS={status}")

    def alive(self) -> None:
        """One watchdog ping."""
        self._send("WATCHDOG=1")

    def stopping(self) -> None:
        """The kiosk is shutting down cleanly (a restart now is not a failure)."""
        self._send("STOPPING=1\nSTATUS=stopping")

    async def keep_alive(self) -> None:
        """Ping the watchdog from this event loop until cancelled."""
        if self.interval is None:
            return
        while True:
            self.alive()
            await asyncio.sleep(self.interval)
