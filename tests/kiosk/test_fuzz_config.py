"""Fuzzing the configuration: whatever a kiosk.toml or a KIOSK__ variable holds, `load_config`
answers with a configuration or one line (`ConfigError`), never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.config import ConfigError, load_config

EXAMPLE = (Path(__file__).resolve().parents[2] / "kiosk.example.toml").read_text("utf-8")
LINES = EXAMPLE.splitlines()
ASSIGNMENTS = [i for i, line in enumerate(LINES) if re.match(r"^[A-Za-z_-]+ = ", line)]
SCALARS = (
    st.sampled_from(
        [
            '"abc"',
            "-1",
            "0",
            "1e999",
            "inf",
            "nan",
            "true",
            '""',
            "[]",
            "{}",
            '"a\\r\\nb"',
            '"../../x"',
            '"http://h o"',
            "99999999999999999999",
            '"\\u0000"',
            "[[[[1]]]]",
            '"/dev/zero"',
        ]
    )
    | st.integers(-(2**70), 2**70).map(str)
    | st.text(max_size=12).map(lambda t: '"' + t.replace("\\", "").replace('"', "") + '"')
)
BUDGET = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _answer(path: Path, environ: dict[str, str] | None = None) -> None:
    try:
        load_config(path, environ or {})
    except ConfigError as exc:
        assert "\n" not in str(exc) and "Traceback" not in str(exc)


@BUDGET
@given(st.lists(st.tuples(st.sampled_from(ASSIGNMENTS), SCALARS), min_size=1, max_size=4))
def test_any_value_of_any_key(tmp_path: Path, changes: list[tuple[int, str]]) -> None:
    lines = list(LINES)
    for index, value in changes:
        lines[index] = lines[index].split(" = ", 1)[0] + " = " + value
    path = tmp_path / "kiosk.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _answer(path)


@BUDGET
@given(st.integers(0, len(EXAMPLE)), st.binary(max_size=40))
def test_junk_anywhere_in_the_file(tmp_path: Path, at: int, junk: bytes) -> None:
    data = EXAMPLE.encode()
    path = tmp_path / "kiosk.toml"
    path.write_bytes(data[:at] + junk + data[at:])
    _answer(path)


@BUDGET
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "KIOSK__TIMEOUTS__HTTP",
                "KIOSK__DEVICES__PRINTER__PORT",
                "KIOSK__DATA_DIR",
                "KIOSK__TERMINAL__MODE",
                "KIOSK__ACCESSIBILITY__VOLUME",
                "KIOSK__SIMULATE",
                "KIOSK__BACKENDS__SOCIAL_INSURANCE__BASE_URL",
                "KIOSK__NOPE__X",
                "KIOSK__",
            ]
        ),
        st.text(max_size=20),
        max_size=3,
    )
)
def test_any_environment_override(tmp_path: Path, environ: dict[str, str]) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(EXAMPLE, encoding="utf-8")
    _answer(path, environ)


def test_the_example_itself_loads(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(EXAMPLE, encoding="utf-8")
    try:
        load_config(path, {})
    except ConfigError as exc:  # pragma: no cover - the assertion below says why
        pytest.fail(str(exc))
