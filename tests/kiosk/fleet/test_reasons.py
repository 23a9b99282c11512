"""Why a rollout halted, in the administrator's words: a flow named by its title."""

from __future__ import annotations

from kiosk.fleet.reasons import describe, why


def test_a_halt_for_one_flow_names_it_by_its_title_with_its_id_beside_it() -> None:
    stored = why(
        "failure_rate", flow="resident-feedback", bundle=2, rate=0.5, old_rate=0.0,
        failures=10, sessions=20, old_failures=0, old_sessions=20,
    )  # fmt: skip
    english = describe(stored, "en", {"resident-feedback": "Resident feedback"})
    assert english.startswith("flow Resident feedback (resident-feedback): failure rate 50%")
    chinese = describe(stored, "zh_CN", {"resident-feedback": "居民意见反馈"})
    assert chinese.startswith("业务 居民意见反馈（resident-feedback）：业务包 2 失败率 50%")
    # without titles (a log line, a bundle that cannot be read) the id alone, as before
    assert describe(stored, "en").startswith("flow resident-feedback: failure rate 50%")
