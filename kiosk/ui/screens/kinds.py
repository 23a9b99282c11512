"""The screen class for every prompt kind (imported after the first frame: `kiosk.ui.screens`)."""

from __future__ import annotations

from kiosk.flow.prompt import PromptKind
from kiosk.ui.screens.base import PromptScreen
from kiosk.ui.screens.busy import BusyScreen
from kiosk.ui.screens.choose import ChooseScreen
from kiosk.ui.screens.confirm import ConfirmScreen
from kiosk.ui.screens.consent import ConsentScreen
from kiosk.ui.screens.device_wait import DeviceWaitScreen
from kiosk.ui.screens.error import ErrorScreen
from kiosk.ui.screens.info import InfoScreen
from kiosk.ui.screens.input import InputScreen
from kiosk.ui.screens.menu import MenuScreen
from kiosk.ui.screens.page import PageScreen
from kiosk.ui.screens.qr_wait import QrWaitScreen
from kiosk.ui.screens.result import ResultScreen

SCREENS: dict[PromptKind, type[PromptScreen]] = {
    PromptKind.INFO: InfoScreen,
    PromptKind.CHOOSE: ChooseScreen,
    PromptKind.INPUT: InputScreen,
    PromptKind.CONFIRM: ConfirmScreen,
    PromptKind.CONSENT: ConsentScreen,
    PromptKind.DEVICE_WAIT: DeviceWaitScreen,
    PromptKind.BUSY: BusyScreen,
    PromptKind.ERROR: ErrorScreen,
    PromptKind.RESULT: ResultScreen,
    PromptKind.MENU: MenuScreen,
    PromptKind.PAGE: PageScreen,
    PromptKind.QR_WAIT: QrWaitScreen,
}
"""The screen class for every prompt kind."""
