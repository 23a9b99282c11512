"""The titles of a bundle's flows, read from its files: what the fleet console calls each flow
(administrators know a service as 居民意见反馈, not as `resident-feedback`)."""

from __future__ import annotations

import logging

from kiosk.bundle.archive import Bundle
from kiosk.flow.locations import DocumentError, read_document

log = logging.getLogger(__name__)


def _flow_file(path: str) -> bool:
    """Whether a bundle's file is a flow (not a receipt template, not an answers file)."""
    folders = path.split("/")[:-1]
    return (
        folders[:1] == ["flows"]
        and "receipts" not in folders
        and path.endswith(".yaml")
        and not path.endswith(".answers.yaml")
    )


def flow_titles(bundle: Bundle) -> dict[str, dict[str, str]]:
    """Each flow's title by language, by flow id (a file that is no flow is passed over)."""
    titles: dict[str, dict[str, str]] = {}
    for path, data in sorted(bundle.files.items()):
        if not _flow_file(path):
            continue
        try:
            flow = read_document(data.decode("utf-8"), path, keep=False).data
        except (UnicodeDecodeError, DocumentError) as exc:
            log.warning("bundle %d: %s is not readable: %s", bundle.manifest.version, path, exc)
            continue
        if not isinstance(flow, dict) or not isinstance(flow.get("id"), str):
            continue
        title = flow.get("title")
        if isinstance(title, dict):
            titles[flow["id"]] = {str(k): v for k, v in title.items() if isinstance(v, str)}
    return titles
