"""The settings page (volume, timeouts, language, elder mode by default), written back to the
configuration file; the screen's brightness where the panel has a backlight (set now, and kept
in the file for the next start); and the restart page."""

from __future__ import annotations

from typing import Any

from kiosk.config import ConfigError, load_config
from kiosk.maintenance.brightness import MINIMUM, Backlight, find_backlight
from kiosk.maintenance.os_errors import os_error_words
from kiosk.maintenance.settings import PLACES, Setting, current, write_setting, write_values
from kiosk.maintenance.visit import BACK, Action, Leave, Visit

RESTART = "restart"
BRIGHTNESS = "brightness"


def _shown(visit: Visit, setting: Setting, value: Any) -> str:
    if setting is Setting.LANGUAGE:
        return visit.tr(f"language.{value}")
    if setting is Setting.ELDER:
        return visit.tr("settings.on" if value else "settings.off")
    if setting is Setting.VOLUME:
        return f"{value}"
    return f"{value:g} s"


async def _new_value(visit: Visit, setting: Setting) -> Any:
    """Ask for the new value: a choice for language and elder mode, a number otherwise."""
    title = visit.tr(f"settings.{setting.value}")
    if setting is Setting.LANGUAGE:
        actions = [Action(code, visit.tr(f"language.{code}")) for code in ("zh_CN", "en")]
        chosen = await visit.ask(lambda: visit.page("settings.value", title, (), actions))
        return None if chosen == BACK else chosen
    if setting is Setting.ELDER:
        actions = [Action("on", visit.tr("settings.on")), Action("off", visit.tr("settings.off"))]
        chosen = await visit.ask(lambda: visit.page("settings.value", title, (), actions))
        return None if chosen == BACK else chosen == "on"
    place = PLACES[setting]
    text = visit.tr("settings.range", minimum=place.minimum, maximum=place.maximum)
    chosen = await visit.ask(
        lambda: visit.number_input("settings.value", title, text, digits=len(str(place.maximum)))
    )
    return None if chosen == BACK else int(chosen)


def brightness_row(visit: Visit, backlight: Backlight | None) -> tuple[str, str]:
    """The screen's brightness now, or that it cannot be set on this kiosk."""
    if backlight is None:
        return (visit.tr("settings.brightness"), visit.tr("settings.no_backlight"))
    try:
        return (visit.tr("settings.brightness"), f"{backlight.percent()} %")
    except (OSError, ValueError):
        return (visit.tr("settings.brightness"), visit.tr("settings.no_backlight"))


async def _brightness(visit: Visit, backlight: Backlight) -> str:
    """Ask for a percentage; set it now and keep it in the file (when there is one)."""
    title = visit.tr("settings.brightness")
    text = visit.tr("settings.range", minimum=MINIMUM, maximum=100)
    chosen = await visit.ask(lambda: visit.number_input("settings.value", title, text, digits=3))
    if chosen == BACK:
        return ""
    value = int(chosen)
    try:
        old = backlight.percent()
        now = backlight.set_percent(value)
    except (OSError, ValueError) as exc:
        visit.audit.record("settings", "change", "refused", setting=BRIGHTNESS, new=value)
        return visit.tr("settings.refused", why=os_error_words(str(exc), visit.lang))
    source = visit.config.source
    if source is not None:
        try:
            write_values(source, {("display", "brightness"): now})
        except ConfigError as exc:
            visit.audit.record(
                "settings", "change", "not_kept", setting=BRIGHTNESS, old=old, new=now
            )
            return visit.tr(
                "settings.brightness_not_kept", why=os_error_words(str(exc), visit.lang)
            )
    visit.audit.record("settings", "change", "ok", setting=BRIGHTNESS, old=old, new=now)
    return visit.tr("settings.brightness_set", percent=now)


async def run(visit: Visit) -> None:
    """Show the settings in the file; change one at a time, each validated and written."""
    source = visit.config.source
    backlight = find_backlight(visit.config.display.backlight)
    message = ""
    while True:
        if source is None:
            rows = [(visit.tr("settings.file"), visit.tr("settings.no_file"))]
            values: dict[Setting, Any] = {}
        else:
            try:
                values = current(load_config(source, environ={}))
            except ConfigError as exc:
                values, message = {}, os_error_words(str(exc), visit.lang)
            rows = [(visit.tr("settings.file"), str(source))]
            rows += [
                (visit.tr(f"settings.{s.value}"), _shown(visit, s, v)) for s, v in values.items()
            ]
        rows.append(brightness_row(visit, backlight))
        actions = [Action(s.value, visit.tr(f"settings.{s.value}")) for s in values]
        if backlight is not None:
            actions.append(Action(BRIGHTNESS, visit.tr("settings.brightness")))
        text = message or visit.tr("settings.text")
        chosen = await visit.ask(
            lambda rows=rows, actions=actions, text=text: visit.page(  # type: ignore[misc]
                "settings", visit.tr("page.settings"), rows, actions, text=text
            )
        )
        message = ""
        if chosen == BACK:
            return
        if chosen == BRIGHTNESS and backlight is not None:
            message = await _brightness(visit, backlight)
            continue
        if source is None:
            return
        setting = Setting(chosen)
        value = await _new_value(visit, setting)
        if value is None:
            continue
        old = values.get(setting)
        try:
            write_setting(source, setting, value)
        except ConfigError as exc:
            visit.audit.record(
                "settings", "change", "refused", setting=setting.value, old=old, new=value
            )
            message = visit.tr("settings.refused", why=os_error_words(str(exc), visit.lang))
            continue
        visit.audit.record("settings", "change", "ok", setting=setting.value, old=old, new=value)
        message = visit.tr("settings.saved")


async def restart(visit: Visit) -> None:
    """Ask to confirm, then restart the kiosk app (the service brings it back)."""
    chosen = await visit.ask(
        lambda: visit.page(
            "restart",
            visit.tr("page.restart"),
            (),
            [Action(RESTART, visit.tr("restart.now"))],
            text=visit.tr("restart.text"),
        )
    )
    if chosen != RESTART:
        return
    if visit.on_restart is None:
        visit.audit.record("restart", "restart", "unavailable")
        return
    visit.audit.record("restart", "restart", "ok")
    visit.on_restart()
    raise Leave("restart")
