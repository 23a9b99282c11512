"""The locker layout in kiosk.toml: checked at start (one line, exit 2), shown as text and PNG."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from kiosk.cli import main
from kiosk.config import ConfigError, load_config, locker_buses
from kiosk.locker.layout import build_layout

BUS = """
[terminal]
mode = "locker"

[devices.lock_board]
driver = "simulated"
family = "wkly"
boards = [0, 1]

[locker.boards.left]
family = "wkly"
address = 0

[locker.boards.right]
family = "wkly"
address = 1
"""

CABINET = """
[[locker.cabinets]]
id = "A"
compartments = [
  {id = "A-01", board = "left", lock = 1, size = "L", column = 1, row = 1, wheelchair = true},
  {id = "A-02", board = "left", lock = 2, size = "S", column = 1, row = 2, band = "high"},
  {id = "A-03", board = "right", lock = 1, size = "M", column = 2, row = 1},
]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_layout_is_placed_and_wired(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, BUS + CABINET), environ={})
    assert config.locker is not None
    layout = build_layout(config.locker, locker_buses(config))
    first = layout.get("A-01")
    assert first is not None
    assert (first.address, first.lock, first.size, first.wheelchair) == (0, 1, "L", True)
    assert [c.id for c in layout] == ["A-01", "A-02", "A-03"]
    assert (layout.columns("A"), layout.rows("A")) == (2, 2)


@pytest.mark.parametrize(
    ("change", "key", "fragment"),
    [
        (('lock = 2, size = "S"', 'lock = 1, size = "S"'), "A-02.lock", "A-01 and A-02 are both"),
        (("address = 1", "address = 5"), "boards.right.address", "not among bus"),
        (
            (
                '[locker.boards.right]\nfamily = "wkly"',
                '[locker.boards.right]\nbus = "door"\nfamily = "wkly"',
            ),
            "boards.right.bus",
            "is on no bus",
        ),
        (('board = "right"', 'board = "middle"'), "A-03.board", "names no board"),
        (('lock = 1, size = "M"', 'lock = 25, size = "M"'), "A-03.lock", "locks 1-24"),
        (("column = 2, row = 1", "column = 1, row = 1"), "A-03", "both at column 1 row 1"),
        (('id = "A-03"', 'id = "B-03"'), "B-03", "is in cabinet A"),
        (('size = "M"', 'size = "XXL"'), "size", "XXL"),
    ],
)
def test_a_bad_layout_is_one_line_naming_the_key(
    tmp_path: Path, change: tuple[str, str], key: str, fragment: str
) -> None:
    text = (BUS + CABINET).replace(*change)
    assert text != BUS + CABINET
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), environ={})
    message = str(caught.value)
    assert "\n" not in message
    assert key in message and fragment in message, message


def test_locker_mode_without_a_layout_is_refused_unless_simulated(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"locker: locker mode needs a \[locker\] layout"):
        load_config(write(tmp_path, BUS.split("[locker.boards.left]")[0]), environ={})
    simulated = load_config(None, environ={"KIOSK__TERMINAL__MODE": "locker"})
    assert simulated.locker is not None and len(simulated.locker.cabinets) == 2


def test_kiosk_run_stops_at_a_bad_layout_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path, (BUS + CABINET).replace("address = 1", "address = 9"))
    assert main(["run", "--config", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "locker.boards.right.address" in err[0]


def test_the_layout_is_printed_as_text_and_drawn_as_a_picture(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(tmp_path, BUS + CABINET)
    assert main(["locker", "layout", "--config", str(config)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("A-01") and "wheelchair" in lines[0] and "free" in lines[0]
    png = tmp_path / "layout.png"
    assert main(["locker", "layout", "--config", str(config), "--png", str(png)]) == 0
    with Image.open(png) as image:
        width, height = image.size
        # two columns of compartments side by side, two rows: a free one is drawn green
        assert width > 2 * 100 and height > 2 * 60
        assert image.convert("RGB").getpixel((40, 80)) == (0xD8, 0xF0, 0xD8)


def test_reconcile_reads_the_doors_and_lists_what_disagrees(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(tmp_path, f'data_dir = "{tmp_path / "data"}"\n' + BUS + CABINET)
    assert main(["locker", "reconcile", "--config", str(config)]) == 0
    assert capsys.readouterr().out.strip().endswith("0 disagreements")
    assert main(["locker", "problems", "--config", str(config)]) == 0
    assert main(["locker", "layout", "--config", str(config)]) == 0
    assert all(line.endswith("free") for line in capsys.readouterr().out.splitlines()[1:])


def test_the_readme_layout_example_is_a_valid_locker(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Locker mode") :]
    example = section[
        section.index("```toml\n") + 8 : section.index("```\n", section.index("```toml"))
    ]
    config = load_config(write(tmp_path, example), environ={})
    assert config.locker is not None
    layout = build_layout(config.locker, locker_buses(config))
    assert [c.id for c in layout] == ["A-01", "A-02"]


def test_a_lock_board_option_its_driver_refuses_stops_a_locker_at_start(tmp_path: Path) -> None:
    text = (BUS + CABINET).replace("boards = [0, 1]", "boards = [0, 40]")
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), environ={})
    assert "devices.lock_board" in str(caught.value) and "0-31" in str(caught.value)
