"""A logging filter that masks personal values in every record, as a last defence.

The values of every live session are masked in any format (`kiosk.privacy.personal.conceal`),
then any ID or phone number pattern.
"""

from __future__ import annotations

import logging

from kiosk.privacy.personal import conceal


class ScrubFilter(logging.Filter):
    """Rewrites each record's message with personal values masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the formatted message in place; never drops a record."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        record.msg = conceal(message)
        record.args = None
        return True


def install() -> None:
    """Attach the scrub filter to every handler of the root logger."""
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, ScrubFilter) for f in handler.filters):
            handler.addFilter(ScrubFilter())
