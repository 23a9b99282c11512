"""Every interface text exists in both languages, and translations fill their placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from kiosk.i18n import Catalog, catalog, t

PLACEHOLDER = re.compile(r"{(\w+)}")


def test_every_key_is_in_both_languages() -> None:
    assert catalog().missing() == {"zh_CN": [], "en": []}


def test_both_languages_use_the_same_placeholders() -> None:
    texts = catalog().texts
    different = [
        key
        for key, zh in texts["zh_CN"].items()
        if set(PLACEHOLDER.findall(zh)) != set(PLACEHOLDER.findall(texts["en"].get(key, "")))
    ]
    assert different == []


def test_every_translation_is_a_valid_format_string() -> None:
    for lang, texts in catalog().texts.items():
        for key, text in texts.items():
            try:
                list(string.Formatter().parse(text))
            except ValueError as exc:
                pytest.fail(f"{lang}/{key}: {exc}")


def test_translate_falls_back_to_chinese_then_the_key(tmp_path: Path) -> None:
    (tmp_path / "zh_CN").mkdir()
    (tmp_path / "en").mkdir()
    (tmp_path / "zh_CN" / "demo.yaml").write_text("hello: 你好，{name}\nonly: 只有中文\n", "utf-8")
    (tmp_path / "en" / "demo.yaml").write_text("hello: Hello, {name}\n", "utf-8")
    own = Catalog(tmp_path)
    assert own.get("demo.hello", "en", name="Lin") == "Hello, Lin"
    assert own.get("demo.only", "en") == "只有中文"
    assert own.get("demo.none", "en") == "demo.none"
    assert own.missing() == {"zh_CN": [], "en": ["demo.only"]}


def test_shipped_common_texts() -> None:
    assert t("common.call_staff") == "人工服务"
    assert t("common.yes", "en") == "Confirm"


def _locales(root: Path, zh: str, en: str) -> Path:
    for lang, text in (("zh_CN", zh), ("en", en)):
        (root / lang).mkdir(parents=True, exist_ok=True)
        (root / lang / "demo.yaml").write_text(f"start: {text}\n", "utf-8")
    return root


def test_a_later_start_reads_the_remembered_catalogue_without_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _locales(tmp_path / "locales", "开始", "Start")
    cache = tmp_path / "cache" / "i18n.json"
    assert Catalog(root, cache).get("demo.start", "en") == "Start"
    assert cache.is_file()

    import yaml

    def no_yaml(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the YAML was parsed again")

    monkeypatch.setattr(yaml, "load", no_yaml)
    assert Catalog(root, cache).get("demo.start", "en") == "Start"


def test_a_first_start_reads_the_catalogue_built_at_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _locales(tmp_path / "locales", "开始", "Start")
    built = tmp_path / "install" / "i18n.json"
    Catalog(root, built)  # what `python -m kiosk.ui.install_cache` does

    import yaml

    def no_yaml(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the YAML was parsed on the first start")

    monkeypatch.setattr(yaml, "load", no_yaml)
    first = Catalog(root, tmp_path / "empty-home" / "i18n.json", seed=built)
    assert first.get("demo.start", "en") == "Start"


def test_an_edited_translation_is_shown_not_the_remembered_one(tmp_path: Path) -> None:
    root = _locales(tmp_path / "locales", "开始", "Start")
    cache = tmp_path / "i18n.json"
    Catalog(root, cache)
    (root / "en" / "demo.yaml").write_text("start: Begin here\n", "utf-8")
    assert Catalog(root, cache).get("demo.start", "en") == "Begin here"
    (root / "en" / "more.yaml").write_text("extra: Extra\n", "utf-8")
    assert Catalog(root, cache).get("more.extra", "en") == "Extra"


def test_a_damaged_or_unwritable_cache_only_costs_time(tmp_path: Path) -> None:
    root = _locales(tmp_path / "locales", "开始", "Start")
    cache = tmp_path / "i18n.json"
    cache.write_text('{"files": [], "texts": ', "utf-8")
    assert Catalog(root, cache).get("demo.start") == "开始"
    blocked = tmp_path / "a-file" / "i18n.json"
    (tmp_path / "a-file").write_text("", "utf-8")  # the cache's folder cannot be made
    assert Catalog(root, blocked).get("demo.start") == "开始"


def test_a_text_with_forms_takes_the_one_its_count_needs(tmp_path: Path) -> None:
    (tmp_path / "zh_CN").mkdir()
    (tmp_path / "en").mkdir()
    (tmp_path / "zh_CN" / "demo.yaml").write_text("take: 请取出 {count} 件快递\n", "utf-8")
    (tmp_path / "en" / "demo.yaml").write_text(
        "take:\n  one: Take your parcel\n  other: Take your {count} parcels\n"
        "left: '{count} parcel(s) left'\n",
        "utf-8",
    )
    own = Catalog(tmp_path)
    assert own.get("demo.take", "en", count=1) == "Take your parcel"
    assert own.get("demo.take", "en", count=2) == "Take your 2 parcels"
    assert own.get("demo.take", "zh_CN", count=1) == "请取出 1 件快递"
    assert own.get("demo.left", "en", count=1) == "1 parcel left"
    assert own.missing() == {"zh_CN": ["demo.left"], "en": []}  # the forms are one text
    own.overrides = {"en": {"demo.take": "Take it all"}}  # a bundle's text, without forms
    assert own.get("demo.take", "en", count=1) == "Take it all"


def test_shipped_courier_names_are_in_both_languages_and_unknown_ones_keep_theirs() -> None:
    from kiosk.flow.locker import courier_name

    texts = catalog()
    assert courier_name(texts, "顺丰速运", "en") == "SF Express"
    assert courier_name(texts, "顺丰速运", "zh_CN") == "顺丰速运"
    assert courier_name(texts, "蜂鸟同城", "en") == "蜂鸟同城"
    assert courier_name(texts, "", "en") == ""


def test_the_service_menus_counts_read_in_their_numbers_form_in_english() -> None:
    from kiosk.i18n import catalog

    texts = catalog()
    assert texts.get("service.journal.count", "en", day="2026-12-06", count=1).endswith(": 1 entry")
    assert texts.get("service.journal.count", "en", day="2026-12-06", count=27).endswith(
        ": 27 entries"
    )
    assert texts.get("service.locker.more_problems", "en", count=1) == "1 more problem"
    assert texts.get("service.locker.more_problems", "en", count=4) == "4 more problems"
    one = texts.get("service.locker.boards_unread", "en", boards="2", count=1)
    two = texts.get("service.locker.boards_unread", "en", boards="2, 3", count=2)
    assert one.startswith("Board 2 did not answer: its doors")
    assert two.startswith("Boards 2, 3 did not answer: their doors")
    assert texts.get("fleet.rollout.kiosks", "en", count=1) == " (1 kiosk)"
    assert texts.get("service.journal.count", "zh_CN", day="2026-12-06", count=1).endswith("1 条")
