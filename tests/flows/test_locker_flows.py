"""The locker's flows end to end through `kiosk flows run`, on the pty-simulated boards of all
three families, doors shut by the simulated courier or resident the answers file describes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from kiosk.cli import main
from kiosk.clock import SystemClock
from kiosk.config import load_config, locker_buses
from kiosk.flow.loader import DEFAULT_FLOWS_DIR
from kiosk.flow.scripted import ScriptedRenderer
from kiosk.locker.inventory import Inventory
from kiosk.locker.layout import build_layout
from kiosk.locker.secret import Keyed, load_or_create
from kiosk.storage.database import Database
from kiosk.storage.journal import SqliteJournal

FAMILIES = {"8a": [1, 2], "wkly": [0, 1], "kerong": [0, 1]}

RUNS = [
    ("parcel-deposit", "parcel-deposit.answers.yaml"),
    ("parcel-deposit", "scenarios/parcel-deposit.jammed.answers.yaml"),
    ("parcel-pickup", "parcel-pickup.answers.yaml"),
    ("parcel-pickup", "scenarios/parcel-pickup.fee.answers.yaml"),
    ("parcel-pickup", "scenarios/parcel-pickup.offline.answers.yaml"),
    ("parcel-retrieval", "parcel-retrieval.answers.yaml"),
]


def locker_config(tmp_path: Path, family: str, more: str = "") -> Path:
    """A simulated locker of one lock-board family: the demo layout on its first two boards
    (`more`: further TOML tables)."""
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f"""simulate = true
data_dir = "data"

[terminal]
id = "kiosk-dev"
mode = "locker"

[devices.lock_board]
driver = "simulated"
family = "{family}"
boards = {FAMILIES[family]}
locks_per_board = 24
open_timeout = 0.5  # a jammed door is given up on sooner (the boards answer at once)

[devices.scanner]
driver = "simulated"
"""
        + more,
        encoding="utf-8",
    )
    return path


def answers_for(tmp_path: Path, name: str, family: str, **changes: Any) -> Path:
    """A shipped answers file, its jammed lock moved to the family's first board."""
    data = yaml.safe_load((DEFAULT_FLOWS_DIR / name).read_text(encoding="utf-8"))
    board = data.get("devices", {}).get("lock_board", {})
    if "jammed" in board:
        board["jammed"] = [f"{FAMILIES[family][0]}:3"]
    data.update(changes)
    path = tmp_path / Path(name).name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def run(
    capsys: pytest.CaptureFixture[str], flow: str, answers: Path, config: Path
) -> tuple[int, list[dict[str, Any]]]:
    code = main(
        ["flows", "run", flow, "--answers", str(answers), "--config", str(config), "--json"]
    )
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines() if line.strip()]


def inventory(config: Path) -> Inventory:
    loaded = load_config(config)
    assert loaded.locker is not None
    db = Database.in_dir(loaded.data_dir)
    layout = build_layout(loaded.locker, locker_buses(loaded))
    key = Keyed(load_or_create(loaded.data_dir / "locker.key"))
    clock = SystemClock()
    return Inventory(db, layout, key, clock, SqliteJournal(db, "test", clock=clock))


@contextmanager
def stock_of(config: Path) -> Iterator[Inventory]:
    """The locker's inventory after a run, closed afterwards."""
    stock = inventory(config)
    try:
        yield stock
    finally:
        stock.db.close()


def written(path: Path, **data: Any) -> Path:
    """An answers file of `data`."""
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def said_at(lines: list[dict[str, Any]], step: str) -> list[str]:
    """What was said at each visit of `step`."""
    return [line["say"] for line in lines if line.get("step") == step and "say" in line]


@pytest.mark.parametrize("family", list(FAMILIES))
@pytest.mark.parametrize(("flow", "answers"), RUNS)
def test_each_locker_flow_runs_on_every_board_family(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], family: str, flow: str, answers: str
) -> None:
    config = locker_config(tmp_path, family)
    code, lines = run(capsys, flow, answers_for(tmp_path, answers, family), config)
    assert code == 0, lines[-1]
    assert lines[-1]["outcome"] == "finished"
    said = " ".join(line.get("say", "") for line in lines)
    if "jammed" in answers:
        assert "的门打不开，已改用" in said
        stock = inventory(config)
        try:
            assert stock.states()["A-03"] == "out_of_service"
        finally:
            stock.db.close()
    if "offline" in answers:
        assert {"outbox": {"queued": 1, "delivered": 1}} in lines
    if flow == "parcel-pickup":
        assert "从下往上第" in said  # where each opened door is, said aloud


def test_a_deposited_parcel_is_collected_with_its_notified_code_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = locker_config(tmp_path, "wkly")
    code, lines = run(
        capsys, "parcel-deposit", DEFAULT_FLOWS_DIR / "parcel-deposit.answers.yaml", config
    )
    assert code == 0, lines[-1]
    said = " ".join(line.get("say", "") for line in lines)
    assert "免费保管 24 小时" in said and "免费保管 72 小时" in said  # the courier is told
    # the second parcel's phone came from the courier system: typed once, one recipient
    assert [line["step"] for line in lines].count("phone") == 1
    with stock_of(config) as stock:
        parcels = stock.parcels(["stored"])
        assert len(parcels) == 2
        # the second is an elderly resident's: a low compartment, the longer free period
        elder = max(parcels, key=lambda p: p.storage_hours)
        assert (elder.storage_hours, min(p.storage_hours for p in parcels)) == (72, 24)
        assert stock.layout.get(elder.compartment or "").band == "low"  # type: ignore[union-attr]
        pickup = stock.pickup_code(parcels[0].id)
    answers = tmp_path / "pickup.yaml"
    answers.write_text(
        yaml.safe_dump(
            {
                "answers": {"code": pickup, "refuse": "collect"},
                "devices": {"scanner": "x", "lock_board": {"close_after_reads": 2}},
            }
        ),
        encoding="utf-8",
    )
    code, lines = run(capsys, "parcel-pickup", answers, config)
    assert code == 0, lines[-1]
    assert lines[-1]["result"]["count"] == 2  # one code, both parcels of the recipient
    with stock_of(config) as stock:
        assert stock.parcels_for_code(pickup) == []
        assert {p.status for p in stock.parcels(["picked_up"])} == {"picked_up"}
    code, lines = run(capsys, "parcel-pickup", answers, config)
    assert code == 2  # the same code again is refused and asked for anew


def test_a_wheelchair_user_is_offered_only_compartments_reachable_from_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = locker_config(tmp_path, "kerong")
    answers = DEFAULT_FLOWS_DIR / "scenarios/parcel-deposit.wheelchair.answers.yaml"
    code, lines = run(capsys, "parcel-deposit", answers, config)
    assert code == 0, lines[-1]
    (offer,) = [line for line in lines if line.get("step") == "compartment"]
    with stock_of(config) as stock:
        offered = [stock.layout.get(c) for c in re.findall(r"([A-Z]-\d{2}) 号格口", offer["say"])]
        assert offered and all(c is not None and c.wheelchair for c in offered)
        assert offered[0].size == "M"  # type: ignore[union-attr]  # the smallest reachable


def test_an_elderly_residents_parcel_is_free_for_longer_and_the_fee_tells_the_period(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = locker_config(tmp_path, "wkly")
    elder = answers_for(tmp_path, "scenarios/parcel-pickup.elder.answers.yaml", "wkly")
    code, lines = run(capsys, "parcel-pickup", elder, config)
    assert code == 0, lines[-1]
    assert "fee" not in {line.get("step") for line in lines}  # two days, within 72 hours
    fee = answers_for(tmp_path, "scenarios/parcel-pickup.fee.answers.yaml", "wkly")
    code, lines = run(capsys, "parcel-pickup", fee, config)
    assert code == 0, lines[-1]
    (told,) = [line["say"] for line in lines if line.get("step") == "fee"]
    assert "已超过 24 小时的免费保管期" in told


def test_wrong_codes_lock_the_terminal_out_and_are_journaled_without_the_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = locker_config(tmp_path, "8a")
    wrong = [f"{n:06d}" for n in range(100001, 100007)]
    answers = answers_for(
        tmp_path, "parcel-pickup.answers.yaml", "8a", answers={"code": wrong, "refuse": "collect"}
    )
    code, lines = run(capsys, "parcel-pickup", answers, config)
    assert code == 1
    assert lines[-1]["error"] == "locker.locked_out"
    data = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("kiosk.sqlite3*"))
    assert b"attempt" in data  # each attempt journaled, by a keyed tag
    for attempt in wrong:
        assert attempt.encode() not in data


def test_wrong_courier_codes_lock_the_courier_sign_in_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = locker_config(tmp_path, "wkly")
    wrong = ["111111", "222222", "333333"]  # courier_failures = 3
    answers = answers_for(tmp_path, "parcel-deposit.answers.yaml", "wkly")
    data = yaml.safe_load(answers.read_text(encoding="utf-8"))
    data["answers"]["sign_in"] = wrong
    answers.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, lines = run(capsys, "parcel-deposit", answers, config)
    assert code == 1
    assert lines[-1]["error"] == "locker.courier_locked_out"
    data = json.dumps(lines, ensure_ascii=False)
    assert "快递员代码不正确" in data  # the first two misses are told and asked again
    code, lines = run(
        capsys, "parcel-deposit", DEFAULT_FLOWS_DIR / "parcel-deposit.answers.yaml", config
    )
    assert (code, lines[-1]["error"]) == (1, "locker.courier_locked_out")  # a good code too


def test_a_door_left_open_is_reminded_of_then_raises_an_alarm(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = locker_config(tmp_path, "kerong")
    answers = answers_for(
        tmp_path,
        "parcel-pickup.answers.yaml",
        "kerong",
        answers={
            "code": "246810",
            "refuse": "collect",
            "release": [{"event": "timeout"}, {"event": "timeout"}],
        },
        devices={"scanner": "x"},
    )
    code, lines = run(capsys, "parcel-pickup", answers, config)
    assert code == 0, lines[-1]
    said = [line["say"] for line in lines if line.get("step") == "release"]
    assert any("柜门还开着" in s for s in said)  # the spoken reminder
    with stock_of(config) as stock:
        assert {p.kind for p in stock.problems()} == {"door_open"}


def test_a_refused_parcel_stays_shut_owes_no_fee_and_goes_back_with_its_courier(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = locker_config(tmp_path, "wkly")
    refusal = DEFAULT_FLOWS_DIR / "scenarios/parcel-pickup.refused.answers.yaml"
    code, lines = run(capsys, "parcel-pickup", refusal, config)
    assert code == 0, lines[-1]
    assert lines[-1]["result"] == {"count": 1, "compartments": "B-02", "refused": 1}
    said = " ".join(line.get("say", "") for line in lines)
    assert "已拒收 A-05 号格口的快递" in said
    assert "A-05 号格口的门已打开" not in said  # the refused parcel's door stays shut
    assert "fee" not in {line.get("step") for line in lines}  # its three days' fee is gone
    with stock_of(config) as stock:
        (refused,) = stock.parcels(["refused"])
        assert (refused.compartment, stock.history(refused.id)[-1]) == ("A-05", "refused")
        assert stock.states()["A-05"] == "occupied"
    data = b"".join(p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file())
    assert f"record:kiosk-dev:{refused.id}:refused".encode() in data  # the courier is told
    assert b"13700137100" not in data and b"137****7100" in data  # journalled masked only
    assert "13700137100" not in json.dumps(lines)
    # its code opens nothing now: asked again, then given up on
    again = written(tmp_path / "again.yaml", answers={"code": "271828"}, devices={"scanner": "x"})
    code, lines = run(capsys, "parcel-pickup", again, config)
    assert code == 2 and "refuse" not in {line.get("step") for line in lines}
    # the 顺丰速运 courier takes it back, told it is a refused one
    retrieval = written(
        tmp_path / "retrieval.yaml",
        answers={"sign_in": "880001", "review": True},
        devices={"lock_board": {"close_after_reads": 2}},
    )
    code, lines = run(capsys, "parcel-retrieval", retrieval, config)
    assert code == 0, lines[-1]
    (review,) = said_at(lines, "review")
    assert "拒收件 1 件（A-05）" in review and "滞留件" not in review.split("。")[0]
    assert lines[-1]["result"] == {"count": 1, "compartments": "A-05"}
    with stock_of(config) as stock:
        assert stock.parcel(refused.id).status == "retrieved"
        assert stock.states()["A-05"] == "free"


def test_a_courier_takes_back_their_companys_overdue_and_refused_parcels_told_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = locker_config(tmp_path, "8a")
    answers = DEFAULT_FLOWS_DIR / "scenarios/parcel-retrieval.refused.answers.yaml"
    code, lines = run(capsys, "parcel-retrieval", answers, config)
    assert code == 0, lines[-1]
    (review,) = said_at(lines, "review")
    assert "滞留件 1 件（A-02）" in review and "拒收件 1 件（B-04）" in review
    assert lines[-1]["result"] == {"count": 2, "compartments": "A-02, B-04"}
    with stock_of(config) as stock:  # another company's refused parcel and a fresh one stay
        assert {p.compartment: p.status for p in stock.parcels()} == {
            "A-06": "refused",
            "B-01": "stored",
        }


def test_a_refusal_declined_at_its_question_keeps_the_parcel_and_its_fee(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = locker_config(tmp_path, "kerong")
    answers = answers_for(
        tmp_path,
        "scenarios/parcel-pickup.refused.answers.yaml",
        "kerong",
        answers={"code": "271828", "refuse": ["A-05", "no", "B-02", "yes", "collect"], "fee": True},
    )
    code, lines = run(capsys, "parcel-pickup", answers, config)
    assert code == 0, lines[-1]
    assert lines[-1]["result"] == {"count": 1, "compartments": "A-05", "refused": 1}
    (fee,) = said_at(lines, "fee")
    assert "您有 1 件快递" in fee  # the kept parcel's fee, not the refused one's


def test_a_refused_parcel_whose_door_jams_at_retrieval_stays_refused_without_a_new_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = locker_config(tmp_path, "wkly")
    parcel = {"waybill": "SF1000000041", "company": "顺丰速运", "phone": "13600136041"}
    answers = written(
        tmp_path / "jammed.yaml",
        locker={"parcels": [{**parcel, "compartment": "A-03", "code": "141421", "refused": True}]},
        answers={"sign_in": "880001", "review": True},
        devices={"lock_board": {"close_after_reads": 2, "jammed": ["0:3"]}},
    )
    code, lines = run(capsys, "parcel-retrieval", answers, config)
    assert (code, lines[-1]["step"]) == (1, "jammed"), lines[-1]
    with stock_of(config) as stock:
        (kept,) = stock.parcels()
        assert (kept.status, stock.states()["A-03"]) == ("refused", "out_of_service")
    data = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("kiosk.sqlite3*"))
    assert b"notify:" not in data  # no new pickup code goes to the recipient who refused it


def test_a_parcel_refused_in_the_courier_app_is_refused_at_the_sign_in_and_taken_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = locker_config(tmp_path, "kerong")
    app_refused = {"waybill": "SF1000000052", "company": "顺丰速运", "phone": "13600136052"}
    answers = written(
        tmp_path / "app.yaml",
        locker={
            "parcels": [
                {
                    "compartment": "A-02",
                    "waybill": "SF1000000051",
                    "company": "顺丰速运",
                    "phone": "13600136051",
                    "code": "161803",
                    "days": 5,
                },
                {**app_refused, "compartment": "B-03", "code": "299792", "refused_in_app": True},
            ]
        },
        answers={"sign_in": "880001", "review": True},
        devices={"lock_board": {"close_after_reads": 2}},
    )
    code, lines = run(capsys, "parcel-retrieval", answers, config)
    assert code == 0, lines[-1]
    (review,) = said_at(lines, "review")
    assert "滞留件 1 件（A-02）" in review and "拒收件 1 件（B-03）" in review
    # the doors opened say which parcel is which
    opened = said_at(lines, "retrieve")[1]  # after "opening the doors"
    assert "A-02 号格口（滞留件）的门已打开" in opened
    assert "B-03 号格口（拒收件）的门已打开" in opened
    with stock_of(config) as stock:
        (taken,) = [p for p in stock.parcels(["retrieved"]) if p.compartment == "B-03"]
        assert stock.history(taken.id)[-3:] == ["refused", "retrieving", "retrieved"]
        assert stock.parcels_for_code("299792") == []  # its code died with the refusal
    data = b"".join(p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file())
    assert b"13600136052" not in data and b"136****6052" in data  # journaled masked only


def test_retrieval_doors_in_english_say_which_parcels_were_refused_and_which_overdue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = locker_config(tmp_path, "wkly")
    answers = answers_for(
        tmp_path, "scenarios/parcel-retrieval.refused.answers.yaml", "wkly", language="en"
    )
    code, lines = run(capsys, "parcel-retrieval", answers, config)
    assert code == 0, lines[-1]
    opened = said_at(lines, "retrieve")[1]  # after "opening the doors"
    assert "compartment A-02 (overdue) is open" in opened
    assert "compartment B-04 (refused by the recipient) is open" in opened


def test_no_door_opens_without_the_recipients_consent_nor_for_an_item_the_locker_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = locker_config(tmp_path, "8a")
    courier = {"sign_in": "880001", "waybill": "SF1000000071", "consent": True}
    devices = {"scanner": "SF1000000071", "lock_board": {"close_after_reads": 2}}
    # the demo courier system's recipients whose phone ends in 0000 did not agree
    no_consent = written(
        tmp_path / "no-consent.yaml",
        answers={**courier, "item": "ordinary", "phone": "13800130000"},
        devices=devices,
    )
    code, lines = run(capsys, "parcel-deposit", no_consent, config)
    assert (code, lines[-1]["step"]) == (1, "no_consent"), lines[-1]
    assert "收件人未同意快递柜投递" in said_at(lines, "no_consent")[0]
    for item in ("fresh", "valuable", "damaged"):
        refused = written(
            tmp_path / f"{item}.yaml",
            answers={
                **courier,
                "item": item,
                "phone": "13800138000",
                "size": "M",
                "needs": "none",
                "compartment": 1,
                "review": True,
            },
            devices=devices,
        )
        code, lines = run(capsys, "parcel-deposit", refused, config)
        assert (code, lines[-1]["step"]) == (1, "refused"), (item, lines[-1])
        asked = {line.get("step") for line in lines}
        assert "item" in asked and "waybill" not in asked  # refused as soon as it is told
    with stock_of(config) as stock:
        assert stock.parcels() == [] and set(stock.states().values()) == {"free"}
    data = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("kiosk.sqlite3*"))
    assert b"intent.deposit" not in data  # not even the intent to open a door


THREE_PARCELS = {
    "parcels": [
        {"compartment": "A-05", "waybill": "SF1000000021", "company": "顺丰速运", "days": 3},
        {"compartment": "B-02", "waybill": "ZT2000000022", "company": "中通快递"},
        {"compartment": "A-06", "waybill": "FN3000000023", "company": "蜂鸟同城"},  # not listed
    ]
}


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_pickup_names_couriers_and_counts_parcels_in_the_residents_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """English showed "Refuse A-03 (顺丰速运, …0001)" and "2 parcel(s) collected"."""
    renderers: list[ScriptedRenderer] = []

    class Kept(ScriptedRenderer):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            renderers.append(self)

    monkeypatch.setattr("kiosk.cli.flows_run.ScriptedRenderer", Kept)
    parcels = [
        {**parcel, "phone": "13700137100", "code": f"27182{n}"}
        for n, parcel in enumerate(THREE_PARCELS["parcels"])
    ]
    answers = answers_for(
        tmp_path,
        "scenarios/parcel-pickup.refused.answers.yaml",
        "wkly",
        language=lang,
        locker={"parcels": parcels},
        answers={"code": "271820", "refuse": ["A-05", "yes", "collect"]},
        devices={"lock_board": {"close_after_reads": 2}},
    )
    code, lines = run(capsys, "parcel-pickup", answers, locker_config(tmp_path, "wkly"))
    assert code == 0, lines[-1]
    prompts = [entry.prompt for entry in renderers[0].transcript]
    first = next(p for p in prompts if p.step == "refuse")
    labels = [option.label for option in first.options]
    done = next(p for p in prompts if p.step == "done")
    refuse_said, *_ = said_at(lines, "refuse")
    (done_said,) = said_at(lines, "done")
    if lang == "en":
        assert labels[1:] == [
            "Refuse A-05 (SF Express, …0021)",
            "Refuse A-06 (蜂鸟同城, …0023)",  # a courier the catalogue lacks keeps its name
            "Refuse B-02 (ZTO Express, …0022)",
        ]
        assert "SF Express, waybill ending 0021" in refuse_said and "顺丰" not in refuse_said
        expected = "2 parcels collected (A-06, B-02). 1 refused (A-05): the courier will take it"
        assert done.text.startswith(expected) and done_said.startswith(expected)
        assert "(s)" not in " ".join(p.text for p in prompts)
    else:
        assert labels[1] == "拒收 A-05（顺丰速运，尾号 0021）"
        assert "顺丰速运，运单尾号 0021" in refuse_said
        assert done.text.startswith("已取出 2 件快递（A-06, B-02）")
        assert done_said.startswith("已取出 2 件快递")
