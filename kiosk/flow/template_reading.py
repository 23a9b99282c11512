"""Jinja's reading of a template: what `kiosk.flow.template_facts` asks of a source it cannot
read on its own (any shape but the common ones), from one parse and one walk of its tree."""

from __future__ import annotations

import jinja2
from jinja2 import TemplateSyntaxError, nodes
from jinja2.parser import Parser

from kiosk.flow import expressions, template_budget
from kiosk.flow.template_facts import KEEPS_SHAPE, TemplateFacts

__all__ = ["parsed", "preorder", "shape_only"]


def preorder(tree: nodes.Node) -> list[nodes.Node]:
    """Every node below `tree`, in the order `tree.find_all` yields them (one walk for all)."""
    found: list[nodes.Node] = []

    def walk(node: nodes.Node) -> None:
        for name in node.fields:
            value = getattr(node, name, None)
            if isinstance(value, nodes.Node):
                found.append(value)
                walk(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, nodes.Node):
                        found.append(item)
                        walk(item)

    walk(tree)
    return found


def parsed(source: str, expression: bool) -> TemplateFacts:
    """The facts as Jinja's parser reads the source."""
    what = "expression" if expression else "template"
    env = expressions.environment()
    try:
        tree: nodes.Node
        if expression:
            parser = Parser(env, source, state="variable")
            # held as `{{ source }}` holds it: the expression's own node is one of those read
            # (a bare `card.field`, `flag` or `value | filter` is its top node)
            tree = nodes.Output([parser.parse_expression()], lineno=1)
            if not parser.stream.eos:
                problem = f"{what} syntax: unexpected text after the expression"
                return shape_only(problem, source, expression)
        else:
            tree = env.parse(source)
        found = preorder(tree)
    except TemplateSyntaxError as exc:
        return TemplateFacts(f"{what} syntax: {exc.message}", frozenset(), frozenset(), frozenset())
    except RecursionError:
        return TemplateFacts(
            f"{what} syntax: nested too deeply", frozenset(), frozenset(), frozenset()
        )
    paths, reshaped = _shape(found)
    error = _error(what, tree, found, env)
    if error:
        return TemplateFacts(error, frozenset(), paths, reshaped)
    names = [node for node in found if isinstance(node, nodes.Name)]
    stored = {name.name for name in names if name.ctx != "load"}
    loaded = frozenset(name.name for name in names if name.ctx == "load") - stored
    return TemplateFacts(None, loaded, paths, reshaped)


def _error(what: str, tree: nodes.Node, found: list[nodes.Node], env: jinja2.Environment) -> str:
    for node in found:
        if isinstance(node, nodes.Filter) and node.name not in env.filters:
            return f"{what} syntax: no filter named '{node.name}'"
    costly = template_budget.static_cost(tree, found)
    if costly:
        return f"{what} too costly: {costly}"
    for node in found:
        if isinstance(node, nodes.Test) and node.name not in env.tests:
            return f"{what} syntax: no test named '{node.name}'"
    return ""


def shape_only(error: str, source: str, expression: bool) -> TemplateFacts:
    """An unusable source's paths and reshaped names, read as the linter reads it: wrapped in
    `{{ }}` when it is an expression (what is left after the error may still parse)."""
    text = "{{ " + source + " }}" if expression else source
    try:
        paths, reshaped = _shape(preorder(expressions.environment().parse(text)))
    except (TemplateSyntaxError, RecursionError):
        paths, reshaped = frozenset(), frozenset()
    return TemplateFacts(error, frozenset(), paths, reshaped)


def _root(node: nodes.Node) -> nodes.Node:
    inner = node
    while isinstance(inner, nodes.Getattr | nodes.Getitem):
        inner = inner.node
    return inner


def _shape(found: list[nodes.Node]) -> tuple[frozenset[tuple[str, ...]], frozenset[str]]:
    paths: set[tuple[str, ...]] = set()
    reshaped: set[str] = set()
    for node in found:
        if isinstance(node, nodes.Getattr):
            path = expressions.attribute_path(node)
            if path is not None:
                paths.add(path)
        elif isinstance(node, nodes.Name):
            if node.ctx == "load":
                paths.add((node.name,))
        if isinstance(node, nodes.Filter):
            if node.name.startswith("mask_") or node.name in KEEPS_SHAPE:
                continue
            root = _root(node.node) if node.node is not None else None
        elif isinstance(node, nodes.Getitem):
            root = _root(node.node)
        else:
            continue
        if isinstance(root, nodes.Name):
            reshaped.add(root.name)
    return frozenset(paths), frozenset(reshaped)
