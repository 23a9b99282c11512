"""Lint rule `personal-formatted`: a template that formats or splits a personal value.

At run time every output is masked by the session's personal values in any spacing or format
(`kiosk.privacy.personal`), but a value cut in pieces, spelled out or rewritten may no longer be
recognisable as the resident's. A flow should show a personal value whole (it is masked wherever
it appears) or through a `mask_*` filter. Requests to back offices (`http` requests, `submit`
paths and payloads) and conditions are not shown to anyone and are not checked.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import NamedTuple

import jinja2
from jinja2 import nodes

from kiosk.flow import schema
from kiosk.flow.expressions import environment
from kiosk.flow.loader import FlowParts, TemplateRef, template_info
from kiosk.flow.schema import Flow

CODE = "personal-formatted"

_HIDING = frozenset({"mask_id", "mask_phone", "mask_name", "mask_text", "length", "count"})
"""Filters whose result shows nothing of the value."""
_KEEPING = frozenset({"default", "d", "string", "trim", "upper", "lower", "e", "escape"})
"""Filters that pass the value on whole, as recognisable as before."""
_TO_BACK_OFFICE = frozenset({"request", "payload", "path"})
"""Step fields sent to a back office, never shown or spoken."""
_SYNTAX = ("|", "[", "~", "%", "(", "+")
"""What any formatting needs (a filter, a subscript, an operator, a call, a `{% for %}`): a
template without them is not parsed again."""


class Problem(NamedTuple):
    """A template that formats a personal value: where, in which step, which value, how."""

    ref: TemplateRef
    step: str
    name: str
    how: str
    """What the template does, with `{value}` standing for the value."""

    def message(self, field: str) -> str:
        """The finding's text, naming the step."""
        what = self.how.format(value=f"the personal value '{self.name}'")
        return (
            f"step '{self.step}': {field} {what}; formatted or cut in pieces it may not be "
            "recognised to be masked: show it whole (masked wherever it appears) or through a "
            "mask_ filter"
        )


def problems(flow: Flow, parts: FlowParts) -> Iterator[Problem]:
    """Every place a flow's shown or spoken templates format or split a personal value."""
    personal = personal_names(flow)
    if not personal:
        return
    for step, refs in zip(flow.steps, parts.step_refs, strict=False):
        for ref in refs:
            if ref.expression or (len(ref.loc) > 2 and ref.loc[2] in _TO_BACK_OFFICE):
                continue
            if not any(c in ref.source for c in _SYNTAX) or not _names(ref.source) & personal:
                continue
            for name, how in _formats(ref.source, personal):
                yield Problem(ref, step.id, name, how)


def personal_names(flow: Flow) -> frozenset[str]:
    """Variables that may hold personal data: card reads, personal inputs and back-office
    replies, and `set` or `call` values derived from them."""
    names: set[str] = set()
    for step in flow.steps:
        saved = step.__dict__.get("save_as") or step.id
        if step.PERSONAL_READ:
            names.add(saved)
        elif isinstance(step, schema.InputStep) and step.is_personal():
            names.add(saved)
        elif isinstance(step, schema.HttpStep) and step.personal_fields:
            names.add(saved)
    while True:
        derived = set(names)
        for step in flow.steps:
            if isinstance(step, schema.SetStep):
                derived.update(n for n, v in step.values.items() if _reads(v, names))
            elif isinstance(step, schema.CallStep) and _reads(step.with_, names):
                derived.add(step.save_as or step.id)
        if derived == names:
            return frozenset(names)
        names = derived


def _reads(value: object, names: set[str]) -> bool:
    if isinstance(value, str):
        return bool(_names(value) & names)
    if isinstance(value, dict):
        return any(_reads(v, names) for v in value.values())
    if isinstance(value, list):
        return any(_reads(v, names) for v in value)
    return False


def _names(source: str) -> frozenset[str]:
    """Names a template reads (the loader's cached parse)."""
    return template_info(source, False)[1]


@functools.lru_cache(maxsize=1024)
def _formats(source: str, personal: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """(personal name, how it is formatted) for each formatting of a personal value."""
    try:
        tree = environment().parse(source)
    except (jinja2.TemplateSyntaxError, RecursionError):
        return ()  # reported by the loader
    found: dict[tuple[str, str], None] = {}
    for node in tree.find_all(nodes.Node):
        for name, how in _formatting(node, personal):
            found[(name, how)] = None
    return tuple(found)


def _formatting(node: nodes.Node, personal: frozenset[str]) -> Iterator[tuple[str, str]]:
    if isinstance(node, nodes.Filter) and node.name not in _HIDING | _KEEPING:
        name = _whole(node.node, personal) if node.node is not None else None
        for argument in (node.node, *node.args):
            name = name or _mentions(argument, personal)
        if name:
            yield name, f"formats {{value}} with `{node.name}`"
    elif isinstance(node, nodes.Getitem) and not _is_key(node.arg):
        name = _whole(node.node, personal)
        if name:
            yield name, "slices {value}"
    elif isinstance(node, nodes.Concat | nodes.Add):
        operands = node.nodes if isinstance(node, nodes.Concat) else [node.left, node.right]
        names = [n for n in (_whole(o, personal) for o in operands) if n]
        if names and any(_separator(o) or _sliced(o, personal) for o in operands):
            yield names[0], "joins {value} with separators"
    elif isinstance(node, nodes.Mod) and isinstance(node.left, nodes.Const):
        name = _mentions(node.right, personal)
        if name:
            yield name, "formats {value} with `%`"
    elif isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr):
        name = _whole(node.node.node, personal)
        for argument in node.args:
            name = name or _mentions(argument, personal)
        if name:
            yield name, f"formats {{value}} with `.{node.node.attr}()`"
    elif isinstance(node, nodes.For):
        name = _whole(node.iter, personal)
        if name:
            yield name, "loops over the characters of {value}"


def _whole(node: nodes.Node | None, personal: frozenset[str]) -> str | None:
    """The personal value (`phone`, `resident.id_number`) `node` is, unchanged, if any."""
    if isinstance(node, nodes.Name):
        return node.name if node.ctx == "load" and node.name in personal else None
    if isinstance(node, nodes.Getattr):
        parent = _whole(node.node, personal)
        return f"{parent}.{node.attr}" if parent else None
    if isinstance(node, nodes.Getitem) and _is_key(node.arg):
        parent = _whole(node.node, personal)
        return f"{parent}.{node.arg.as_const()}" if parent else None
    if isinstance(node, nodes.Filter) and node.name in _KEEPING:
        return _whole(node.node, personal)
    if isinstance(node, nodes.CondExpr):
        return _whole(node.expr1, personal) or _whole(node.expr2, personal)
    return None


def _mentions(node: nodes.Node | None, personal: frozenset[str]) -> str | None:
    """A personal variable read anywhere inside `node` other than through a hiding filter."""
    if node is None:
        return None
    if isinstance(node, nodes.Filter) and node.name in _HIDING:
        return None
    direct = _whole(node, personal)
    if direct:
        return direct
    for child in node.iter_child_nodes():
        found = _mentions(child, personal)
        if found:
            return found
    return None


def _sliced(node: nodes.Node, personal: frozenset[str]) -> bool:
    return (
        isinstance(node, nodes.Getitem)
        and not _is_key(node.arg)
        and bool(_whole(node.node, personal))
    )


def _is_key(node: nodes.Node) -> bool:
    """Whether a subscript names a field (`card['name']`) rather than cutting characters."""
    return isinstance(node, nodes.Const) and isinstance(node.value, str)


def _separator(node: nodes.Node) -> bool:
    """A constant made only of spacing and punctuation."""
    return (
        isinstance(node, nodes.Const)
        and isinstance(node.value, str)
        and not any(c.isalnum() for c in node.value)
    )
