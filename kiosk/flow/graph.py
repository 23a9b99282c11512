"""The step graph of a flow, and diagrams of it in Mermaid and Graphviz DOT."""

from __future__ import annotations

import logging
from typing import Literal

import msgspec

from kiosk.flow.schema import FinishStep, Flow, StepBase

log = logging.getLogger(__name__)

FALL_OFF = "$fall"
"""Pseudo-target of a step that goes on past the last step (a dead end the linter reports)."""

EdgeKind = Literal["next", "when", "skip", "fallthrough", "error", "timeout", "decline"]
ABNORMAL: frozenset[str] = frozenset({"error", "timeout", "decline"})
"""Edges taken when the step did not complete normally."""

Loc = tuple[str | int, ...]


class Edge(msgspec.Struct, frozen=True, gc=False):
    """One way out of a step (made for every step of every flow a check reads: a struct is
    made several times faster than a named tuple)."""

    source: str
    target: str
    """A step id, `$end`, `$cancel` or `FALL_OFF`."""
    kind: EdgeKind
    condition: str | None = None
    """The condition under which the edge is taken (`when` of a transition or a skipped step)."""
    loc: Loc = ()
    """Where the edge is written in the flow (a pydantic-style loc path)."""

    @property
    def completed(self) -> bool:
        """Whether the step ran to completion before this edge (not skipped, failed or declined)."""
        return self.kind not in ABNORMAL and self.kind != "skip"


def step_edges(flow: Flow) -> dict[str, list[Edge]]:
    """Every step's ways out, in a stable order; finish steps have none."""
    edges: dict[str, list[Edge]] = {}
    steps = flow.steps
    for index, step in enumerate(steps):
        here: Loc = ("steps", index)
        following = steps[index + 1].id if index + 1 < len(steps) else FALL_OFF
        out: list[Edge] = []
        if step.when is not None:
            out.append(Edge(step.id, following, "skip", f"not ({step.when})", (*here, "when")))
        if not isinstance(step, FinishStep):
            out.extend(_next_edges(step, here, following))
            for name, kind in (
                ("on_error", "error"),
                ("on_timeout", "timeout"),
                ("on_decline", "decline"),
            ):
                target = getattr(step, name, None)
                if isinstance(target, str):
                    out.append(Edge(step.id, target, kind, None, (*here, name)))  # type: ignore[arg-type]
        edges[step.id] = out
    return edges


def _next_edges(step: StepBase, here: Loc, following: str) -> list[Edge]:
    if step.next is None:
        return [Edge(step.id, following, "next", None, here)]
    if isinstance(step.next, str):
        return [Edge(step.id, step.next, "next", None, (*here, "next"))]
    out: list[Edge] = []
    for number, transition in enumerate(step.next):
        loc = (*here, "next", number)
        if transition.when is None:
            out.append(Edge(step.id, transition.to, "next", None, loc))
            return out  # later transitions can never be taken
        out.append(Edge(step.id, transition.to, "when", transition.when, loc))
    # no transition matched: the engine goes on to the following step
    out.append(Edge(step.id, following, "fallthrough", None, (*here, "next")))
    return out


def _short(step: StepBase, lang: str, limit: int = 28) -> str:
    text = step.title or step.text
    if isinstance(step, FinishStep) and step.text is not None:
        text = step.text
    if text is None:
        purpose = getattr(step, "purpose", None)
        text = purpose
    if text is None:
        return ""
    line = " ".join(text.get(lang).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _kind(step: StepBase) -> str:
    return step.kind


def _terminals(edges: dict[str, list[Edge]]) -> list[str]:
    used = {edge.target for out in edges.values() for edge in out}
    return [t for t in ("$end", "$cancel", FALL_OFF) if t in used]


_TERMINAL_LABEL = {"$end": "$end", "$cancel": "$cancel", FALL_OFF: "end of steps"}


def _edge_label(edge: Edge) -> str:
    if edge.kind in ABNORMAL:
        return edge.kind
    if edge.kind == "fallthrough":
        return "otherwise"
    return edge.condition or ""


# Mermaid ----------------------------------------------------------------------------------------


def _mermaid_id(target: str) -> str:
    # Prefixes keep step ids clear of Mermaid keywords such as `end`.
    return {"$end": "t_end", "$cancel": "t_cancel", FALL_OFF: "t_fall"}.get(target, f"s_{target}")


def _mermaid_text(text: str) -> str:
    return (
        text.replace("&", "#amp;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("|", "#124;")
    )


def to_mermaid(flow: Flow, lang: str = "zh_CN") -> str:
    """A Mermaid flowchart of the flow: steps, conditions, error/timeout/decline edges."""
    edges = step_edges(flow)
    lines = ["flowchart TD", f"  %% {flow.id}: {_mermaid_text(flow.title.get(lang))}"]
    for step in flow.steps:
        label = f"<b>{step.id}</b><br/><i>{_kind(step)}</i>"
        short = _short(step, lang)
        if short:
            label += f"<br/>{_mermaid_text(short)}"
        if isinstance(step, FinishStep):
            lines.append(f'  {_mermaid_id(step.id)}(["{label}"])')
        else:
            lines.append(f'  {_mermaid_id(step.id)}["{label}"]')
    for terminal in _terminals(edges):
        lines.append(f'  {_mermaid_id(terminal)}((("{_TERMINAL_LABEL[terminal]}")))')
    styles: list[str] = []
    number = 0
    for out in edges.values():
        for edge in out:
            arrow = "-.->" if edge.kind in ABNORMAL or edge.kind == "skip" else "-->"
            label = _edge_label(edge)
            middle = f'{arrow}|"{_mermaid_text(label)}"|' if label else arrow
            lines.append(f"  {_mermaid_id(edge.source)} {middle} {_mermaid_id(edge.target)}")
            if edge.kind in ("error", "timeout"):
                styles.append(f"  linkStyle {number} stroke:#c62828,color:#c62828")
            elif edge.kind == "decline":
                styles.append(f"  linkStyle {number} stroke:#ef6c00,color:#ef6c00")
            number += 1
    lines.extend(styles)
    lines.append("  classDef terminal fill:#eeeeee,stroke:#616161")
    terminals = [_mermaid_id(t) for t in _terminals(edges)]
    if terminals:
        lines.append(f"  class {','.join(terminals)} terminal")
    return "\n".join(lines) + "\n"


# DOT --------------------------------------------------------------------------------------------


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_DOT_EDGE_STYLE = {
    "error": 'style=dashed, color="#c62828", fontcolor="#c62828"',
    "timeout": 'style=dashed, color="#c62828", fontcolor="#c62828"',
    "decline": 'style=dashed, color="#ef6c00", fontcolor="#ef6c00"',
    "skip": 'style=dotted, color="#616161"',
}


def to_dot(flow: Flow, lang: str = "zh_CN") -> str:
    """A Graphviz DOT digraph of the flow, in the same shape as `to_mermaid`."""
    edges = step_edges(flow)
    lines = [
        f"digraph {_dot_string(flow.id)} {{",
        f"  label={_dot_string(flow.title.get(lang))};",
        "  labelloc=t;",
        '  node [shape=box, style=rounded, fontname="WenQuanYi Micro Hei"];',
        '  edge [fontname="WenQuanYi Micro Hei", fontsize=10];',
    ]
    for step in flow.steps:
        label = f"{step.id}\n({_kind(step)})"
        short = _short(step, lang)
        if short:
            label += f"\n{short}"
        shape = ", shape=oval" if isinstance(step, FinishStep) else ""
        lines.append(f"  {_dot_string(step.id)} [label={_dot_string(label)}{shape}];")
    for terminal in _terminals(edges):
        lines.append(
            f"  {_dot_string(terminal)} [label={_dot_string(_TERMINAL_LABEL[terminal])}, "
            'shape=doublecircle, style=filled, fillcolor="#eeeeee"];'
        )
    for out in edges.values():
        for edge in out:
            attributes = []
            label = _edge_label(edge)
            if label:
                attributes.append(f"label={_dot_string(label)}")
            if edge.kind in _DOT_EDGE_STYLE:
                attributes.append(_DOT_EDGE_STYLE[edge.kind])
            suffix = f" [{', '.join(attributes)}]" if attributes else ""
            lines.append(f"  {_dot_string(edge.source)} -> {_dot_string(edge.target)}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


__all__ = ["ABNORMAL", "FALL_OFF", "Edge", "step_edges", "to_dot", "to_mermaid"]
