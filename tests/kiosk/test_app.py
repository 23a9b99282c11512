"""KioskServices composes the whole kiosk from one configuration and offers what can run now."""

from __future__ import annotations

from pathlib import Path

from kiosk.app import KioskServices
from kiosk.config import load_config
from peripherals.device import open_devices


def test_the_catalogue_hides_flows_whose_devices_are_down(tmp_path: Path) -> None:
    config = load_config(None)
    with KioskServices(config, data_dir=tmp_path, device_kinds={"id_card"}) as services:
        catalogue = {entry.flow.id: entry for entry in services.catalogue()}
        assert catalogue["resident-feedback"].available
        certificate = catalogue["si-certificate"]
        assert not certificate.available and "printer" in certificate.reason
    assert open_devices() == []


def test_everything_is_offered_when_every_device_is_up(tmp_path: Path) -> None:
    with KioskServices(
        load_config(None), data_dir=tmp_path, device_kinds={"id_card", "printer"}
    ) as s:
        assert all(entry.available for entry in s.catalogue())
        assert s.demo is not None and s.demo.url.startswith("http://127.0.0.1:")
    assert (tmp_path / "kiosk.sqlite3").exists()


async def test_a_real_kiosk_without_back_offices_never_sends_to_the_demo(tmp_path: Path) -> None:
    import pytest

    from kiosk.flow.services import BackendError

    config_file = tmp_path / "kiosk.toml"
    config_file.write_text("simulate = false\n", encoding="utf-8")
    config = load_config(config_file)
    with KioskServices(config, data_dir=tmp_path, device_kinds=set()) as services:
        assert services.demo is None
        with pytest.raises(BackendError) as caught:
            await services.outbox.submit("feedback", "/feedback", {"text": "x"}, "k1")
        assert caught.value.key == "backend.unknown"  # refused at once, nothing kept
        assert sum(services.outbox.counts().values()) == 0
