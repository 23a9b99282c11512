"""Diagrams: every step and edge drawn, conditions and abnormal edges labelled, valid syntax."""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from kiosk.flow.graph import FALL_OFF, step_edges, to_dot, to_mermaid
from kiosk.flow.loader import load_flow
from kiosk.flow.schema import Flow

FLOW = """\
id: graph-demo
title: {zh_CN: 图示, en: Diagram}
defaults: {timeout: 30}
steps:
  - id: consent
    kind: consent
    purpose: {zh_CN: "读取\\"身份证\\"", en: Read your card}
  - id: end
    kind: choose
    text: {zh_CN: 请选择, en: Choose}
    options: [{value: a, label: {zh_CN: 甲, en: A}}]
    next:
      - {to: fetch, when: "end == 'a' and 1 < 2"}
  - id: fetch
    kind: http
    when: "end != 'b'"
    backend: b
    request: {path: /x}
    on_error: failed
    on_timeout: $cancel
  - id: done
    kind: finish
    text: {zh_CN: 完成, en: Done}
  - id: failed
    kind: finish
    status: failure
    text: {zh_CN: 失败, en: Failed}
"""


@pytest.fixture
def flow(tmp_path: Path) -> Flow:
    path = tmp_path / "g.yaml"
    path.write_text(textwrap.dedent(FLOW), encoding="utf-8")
    return load_flow(path).flow


def test_edges_follow_the_language_rules(flow: Flow) -> None:
    edges = step_edges(flow)
    assert [(e.target, e.kind) for e in edges["consent"]] == [
        ("end", "next"),
        ("$cancel", "decline"),
    ]
    assert [(e.target, e.kind, e.condition) for e in edges["end"]] == [
        ("fetch", "when", "end == 'a' and 1 < 2"),
        ("fetch", "fallthrough", None),
    ]
    assert [(e.target, e.kind) for e in edges["fetch"]] == [
        ("done", "skip"),
        ("done", "next"),
        ("failed", "error"),
        ("$cancel", "timeout"),
    ]
    assert edges["done"] == [] and edges["failed"] == []
    assert all(e.target != FALL_OFF for out in edges.values() for e in out)


def test_mermaid_has_every_step_edge_and_label(flow: Flow) -> None:
    text = to_mermaid(flow, "en")
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    # step ids are prefixed so `end` (a Mermaid keyword) is safe
    assert any(
        line.startswith('  s_end["<b>end</b><br/><i>choose</i><br/>Choose"]') for line in lines
    )
    assert "  s_end -->|\"end == 'a' and 1 #lt; 2\"| s_fetch" in lines
    assert '  s_fetch -.->|"error"| s_failed' in lines
    assert '  s_fetch -.->|"timeout"| t_cancel' in lines
    assert '  s_consent -.->|"decline"| t_cancel' in lines
    assert '  t_cancel((("$cancel")))' in lines
    # abnormal edges are coloured
    arrows = [line for line in lines if re.match(r"  s_\w+ (-->|-\.->)", line)]
    styled = {int(m.group(1)) for m in re.finditer(r"linkStyle (\d+) stroke", text)}
    assert styled == {
        i
        for i, line in enumerate(arrows)
        if '"error"' in line or '"timeout"' in line or '"decline"' in line
    }
    # quotes inside labels are escaped, never raw
    assert "#quot;身份证#quot;" in to_mermaid(flow, "zh_CN")


def test_dot_is_structurally_valid(flow: Flow) -> None:
    text = to_dot(flow, "zh_CN")
    assert text.startswith('digraph "graph-demo" {') and text.rstrip().endswith("}")
    assert '"fetch" -> "failed" [label="error", style=dashed' in text
    assert '"end" -> "fetch" [label="end == \'a\' and 1 < 2"];' in text
    assert '"$cancel" [label="$cancel", shape=doublecircle' in text
    assert 'label="consent\\n(consent)\\n读取\\"身份证\\""' in text
    assert text.count("{") == text.count("}")


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz not installed")
def test_dot_renders_with_graphviz(flow: Flow) -> None:
    result = subprocess.run(
        ["dot", "-Tsvg"],
        input=to_dot(flow),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "<svg" in result.stdout


def test_a_last_step_that_goes_on_is_drawn_to_end_of_steps(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(
        "id: f\ntitle: {zh_CN: 甲, en: A}\nsteps:\n  - {id: only, kind: info, text: {zh_CN: 甲}}\n",
        encoding="utf-8",
    )
    flow = load_flow(path).flow
    assert "  s_only --> t_fall" in to_mermaid(flow)
    assert '"$fall" [label="end of steps"' in to_dot(flow)
