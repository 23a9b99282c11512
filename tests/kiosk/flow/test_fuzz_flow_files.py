"""Fuzzing flow files: whatever a file holds, loading and linting report it, never crash.

The shipped flows are mutated (a scalar swapped for a tagged or odd one, bytes inserted or cut,
nesting opened) and each result is loaded and linted. A finding or a load error is fine; an
exception escaping, or an error without a place in the file, is the bug class this covers.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.flow.lint import lint
from kiosk.flow.loader import DEFAULT_FLOWS_DIR, load_flows

SHIPPED = [p.read_text("utf-8") for p in sorted(DEFAULT_FLOWS_DIR.glob("*.yaml"))]
SHIPPED = [text for text in SHIPPED if "answers:" not in text]
TAGS = [
    "!!bool",
    "!!int",
    "!!float",
    "!!timestamp",
    "!!null",
    "!!binary",
    "!!str",
    "!!set",
    "!!omap",
    "!!pairs",
    "!!seq",
    "!!map",
    "!!python/object:os.system",
    "!custom",
    "!!merge",
]
ODD = [
    "maybe",
    "hello",
    "0x",
    "1e999",
    ".inf",
    "-.nan",
    "~",
    "''",
    '"\\x00"',
    "[",
    "{",
    "*x",
    "&a",
    "<<",
    "? ",
    "|",
    ">",
    "%YAML 9",
    "---",
    "...",
    "\t",
    "\ufeff",
    "\\ud800",
    "{{",
    "}}",
    "{% for",
    "9" * 40,
    "🀄",
    "𠀋",
    "a" * 500,
]
BUDGET = settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    text = draw(st.sampled_from(SHIPPED))
    kind = draw(st.sampled_from(["scalar", "insert", "cut", "nest"]))
    at = draw(st.integers(0, len(text)))
    if kind == "scalar":
        # replace what follows a `key: ` on some line with an odd, maybe tagged, scalar
        lines = text.splitlines()
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        if ": " in line:
            tag = draw(st.sampled_from(["", *TAGS]))
            value = draw(st.sampled_from(ODD) | st.text(max_size=20))
            lines[index] = line.split(": ", 1)[0] + f": {tag} {value}".rstrip()
        return "\n".join(lines).encode("utf-8", "surrogatepass")
    if kind == "insert":
        junk = draw(st.binary(max_size=30) | st.sampled_from([o.encode() for o in ODD]))
        data = text.encode()
        return data[:at] + junk + data[at:]
    if kind == "cut":
        return text.encode()[:at]
    depth = draw(st.integers(1, 5000))
    return (text[:at] + "[" * depth + text[at:]).encode()


@BUDGET
@given(mutated())
def test_any_flow_file_is_loaded_or_reported_never_a_crash(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzzed.yaml"
    path.write_bytes(data)
    flows = load_flows([path])
    findings = lint(flows)
    for error in flows.errors:
        assert error.location.path == str(path) and error.location.line >= 1
        assert error.code != "internal", f"an unexpected exception: {error}"
    assert all(f.location.line >= 1 for f in findings)
