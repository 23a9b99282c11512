"""`HttpBackends`: the named back offices of the configuration, reached over `http.client`, each
exchange bounded in time and size (`transfer.exchange`)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from kiosk.backoffice.transfer import Transport, error_for_exception, exchange
from kiosk.config import BackendConfig
from kiosk.flow.services import BackendError
from kiosk.privacy.masking import scrub

__all__ = [
    "HttpBackends",
    "describe",
    "endpoint",
    "error_for_exception",
    "error_for_status",
    "headers_for",
    "tls_for",
]

log = logging.getLogger(__name__)

USER_AGENT = "community-kiosk/0.1"


def endpoint(config: BackendConfig, path: str) -> str:
    """The full URL of `path` on a back office; `BackendError` if it would leave the base URL
    (`..`, `.`, an encoded slash or dot, a scheme, a fragment, control characters)."""
    where = path.partition("?")[0]
    segments = unquote(where).split("/")
    if (
        any(segment in (".", "..") for segment in segments)
        or "%2f" in where.lower()
        or "\\" in unquote(where)
        or "#" in path
        or "://" in where
        or any(ord(ch) < 0x20 or ch == "\x7f" for ch in path)
    ):
        raise BackendError("backend.bad_path", f"path {scrub(where)!r} leaves the back office")
    return config.base_url.rstrip("/") + "/" + path.lstrip("/")


def tls_for(config: BackendConfig) -> dict[str, Any]:
    """The `Transport.request` arguments of a back office's TLS: the CA bundle and client
    certificate."""
    found: dict[str, Any] = {}
    if config.ca_bundle is not None:
        found["verify"] = str(config.ca_bundle)
    if config.client_cert is not None:
        cert = str(config.client_cert)
        found["cert"] = (cert, str(config.client_key)) if config.client_key else cert
    return found


def headers_for(config: BackendConfig, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Headers for one request: the configured ones, the bearer token, then `extra`."""
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    headers.update(config.headers)
    if config.token is not None:
        headers["Authorization"] = f"Bearer {config.token.get_secret_value()}"
    if extra:
        headers.update(extra)
    return headers


def error_for_status(status: int, where: str, method: str = "GET") -> BackendError | None:
    """The `BackendError` an HTTP status means for a `method` request, or None for 2xx."""
    if 200 <= status < 300:
        return None
    if 300 <= status < 400:
        # never followed: the payload and credentials would go to wherever it points
        return BackendError("backend.redirected", f"{where}: HTTP {status} redirect not followed")
    if status in (405, 410) or (status == 404 and method.upper() != "GET"):
        # no such service here (a route missing or retired): a configuration mistake, never
        # "check your details"; a GET's 404 is a record that does not exist, which is
        return BackendError("backend.not_found", f"{where}: HTTP {status}")
    if 400 <= status < 500 and status not in (408, 429):
        return BackendError("backend.rejected", f"{where}: HTTP {status}")
    if status in (408, 504):
        return BackendError("backend.timeout", f"{where}: HTTP {status}")
    return BackendError("backend.failed", f"{where}: HTTP {status}")


def describe(backend: str, method: str, path: str) -> str:
    """A log- and error-safe description of a request: no query string, numbers masked."""
    return scrub(f"{backend} {method} {path.split('?', 1)[0]}")


class HttpBackends:
    """The `Backends` the engine uses: one `Transport`, calls run in worker threads.

    `fallback` answers for every backend name not in the configuration (the demo back office
    under `--simulate`); without it an unknown name is `backend.unknown`.
    """

    def __init__(
        self,
        backends: Mapping[str, BackendConfig],
        *,
        fallback: BackendConfig | None = None,
        session: Transport | None = None,
    ) -> None:
        self._backends = dict(backends)
        self._fallback = fallback
        self._session = session or Transport()

    def config(self, backend: str) -> BackendConfig:
        """The configuration of a backend name, or `BackendError("backend.unknown")`."""
        config = self._backends.get(backend, self._fallback)
        if config is None:
            raise BackendError("backend.unknown", f"no backend named {backend!r} is configured")
        return config

    async def request(
        self,
        backend: str,
        method: str,
        path: str,
        json_body: Any = None,
        query: dict[str, str] | None = None,
    ) -> Any:
        """Send one request and return the decoded JSON reply, or raise `BackendError`."""
        config = self.config(backend)
        return await asyncio.to_thread(
            self.request_sync, config, backend, method, path, json_body, query
        )

    def request_sync(
        self,
        config: BackendConfig,
        backend: str,
        method: str,
        path: str,
        json_body: Any = None,
        query: dict[str, str] | None = None,
    ) -> Any:
        """The blocking request behind `request`."""
        where = describe(backend, method, path)
        url = endpoint(config, path)
        try:
            reply = exchange(
                self._session,
                method,
                url,
                timeout=config.timeout,
                where=where,
                json=json_body,
                params=query,
                headers=headers_for(config),
                **tls_for(config),
            )
        except BackendError as failure:
            log.warning("%s", failure)
            raise
        problem = error_for_status(reply.status, where, method) or reply.fault
        if problem is not None:
            log.warning("%s", problem)
            raise problem
        if reply.status == 204 or not reply.body:
            return None
        try:
            data = json.loads(reply.body)
        except ValueError:
            raise BackendError("backend.bad_reply", f"{where}: reply is not JSON") from None
        if not isinstance(data, dict):
            # every reply of the contract is an object: anything else is not for the flow
            raise BackendError("backend.bad_reply", f"{where}: reply is not a JSON object")
        return data

    def close(self) -> None:
        """Release the transport (no connection outlives its exchange)."""
        self._session.close()

    def __enter__(self) -> HttpBackends:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
