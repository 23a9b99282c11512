"""Theme colours meet WCAG contrast; elder mode meets the size rules."""

from __future__ import annotations

import pytest

from kiosk.ui.theme import (
    ELDER,
    ELDER_FACTOR,
    ELDER_MIN_ACTION_HEIGHT,
    ELDER_MIN_BODY,
    HIGH_CONTRAST,
    MIN_TARGET_DP,
    NORMAL,
    ROLES_BORDER_ON,
    ROLES_DISABLED_ON,
    ROLES_TEXT_ON,
    STANDARD,
    Theme,
    contrast,
)


def test_contrast_matches_known_wcag_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)


@pytest.mark.parametrize("fg,bg", ROLES_TEXT_ON)
def test_normal_theme_text_is_readable(fg: str, bg: str) -> None:
    assert contrast(getattr(NORMAL, fg), getattr(NORMAL, bg)) >= 4.5


@pytest.mark.parametrize("fg,bg", ROLES_BORDER_ON)
def test_control_borders_are_visible(fg: str, bg: str) -> None:
    assert contrast(getattr(NORMAL, fg), getattr(NORMAL, bg)) >= 3.0
    assert contrast(getattr(HIGH_CONTRAST, fg), getattr(HIGH_CONTRAST, bg)) >= 7.0


@pytest.mark.parametrize("fg,bg", ROLES_TEXT_ON)
def test_high_contrast_theme_reaches_seven_to_one(fg: str, bg: str) -> None:
    assert contrast(getattr(HIGH_CONTRAST, fg), getattr(HIGH_CONTRAST, bg)) >= 7.0


def test_elder_scale_meets_the_elder_rules() -> None:
    assert ELDER.body >= 18 and ELDER.small >= 18
    assert ELDER.action >= 30
    assert ELDER.line_height >= 1.3
    assert ELDER.target >= MIN_TARGET_DP["elder"] == 60
    assert STANDARD.target >= MIN_TARGET_DP["standard"] == 44
    assert ELDER.body > STANDARD.body


@pytest.mark.parametrize("size", ["body", "small", "title", "action", "keypad"])
def test_elder_text_is_clearly_larger_than_standard(size: str) -> None:
    """Elder mode must be plain to see, not a few pixels more (ACCESSIBILITY.md item 14)."""
    assert getattr(ELDER, size) >= ELDER_FACTOR * getattr(STANDARD, size)
    assert ELDER_FACTOR >= 1.4


@pytest.mark.parametrize("theme", [NORMAL, HIGH_CONTRAST], ids=["normal", "high_contrast"])
@pytest.mark.parametrize("fg,bg", ROLES_DISABLED_ON)
def test_disabled_text_is_readable_as_inactive(theme: Theme, fg: str, bg: str) -> None:
    """Disabled controls are shown inactive, never invisible: their text keeps 3:1."""
    assert contrast(getattr(theme, fg), getattr(theme, bg)) >= 3.0
    # and it differs from an enabled control's text, so the state is plain to see
    assert theme.disabled_text not in (theme.secondary_text, theme.bar_text)


def test_elder_mode_meets_issue_15_sizes_at_1280_by_1024() -> None:
    assert ELDER.body >= ELDER_MIN_BODY == 32
    assert ELDER.action_height >= ELDER_MIN_ACTION_HEIGHT == 90
    assert ELDER.target >= 90
