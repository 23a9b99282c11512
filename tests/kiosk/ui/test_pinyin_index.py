"""Pinyin candidates: common characters first, words, and rare name characters reachable."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.ui.pinyin_index import pinyin_index, toneless


def texts(typed: str) -> list[str]:
    return [c.text for c in pinyin_index().candidates(typed)]


def test_toneless_readings_use_v_for_u_umlaut() -> None:
    assert toneless("lǜ") == "lv"
    assert toneless("zhāng") == "zhang"


def test_common_characters_come_first() -> None:
    assert "张" in texts("zhang")[:5]
    assert "绿" in texts("lv")[:5]


def test_whole_words_are_offered_for_several_syllables() -> None:
    candidates = pinyin_index().candidates("shequ")
    assert candidates[0].text == "社区"
    assert candidates[0].consumed == len("shequ")


def test_unknown_word_falls_back_to_its_first_syllable() -> None:
    first = pinyin_index().candidates("xingming")
    assert "姓" in [c.text for c in first]
    assert {c.consumed for c in first if len(c.text) == 1} == {len("xing")}


def test_rare_name_characters_are_reachable() -> None:
    for typed, rare in (("kun", "堃"), ("zhe", "喆"), ("yun", "赟"), ("sheng", "昇")):
        assert rare in texts(typed), (typed, rare)


def test_unfinished_syllable_offers_characters() -> None:
    assert texts("zh")


def test_a_background_build_is_handed_over_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The keyboard asking while the index is built in the background waits for that build."""
    import threading

    from kiosk.ui import pinyin_index as module

    built: list[object] = []
    release = threading.Event()

    class SlowIndex:
        def __init__(self) -> None:
            built.append(self)
            release.wait(5)

    monkeypatch.setattr(module, "_index", None)
    monkeypatch.setattr(module, "PinyinIndex", SlowIndex)
    builder = module.build_in_background()
    assert builder is not None
    got: list[object] = []
    asker = threading.Thread(target=lambda: got.append(module.pinyin_index()))
    asker.start()
    release.set()
    builder.join(5)
    asker.join(5)
    assert len(built) == 1 and got == built
    assert module.pinyin_index() is built[0]
    assert module.build_in_background() is None  # already built: nothing more to do


def test_the_mapped_table_gives_what_pypinyin_gives(tmp_path: Path) -> None:
    """An unwritable cache: the table is built in this process, as the file was written."""
    from kiosk.ui.pinyin_index import PinyinIndex, _MappedTable, _MemoryTable

    index = pinyin_index()
    assert isinstance(index.table, _MappedTable)
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    in_memory = PinyinIndex(blocked / "kiosk" / "pinyin.tsv")
    assert isinstance(in_memory.table, _MemoryTable)
    assert in_memory.candidates("shequ")[0].text == "社区"
    memory = in_memory.table
    assert index.table.syllables == memory.syllables
    for syllable in memory.syllables[::7]:
        assert index.table.chars(syllable) == memory.chars(syllable), syllable
    for key in ("shequ", "xingming", "zhangsan", "lvse", "ludeng", "a", "zzz"):
        assert index.table.words(key) == memory.words(key), key


def test_the_kiosk_never_holds_pypinyins_phrase_dictionary(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    program = (
        "import sys; from kiosk.ui.pinyin_index import pinyin_index; "
        "assert pinyin_index().candidates('shequ')[0].text == '社区'; "
        "print('pypinyin.phrases_dict' in sys.modules)"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}  # no table yet: it is written first
    done = subprocess.run(
        [sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"
    assert list((tmp_path / "kiosk").glob("pinyin-*.tsv"))
