"""The budget a flow template runs in: bounded values at every step, bounded work in all.

Flow files are untrusted, and Jinja can be made to build gigabytes or loop for minutes with a
few characters (`'a'|center(10**9)`, `'%1000000000d' % 1`, doubling with `~`, nested loops,
recursive macros). Rather than catching each trick, the sandbox bounds the classes:

- **sizes**: every operator, filter, method call and `~` checks the size of what it would build
  *before* building it (numbers given as counts or widths, format specs, repeats, joins,
  replacements), and the size of what it built;
- **work**: the compiled template runs under a step budget, counted on its own lines (a trace
  function active only in template code), with a wall-clock deadline as a backstop.

Exceeding either is a `SecurityError`, turned by `kiosk.flow.expressions` into an
`ExpressionError` the flow handles like any other (its `on_error`).
"""

from __future__ import annotations

import functools
import math
import operator
import re
import string
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from contextlib import contextmanager
from types import FrameType
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import SecurityError

MAX_SEQUENCE = 10000
"""Longest string or list one operation may build."""
MAX_COUNT = 10000
"""Largest count or width a filter or method may be given."""
MAX_FIELD = 1000
"""Widest field or precision in a format specification."""
MAX_BITS = 4096
"""Largest integer (in bits) arithmetic may produce."""
MAX_STEPS = 200_000
"""Lines of template code one render may run."""
MAX_SECONDS = 1.0
"""Wall-clock time one render may take."""
TEMPLATE_FILE = "<template>"
"""Where Jinja says compiled template code comes from (`from_string` templates)."""

_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[diouxXeEfFgGcrsa%]")
_FORMAT_NUMBERS = re.compile(r"\d+")


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple | dict) else 0


def check_size(value: Any, what: str) -> Any:
    """`value`, unless it is a string or list longer than `MAX_SEQUENCE`."""
    if _size(value) > MAX_SEQUENCE:
        raise SecurityError(f"{what} would be longer than {MAX_SEQUENCE}")
    return value


def check_counts(args: Iterable[Any], what: str) -> None:
    """Every number given as an argument (a width, a count) is at most `MAX_COUNT`."""
    for arg in args:
        if isinstance(arg, int | float) and not isinstance(arg, bool) and abs(arg) > MAX_COUNT:
            raise SecurityError(f"{what}: {arg:g} is more than {MAX_COUNT}")


def check_percent_format(template: str) -> None:
    """`'%1000000000d' % 1`: no field wider or more precise than `MAX_FIELD`."""
    for match in _PERCENT_SPEC.finditer(template):
        for number in match.groups():
            if number == "*":
                raise SecurityError("format: widths given as arguments are not allowed")
            if number is not None and int(number) > MAX_FIELD:
                raise SecurityError(f"format: field {number} wider than {MAX_FIELD}")


def check_format_spec(spec: str) -> None:
    """`'{0:>1000000000}'.format(1)`: no field wider or more precise than `MAX_FIELD`."""
    for number in _FORMAT_NUMBERS.findall(spec):
        if int(number) > MAX_FIELD:
            raise SecurityError(f"format: field {number} wider than {MAX_FIELD}")


def _estimate_replace(text: Any, old: Any, new: Any) -> int:
    if not isinstance(text, str) or not isinstance(old, str) or not isinstance(new, str):
        return 0
    count = text.count(old) if old else len(text) + 1
    return len(text) + count * max(len(new) - len(old), 0)


def _estimate_join(items: Any, separator: Any) -> int:
    if not isinstance(items, Sized) or not isinstance(separator, str):
        return 0
    return len(items) * len(separator)


def binop(operator_: str, left: Any, right: Any) -> Any:
    """An arithmetic operator, refused when its result would be too large to build."""
    if operator_ == "**":
        if not isinstance(right, int | float) or abs(right) > 64:
            raise SecurityError("exponent too large")
        if (
            isinstance(left, int)
            and isinstance(right, int)
            and left.bit_length() * right > MAX_BITS
        ):
            raise SecurityError(f"power larger than {MAX_BITS} bits")
        return operator.pow(left, right)
    if operator_ == "*":
        for seq, times in ((left, right), (right, left)):
            if _size(seq) and isinstance(times, int) and _size(seq) * times > MAX_SEQUENCE:
                raise SecurityError("repetition too large")
        if isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_BITS:
                raise SecurityError(f"product larger than {MAX_BITS} bits")
    if operator_ == "+" and _size(left) + _size(right) > MAX_SEQUENCE:
        raise SecurityError(f"sum would be longer than {MAX_SEQUENCE}")
    if operator_ == "%" and isinstance(left, str):
        check_percent_format(left)
    result = _OPERATORS[operator_](left, right)
    return check_size(result, f"'{operator_}'")


_OPERATORS: Mapping[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
}
INTERCEPTED_BINOPS = frozenset({*_OPERATORS, "**"})


def joined(parts: Iterable[Any]) -> str:
    """`a ~ b ~ c`, refused before it builds a string longer than `MAX_SEQUENCE`."""
    texts = [str(part) for part in parts]
    if sum(len(text) for text in texts) > MAX_SEQUENCE:
        raise SecurityError(f"'~' would build more than {MAX_SEQUENCE} characters")
    return "".join(texts)


def call(obj: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """Checks before a method or function is called from a template (`'a'.ljust(10**9)`)."""
    name = getattr(obj, "__name__", "call")
    check_counts((*args, *kwargs.values()), name)
    owner = getattr(obj, "__self__", None)
    if isinstance(owner, str):
        if name == "join" and args and _estimate_join(list(args[0]), owner) > MAX_SEQUENCE:
            raise SecurityError("join would be too long")
        if name == "replace" and len(args) >= 2:
            if _estimate_replace(owner, args[0], args[1]) > MAX_SEQUENCE:
                raise SecurityError("replace would be too long")
        if name == "expandtabs" and owner.count("\t") * (args[0] if args else 8) > MAX_SEQUENCE:
            raise SecurityError("expandtabs would be too long")


def bounded_filter(name: str, filter_: Callable[..., Any]) -> Callable[..., Any]:
    """A Jinja filter that checks its counts and amplification before running, and its result
    after (the wrapper keeps Jinja's `pass_context` & co. markers)."""
    # pass_context, pass_eval_context and pass_environment filters get that object first
    skip = 1 if getattr(filter_, "jinja_pass_arg", None) is not None else 0

    @functools.wraps(filter_)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        passed, values = args[:skip], list(args[skip:])
        check_counts([*values[1:], *kwargs.values()], name)
        if values and name in ("join", "sum") and not isinstance(values[0], Sized):
            values[0] = list(values[0])  # counted before it is used
        _check_filter(name, values, kwargs)
        return check_size(filter_(*passed, *values, **kwargs), name)

    return bounded


def _check_filter(name: str, values: list[Any], kwargs: Mapping[str, Any]) -> None:
    """The amplifying filters: what they would build, estimated from their arguments."""
    if not values:
        return
    first = values[0]
    if name == "indent" and isinstance(first, str):
        width = values[1] if len(values) > 1 else kwargs.get("width", 4)
        each = len(width) if isinstance(width, str) else int(width)
        if (first.count("\n") + 1) * each > MAX_SEQUENCE:
            raise SecurityError("indent would be too long")
    elif name == "replace" and len(values) >= 3:
        if _estimate_replace(first, values[1], values[2]) > MAX_SEQUENCE:
            raise SecurityError("replace would be too long")
    elif name == "join":
        separator = values[1] if len(values) > 1 else kwargs.get("d", "")
        if _estimate_join(first, separator) > MAX_SEQUENCE:
            raise SecurityError("join would be too long")
    elif name == "format" and isinstance(first, str):
        check_percent_format(first)
    elif name == "sum" and sum(_size(item) for item in first) > MAX_SEQUENCE:
        raise SecurityError("sum would be too long")


class CheckedFormatter(string.Formatter):
    """`str.format` in templates: fields looked up through the sandbox, specs bounded."""

    def __init__(self, lookup: Callable[[Any, str, bool], Any]) -> None:
        super().__init__()
        self._lookup = lookup

    def get_field(self, field_name: str, args: Any, kwargs: Mapping[str, Any]) -> tuple[Any, str]:
        """A field such as `0.name` or `x[1]`, each step checked by the sandbox."""
        first, rest = _formatter_field_name_split(field_name)
        obj = self.get_value(first, args, kwargs)
        for is_attr, key in rest:
            obj = self._lookup(obj, key, is_attr)
        return obj, first

    def format_field(self, value: Any, format_spec: str) -> Any:
        """One field, after its spec is checked."""
        check_format_spec(format_spec)
        return check_size(super().format_field(value, format_spec), "format")


def _formatter_field_name_split(field_name: str) -> tuple[Any, Iterator[tuple[bool, Any]]]:
    split: Any = getattr(str, "_formatter_field_name_split", None)
    if split is None:  # pragma: no cover - CPython has it
        import _string

        split = _string.formatter_field_name_split
    return split(field_name)  # type: ignore[no-any-return]


class Budget:
    """Counts lines run in template code and stops the render past the budget."""

    def __init__(self, steps: int = MAX_STEPS, seconds: float = MAX_SECONDS) -> None:
        self.steps = 0
        self.limit = steps
        self.deadline = time.monotonic() + seconds

    def _global(self, frame: FrameType, event: str, arg: Any) -> Any:
        return self._local if frame.f_code.co_filename == TEMPLATE_FILE else None

    def _local(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            self.steps += 1
            if self.steps > self.limit:
                raise SecurityError(f"template ran more than {self.limit} steps")
            if not self.steps % 1024 and time.monotonic() > self.deadline:
                raise SecurityError("template ran too long")
        return self._local


@contextmanager
def budget(steps: int = MAX_STEPS, seconds: float = MAX_SECONDS) -> Iterator[Budget]:
    """Run the body (a render) under a step budget; the previous tracer is put back."""
    counter = Budget(steps, seconds)
    previous = sys.gettrace()
    sys.settrace(counter._global)
    try:
        yield counter
    finally:
        sys.settrace(previous)


def static_cost(tree: nodes.Node, found: Sequence[nodes.Node] | None = None) -> str:
    """What makes a parsed template certain to exceed its budget, for `flows check` ("": none
    seen): a count or width over the limits given to a filter or call, a repeat or power too
    large, a format field too wide, a macro that calls itself. `found`: every node below
    `tree` in `find_all` order, when the caller has walked it already."""
    below = list(tree.find_all(nodes.Node)) if found is None else found
    calls: list[nodes.Filter | nodes.Call] = [n for n in below if isinstance(n, nodes.Filter)]
    calls += [node for node in below if isinstance(node, nodes.Call)]
    for called in calls:
        for arg in [*called.args, *(kw.value for kw in called.kwargs)]:
            value = _number(arg)
            if value is not None and abs(value) > MAX_COUNT:
                return f"{value:g} given to '{_callee(called)}' (at most {MAX_COUNT})"
    for power in below:
        if not isinstance(power, nodes.Pow):
            continue
        exponent = _number(power.right)
        if exponent is not None and abs(exponent) > 64:
            return f"exponent {exponent:g} (at most 64)"
    for product in below:
        if not isinstance(product, nodes.Mul):
            continue
        for side in (product.left, product.right):
            value = _number(side)
            if value is not None and abs(value) > MAX_SEQUENCE:
                return f"{value:g} in '*' (at most {MAX_SEQUENCE})"
    for const in below:
        if not isinstance(const, nodes.Const):
            continue
        if isinstance(const.value, float) and not math.isfinite(const.value):
            return f"the number {const.value} cannot be used"
        if isinstance(const.value, str) and "%" in const.value:
            try:
                check_percent_format(const.value)
            except SecurityError as exc:
                return str(exc)
    for macro in below:
        if not isinstance(macro, nodes.Macro):
            continue
        for call in macro.find_all(nodes.Call):
            if isinstance(call.node, nodes.Name) and call.node.name == macro.name:
                return f"macro '{macro.name}' calls itself"
    return ""


def _number(node: nodes.Node) -> float | None:
    """The value of a constant number, or of a small constant power such as `10**9`."""
    if isinstance(node, nodes.Const):
        value = node.value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return None
    if isinstance(node, nodes.Neg):
        inner = _number(node.node)
        return None if inner is None else -inner
    if isinstance(node, nodes.Pow):
        base, exponent = _number(node.left), _number(node.right)
        if base is None or exponent is None or abs(exponent) > 64:
            return None
        try:
            return float(base**exponent)
        except (OverflowError, ZeroDivisionError):
            return float("inf")
    return None


def _callee(node: nodes.Filter | nodes.Call) -> str:
    if isinstance(node, nodes.Filter):
        return node.name
    target = node.node
    return str(getattr(target, "attr", getattr(target, "name", "call")))
