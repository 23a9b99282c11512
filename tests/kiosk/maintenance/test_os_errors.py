"""OS error texts on the service menu's pages are said in the language on screen."""

from __future__ import annotations

import errno
import os
import socket

from kiosk.config import BackendConfig
from kiosk.maintenance.os_errors import os_error_words
from kiosk.maintenance.status import reach


def test_common_errors_are_said_in_chinese_and_english() -> None:
    refused = os.strerror(errno.ECONNREFUSED)
    assert os_error_words(refused, "zh_CN") == "连接被拒绝"
    assert os_error_words(refused, "en") == "Connection refused"
    message = f"/etc/kiosk.toml: cannot write: {os.strerror(errno.EACCES)}"
    assert os_error_words(message, "zh_CN") == "/etc/kiosk.toml: cannot write: 没有访问权限"
    assert os_error_words("TimeoutError", "zh_CN") == "连接超时"
    assert os_error_words(os.strerror(errno.ENOSPC), "zh_CN") == "磁盘空间不足"


def test_an_error_without_a_phrase_is_shown_as_the_system_gave_it() -> None:
    assert os_error_words(os.strerror(errno.EXDEV), "zh_CN") == os.strerror(errno.EXDEV)
    assert os_error_words("", "zh_CN") == ""


def test_a_back_office_refusing_connections_is_said_in_words() -> None:
    with socket.socket() as free:  # a port nothing listens on
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    found = reach("demo", BackendConfig(base_url=f"http://127.0.0.1:{port}"), timeout=2)
    assert not found.reachable and os_error_words(found.detail, "zh_CN") == "连接被拒绝"
