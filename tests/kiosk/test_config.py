"""Configuration: the example loads, bad values give one line naming file and key."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk import config as config_module
from kiosk.config import REPO_FLOWS_DIR, ConfigError, load_config
from peripherals.registry import DriverSpec

EXAMPLE = Path(__file__).resolve().parents[2] / "kiosk.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(path: Path | None, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ or {})
    message = str(caught.value)
    assert "\n" not in message, message
    assert "Traceback" not in message
    return message


def test_example_file_loads_with_every_section() -> None:
    config = load_config(EXAMPLE, {})
    assert config.terminal.id == "gx-0001"
    assert config.terminal.name.zh_CN.endswith("自助服务终端")
    assert config.terminal.mode == "government"
    assert config.devices["printer"].driver == "simulated"
    assert config.device_configs()["printer"].kind == "printer"
    assert config.backends["social_insurance"].base_url == "https://si.example.gov.cn/api"
    assert config.backends["social_insurance"].headers == {"X-Terminal-Id": "gx-0001"}
    assert config.timeouts.warning_lead >= 20
    assert config.accessibility.volume == 70
    assert config.data_dir == EXAMPLE.parent / "data"
    assert config.flows_dir == REPO_FLOWS_DIR


def test_no_file_runs_simulated_with_data_in_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(None, {})
    assert config.simulate
    assert config.data_dir == tmp_path / "data"
    assert config.database_path == tmp_path / "data" / "kiosk.sqlite3"
    assert {"id_card", "printer"} <= set(config.devices)
    assert {d.driver for d in config.device_configs().values()} == {"simulated"}
    locker = load_config(None, {"KIOSK__TERMINAL__MODE": "locker"})
    assert "lock_board" in locker.devices and "id_card" not in locker.devices


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[timeouts]\nhttp = "abc"\n',
            'kiosk.toml: timeouts.http: expected a number, got "abc"',
        ),
        (
            '[accessibility]\nvolume = "loud"\n',
            'kiosk.toml: accessibility.volume: expected an integer, got "loud"',
        ),
        (
            "[accessibility]\nvolume = 120\n",
            "kiosk.toml: accessibility.volume: must be at most 100",
        ),
        (
            '[accessibility]\nelder_mode = "maybe"\n',
            "kiosk.toml: accessibility.elder_mode: expected true or false",
        ),
        ('[terminal]\nmode = "bank"\n', "kiosk.toml: terminal.mode: expected 'government' or"),
        ("[terminal]\nid = 42\n", "kiosk.toml: terminal.id: expected a string, got 42"),
        (
            "[timeouts]\nwarning_lead = 10\n",
            "kiosk.toml: timeouts.warning_lead: must be at least 20",
        ),
        (
            "[timeouts]\nsession_inactivity = 25\n",
            "kiosk.toml: timeouts: warning_lead (30 s) must be shorter than session_inactivity",
        ),
        (
            "[timouts]\nhttp = 5\n",
            "kiosk.toml: timouts: unknown key (did you mean timeouts?)",
        ),
        (
            '[backends.si]\nbase_url = "ftp://x"\n',
            "kiosk.toml: backends.si.base_url: expected an http:// or https:// URL "
            "(no spaces, query or fragment)",
        ),
        (
            "[backends.si]\ntimeout = 5\n",
            "kiosk.toml: backends.si.base_url: required key is missing",
        ),
        (
            '[backends.si]\nbase_url = "https://si.example/a b"\n',
            "kiosk.toml: backends.si.base_url: expected an http:// or https:// URL",
        ),
        (
            '[backends.si]\nbase_url = "https://x"\n'
            '[backends.si.headers]\nX-Key = "a\\r\\nHost: evil"\n',
            "kiosk.toml: backends.si.headers.X-Key: must be one line without control characters",
        ),
        (
            '[backends.si]\nbase_url = "http://si.example"\ntoken = "t"\n',
            "kiosk.toml: backends.si: credentials (token, headers) would travel in clear text",
        ),
        (
            '[backends.si]\nbase_url = "https://si.example"\nclient_cert = "nope.pem"\n',
            "kiosk.toml: backends.si.client_cert: no such file",
        ),
        (
            '[devices.printer]\ndriver = "escpos-network"\nhost = "10.0.0.9"\nport = "abc"\n',
            'kiosk.toml: devices.printer.port: expected an integer, got "abc"',
        ),
        (
            "[timeouts]\nsession_inactivity = inf\n",
            "kiosk.toml: timeouts.session_inactivity: must be at most 3600",
        ),
        ("x = " + "[" * 50_000 + "]" * 50_000 + "\n", "kiosk.toml: nested too deeply"),
        ("terminal = 3\n", "kiosk.toml: terminal: expected a table"),
        (
            '[devices.toaster]\ndriver = "simulated"\n',
            "kiosk.toml: devices.toaster: unknown device kind 'toaster'",
        ),
    ],
)
def test_bad_value_names_file_key_and_problem(tmp_path: Path, toml: str, expected: str) -> None:
    message = error_of(write(tmp_path, toml))
    assert message.startswith(str(tmp_path)), message
    assert message.removeprefix(str(tmp_path) + "/").startswith(expected), message


def test_secret_values_are_not_echoed(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, '[backends.si]\nbase_url = "https://x"\ntoken = 123456\n'))
    assert "backends.si.token: expected a string" in message
    assert "123456" not in message


def test_toml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, '[terminal]\nid = "a"\nmode = \n'))
    assert message.startswith(f"{tmp_path}/kiosk.toml: line 3, column 8: invalid TOML"), message


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    assert error_of(tmp_path / "nope.toml") == f"{tmp_path}/nope.toml: no such file"


def test_environment_overrides_single_keys(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [terminal]
        id = "from-file"
        [backends.social_insurance]
        base_url = "https://file.example"
        timeout = 9
        """,
    )
    config = load_config(
        path,
        {
            "KIOSK__TERMINAL__ID": "abc",
            "KIOSK__BACKENDS__SOCIAL_INSURANCE__BASE_URL": "https://env.example/api",
            "KIOSK__TIMEOUTS__HTTP": "4.5",
            "KIOSK_HOME": "/not/an/override",
        },
    )
    assert config.terminal.id == "abc"
    assert config.backends["social_insurance"].base_url == "https://env.example/api"
    assert config.backends["social_insurance"].timeout == 9
    assert config.timeouts.http == 4.5


def test_backend_timeout_defaults_to_the_http_timeout(tmp_path: Path) -> None:
    path = write(tmp_path, '[timeouts]\nhttp = 7\n[backends.si]\nbase_url = "https://x"\n')
    assert load_config(path, {}).backends["si"].timeout == 7


def test_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, ""), {"KIOSK__TIMEOUTS__HTTP": "soon"})
    assert (
        message == 'environment KIOSK__TIMEOUTS__HTTP: timeouts.http: expected a number, got "soon"'
    )


class FakeNetworkPrinter:
    """Stands in for a printer driver: options come from its constructor's signature."""

    def __init__(
        self, host: str, port: int = 9100, *, name: str | None = None, dispatcher: Any = None
    ) -> None:
        self.host, self.port = host, port


@pytest.fixture
def fake_printer_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    table = {
        "escpos-network": DriverSpec("tests", "FakeNetworkPrinter"),
        "simulated": DriverSpec("tests", "FakeNetworkPrinter"),
    }

    def drivers(kind: str) -> dict[str, DriverSpec]:
        return table if kind == "printer" else {}

    def driver_class(kind: str, name: str) -> type:
        return FakeNetworkPrinter

    monkeypatch.setattr(config_module.registry, "drivers", drivers)
    monkeypatch.setattr(config_module.registry, "driver_class", driver_class)


@pytest.mark.usefixtures("fake_printer_driver")
@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (
            'driver = "escpos-network"\nhost = "10.0.0.5"\nport = "abc"\n',
            'kiosk.toml: devices.printer.port: expected an integer, got "abc"',
        ),
        (
            'driver = "escpos-network"\n',
            "kiosk.toml: devices.printer.host: required key is missing",
        ),
        (
            'driver = "escpos-network"\nhost = "h"\ncolour = "red"\n',
            "kiosk.toml: devices.printer.colour: unknown key",
        ),
        (
            'driver = "escpos-usb"\n',
            "kiosk.toml: devices.printer.driver: unknown printer driver 'escpos-usb' "
            "(known: escpos-network, simulated)",
        ),
    ],
)
def test_device_options_are_checked_against_the_driver(
    tmp_path: Path, table: str, expected: str
) -> None:
    message = error_of(write(tmp_path, "[devices.printer]\n" + table))
    assert message.removeprefix(str(tmp_path) + "/") == expected


@pytest.mark.usefixtures("fake_printer_driver")
def test_device_options_from_file_and_environment(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [devices.front_printer]
        kind = "printer"
        driver = "escpos-network"
        host = "10.0.0.5"
        """,
    )
    config = load_config(path, {"KIOSK__DEVICES__FRONT_PRINTER__PORT": "9101"})
    device = config.device_configs()["front_printer"]
    assert device.kind == "printer"
    assert device.driver == "escpos-network"
    assert device.options == {"host": "10.0.0.5", "port": 9101}


def test_display_section_sets_the_kiosk_window(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("[display]\nfullscreen = false\nwidth = 1080\nheight = 1920\n", "utf-8")
    display = load_config(path).display
    assert (display.fullscreen, display.width, display.height) == (False, 1080, 1920)
    assert display.borderless and not display.show_cursor


def test_a_tiny_display_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("[display]\nwidth = 20\n", "utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert "display.width" in str(error.value) and "\n" not in str(error.value)


def test_environment_overrides_reach_language_keys() -> None:
    config = load_config(
        None,
        {"KIOSK__TERMINAL__NAME__ZH_CN": "幸福里社区", "KIOSK__TERMINAL__NAME__EN": "Xingfuli"},
    )
    assert (config.terminal.name.zh_CN, config.terminal.name.en) == ("幸福里社区", "Xingfuli")


@pytest.mark.parametrize(
    ("toml", "environ", "expected"),
    [
        ("simulate = true\nsimulate = false\n", {}, "kiosk.toml: line 2, column 17: invalid TOML"),
        ("", {"KIOSK__DISPLAY____WIDTH": "1280"}, "environment KIOSK__DISPLAY____WIDTH: empty key"),
        (
            "display = 1\n",
            {"KIOSK__DISPLAY__WIDTH": "1280"},
            "environment KIOSK__DISPLAY__WIDTH: display is a value, not a table",
        ),
        (
            "",
            {"KIOSK__DISPLAY__FULLSCREEN": "maybe"},
            "environment KIOSK__DISPLAY__FULLSCREEN: display.fullscreen: "
            'expected true or false, got "maybe"',
        ),
        (
            "",
            {"KIOSK__TERMINAL__NAME__ZH_CN": ""},
            "environment KIOSK__TERMINAL__NAME__ZH_CN: terminal.name.zh_CN: must not be empty",
        ),
        ("", {"KIOSK__TERMINAL__NAME__EN": "7"}, "kiosk.toml: terminal.name.zh_CN: required key"),
    ],
)
def test_unreadable_files_and_bad_overrides_are_one_line(
    tmp_path: Path, toml: str, environ: dict[str, str], expected: str
) -> None:
    message = error_of(write(tmp_path, toml), environ)
    assert message.removeprefix(str(tmp_path) + "/").startswith(expected), message


def test_override_strings_and_loose_file_values_convert_to_the_key_type(tmp_path: Path) -> None:
    path = write(tmp_path, "[display]\nfullscreen = 0\nwidth = 1280.0\n")
    config = load_config(
        path,
        {
            "KIOSK__SIMULATE": "TRUE",
            "KIOSK__DISPLAY__SHOW_CURSOR": "1",
            "KIOSK__DISPLAY__HEIGHT": "1024",
            "KIOSK__ACCESSIBILITY__VOLUME": "55",
        },
    )
    display = config.display
    assert config.simulate and display.show_cursor and not display.fullscreen
    assert (display.width, display.height, config.accessibility.volume) == (1280, 1024, 55)


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[devices.Printer]\ndriver = "simulated"\n',
            "kiosk.toml: devices: name 'Printer' must be lower case letters, digits and _",
        ),
        (
            '[backends.ok]\nbase_url = "https://a"\n[backends.si]\nbase_url = "https://b"\n'
            "timout = 3\n",
            "kiosk.toml: backends.si.timout: unknown key (did you mean timeout?)",
        ),
        (
            '[backends.si]\nbase_url = "https://b"\nheaders = { X-Key = 424242 }\n',
            "kiosk.toml: backends.si.headers.X-Key: expected a string",
        ),
        (
            '[devices.printer]\nkind = "printer"\n',
            "kiosk.toml: devices.printer.driver: required key is missing",
        ),
        ("source = 'x'\n", "kiosk.toml: source: unknown key"),
    ],
)
def test_named_tables_are_reported_by_name(tmp_path: Path, toml: str, expected: str) -> None:
    message = error_of(write(tmp_path, toml))
    assert message.removeprefix(str(tmp_path) + "/") == expected


def test_a_token_is_never_shown(tmp_path: Path) -> None:
    path = write(tmp_path, '[backends.si]\nbase_url = "https://x"\ntoken = "s3cr3t-t0ken"\n')
    config = load_config(path, {})
    token = config.backends["si"].token
    assert token is not None and token.get_secret_value() == "s3cr3t-t0ken"
    assert "s3cr3t" not in repr(config) and "s3cr3t" not in f"{token}"


class FakeCardReader:
    """A driver with an option msgspec cannot check (a callable or a name): taken as given."""

    def __init__(
        self,
        port: str = "",
        decoder: Callable[[bytes], bytes] | str | None = None,
        *,
        name: str | None = None,
    ) -> None:
        self.port, self.decoder = port, decoder


def test_an_option_of_a_type_msgspec_cannot_check_is_taken_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        config_module.registry, "drivers", lambda kind: {"sam": DriverSpec("tests", "X")}
    )
    monkeypatch.setattr(config_module.registry, "driver_class", lambda kind, name: FakeCardReader)
    path = write(tmp_path, '[devices.id_card]\ndriver = "sam"\nport = "/dev/x"\ndecoder = "wlt"\n')
    options = load_config(path, {}).device_configs()["id_card"].options
    assert options == {"port": "/dev/x", "decoder": "wlt"}
    bad_port = write(tmp_path, '[devices.id_card]\ndriver = "sam"\nport = 7\ndecoder = "wlt"\n')
    assert error_of(bad_port).endswith("kiosk.toml: devices.id_card.port: expected a string, got 7")


def test_reading_the_configuration_imports_no_heavy_library() -> None:
    """`kiosk run` reads the configuration before its window: it must stay cheap."""
    code = (
        "import sys\n"
        "from kiosk.config import load_config\n"
        "load_config(None, {})\n"
        "heavy = ('pydantic', 'requests', 'kivy', 'escpos', 'serial', 'peripherals.hub')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy) or m.endswith('.simulator')))\n"
    )
    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(repo)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "[]", done.stdout


def test_a_data_dir_that_is_a_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a folder")
    message = error_of(write(tmp_path, 'data_dir = "data"\n'))
    assert message.endswith(
        "kiosk.toml: data_dir: " + f"{tmp_path / 'data'} is a file, not a folder"
    )


def test_the_updates_section_is_checked_and_its_paths_resolved(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [updates]
        repository = "https://updates.example.gov.cn/kiosk/"
        trusted_root = "trust/root.json"
        group = "pilot"
        jitter = 0.2
        """,
    )
    updates = load_config(path, {}).updates
    assert updates.trusted_root == tmp_path / "trust" / "root.json"
    assert (updates.group, updates.jitter, updates.watch_sessions) == ("pilot", 0.2, 20)
    no_root = write(tmp_path, '[updates]\nrepository = "https://u.example.cn/"\n')
    assert "needs trusted_root" in error_of(no_root)
    bad_rate = write(tmp_path, "[updates]\nmax_failure_rate = 1.5\n")
    assert "updates.max_failure_rate" in error_of(bad_rate)
    bad_url = write(tmp_path, '[updates]\nrepository = "ftp://x"\ntrusted_root = "r.json"\n')
    assert "expected an http://, https:// or file:// URL" in error_of(bad_url)
