"""Where a step stands in its flow: "step 2 of 5", computed from the step graph.

The main path runs from the first step along each step's first way on (its `next`, the first
transition, or the following step), taking guarded steps, until a finish or the end. Each step
the resident answers or acts on along it is numbered; the total is their count. A step off the
main path (an alternative such as typing the ID number instead of reading the card) takes the
number of the step it stands in for: one before the main-path step it leads to. A step the
resident does not act on (a lookup, a submission) shows the number of the last one before it.
Finish steps have none: the result is shown instead.
"""

from __future__ import annotations

from kiosk.flow.graph import Edge, step_edges
from kiosk.flow.schema import Flow

RESIDENT_KINDS = frozenset(
    {
        "info",
        "choose",
        "input",
        "confirm",
        "consent",
        "read_id_card",
        "read_smart_card",
        "scan_code",
        "print",
    }
)
"""Step kinds the resident answers or acts on (every other kind runs by itself)."""

Progress = dict[str, tuple[int, int]]
"""Step id → (its number, the number of steps)."""

_cache: dict[tuple[str, int, int], Progress] = {}


def _onward(edges: list[Edge]) -> str | None:
    for edge in edges:
        if edge.kind in ("next", "when", "fallthrough"):
            return edge.target
    return None


def step_progress(flow: Flow) -> Progress:
    """Every non-finish step's (number, total) in `flow`; cached per flow object."""
    key = (flow.id, flow.version, id(flow))
    found = _cache.get(key)
    if found is None:
        found = _cache[key] = _compute(flow)
    return found


def _compute(flow: Flow) -> Progress:
    steps = {step.id: step for step in flow.steps}
    edges = step_edges(flow)
    main: list[str] = []
    here: str | None = flow.steps[0].id
    while here in steps and here not in main:
        main.append(here)
        here = _onward(edges[here])
    before: dict[str, int] = {}
    count = 0
    for step_id in main:
        before[step_id] = count
        if steps[step_id].kind in RESIDENT_KINDS:
            count += 1
    total = count
    numbers: Progress = {}
    for step in flow.steps:
        if step.kind == "finish" or total == 0:
            continue
        if step.id in before:
            number = before[step.id] + (1 if step.kind in RESIDENT_KINDS else 0)
        else:
            number = _stand_in(step.id, before, edges)
        numbers[step.id] = (min(max(number, 1), total), total)
    return numbers


def _stand_in(step_id: str, before: dict[str, int], edges: dict[str, list[Edge]]) -> int:
    """An off-path step's number: the main-path step it leads to, less one."""
    seen = {step_id}
    here = _onward(edges[step_id])
    while here is not None and here not in seen and here in edges:
        if here in before:
            return before[here]
        seen.add(here)
        here = _onward(edges[here])
    return 1
