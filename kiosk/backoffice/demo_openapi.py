"""The OpenAPI 3.1 document of the back-office contract: the routes' own, plus what every route
shares (authentication, error bodies, limits). `backoffice/openapi.yaml` is this document."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from kiosk.backoffice.demo_models import Error

DESCRIPTION = """\
What a community kiosk sends to the back offices behind its services, and what it expects back.
Every body is JSON (UTF-8). A refusal is `{"error": "<code>"}` with a stable code, never an echo
of what was sent.

**Authentication.** Every request carries `Authorization: Bearer <token>` (401 otherwise).
A production back office may in addition require mutual TLS: the kiosk presents the client
certificate configured for that back office (`client_cert`, `client_key`) and trusts only the
authorities in its `ca_bundle`.

**Submissions.** The kiosk sends creating requests through a durable outbox with an
`Idempotency-Key` header: a retry with the same key and body gets the first reply again and is
recorded once; the same key with another body is 422 `idempotency_key_reused`.

**Limits.** A body over 1 MiB is refused unread (413 `body_too_large`). 503 means try again later.
A 404 to a POST means the route does not exist here (a configuration fault); a GET's 404 means
the record does not exist.

**Demo data.** The demo back office (`kiosk backoffice`) invents everything: any ID number with a
valid check character is a resident; accounts are 6-20 digits, and one beginning with 9 is
unknown; requests `26110001` (replied) and `26110002` (assigned) exist. Its `/_demo/...` routes
let a test or a staff member pay an order or reply to a request.
"""

_MEANINGS = {
    400: "Not a JSON object, or a required query parameter missing",
    401: "No valid bearer token (`unauthorized`)",
    404: "No such record",
    413: "Body over 1 MiB (`body_too_large`), refused unread",
    422: "Refused: a field is invalid (`invalid_<field>`, `missing_text`...) or the request "
    "cannot be granted",
    503: "Unavailable for now: try again later",
}


def errors(*statuses: int, body: bool = False) -> dict[int | str, dict[str, Any]]:
    """The error replies of a route: `statuses`, 401 and 503 always, 413 with a `body`."""
    every = {*statuses, 401, 503} | ({413} if body else set())
    return {
        status: {"model": Error, "description": _MEANINGS[status]} for status in sorted(every)
    }


def document(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document (built once)."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version="3.1.0",
        description=DESCRIPTION,
        routes=app.routes,
    )
    doc["components"]["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "The token configured for this back office (`token`)",
        },
        "mutualTLS": {
            "type": "mutualTLS",
            "description": "Optional in production, in addition to the token: the kiosk's "
            "client certificate (`client_cert`, `client_key`); the demo does not use it",
        },
    }
    doc["security"] = [{"bearer": []}]
    app.openapi_schema = doc
    return doc
