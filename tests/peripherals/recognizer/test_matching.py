"""Recognised text is checked against the offered phrases: a grammar biases, it does not reject."""

from __future__ import annotations

from peripherals import registry
from peripherals.recognizer.matching import match_phrase
from peripherals.recognizer.simulator import SimulatedRecognizer

OPTIONS = ["个人参保证明", "缴费明细", "返回", "取消"]


def test_exact_and_spaced_text_match() -> None:
    assert match_phrase("缴费明细", OPTIONS) == "缴费明细"
    assert match_phrase("缴费 明细", OPTIONS) == "缴费明细"


def test_a_phrase_inside_longer_speech_matches() -> None:
    assert match_phrase("我要取消", OPTIONS) == "取消"


def test_unrelated_speech_matches_nothing() -> None:
    assert match_phrase("今天天气很好", OPTIONS) is None
    assert match_phrase("", OPTIONS) is None


def test_simulated_recogniser_checks_against_the_grammar() -> None:
    with registry.create("recognizer", "simulated") as device:
        assert isinstance(device, SimulatedRecognizer)
        device.simulator.hear("缴费明细")
        device.simulator.hear("随便说说")
        assert device.listen(OPTIONS, timeout=1).phrase == "缴费明细"
        assert device.listen(OPTIONS, timeout=1).phrase is None
        assert device.listen(OPTIONS, timeout=0.01).text == ""
        assert device.simulator.grammars == [OPTIONS, OPTIONS, OPTIONS]


def test_a_cancelled_listen_lets_go_and_leaves_speech_for_the_next() -> None:
    with registry.create("recognizer", "simulated") as device:
        assert isinstance(device, SimulatedRecognizer)
        device.cancel()
        assert device.listen(OPTIONS, timeout=30).text == ""
        device.simulator.hear("取消")
        assert device.listen(OPTIONS, timeout=1).phrase == "取消"
