"""The publisher reads what the console names flows by from the bundles in the repository."""

from __future__ import annotations

from kiosk.fleet.publisher import RepositoryPublisher
from kiosk.flow.loader import DEFAULT_FLOWS_DIR
from kiosk.updates.repository import Repository
from tests.kiosk.updates.conftest import BundleMaker, release


def test_a_published_bundles_flow_titles_come_from_its_flow_files(
    repo: Repository, make_bundle: BundleMaker
) -> None:
    release(repo, make_bundle(3), groups=("nobody",))
    publisher = RepositoryPublisher(repo.root, repo.keys)
    titles = publisher.flow_titles(3)
    # make_bundle tells versions apart by the English title of resident-feedback
    assert titles["resident-feedback"] == {"zh_CN": "居民意见反馈", "en": "Feedback v3"}
    assert titles["si-certificate"]["en"] == "Social insurance certificate"
    flows = {p.stem for p in DEFAULT_FLOWS_DIR.glob("*.yaml") if ".answers" not in p.name}
    assert set(titles) == flows  # every flow, and nothing else (answers files, receipts)
    assert publisher.flow_titles(4) == {}  # not published: the console shows ids
