"""An ASGI app served by uvicorn on a loopback port in a thread, for as long as a test needs."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


@contextmanager
def serving(app: Any, port: int = 0, deadline: float = 10.0) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 (`port`, or a free one); yields its base URL, stops it on
    leaving."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    until = time.monotonic() + deadline
    while not server.started:
        if not thread.is_alive() or time.monotonic() > until:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)  # polling with a deadline for a server thread to bind
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(deadline)
