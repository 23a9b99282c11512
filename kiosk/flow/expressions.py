"""Sandboxed templates and conditions for untrusted flow files (Jinja2's immutable sandbox).

Flow files pushed to kiosks are untrusted: templates cannot reach Python internals (the sandbox
refuses `__class__`, `mro`, function globals...), cannot mutate data, have no file or network
access, and are bounded in size and in the work they may do (`kiosk.flow.template_budget`).
"""

from __future__ import annotations

import functools
import re
import types
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.environment import TemplateExpression
from jinja2.exceptions import SecurityError
from jinja2.parser import Parser
from jinja2.sandbox import ImmutableSandboxedEnvironment

from kiosk.flow import compiled_templates, dates
from kiosk.flow import template_budget as budgets
from kiosk.flow.sandbox_names import MAX_SOURCE as MAX_SOURCE
from kiosk.privacy.masking import mask_id, mask_name, mask_phone, mask_text

MAX_OUTPUT = 20000
"""Longest rendered text accepted, in characters."""
MAX_SEQUENCE = budgets.MAX_SEQUENCE
"""Longest string or list an operation may build."""

_SINGLE_EXPRESSION = re.compile(r"^\s*\{\{(.*)\}\}\s*$", re.S)


class ExpressionError(Exception):
    """A template or expression failed to compile or to run; the message says why."""


def _money(value: object) -> str:
    """Format an amount in yuan with two decimals: 12.5 → 12.50."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ExpressionError(f"not an amount: {value!r}") from exc
    return f"{amount:.2f}"


def _digits(value: object) -> str:
    """Space digits apart so a voice reads them one by one: 1234 → 1 2 3 4."""
    return " ".join(str(value))


class _Generator(CodeGenerator):
    """Compiles `a ~ b` to a join that checks the size first (`template_budget.joined`)."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        """`~`: environment.joined((a, b, ...))."""
        self.write("environment.joined((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with every value bounded (`kiosk.flow.template_budget`)."""

    code_generator_class = _Generator
    intercepted_binops = budgets.INTERCEPTED_BINOPS
    joined = staticmethod(budgets.joined)

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        """Refuse operations that would build huge values or run for long."""
        return budgets.binop(operator_, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """A call from a template: counts and amplification checked first, the result after."""
        budgets.call(__obj, args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        return budgets.check_size(result, getattr(__obj, "__name__", "call"))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """`'{0:>9}'.format(x)`: fields through the sandbox, specs bounded."""
        if not isinstance(value, types.MethodType | types.BuiltinMethodType):
            return None
        if value.__name__ not in ("format", "format_map") or not isinstance(value.__self__, str):
            return None
        template, is_map = value.__self__, value.__name__ == "format_map"

        def lookup(obj: Any, key: Any, is_attr: bool) -> Any:
            return self.getattr(obj, key) if is_attr else self.getitem(obj, key)

        formatter = budgets.CheckedFormatter(lookup)

        def formatted(*args: Any, **kwargs: Any) -> str:
            if not is_map:
                return str(formatter.vformat(template, args, kwargs))
            if kwargs or len(args) != 1:
                raise TypeError("format_map() takes exactly one mapping")
            return str(formatter.vformat(template, (), dict(args[0])))

        return formatted


def _safe_range(*args: int) -> range:
    """`range` limited to `MAX_SEQUENCE` items."""
    result = range(*args)
    if len(result) > MAX_SEQUENCE:
        raise SecurityError("range too large")
    return result


@functools.cache
def environment() -> jinja2.Environment:
    """The one sandboxed environment with the kiosk's filters."""
    env = _Sandbox(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        optimized=False,  # the optimizer would run filters at compile time, outside the budget
    )
    env.filters.update(
        mask_id=mask_id,
        mask_phone=mask_phone,
        mask_name=mask_name,
        mask_text=mask_text,
        money=_money,
        digits=_digits,
        **dates.FILTERS,
    )
    env.filters = {name: budgets.bounded_filter(name, f) for name, f in env.filters.items()}
    env.globals.clear()
    env.globals["range"] = _safe_range
    return env


def _check_source(source: str) -> None:
    if len(source) > MAX_SOURCE:
        raise ExpressionError(f"longer than {MAX_SOURCE} characters")


@functools.lru_cache(maxsize=4096)
def _template(source: str) -> jinja2.Template:
    _check_source(source)
    env = environment()
    try:
        code = compiled_templates.code(env, "template", source, lambda: env.compile(source))
        return env.template_class.from_code(env, code, env.make_globals(None))
    except jinja2.TemplateSyntaxError as exc:
        raise ExpressionError(f"template syntax: {exc.message}") from exc
    except RecursionError as exc:
        raise ExpressionError("template too deeply nested") from exc


@functools.lru_cache(maxsize=4096)
def _expression(source: str) -> Any:
    _check_source(source)
    env = environment()
    try:
        code = compiled_templates.code(env, "expression", source, lambda: _expression_code(source))
        template = env.template_class.from_code(env, code, env.make_globals(None))
        return TemplateExpression(template, undefined_to_none=False)
    except jinja2.TemplateSyntaxError as exc:
        raise ExpressionError(f"expression syntax: {exc.message}") from exc
    except RecursionError as exc:
        raise ExpressionError("expression too deeply nested") from exc


def _expression_code(source: str) -> types.CodeType:
    """What `Environment.compile_expression` compiles `source` to (its template's code)."""
    env = environment()
    parser = Parser(env, source, state="variable")
    expr = parser.parse_expression()
    if not parser.stream.eos:
        raise jinja2.TemplateSyntaxError(
            "chunk after expression", parser.stream.current.lineno, None, None
        )
    expr.set_environment(env)
    body = [nodes.Assign(nodes.Name("result", "store"), expr, lineno=1)]
    code: types.CodeType = env.compile(nodes.Template(body, lineno=1))
    return code


def _run(what: str, call: Any) -> Any:
    try:
        return call()
    except ExpressionError:
        raise
    except SecurityError as exc:
        raise ExpressionError(f"{what} not allowed: {exc}") from exc
    except jinja2.UndefinedError as exc:
        raise ExpressionError(f"{what}: {exc.message}") from exc
    except (
        dates.DateError,
        jinja2.TemplateError,
        ArithmeticError,
        TypeError,
        ValueError,
        LookupError,
        NameError,  # `1e999` compiles to the name `inf`, which templates do not have
    ) as exc:
        raise ExpressionError(f"{what} failed: {exc}") from exc
    except RecursionError as exc:
        raise ExpressionError(f"{what} too deeply nested") from exc


def render(source: str, variables: Mapping[str, Any]) -> str:
    """Render a template string with the flow variables."""
    if "{" not in source:
        return source
    template = _template(source)

    def bounded() -> str:
        # Stream the output so a runaway loop stops at the limit instead of running to the end.
        parts: list[str] = []
        size = 0
        with budgets.budget():
            for chunk in template.generate(dict(variables)):
                size += len(chunk)
                if size > MAX_OUTPUT:
                    raise ExpressionError(f"template output longer than {MAX_OUTPUT} characters")
                parts.append(chunk)
        return "".join(parts)

    text: str = _run("template", bounded)
    return text


def evaluate(source: str, variables: Mapping[str, Any]) -> Any:
    """Evaluate an expression (a condition such as `choose == 'personal'`)."""
    expression = _expression(source)

    def run() -> Any:
        with budgets.budget():
            value = expression(**dict(variables))
        if isinstance(value, jinja2.Undefined):
            # StrictUndefined fails only when used; make a missing name fail here, cleanly.
            value._fail_with_undefined_error()
        return value

    return _run("expression", run)


def render_value(value: Any, variables: Mapping[str, Any]) -> Any:
    """Render every string inside a JSON-like value; a lone `{{ expr }}` keeps its type."""
    if isinstance(value, str):
        single = _SINGLE_EXPRESSION.match(value)
        if single and "{{" not in single.group(1) and "}}" not in single.group(1):
            return evaluate(single.group(1), variables)
        return render(value, variables)
    if isinstance(value, Mapping):
        return {str(k): render_value(v, variables) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [render_value(v, variables) for v in value]
    return value


def syntax_error(source: str, *, expression: bool = False) -> str | None:
    """The syntax error of a template (or expression), or None when it compiles."""
    try:
        if expression:
            _expression(source)
        else:
            _template(source)
    except ExpressionError as exc:
        return str(exc)
    return None


def referenced_names(source: str, *, expression: bool = False) -> set[str]:
    """Top-level variable names a template (or expression) reads; empty if it does not parse."""
    return set(_referenced_names(source, expression))


@functools.lru_cache(maxsize=4096)
def _referenced_names(source: str, expression: bool) -> frozenset[str]:
    """`referenced_names`, kept by source: a prompt asks it of its texts every time it is shown,
    and Jinja finds the names by generating the template's code."""
    env = environment()
    text = "{{ " + source + " }}" if expression else source
    try:
        return frozenset(meta.find_undeclared_variables(env.parse(text)))
    except (jinja2.TemplateSyntaxError, RecursionError):  # too deep to have a meaning
        return frozenset()


def referenced_paths(source: str, *, expression: bool = False) -> set[tuple[str, ...]]:
    """Dotted variable paths a template reads, e.g. `{("cert", "pages")}`, for static checks."""
    try:
        return _paths(source, expression)
    except (jinja2.TemplateSyntaxError, RecursionError):  # too deep to have a meaning
        return set()


def attribute_path(node: nodes.Getattr) -> tuple[str, ...] | None:
    """`a.b.c` as ("a", "b", "c"); None when the chain does not start at a plain name."""
    parts: list[str] = [node.attr]
    inner: nodes.Node = node.node
    while isinstance(inner, nodes.Getattr):
        parts.append(inner.attr)
        inner = inner.node
    return (inner.name, *reversed(parts)) if isinstance(inner, nodes.Name) else None


def _paths(source: str, expression: bool) -> set[tuple[str, ...]]:
    env = environment()
    text = "{{ " + source + " }}" if expression else source
    ast = env.parse(text)
    paths: set[tuple[str, ...]] = set()
    for node in ast.find_all(nodes.Getattr):
        path = attribute_path(node)
        if path is not None:
            paths.add(path)
    for name_node in ast.find_all(nodes.Name):
        if name_node.ctx == "load":
            paths.add((name_node.name,))
    return paths


_KEEPS_SHAPE = frozenset({"default", "d", "string", "trim", "e", "escape"})
"""Filters that leave a value as it is shown (so masking it by its shape still works)."""


def reformatted(source: str, expression: bool, names: set[str]) -> set[str]:
    """Which of `names` a template slices, indexes or filters other than with `mask_*`."""
    env = environment()
    try:
        tree = env.parse("{{ " + source + " }}" if expression else source)
        found: set[str] = set()
        uses: list[nodes.Filter | nodes.Getitem] = [*tree.find_all(nodes.Filter)]
        uses += tree.find_all(nodes.Getitem)
        for node in uses:
            if isinstance(node, nodes.Filter) and (
                node.name.startswith("mask_") or node.name in _KEEPS_SHAPE
            ):
                continue
            inner: nodes.Node | None = node.node
            while isinstance(inner, nodes.Getattr | nodes.Getitem):
                inner = inner.node
            if isinstance(inner, nodes.Name) and inner.name in names:
                found.add(inner.name)
        return found
    except (jinja2.TemplateSyntaxError, RecursionError):
        return set()
