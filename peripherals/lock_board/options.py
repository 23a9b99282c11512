"""Lock-board options that need more than a type: board addresses and light channels."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from peripherals.errors import DeviceUnavailable

_RANGE = re.compile(r"\s*(\d+)\s*-\s*(\d+)\s*")


class BadLockOption(DeviceUnavailable, ValueError):
    """A lock-board option's value is refused (a `ValueError` too: a usage error to the CLI)."""

    code = "lock.bad_option"


@dataclass(frozen=True)
class AddressRange:
    """The board addresses a family can use, and where `boards = N` starts counting."""

    low: int
    high: int
    first: int


def board_addresses(value: object, family: str, addresses: AddressRange) -> tuple[int, ...]:
    """The addresses `boards` names: a count N (from the family's first address), a list of
    addresses, or a range "FIRST-LAST"; each within the family's range."""
    low, high = addresses.low, addresses.high
    shape = f'a count (2), a list of addresses ([0, 1]) or a range FIRST-LAST ("{low}-{low + 3}")'
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)  # a count given as text (an environment override)
    if isinstance(value, bool):
        raise BadLockOption(f"boards must be {shape}, not {value!r}")
    if isinstance(value, int):
        if value < 1:
            raise BadLockOption(
                f"boards = {value} counts no boards; for the board at address {low} write "
                f"boards = [{low}]"
            )
        found = tuple(range(addresses.first, addresses.first + value))
    elif isinstance(value, str):
        matched = _RANGE.fullmatch(value)
        if matched is None or int(matched[1]) > int(matched[2]):
            raise BadLockOption(f"boards must be {shape}, not {value!r}")
        found = tuple(range(int(matched[1]), int(matched[2]) + 1))
    elif isinstance(value, Sequence):
        if any(isinstance(b, bool) or not isinstance(b, int) for b in value):
            raise BadLockOption(f"board addresses must be whole numbers, not {list(value)!r}")
        found = tuple(value)
    else:
        raise BadLockOption(f"boards must be {shape}, not {value!r}")
    if not found:
        raise BadLockOption("boards must name at least one board address")
    if len(set(found)) != len(found):
        raise BadLockOption(f"boards must be distinct addresses, not {list(found)}")
    outside = [b for b in found if not low <= b <= high]
    if outside:
        raise BadLockOption(f"{family} boards are addressed {low}-{high}; not {outside}")
    return found


def light_channel_map(
    value: object, family: str, *, has_lights: bool, locks: int, max_channel: int
) -> dict[int, int]:
    """The light channel of each lock that has one, from a table `{"LOCK" = CHANNEL}`.

    A light must have its own channel: on WKLY boards a flash command on a lock's channel keeps
    that lock unlocking until the board restarts, so a channel 1-`locks` is refused.
    """
    if value is None or (isinstance(value, Mapping) and not value):
        return {}
    if not has_lights:
        raise BadLockOption(f"{family} boards have no light command: leave out light_channels")
    if not isinstance(value, Mapping):
        raise BadLockOption(f'light_channels must be a table {{"LOCK" = CHANNEL}}, not {value!r}')
    channels: dict[int, int] = {}
    for key, channel in value.items():
        lock = int(key) if isinstance(key, int) or str(key).strip().isdigit() else None
        if lock is None or not 1 <= lock <= locks:
            raise BadLockOption(
                f"light_channels: {key!r} is not a lock number 1-{locks} (locks_per_board)"
            )
        if isinstance(channel, bool) or not isinstance(channel, int):
            raise BadLockOption(f"light_channels: lock {lock}'s channel must be a whole number")
        if not 1 <= channel <= max_channel:
            raise BadLockOption(
                f"light_channels: channel {channel} for lock {lock} is not a channel "
                f"1-{max_channel}"
            )
        if channel <= locks:
            raise BadLockOption(
                f"light_channels: channel {channel} for lock {lock}'s light drives lock "
                f"{channel}; flashing it would hold that lock open until the board restarts. "
                f"Wire the light to its own channel above {locks} (locks_per_board)"
            )
        channels[lock] = channel
    return channels
