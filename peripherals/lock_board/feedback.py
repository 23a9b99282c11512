"""How a lock's feedback contact is wired, and so what a board's door reading means.

The 8A-family manual's codes (query reply `80 01 01 00 80`: 00 = open, 11 = closed; open reply
`8A 01 01 00 8A` = opened) hold for locks whose contact shorts while locked (`locked-short`, the
usual wiring); for locks whose contact shorts while unlocked (`unlocked-short`) every reading is
the other way round. The same holds for every family's state bytes and door bitmaps.
"""

from __future__ import annotations

import enum

from peripherals.lock_board.options import BadLockOption


class Feedback(enum.StrEnum):
    """Which lock state shorts the feedback contact."""

    LOCKED_SHORT = "locked-short"
    UNLOCKED_SHORT = "unlocked-short"

    @property
    def other(self) -> Feedback:
        """The other wiring."""
        if self is Feedback.LOCKED_SHORT:
            return Feedback.UNLOCKED_SHORT
        return Feedback.LOCKED_SHORT

    def reading(self, is_open: bool | None) -> bool | None:
        """A door's state from what the board reports as open under `locked-short` wiring."""
        if is_open is None or self is Feedback.LOCKED_SHORT:
            return is_open
        return not is_open


def feedback_option(value: object) -> Feedback:
    """The `feedback` option's value, or a one-line refusal naming both choices."""
    try:
        return Feedback(str(value).strip().lower())
    except ValueError:
        choices = " or ".join(f'"{f.value}"' for f in Feedback)
        raise BadLockOption(f"feedback must be {choices}, not {value!r}") from None
