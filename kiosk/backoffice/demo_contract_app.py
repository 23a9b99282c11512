"""The demo back office's operations served straight from the contract document
(`backoffice/openapi.yaml`), without a web framework: a bare ASGI app that finds the operation by
method and path, checks its parameters and body against the document's schemas as the FastAPI
app does (`contract_checks`), calls the operation's plain function (`demo_operations`), and sends
its reply shaped by the document. It starts in a few milliseconds; `kiosk flows run`, the
simulated kiosk and the tests use it, `kiosk backoffice` serves the FastAPI app.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

import msgspec

from kiosk.backoffice import demo_courier_operations, demo_operations
from kiosk.backoffice.contract import contract, matched, resolver
from kiosk.backoffice.contract_checks import MISSING, Invalid, checked, first_refused, shaped
from kiosk.backoffice.demo_guard import Receive, Scope, Send
from kiosk.backoffice.demo_operations import DemoWorld, Refusal, field_refusal

log = logging.getLogger(__name__)

NOT_OBJECT = "expected_object"
"""The code of a body that is missing, not sent as JSON, or not a JSON object."""
OPERATIONS = (demo_operations, demo_courier_operations)
"""Where each operation's function is, named as its `operationId`."""


class _Operation(msgspec.Struct, frozen=True):
    """One operation of the document, ready to serve."""

    method: str
    path: tuple[str, ...]
    """The path's segments; `{name}` is a parameter (any segment but an empty one)."""
    run: Callable[..., Any]
    parameters: tuple[Mapping[str, Any], ...]
    body: Mapping[str, Any] | None
    status: int
    reply: Mapping[str, Any] | None


def _operations(document: Mapping[str, Any]) -> list[_Operation]:
    found = []
    for template, item in document["paths"].items():
        segments = tuple(template.split("/"))
        for method, operation in item.items():
            name = operation["operationId"]
            run = next(getattr(m, name) for m in OPERATIONS if hasattr(m, name))
            status = next(int(code) for code in operation["responses"] if code.startswith("2"))
            content = operation["responses"][str(status)].get("content", {})
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            found.append(
                _Operation(
                    method=method.upper(),
                    path=segments,
                    run=run,
                    parameters=tuple(operation.get("parameters", ())),
                    body=body["schema"] if body else None,
                    status=status,
                    reply=content.get("application/json", {}).get("schema"),
                )
            )
    return found


class ContractApp:
    """The ASGI app serving the contract's operations over `world`."""

    def __init__(self, world: DemoWorld, document: Mapping[str, Any] | None = None) -> None:
        self._world = world
        self._document = document if document is not None else contract()
        self._operations = _operations(self._document)
        self._resolve: Callable[[str], Any] = resolver(self._document)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        status, reply, headers = self._answer(scope, await _body(receive))
        encoded = b""
        if reply is not None:
            data = json.dumps(reply, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
            encoded = data.encode()
            headers.append((b"content-type", b"application/json"))
        headers.append((b"content-length", str(len(encoded)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": encoded})

    def _answer(self, scope: Scope, body: bytes) -> tuple[int, Any, list[tuple[bytes, bytes]]]:
        method, path = scope["method"], scope["path"]
        if method == "GET" and path == "/openapi.json":
            return 200, self._document, []
        allowed = []
        for operation in self._operations:
            match = matched(operation.path, path)
            if match is None:
                continue
            if operation.method != method:
                allowed.append(operation.method)
                continue
            try:
                return operation.status, self._run(operation, match, scope, body), []
            except Refusal as refusal:
                return refusal.status, {"error": refusal.code}, []
        if allowed:
            return 405, {"error": "method_not_allowed"}, [(b"allow", ", ".join(allowed).encode())]
        if path.endswith("/") and path != "/":
            without = path.rstrip("/")
            if any(matched(operation.path, without) is not None for operation in self._operations):
                query = scope.get("query_string", b"")
                where = without.encode() + (b"?" + query if query else b"")
                return 307, None, [(b"location", where)]  # as FastAPI: never followed by kiosks
        return 404, {"error": "not_found"}, []

    def _run(self, operation: _Operation, match: dict[str, str], scope: Scope, body: bytes) -> Any:
        """The operation's reply; `Refusal` for a request the contract refuses (in FastAPI's
        order: a body that is not JSON, then the parameters, then the body's fields)."""
        values = _given(match, scope)
        sent: Any = MISSING
        if operation.body is not None and body and _is_json(values["header"].get("content-type")):
            sent = _parsed(body)
        arguments: dict[str, Any] = {}
        for parameter in operation.parameters:
            name, where = parameter["name"], parameter["in"]
            try:
                value = checked(parameter["schema"], values[where].get(name, MISSING))
            except Invalid as exc:
                if exc.missing and not parameter.get("required"):
                    value = None
                else:
                    raise Refusal(422, field_refusal(name)) from None
            if where != "header":
                arguments[name] = value
        if operation.body is not None:
            found, refused = first_refused(operation.body, sent, self._resolve)
            if found is None:
                raise Refusal(422, field_refusal(refused)) if refused else Refusal(400, NOT_OBJECT)
            arguments["body"] = found
        reply = operation.run(self._world, **arguments)
        return shaped(operation.reply, reply, self._resolve) if operation.reply else reply


def _parsed(body: bytes) -> Any:
    """A JSON body's value; `Refusal` when it is not JSON."""
    try:
        return json.loads(body)
    except UnicodeDecodeError:
        raise Refusal(400, "refused") from None  # as FastAPI: not even text
    except ValueError:
        raise Refusal(400, "body_not_json") from None


def _given(match: dict[str, str], scope: Scope) -> dict[str, dict[str, str]]:
    """The request's parameters by where they are: path, query, header."""
    query = dict(
        parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    )
    headers = {
        name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]
    }
    return {"path": match, "query": query, "header": _Headers(headers)}


def _is_json(content_type: str | None) -> bool:
    """Whether a body of this type is read as JSON: without a type, or `application/json` or
    `application/...+json` (any other body is not an object)."""
    if not content_type:
        return True
    media = content_type.partition(";")[0].strip().lower()
    main, slash, sub = media.partition("/")
    return bool(slash) and main == "application" and (sub == "json" or sub.endswith("+json"))


class _Headers(dict[str, str]):
    """Headers looked up by name in any case."""

    def get(self, name: str, default: Any = None) -> Any:
        return super().get(name.lower(), default)


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)
