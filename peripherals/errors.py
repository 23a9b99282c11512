"""The peripheral error tree; each error has a stable `code` the UI maps to a translated message."""

from __future__ import annotations


class PeripheralError(Exception):
    """Base of every peripheral error."""

    code = "device.error"

    def __init__(self, message: str = "", *, code: str | None = None) -> None:
        super().__init__(message or self.code)
        if code is not None:
            self.code = code


class DeviceUnavailable(PeripheralError):
    """The device (or its library or system package) is not there or cannot be opened."""

    code = "device.unavailable"


class MissingDependency(DeviceUnavailable):
    """A driver's library or system package is missing; the message says what to install."""

    code = "device.missing_dependency"


class DeviceFault(PeripheralError):
    """The device answered with an error, or its answer was malformed."""

    code = "device.fault"


class ProtocolError(DeviceFault):
    """A frame was malformed: bad checksum, wrong length, garbage."""

    code = "device.protocol"


class DeviceTimeout(PeripheralError, TimeoutError):
    """The device did not answer in time."""

    code = "device.timeout"


class MediaError(PeripheralError):
    """A problem with what is in the device: no card, paper out, cover open, door jammed."""

    code = "device.media"


class Busy(PeripheralError):
    """The device is serving another request."""

    code = "device.busy"
