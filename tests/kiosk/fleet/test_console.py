"""The console in a real headless Chromium (Debian's, via Selenium): log in, see the fleet and
its map by district and community, start, advance and halt a rollout; a screenshot of each page
(kept in $KIOSK_KEEP_SCREENSHOTS when set)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from kiosk.fleet.accounts import add_user
from kiosk.fleet.ingest import provision
from kiosk.fleet.models import Audit
from kiosk.fleet.rollouts import RecordingPublisher
from tests.support.asgi import serving

from .conftest import Server, start_server

PASSWORD = "correct horse battery"


@pytest.fixture
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        pytest.fail("chromium and chromium-driver are not installed: run scripts/setup.sh")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
                 "--disable-dev-shm-usage", "--lang=zh-CN"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def console(tmp_path: Path) -> Iterator[tuple[Server, RecordingPublisher]]:
    from PIL import Image, ImageDraw

    titles = {  # as the bundles' flow files name them (si-certificate: only in bundle 1's)
        1: {"si-certificate": {"zh_CN": "社保参保证明", "en": "Social insurance certificate"}},
        2: {"resident-feedback": {"zh_CN": "居民意见反馈", "en": "Resident feedback"}},
    }
    publisher = RecordingPublisher(titles=titles)
    tours = tmp_path / "tours" / "2" / "resident-feedback"
    tours.mkdir(parents=True)
    for n in (1, 2):
        picture = Image.new("RGB", (400, 300), "#f4f6f8")
        ImageDraw.Draw(picture).text((20, 20), f"screen {n}", fill="black")
        picture.save(tours / f"0{n}-screen.png")
    fleet, clock, app = start_server(
        f"sqlite:///{tmp_path / 'fleet.sqlite3'}", publisher, tours=tmp_path / "tours"
    )
    with fleet.db() as db:
        add_user(db, "admin", PASSWORD, "administrator")
        add_user(db, "viewer", PASSWORD, "viewer")
    with serving(app) as url:
        server = Server(url, fleet, clock)
        places = [("青秀区", "南湖社区"), ("青秀区", "竹溪社区"), ("西乡塘区", "北湖社区")]
        for n in range(9):
            district, community = places[n % 3]
            group = "canary" if n < 2 else "district_a"
            server.provision(f"gx-{n:04d}", district=district, community=community, group=group)
            if n != 8:  # one never reports: offline
                server.heartbeat(
                    f"gx-{n:04d}",
                    group=group,
                    bundle=1,
                    paper="out" if n == 3 else "low" if n == 4 else "ok",
                    faults=["printer.paper_out"] if n == 3 else [],
                    flows={"si-certificate": {"sessions": 12, "failures": 1}},
                )
        yield server, publisher
    fleet.engine.dispose()


def _submit(driver: object, by: str, value: str) -> None:
    """Click what loads a new page (found afresh if the page was still settling), and wait
    until the new page has loaded."""
    import time

    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    deadline = time.monotonic() + 10
    while True:
        try:
            old = driver.find_element("tag name", "html")  # type: ignore[attr-defined]
            driver.find_element(by, value).click()  # type: ignore[attr-defined]
            break
        except WebDriverException:  # a node of a document being replaced: find it again
            if time.monotonic() > deadline:
                raise

    def replaced(_driver: object) -> bool:
        # stale, or (Chromium, mid-replacement) "node does not belong to the document"
        try:
            old.is_enabled()
        except WebDriverException:
            return True
        return False

    WebDriverWait(driver, 10).until(replaced)  # type: ignore[arg-type]
    WebDriverWait(driver, 10).until(  # type: ignore[arg-type]
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def _shot(driver: object, tmp_path: Path, name: str, record: Callable[[str, object], None]) -> Path:
    """Save a screenshot of the whole page (below the window's edge too); listed at the end of
    the test run."""
    import base64

    folder = Path(os.environ.get("KIOSK_KEEP_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"fleet-{name}.png"
    cdp = driver.execute_cdp_cmd  # type: ignore[attr-defined]
    size = cdp("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
    picture = cdp("Page.captureScreenshot", {"captureBeyondViewport": True, "clip": clip})
    path.write_bytes(base64.b64decode(picture["data"]))
    assert path.stat().st_size > 10_000
    record("screenshot", path)
    return path


def test_an_administrator_runs_a_rollout_from_the_console(
    browser: object,
    console: tuple[Server, RecordingPublisher],
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    from selenium.webdriver.common.by import By

    server, publisher = console
    d = browser

    def shot(name: str) -> None:
        _shot(d, tmp_path, name, record_property)

    d.get(f"{server.url}/console/")  # type: ignore[attr-defined]
    assert d.current_url.endswith("/console/login")  # type: ignore[attr-defined]
    shot("01-login")
    d.find_element(By.ID, "name").send_keys("admin")  # type: ignore[attr-defined]
    d.find_element(By.ID, "password").send_keys("wrong password!")  # type: ignore[attr-defined]
    _submit(d, By.ID, "login")
    assert d.find_element(By.ID, "login-failed").text == "用户名或密码不正确"  # type: ignore[attr-defined]
    d.find_element(By.ID, "name").send_keys("admin")  # type: ignore[attr-defined]
    d.find_element(By.ID, "password").send_keys(PASSWORD)  # type: ignore[attr-defined]
    _submit(d, By.ID, "login")

    def card(name: str) -> str:
        return d.find_element(By.CSS_SELECTOR, f"#{name} b").text  # type: ignore[attr-defined, no-any-return]

    assert (card("total"), card("online"), card("offline")) == ("9", "8", "1")
    alerts = d.find_element(By.ID, "alerts").text  # type: ignore[attr-defined]
    assert "打印机缺纸" in alerts and "离线过久" in alerts
    shot("02-overview")

    _submit(d, By.LINK_TEXT, "分布图")

    def health(community: str) -> str:
        square = f"#map a[data-community='{community}'] rect"
        return d.find_element(By.CSS_SELECTOR, square).get_attribute("class")  # type: ignore[attr-defined, no-any-return]

    # gx-0008 never reported (北湖社区), gx-0003 is out of paper (南湖社区)
    assert (health("北湖社区"), health("南湖社区"), health("竹溪社区")) == ("bad", "warn", "ok")
    shot("03-map")
    _submit(d, By.CSS_SELECTOR, "#map a[data-community='北湖社区']")
    listed = [a.text for a in d.find_elements(By.CSS_SELECTOR, "td a")]  # type: ignore[attr-defined]
    assert listed == ["gx-0002", "gx-0005", "gx-0008"]

    _submit(d, By.LINK_TEXT, "终端列表")
    assert "南湖社区" in d.page_source and "北湖社区" in d.page_source  # type: ignore[attr-defined]
    shot("04-kiosks")
    _submit(d, By.LINK_TEXT, "gx-0003")
    assert "printer.paper_out" in d.find_element(By.ID, "history").text  # type: ignore[attr-defined]
    shot("05-kiosk")

    _submit(d, By.LINK_TEXT, "签核截图")
    _submit(d, By.LINK_TEXT, "业务包 2")
    assert len(d.find_elements(By.CSS_SELECTOR, "figure img")) == 2  # type: ignore[attr-defined]
    heading = d.find_element(By.CSS_SELECTOR, "main h2")  # type: ignore[attr-defined]
    assert heading.text == "居民意见反馈 resident-feedback"  # the flow's title, its id small
    shot("06-tours")

    _submit(d, By.LINK_TEXT, "分批发布")
    d.find_element(By.ID, "bundle").send_keys("2")  # type: ignore[attr-defined]
    stages = d.find_element(By.ID, "stages")  # type: ignore[attr-defined]
    stages.clear()
    stages.send_keys("canary; district_a; 100%")
    _submit(d, By.ID, "start-rollout")
    assert publisher.published == [(2, ["canary"])]
    assert "进行中" in d.find_element(By.CSS_SELECTOR, "#rollout-1 .state").text  # type: ignore[attr-defined]
    shot("07-rollout-started")

    server.clock.now += 60
    for n in range(2, 8):  # kiosks still on bundle 1: what the canary is compared with
        server.heartbeat(f"gx-{n:04d}", group="district_a", bundle=1,
                         flows={"si-certificate": {"sessions": 10, "failures": 0}})  # fmt: skip
    for n in range(2):  # a few feedback failures: too few sessions to judge yet
        server.heartbeat(f"gx-{n:04d}", group="canary", bundle=2,
                         flows={"si-certificate": {"sessions": 10, "failures": 0},
                                "resident-feedback": {"sessions": 4, "failures": 1}})  # fmt: skip
    d.refresh()  # type: ignore[attr-defined]
    rows = d.find_elements(By.CSS_SELECTOR, "#flows-1 tr")  # type: ignore[attr-defined]
    assert [r.text for r in rows[2:]] == [  # each flow by its title, its id small beside it
        "居民意见反馈 resident-feedback 8 2 25.0% 0 0 0.0%",
        "社保参保证明 si-certificate 20 0 0.0% 132 6 4.5%",  # with the heartbeats at the start
    ]
    ids = d.find_elements(By.CSS_SELECTOR, "#flows-1 td.flow")  # type: ignore[attr-defined]
    assert [cell.get_attribute("title") for cell in ids] == ["resident-feedback", "si-certificate"]
    shot("08-rollout-flows")
    _submit(d, By.CSS_SELECTOR, "#rollout-1 button.advance")
    assert publisher.published[-1] == (2, ["canary", "district_a"])
    shot("09-rollout-advanced")

    _submit(d, By.CSS_SELECTOR, "#rollout-1 button.halt")
    section = d.find_element(By.ID, "rollout-1").text  # type: ignore[attr-defined]
    assert "已暂停" in section and "由 admin 手动暂停" in section
    assert not d.find_elements(By.CSS_SELECTOR, "#rollout-1 button.advance")  # type: ignore[attr-defined]
    shot("10-rollout-halted")

    _submit(d, By.LINK_TEXT, "操作记录")
    assert "暂停发布" in d.find_element(By.ID, "audit").text  # type: ignore[attr-defined]
    shot("11-audit")

    # in English (the language stays chosen from page to page); every page again when the
    # screenshots are kept to be looked at (KIOSK_KEEP_SCREENSHOTS), not on every test run
    _submit(d, By.LINK_TEXT, "English")
    assert "halted a rollout" in d.find_element(By.ID, "audit").text  # type: ignore[attr-defined]
    shot("en-11-audit")
    d.get(f"{server.url}/console/rollouts")  # type: ignore[attr-defined]
    assert "Reason: halted by hand by admin" in d.find_element(By.TAG_NAME, "main").text  # type: ignore[attr-defined]
    cells = d.find_elements(By.CSS_SELECTOR, "#flows-1 td.flow")  # type: ignore[attr-defined]
    assert [c.text for c in cells] == [
        "Resident feedback resident-feedback",
        "Social insurance certificate si-certificate",
    ]
    shot("en-10-rollout-halted")
    english = (
        {}
        if "KIOSK_KEEP_SCREENSHOTS" not in os.environ
        else {
            "02-overview": ("/console/", "Offline too long"),
            "03-map": ("/console/map", "All districts"),
            "04-kiosks": ("/console/kiosks", "1–9 of 9"),
            "05-kiosk": ("/console/kiosks/gx-0003", "Out of paper (printer.paper_out)"),
            "06-tours": ("/console/tours?bundle=2", "Bundle tours for sign-off"),
        }
    )
    for name, (page, seen) in english.items():
        d.get(f"{server.url}{page}")  # type: ignore[attr-defined]
        assert seen in d.find_element(By.TAG_NAME, "main").text, name  # type: ignore[attr-defined]
        shot(f"en-{name}")
    _submit(d, By.ID, "logout")
    assert d.find_element(By.ID, "login").text == "Log in"  # type: ignore[attr-defined]
    shot("en-01-login")
    with server.fleet.db() as db:
        actions = [a.action for a in db.scalars(select(Audit).order_by(Audit.id))]
    assert actions == [
        "login_failed", "login", "rollout_start", "rollout_advance", "rollout_halt", "logout",
    ]  # fmt: skip


def test_forms_without_the_csrf_token_or_the_role_are_refused(
    console: tuple[Server, RecordingPublisher],
) -> None:
    server, publisher = console
    with httpx.Client(base_url=server.url) as client:
        reply = client.post("/console/login", data={"name": "viewer", "password": PASSWORD})
        assert reply.status_code == 303
        page = client.get("/console/rollouts").text
        assert 'id="start"' not in page  # a viewer sees no rollout form
        csrf = page.split('name="csrf" value="')[1].split('"')[0]
        refused = client.post(
            "/console/rollouts", data={"csrf": csrf, "bundle": 2, "stages": "all"}
        )
        assert refused.status_code == 403
        assert client.get("/console/audit").status_code == 403  # administrators read it
        with server.fleet.db() as db:
            add_user(db, "viewer", PASSWORD, "operator")  # advances and halts; never starts
        again = client.post("/console/rollouts", data={"csrf": csrf, "bundle": 2, "stages": "all"})
        assert again.status_code == 403
        with server.fleet.db() as db:
            add_user(db, "viewer", PASSWORD, "administrator")
        forged = client.post(
            "/console/rollouts", data={"csrf": "forged", "bundle": 2, "stages": "all"}
        )
        assert forged.status_code == 403
        assert publisher.published == []
        client.cookies.clear()
        assert client.get("/console/").status_code == 303  # back to the login page


def test_bundle_tours_are_shown_for_sign_off_and_nothing_else_is_served(tmp_path: Path) -> None:
    from PIL import Image

    tours = tmp_path / "tours"
    (tours / "8" / "si-certificate").mkdir(parents=True)
    Image.new("RGB", (64, 48), "white").save(tours / "8" / "si-certificate" / "01-consent.png")
    (tmp_path / "secret.png").write_bytes(b"not for the console")
    fleet, _clock, app = start_server(f"sqlite:///{tmp_path / 'f.sqlite3'}", tours=tours)
    with fleet.db() as db:
        add_user(db, "viewer", PASSWORD, "viewer")
    with serving(app) as url, httpx.Client(base_url=url) as client:
        assert client.get("/console/tours/8/si-certificate/01-consent.png").status_code == 303
        client.post("/console/login", data={"name": "viewer", "password": PASSWORD})
        page = client.get("/console/tours", params={"bundle": "8"}).text
        assert "签核截图" in page and 'src="/console/tours/8/si-certificate/01-consent.png"' in page
        picture = client.get("/console/tours/8/si-certificate/01-consent.png")
        assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")
        assert client.get("/console/tours/8/..%2F..%2Fsecret.png").status_code == 404
        assert client.get("/console/tours/8/../../secret.png").status_code == 404
    fleet.engine.dispose()


def test_a_refused_rollout_says_why_in_the_console_language(
    console: tuple[Server, RecordingPublisher],
) -> None:
    server, publisher = console
    with httpx.Client(base_url=server.url, follow_redirects=True) as client:
        client.post("/console/login", data={"name": "admin", "password": PASSWORD})
        page = client.get("/console/rollouts").text
        csrf = page.split('name="csrf" value="')[1].split('"')[0]
        refused = client.post(
            "/console/rollouts", data={"csrf": csrf, "bundle": 2, "stages": "10%; Wave-A"}
        )
        assert "分组名只能用小写字母、数字和下划线：Wave-A" in refused.text
        english = client.get(f"{refused.url}&lang=en").text
        assert "group names are lower case letters, digits and _: Wave-A" in english
    assert publisher.published == []


def test_only_a_published_bundle_can_be_rolled_out_and_the_console_says_how(
    tmp_path: Path,
) -> None:
    publisher = RecordingPublisher(bundles={7: ("all",), 8: ("nobody",)})
    fleet, _clock, app = start_server(f"sqlite:///{tmp_path / 'f.sqlite3'}", publisher)
    with fleet.db() as db:
        add_user(db, "admin", PASSWORD, "administrator")
    with serving(app) as url, httpx.Client(base_url=url, follow_redirects=True) as client:
        client.post("/console/login", data={"name": "admin", "password": PASSWORD})
        page = client.get("/console/rollouts").text
        # the published bundles are offered, newest first, with the groups they have now
        assert '<option value="8">业务包 8（当前分组：nobody）</option>' in page
        assert page.index('value="8"') < page.index('value="7"')
        assert "先发布给不存在的分组 nobody" in page and "--group nobody" in page
        csrf = page.split('name="csrf" value="')[1].split('"')[0]
        refused = client.post(
            "/console/rollouts", data={"csrf": csrf, "bundle": 9, "stages": "all"}
        )
        assert "业务包 9 尚未发布到仓库，无法分批发布" in refused.text
        english = client.get(f"{refused.url}&lang=en").text
        assert "bundle 9 is not published in the repository" in english
        assert publisher.published == []
        started = client.post(
            "/console/rollouts", data={"csrf": csrf, "bundle": 8, "stages": "all"}
        )
        assert publisher.published == [(8, ["all"])] and 'id="rollout-1"' in started.text
    fleet.engine.dispose()


def test_with_nothing_published_the_rollout_form_says_so(tmp_path: Path) -> None:
    fleet, _clock, app = start_server(
        f"sqlite:///{tmp_path / 'f.sqlite3'}", RecordingPublisher(bundles={})
    )
    with fleet.db() as db:
        add_user(db, "admin", PASSWORD, "administrator")
    with serving(app) as url, httpx.Client(base_url=url) as client:
        client.post("/console/login", data={"name": "admin", "password": PASSWORD})
        page = client.get("/console/rollouts", params={"lang": "en"}).text
        assert "The repository lists no published bundle yet." in page
        assert '<button id="start-rollout" disabled>' in page
    fleet.engine.dispose()


def test_a_large_fleet_is_listed_a_page_at_a_time_and_the_map_a_district_at_a_time(
    tmp_path: Path,
) -> None:
    fleet, _clock, app = start_server(f"sqlite:///{tmp_path / 'f.sqlite3'}", list_page=4)
    with fleet.db() as db:
        add_user(db, "viewer", PASSWORD, "viewer")
        for n in range(10):
            district = "青秀区" if n < 6 else "西乡塘区"
            provision(db, f"gx-{n:04d}", district=district, community=f"社区{n % 2}")
    with serving(app) as url, httpx.Client(base_url=url, follow_redirects=True) as client:
        client.post("/console/login", data={"name": "viewer", "password": PASSWORD})
        seen: list[str] = []
        page = client.get("/console/kiosks")
        while True:
            seen += re.findall(r'<a href="/console/kiosks/([^"]+)">', page.text)
            more = re.search(r'<a href="([^"]+)" id="next-page">', page.text)
            if more is None:
                break
            page = client.get(more.group(1).replace("&amp;", "&"))
        assert "第 9–10 台，共 10 台" in page.text
        assert sorted(seen) == [f"gx-{n:04d}" for n in range(10)]  # each once, none left out
        page = client.get("/console/kiosks", params={"district": "西乡塘区", "page": 2})
        assert "第 1–4 台，共 4 台" in page.text  # a page past the end: the last one
        assert "next-page" not in page.text and "previous-page" not in page.text
        one = client.get("/console/map", params={"district": "西乡塘区"}).text
        assert 'data-district="西乡塘区"' in one and 'data-district="青秀区"' not in one
        assert ">青秀区 (0/6)</a>" in one  # every district stays a click away
    fleet.engine.dispose()
