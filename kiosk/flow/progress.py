"""Where a step stands in its flow: "step 2 of 5", computed from the step graph.

The steps the resident answers or acts on are counted along the normal ways on (a step's
`next`, its transitions, the following step; not `on_error`, `on_timeout` or `on_decline`, and
not back along a loop). A step's number is one more than the most such steps on any way to it,
and the total is the most on any way through, so the count never goes backwards and a refusal
path does not shorten it. A step reached only when another failed (typing the ID number when
the card cannot be read) stands in for that one and takes its number. A step the resident
does not act on (a lookup, a submission) shows the number of the last one before it. Finish
steps have none: the result is shown instead.

A flow that names its `round` (件 / Parcel) repeats a piece of work each time it loops back
(another parcel): the engine counts the times round, and the steps of the second and later
times are counted from the step the loop returned to (`in_round`), as a journey of their own.

Given a way to find the flows `call` steps call, a sub-flow counts inside its caller: a `call`
counts as the called flow's own steps, so the identification the resident goes through before
paying is "step 1 to 3 of 6", not a journey of its own.
"""

from collections.abc import Callable
from typing import Any

from kiosk.flow.graph import ABNORMAL, Edge, step_edges
from kiosk.flow.schema import Flow, StepBase

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
        "browse",
        "pay",
        "courier_sign_in",
        "pick_compartment",
        "door_wait",
    }
)
"""Step kinds the resident answers or acts on (every other kind runs by itself)."""

Progress = dict[str, tuple[int, int]]
"""Step id → (its number, the number of steps)."""

FlowLookup = Callable[[str], Flow | None]
"""The flow a `call` step calls, by id (None when there is no such flow)."""

MAX_NESTING = 5
"""Sub-flows counted inside sub-flows at most this deep (the engine refuses deeper calls)."""

_cache: dict[tuple[str, int, int, bool], Progress] = {}
_orders: dict[tuple[str, int, int], dict[str, int]] = {}


def step_progress(flow: Flow, called: FlowLookup | None = None) -> Progress:
    """Every non-finish step's (number, total) in `flow`; with `called`, each sub-flow on the
    main path counts as its own steps. Cached per flow object."""
    key = (flow.id, flow.version, id(flow), called is not None)
    found = _cache.get(key)
    if found is None:
        found = _cache[key] = _compute(flow, called, 0)[0]
    return found


def _weight(step: StepBase, called: FlowLookup | None, depth: int) -> int:
    """How many numbered steps a step is: one the resident acts on, a called flow's count."""
    kind = step.kind
    if kind in RESIDENT_KINDS:
        return 1
    target = getattr(step, "flow", None)
    if kind != "call" or called is None or depth >= MAX_NESTING or not target:
        return 0
    sub = called(target)
    return _compute(sub, called, depth + 1)[1] if sub is not None else 0


def _compute(flow: Flow, called: FlowLookup | None, depth: int) -> tuple[Progress, int]:
    """The steps' numbers and the total."""
    steps = {step.id: step for step in flow.steps}
    edges = step_edges(flow)
    weight = {step.id: _weight(step, called, depth) for step in flow.steps}
    order = _forward_order(flow.steps[0].id, edges, steps)
    before: dict[str, int] = {order[0]: 0} if order else {}
    for step_id in order:  # longest way in: every normal way to a step is counted
        if step_id not in before:
            continue
        for edge in edges[step_id]:
            if edge.kind not in ABNORMAL and edge.target in steps and edge.target in order:
                if order.index(edge.target) > order.index(step_id):  # not back along a loop
                    # a step skipped (its `when` does not hold) is not counted on that way
                    after = before[step_id] + (0 if edge.kind == "skip" else weight[step_id])
                    before[edge.target] = max(before.get(edge.target, 0), after)
    total = max((before[s] + weight[s] for s in before), default=0)
    _stand_ins(flow, edges, before)
    numbers: Progress = {}
    for step in flow.steps:
        if step.kind == "finish" or total <= 1:  # "step 1 of 1" says nothing
            continue
        number = before.get(step.id, 0) + (1 if weight[step.id] else 0)
        numbers[step.id] = (min(max(number, 1), total), total)
    return numbers, total


def loops_back(flow: Flow, source: str, target: str) -> bool:
    """Whether going from step `source` on to `target` goes back along a loop (`target`
    comes before `source` on the normal ways through the flow)."""
    order = _orders.get((flow.id, flow.version, id(flow)))
    if order is None:
        steps = {step.id: step for step in flow.steps}
        found = _forward_order(flow.steps[0].id, step_edges(flow), steps)
        order = _orders[(flow.id, flow.version, id(flow))] = {s: i for i, s in enumerate(found)}
    return target in order and source in order and order[target] <= order[source]


def in_round(progress: Progress, step: str, entry: str) -> tuple[int, int] | None:
    """`step`'s (number, total) counted from `entry` on, the step a loop returned to."""
    own, first = progress.get(step), progress.get(entry)
    if own is None or first is None:
        return own
    skipped = first[0] - 1
    return max(own[0] - skipped, 1), own[1] - skipped


def _forward_order(first: str, edges: dict[str, list[Edge]], steps: dict[str, Any]) -> list[str]:
    """The steps reached from `first` by normal ways on, each before those it leads to
    (a way back along a loop is not followed)."""
    done: list[str] = []
    seen: set[str] = set()
    stack: list[tuple[str, int]] = [(first, 0)]
    seen.add(first)
    while stack:
        here, index = stack.pop()
        ways = [e.target for e in edges[here] if e.kind not in ABNORMAL and e.target in steps]
        if index < len(ways):
            stack.append((here, index + 1))
            target = ways[index]
            if target not in seen:
                seen.add(target)
                stack.append((target, 0))
        else:
            done.append(here)
    return done[::-1]


def _stand_ins(flow: Flow, edges: dict[str, list[Edge]], before: dict[str, int]) -> None:
    """Steps reached only when another failed, declined or timed out take that one's place."""
    changed = True
    while changed:
        changed = False
        for step in flow.steps:
            for edge in edges[step.id]:
                if step.id in before and edge.target not in before and edge.target in edges:
                    before[edge.target] = before[step.id]
                    changed = True
