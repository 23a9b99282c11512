"""Maintainers' PINs: salted argon2id hashes that name their owner, never the PIN."""

from __future__ import annotations

import pytest

from kiosk.config import MaintainerPin
from kiosk.maintenance.pins import BadPin, PinBook, hash_pin
from kiosk.maintenance.roles import Page, Role


def test_a_pin_is_stored_salted_and_recognised() -> None:
    first, second = hash_pin("24681357"), hash_pin("24681357")
    assert first != second and first.startswith("$argon2id$") and "24681357" not in first
    book = PinBook(
        {
            "li": MaintainerPin(role="technician", hash=first),
            "admin": MaintainerPin(role="administrator", hash=hash_pin("97531864")),
        }
    )
    tech = book.check("24681357")
    assert tech is not None and tech.role is Role.TECHNICIAN and tech.who == "pin:li"
    assert not tech.may(Page.SETTINGS) and tech.may(Page.LOCKER)
    admin = book.check("97531864")
    assert admin is not None and admin.may(Page.SETTINGS) and admin.may(Page.RESTART)
    assert book.check("24681358") is None and book.check("") is None


@pytest.mark.parametrize("pin", ["12345", "1234567890123", "11111111", "12a456", "１２３４５６"])
def test_weak_or_odd_pins_are_refused(pin: str) -> None:
    with pytest.raises(BadPin):
        hash_pin(pin)
