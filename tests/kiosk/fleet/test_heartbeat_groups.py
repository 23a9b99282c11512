"""PostgreSQL: heartbeats that arrive together are written together, each answered as itself."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import func, select, text

from kiosk.fleet.ingest import provision
from kiosk.fleet.models import FlowCount, Heartbeat, Kiosk
from tests.support.asgi import serving

from .conftest import fresh_postgres_database, heartbeat_body, start_server


def test_heartbeats_arriving_together_share_a_statement_and_each_is_answered(
    postgres: str,
) -> None:
    fleet, _clock, app = start_server(fresh_postgres_database(postgres), heartbeat_window=1.0)
    with fleet.db() as db:
        tokens = {f"gx-07{n}": provision(db, f"gx-07{n}") for n in range(5)}
    flows = {  # resident-feedback counted nothing: no row for it
        "si-certificate": {"sessions": 2, "failures": 1},
        "resident-feedback": {"sessions": 0, "failures": 0},
    }
    sent: list[tuple[str, dict[str, Any]]] = [
        (tokens[t], heartbeat_body(t, flows=flows, outbox_backlog=n))
        for n, t in enumerate(["gx-070", "gx-071", "gx-072", "gx-073"])
    ]
    sent.append((tokens["gx-070"], heartbeat_body("gx-074")))  # another kiosk's token
    sent.append(sent[1])  # gx-071's outbox retries at once: it waits for the next group

    with serving(app) as base, ThreadPoolExecutor(len(sent)) as pool:

        def post(token_and_body: tuple[str, dict[str, Any]]) -> httpx.Response:
            token, body = token_and_body
            return httpx.post(
                f"{base}/api/v1/heartbeats",
                json=body,
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            )

        replies = list(pool.map(post, sent))

    assert [r.status_code for r in replies] == [200, 200, 200, 200, 403, 200]
    for reply, (_token, body) in zip(replies[:4], sent[:4], strict=True):
        assert reply.json() == {"terminal": body["terminal"], "sequence": body["sequence"]}
    assert replies[5].json() == replies[1].json()  # the retry is answered, not counted again
    with fleet.db() as db:
        assert db.scalar(select(func.count()).select_from(Heartbeat)) == 4
        assert db.scalar(select(func.sum(FlowCount.sessions))) == 8  # one row per kiosk
        assert db.scalar(select(func.count()).select_from(FlowCount)) == 4
        backlog = {t: b for t, b in db.execute(select(Kiosk.terminal, Kiosk.outbox_backlog))}
        assert backlog == {"gx-070": 0, "gx-071": 1, "gx-072": 2, "gx-073": 3, "gx-074": 0}
        # rows written by one statement share its transaction id
        statements = db.scalar(text("SELECT count(DISTINCT xmin::text) FROM heartbeats"))
        assert statements == 1
    fleet.engine.dispose()
