"""The HTTP fetcher the TUF client downloads through: conditional requests, counted bytes.

Each metadata file the client asks for again (`timestamp.json` at every poll) is requested with
the `ETag` and `Last-Modified` of the last answer; a `304 Not Modified` is answered from the
copy kept from then, which the TUF client verifies like any download (signatures, versions,
expiry: a stale copy is refused just the same). Targets are never cached here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import urllib3
from tuf.api import exceptions
from tuf.ngclient.fetcher import FetcherInterface

log = logging.getLogger(__name__)

CHUNK = 64 * 1024


@dataclass
class Traffic:
    """What the fetcher sent and received (for the benchmark and the maintainers' status)."""

    requests: int = 0
    not_modified: int = 0
    body_bytes: int = 0
    header_bytes: int = 0


@dataclass(frozen=True)
class _Cached:
    validators: dict[str, str]
    body: bytes


class ConditionalFetcher(FetcherInterface):
    """Fetches over urllib3 with a timeout, re-asking for metadata conditionally.

    `chunk_seen(url, bytes_so_far)` is called after each chunk of a download (crash tests stop
    there).
    """

    def __init__(
        self,
        timeout: float = 10.0,
        *,
        chunk_seen: Callable[[str, int], None] | None = None,
        user_agent: str = "community-kiosk",
        chunk_size: int = CHUNK,
    ) -> None:
        self._chunk_size = chunk_size
        self._pool = urllib3.PoolManager(
            timeout=urllib3.Timeout(timeout), retries=False, headers={"User-Agent": user_agent}
        )
        self._cache: dict[str, _Cached] = {}
        self._chunk_seen = chunk_seen
        self._last_not_modified = False
        self.traffic = Traffic()

    def _fetch(self, url: str) -> Iterator[bytes]:
        metadata = url.endswith(".json")
        cached = self._cache.get(url) if metadata else None
        headers = dict(cached.validators) if cached else {}
        try:
            response = self._pool.request("GET", url, headers=headers, preload_content=False)
        except urllib3.exceptions.TimeoutError as exc:
            raise exceptions.SlowRetrievalError from exc
        except urllib3.exceptions.HTTPError as exc:
            raise exceptions.DownloadError(f"cannot reach {url}: {exc}") from exc
        self.traffic.requests += 1
        self.traffic.header_bytes += sum(len(k) + len(v) + 4 for k, v in response.headers.items())
        self._last_not_modified = response.status == 304 and cached is not None
        if self._last_not_modified and cached is not None:
            response.release_conn()
            self.traffic.not_modified += 1
            return iter([cached.body])
        if response.status >= 400:
            response.release_conn()
            raise exceptions.DownloadHTTPError(f"HTTP {response.status} for {url}", response.status)
        if not metadata:
            return self._chunks(url, response)
        body = b"".join(self._chunks(url, response))
        validators = {}
        if "ETag" in response.headers:
            validators["If-None-Match"] = response.headers["ETag"]
        if "Last-Modified" in response.headers:
            validators["If-Modified-Since"] = response.headers["Last-Modified"]
        if validators:
            self._cache[url] = _Cached(validators, body)
        return iter([body])

    def not_modified(self, url: str) -> bool:
        """Ask for metadata `url` conditionally: True when the server says it is the copy last
        fetched (304). A new copy is kept for the next fetch; any failure is False (the full
        refresh that follows asks again and reports it)."""
        if url not in self._cache:
            return False
        try:
            next(self._fetch(url))
        except exceptions.DownloadError:
            return False
        return self._last_not_modified

    def cached(self, url: str) -> bytes | None:
        """The copy of metadata `url` last received, if kept."""
        kept = self._cache.get(url)
        return kept.body if kept else None

    def _chunks(self, url: str, response: urllib3.BaseHTTPResponse) -> Iterator[bytes]:
        received = 0
        try:
            for chunk in response.stream(self._chunk_size):
                received += len(chunk)
                self.traffic.body_bytes += len(chunk)
                if self._chunk_seen is not None:
                    self._chunk_seen(url, received)
                yield chunk
        except urllib3.exceptions.TimeoutError as exc:
            raise exceptions.SlowRetrievalError from exc
        except urllib3.exceptions.HTTPError as exc:
            raise exceptions.DownloadError(f"download of {url} broke off: {exc}") from exc
        finally:
            response.release_conn()

    def close(self) -> None:
        """Close the connections."""
        self._pool.clear()
