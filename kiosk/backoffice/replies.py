"""Back-office replies checked against the contract before a flow reads them: a reply that does
not fit its route's documented reply (a word where a number belongs, a required field missing,
a list that is not one) is `backend.bad_reply`, which the flow's `on_error` takes like any other
back-office fault, instead of a template failing later as "this service is misconfigured"."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from kiosk.backoffice.contract import Replies, contract
from kiosk.backoffice.contract_checks import Invalid, checked
from kiosk.flow.services import BackendError, Backends

log = logging.getLogger(__name__)


class ContractReplies:
    """`Backends` whose replies are checked by the contract (routes it lacks pass unchecked);
    a reply that fits is returned as the contract types it (`"12.50"` where a number is
    documented is 12.5)."""

    def __init__(self, inner: Backends, document: Mapping[str, Any] | None = None) -> None:
        self._inner = inner
        self._document = document
        self._replies: Replies | None = None

    def _known(self) -> Replies:
        if self._replies is None:  # read at the first reply, not when the kiosk starts
            self._replies = Replies(self._document if self._document is not None else contract())
        return self._replies

    async def request(
        self,
        backend: str,
        method: str,
        path: str,
        json_body: Any = None,
        query: dict[str, str] | None = None,
    ) -> Any:
        """The inner back office's reply, checked; `BackendError` if it does not fit."""
        reply = await self._inner.request(backend, method, path, json_body, query)
        known = self._known()
        route = known.reply(method, path)
        if route is None:
            return reply
        template, schema = route
        try:
            return checked(schema, reply, known.resolve)
        except Invalid:
            log.warning(
                "%s: the reply to %s %s does not fit the contract", backend, method, template
            )
            raise BackendError(
                "backend.bad_reply",
                f"{backend}: the reply to {method} {template} is not the contract's",
            ) from None
