"""Personal values known by origin are masked however a text writes them (issue 16, item 3)."""

from __future__ import annotations

import gc
import itertools
import json
import logging
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.clock import ManualClock
from kiosk.flow.session import Session
from kiosk.privacy.logging import ScrubFilter
from kiosk.privacy.masking import mask_id, mask_name, mask_phone
from kiosk.privacy.personal import PersonalValues, conceal, concealer, plain_names
from kiosk.storage.database import Database
from kiosk.storage.journal import SqliteJournal

PHONE = "13912345678"
ID = "110105198503122317"
ID_X = "11010519850312231X"
NAME = "林晓测"
CARD = {"name": NAME, "id_number": ID, "address": "北京市东城区示例街道1号", "birth": "19850312"}


def digits_only(text: str) -> str:
    """What a number looks like with everything around and between its digits dropped."""
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text))


@pytest.mark.parametrize(
    "text",
    [
        "1 3 9 1 2 3 4 5 6 7 8",
        "139-1234-5678",
        "139.1234.5678",
        "13912 345678",
        "１３９１２３４５６７８",
        "139\u30001234\u30005678",
        "电话139，1234，5678号",
        "first 139 then 1234 and last 5678",
    ],
)
def test_a_personal_phone_number_is_masked_in_any_spacing_or_format(text: str) -> None:
    masked = PersonalValues([PHONE]).mask(text)
    assert PHONE not in digits_only(masked)
    assert digits_only(masked).startswith("139") and digits_only(masked).endswith("5678")


@pytest.mark.parametrize("text", ["110105198 503122317", "110105-19850312-2317", " ".join(ID)])
def test_a_personal_id_number_is_masked_in_any_grouping(text: str) -> None:
    masked = PersonalValues([CARD]).mask(text)
    assert ID not in digits_only(masked) and masked.count("*") == 11


def test_values_written_as_they_are_get_the_usual_masked_forms() -> None:
    personal = PersonalValues([CARD, PHONE, ID_X])
    assert personal.mask(f"{ID} {PHONE} {ID_X} {NAME}") == " ".join(
        (mask_id(ID), mask_phone(PHONE), mask_id(ID_X), mask_name(NAME))
    )
    assert personal.mask(ID_X.lower()) == mask_id(ID_X.lower())


def test_a_name_is_masked_when_spaced_out_and_a_latin_name_only_as_a_whole_word() -> None:
    assert PersonalValues([NAME]).mask(f"您好，{' '.join(NAME)}") == "您好，林 * *"
    latin = PersonalValues(["Li Na"])
    assert latin.mask("Dear Li Na (LI-NA)") == "Dear L* N* (L*-N*)"
    assert latin.mask("Carolina, Linus") == "Carolina, Linus"


def test_common_short_values_and_other_numbers_are_left_alone() -> None:
    personal = PersonalValues([{"sex": "2", "nation": "01", "amount": 12.5, "floor": "3"}, PHONE])
    text = "第1页，共3页，金额12.50元，受理编号 R20261203001，男"
    assert personal.mask(text) == text


def test_masking_twice_changes_nothing_more() -> None:
    personal = PersonalValues([CARD, PHONE])
    once = personal.mask(f"{' '.join(PHONE)} {NAME} {ID[:9]} {ID[9:]}")
    assert personal.mask(once) == once


def test_found_in_tells_a_value_holding_a_personal_value_in_any_format() -> None:
    personal = PersonalValues([PHONE])
    assert personal.found_in({"contact": ["139 1234 5678"]})
    assert not personal.found_in({"contact": "139****5678", "pages": 2})


def test_logs_mask_the_values_of_a_live_session(caplog: pytest.LogCaptureFixture) -> None:
    session = Session(ManualClock(start=0.0))
    session.scope.set("phone", PHONE, personal=True)
    logger = logging.getLogger("test.personal")
    logger.addFilter(ScrubFilter())
    with caplog.at_level(logging.INFO, logger="test.personal"):
        logger.info("called back on %s", "139-1234-5678")
        session.end(None)
        logger.info("after the session %s", "139-1234-5678")
    first, after = caplog.messages
    assert PHONE not in digits_only(first) and "139-****-5678" in first
    # Wiped with the session: nothing of it is remembered to mask with.
    assert after.endswith("139-1234-5678")


def test_a_forgotten_session_stops_being_masked_by() -> None:
    session = Session(ManualClock(start=0.0))
    session.scope.set("name", NAME, personal=True)
    assert conceal(f"{NAME}您好") == "林**您好"
    del session
    gc.collect()
    assert conceal(f"{NAME}您好") == f"{NAME}您好"


def test_a_value_kept_after_a_text_was_masked_is_masked_from_then_on() -> None:
    first = Session(ManualClock(start=0.0))
    first.scope.set("name", NAME, personal=True)
    assert conceal(f"{NAME} 139 1234 5678") == "林** 139 1234 5678"
    first.scope.set("phone", PHONE, personal=True)  # the same session, one more value
    second = Session(ManualClock(start=0.0))  # and another session
    second.scope.set("who", "王小测", personal=True)
    assert conceal(f"{NAME} 139 1234 5678 王小测") == "林** 139 **** 5678 王**"
    first.end(None)
    second.end(None)
    assert conceal(f"{NAME} 王小测") == f"{NAME} 王小测"


def test_the_journal_masks_the_values_of_a_live_session(tmp_path: Path) -> None:
    session = Session(ManualClock(start=0.0))
    session.scope.set("resident", CARD, personal=True)
    with Database(tmp_path / "kiosk.sqlite3") as db:
        journal = SqliteJournal(db, "t-1", ManualClock(start=0.0))
        journal.record(session.id, "f", "s", "note", {"who": f"{NAME} {ID[:9]} {ID[9:]}"})
        entry = journal.by_session(session.id)[0]
    text = json.dumps(entry.detail, ensure_ascii=False)
    assert NAME not in text and ID not in digits_only(text)
    session.end(None)


SEPARATOR = st.sampled_from(["", " ", "-", ".", "\u3000", "－", "/", "号", "x", "\n"])


@st.composite
def written(draw: st.DrawFn, value: str) -> str:
    """`value` written in a random way: cut in groups, spaced, in full-width digits, any case."""
    cuts = sorted(draw(st.sets(st.integers(1, max(len(value) - 1, 1)), max_size=4)))
    bounds = [0, *(c for c in cuts if c < len(value)), len(value)]
    pieces = [value[a:b] for a, b in itertools.pairwise(bounds)]
    if draw(st.booleans()):
        pieces = [p.translate(FULL_WIDTH) for p in pieces]
    if draw(st.booleans()):
        pieces = [p.upper() for p in pieces]
    return draw(SEPARATOR).join(pieces)


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
NUMBERS = st.text("0123456789", min_size=7, max_size=19)
WORDS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=10)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), values=st.lists(st.one_of(NUMBERS, WORDS), min_size=1, max_size=4))
def test_masking_ends_and_leaves_no_value_to_find_in_any_text(
    data: st.DataObject, values: list[str]
) -> None:
    personal = PersonalValues(values)
    parts = [data.draw(written(v)) for v in values if v] + data.draw(st.lists(WORDS, max_size=3))
    text = "".join(data.draw(st.permutations(parts)))
    masked = personal.mask(text)
    assert not personal.found_in(masked)
    assert personal.mask(masked) == masked
    for number in (v for v in values if v.isdecimal() and v.isascii() and len(v) >= 7):
        assert number not in digits_only(masked)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), values=st.lists(st.one_of(NUMBERS, WORDS), min_size=1, max_size=3))
def test_texts_tested_together_are_masked_as_each_alone(
    data: st.DataObject, values: list[str]
) -> None:
    session = Session(ManualClock(start=0.0))
    for number, value in enumerate(values):
        session.scope.set(f"v{number}", value, personal=True)
    written_values = [data.draw(written(v)) for v in values if v]
    texts = data.draw(st.lists(st.one_of(WORDS, st.sampled_from(written_values or [""]))))
    hide = concealer(texts)
    try:
        assert [hide(text) for text in texts] == [conceal(text) for text in texts]
    finally:
        session.end(None)


PLAIN = st.from_regex(r"[A-Za-z0-9_.:-]{0,12}", fullmatch=True)


@settings(max_examples=100, deadline=None)
@given(
    data=st.data(),
    values=st.lists(st.one_of(NUMBERS, st.from_regex(r"[a-z]{2,8}", fullmatch=True)), max_size=3),
)
def test_names_tested_with_their_kept_probe_are_masked_as_each_alone(
    data: st.DataObject, values: list[str]
) -> None:
    """A journal entry's flow, step and event names are probed once and kept: a live value in
    one of them (a name that is an identifier too) is still masked, as `conceal` alone would."""
    session = Session(ManualClock(start=0.0))
    for number, value in enumerate(values):
        session.scope.set(f"v{number}", value, personal=True)
    picked = st.one_of(PLAIN, st.sampled_from(values or ["x"]))
    names = tuple(data.draw(st.lists(picked, min_size=4, max_size=4)))
    texts = data.draw(st.lists(WORDS, max_size=2))
    try:
        if plain_names(names):
            hide = concealer(texts, names)
            assert [hide(t) for t in (*names, *texts)] == [conceal(t) for t in (*names, *texts)]
    finally:
        session.end(None)
    assert not plain_names(("flow", "step", f"call-{PHONE}"))  # a long number is never kept


def test_a_live_value_in_a_step_name_is_masked_while_its_session_lives_and_not_after(
    tmp_path: Path,
) -> None:
    session = Session(ManualClock(start=0.0))
    session.scope.set("name", "Zhang Wei", personal=True)
    with Database.in_dir(tmp_path) as db:
        journal = SqliteJournal(db, "gx-0001")
        journal.record("s1", "resident-feedback", "zhangwei", "answered")
        session.end(None)
        journal.record("s1", "resident-feedback", "zhangwei", "answered")
        steps = [entry.step for entry in journal.by_session("s1")]
    assert steps[0] != "zhangwei" and steps[0].startswith("z")
    assert steps[1] == "zhangwei"
