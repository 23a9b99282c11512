"""Staged rollouts: stages of groups or shares of the fleet, advanced by hand or on a schedule,
halted by themselves when the new bundle fails more than the old one.

A stage's kiosks are compared with the kiosks still on the previous bundle over the same time
(since the stage started): the rollout halts when the new bundle's session failure rate exceeds
the old one's by more than the stage's `max_failure_excess` (over all flows, or in any one flow),
or when more than `max_rollbacks` kiosks rolled it back. Advancing hands the widened group list
to a `Publisher`, which stages it in the TUF repository for administrators to sign
(docs/FLEET.md explains why the server signs nothing that kiosks trust).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.fleet.models import FlowCount, Heartbeat, Kiosk, Rollout, Stage
from kiosk.fleet.reasons import describe, why
from kiosk.updates.repository import ALL_GROUPS, RepositoryError

log = logging.getLogger(__name__)

_GROUP = re.compile(r"[a-z][a-z0-9_]*")
"""A kiosk group as kiosk.toml's `[updates] group` allows it."""

MIN_SESSIONS = 20
"""Sessions on the new bundle (overall, or in one flow) before its failure rate is judged."""


class RolloutError(Exception):
    """A rollout action that is refused; `reason` says why (`reasons.why`), str() in English."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(why(key, **params))

    @property
    def reason(self) -> str:
        """Why, to be said in the administrator's language."""
        return str(self.args[0])

    def __str__(self) -> str:
        return describe(self.reason)


FlowTitles = Mapping[str, Mapping[str, str]]
"""Flow titles by flow id, then by language (`{"resident-feedback": {"en": "Feedback"}}`)."""


class Publisher(Protocol):
    """Where a stage's groups go: the TUF repository, or nowhere (a dry run)."""

    def publish(self, bundle: int, groups: list[str]) -> str:
        """Make `bundle` available to `groups`; what happened (`reasons.why`)."""
        ...

    def bundles(self) -> dict[int, tuple[str, ...]] | None:
        """The bundles a rollout may name (published, with their groups); None: not known."""
        ...

    def flow_titles(self, bundle: int) -> FlowTitles:
        """The titles of a published bundle's flows by flow id and language ({}: not known)."""
        ...


class RecordingPublisher:
    """A publisher that only remembers (for a fleet without a repository, and tests)."""

    def __init__(
        self,
        bundles: dict[int, tuple[str, ...]] | None = None,
        titles: Mapping[int, FlowTitles] | None = None,
    ) -> None:
        self.published: list[tuple[int, list[str]]] = []
        self._bundles = bundles
        self._titles = titles or {}

    def bundles(self) -> dict[int, tuple[str, ...]] | None:
        """The bundles it was told of, if any."""
        return self._bundles

    def flow_titles(self, bundle: int) -> FlowTitles:
        """The titles it was told of for `bundle`, if any."""
        return self._titles.get(bundle, {})

    def publish(self, bundle: int, groups: list[str]) -> str:
        """Remember the groups."""
        self.published.append((bundle, list(groups)))
        return why("recorded", groups=", ".join(groups))


@dataclass(frozen=True)
class StageSpec:
    """One stage as an administrator asks for it."""

    groups: tuple[str, ...] = ()
    percent: float | None = None
    max_failure_excess: float = 0.05
    max_rollbacks: int = 0
    advance_after: float | None = None


def parse_stages(text: str) -> list[StageSpec]:
    """Stages from `canary; 10%; district_a,district_b; 100%` (groups or percentages)."""
    specs = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        if part.endswith("%"):
            try:
                percent = float(part[:-1])
            except ValueError:
                raise RolloutError("not_percentage", part=part) from None
            if not 0 < percent <= 100:
                raise RolloutError("percentage_range", part=part)
            specs.append(StageSpec(percent=percent))
        else:
            groups = tuple(g.strip() for g in part.split(",") if g.strip())
            if not groups or not all(_GROUP.fullmatch(g) for g in groups):
                raise RolloutError("group_names", part=part)
            specs.append(StageSpec(groups=groups))
    if not specs:
        raise RolloutError("no_stages")
    return specs


@dataclass(frozen=True)
class Compared:
    """Sessions and failures on the new bundle against kiosks on the previous one, same time."""

    sessions: int
    failures: int
    old_sessions: int
    old_failures: int

    @property
    def failure_rate(self) -> float:
        """Failed sessions on the new bundle."""
        return self.failures / self.sessions if self.sessions else 0.0

    @property
    def old_failure_rate(self) -> float:
        """Failed sessions on the previous bundle over the same time."""
        return self.old_failures / self.old_sessions if self.old_sessions else 0.0

    @property
    def excess(self) -> float:
        """How much more the new bundle fails than the previous one."""
        return self.failure_rate - self.old_failure_rate

    def exceeds(self, limit: float) -> bool:
        """Whether there are enough sessions to judge and the excess is over `limit`."""
        return self.sessions >= MIN_SESSIONS and self.excess > limit


@dataclass(frozen=True)
class FlowStats(Compared):
    """One flow's numbers in a stage."""

    flow: str


@dataclass(frozen=True)
class StageStats(Compared):
    """How the new bundle fares in a stage, overall and flow by flow."""

    kiosks: int
    rollbacks: int
    flows: tuple[FlowStats, ...] = ()
    """Every flow with sessions in the stage or on the previous bundle, worst excess first."""


def stages_of(db: Session, rollout: Rollout) -> list[Stage]:
    """A rollout's stages in order."""
    return list(
        db.scalars(select(Stage).where(Stage.rollout_id == rollout.id).order_by(Stage.position))
    )


def groups_for(db: Session, stages: list[Stage], upto: int) -> list[str]:
    """The groups a rollout reaches at stage `upto`: named groups add up; a percentage takes
    the smallest groups until that share of the fleet is covered (100%: everyone)."""
    chosen: set[str] = set()
    sizes = Counter(dict(db.execute(select(Kiosk.group, func.count()).group_by(Kiosk.group)).all()))
    total = sum(sizes.values())
    for stage in stages[: upto + 1]:
        chosen.update(stage.groups)
        if stage.percent is not None:
            if stage.percent >= 100:
                return [ALL_GROUPS]
            covered = sum(sizes[g] for g in chosen)
            for group, size in sorted(sizes.items(), key=lambda item: (item[1], item[0])):
                if total and covered / total * 100 >= stage.percent:
                    break
                if group not in chosen and group != ALL_GROUPS:
                    chosen.add(group)
                    covered += size
    return [ALL_GROUPS] if ALL_GROUPS in chosen else sorted(chosen)


def start(
    db: Session,
    bundle: int,
    specs: list[StageSpec],
    publisher: Publisher,
    now: float,
    user: str,
) -> Rollout:
    """Start a rollout at its first stage and publish that stage's groups (refused for a bundle
    the repository does not list: administrators publish and sign it first)."""
    if db.scalar(select(Rollout).where(Rollout.state == "running")) is not None:
        raise RolloutError("another_running")
    offered = publisher.bundles()
    if offered is not None and bundle not in offered:
        raise RolloutError("not_published", bundle=bundle)
    in_use = Counter(
        b for b in db.scalars(select(Kiosk.bundle)) if b is not None and b != bundle
    ).most_common(1)
    rollout = Rollout(
        bundle=bundle,
        previous_bundle=in_use[0][0] if in_use else None,
        state="running",
        stage=0,
        reason="",
        created_at=now,
        stage_started_at=now,
        created_by=user,
    )
    db.add(rollout)
    db.flush()
    for position, spec in enumerate(specs):
        db.add(
            Stage(
                rollout_id=rollout.id,
                position=position,
                groups=list(spec.groups),
                percent=spec.percent,
                max_failure_excess=spec.max_failure_excess,
                max_rollbacks=spec.max_rollbacks,
                advance_after=spec.advance_after,
            )
        )
    db.flush()
    rollout.reason = publisher.publish(bundle, groups_for(db, stages_of(db, rollout), 0))
    log.info("rollout %d of bundle %d started", rollout.id, bundle)
    return rollout


SETTLE = 60.0
"""Seconds after which heartbeats stamped up to then are taken as all written (a transaction
may commit a little after the time it stamped): a rollout's tally adds them for good."""


@dataclass
class Tally:
    """What a stage's heartbeats added up to over a span of time: sessions and failures per
    side (`new`: the stage's kiosks on the new bundle; `old`: the others on the previous one)
    and flow (`""`: all flows), and the stage's kiosks that rolled the bundle back."""

    counts: dict[str, dict[str, list[int]]] = field(default_factory=lambda: {"new": {}, "old": {}})
    rolled_back: set[int] = field(default_factory=set)

    def add(self, side: str, flow: str, sessions: int, failures: int) -> None:
        """Count more sessions and failures."""
        counted = self.counts[side].setdefault(flow, [0, 0])
        counted[0] += int(sessions)
        counted[1] += int(failures)

    def merged(self, other: Tally) -> Tally:
        """This tally and `other` together."""
        both = Tally(rolled_back=self.rolled_back | other.rolled_back)
        for tally in (self, other):
            for side, flows in tally.counts.items():
                for flow, (sessions, failures) in flows.items():
                    both.add(side, flow, sessions, failures)
        return both

    def stored(self) -> dict[str, Any]:
        """As the rollout row keeps it."""
        return {"counts": self.counts, "rolled_back": sorted(self.rolled_back)}

    @classmethod
    def of(cls, stored: dict[str, Any] | None) -> Tally:
        """From the rollout row (an empty tally when there is none)."""
        if not stored:
            return cls()
        return cls(stored["counts"], set(stored["rolled_back"]))


def _count(
    db: Session, rollout: Rollout, in_stage: Any, everyone: bool, since: float, until: float | None
) -> Tally:
    """The stage's heartbeats stamped from `since` up to `until` (not included; None: all)."""

    def when(table: type[Heartbeat] | type[FlowCount]) -> list[Any]:
        if until is None:
            return [table.received_at >= since]
        return [table.received_at >= since, table.received_at < until]

    def where(table: type[Heartbeat] | type[FlowCount], new: bool) -> list[Any]:
        conditions = when(table)
        if new:
            return [*conditions, table.bundle == rollout.bundle, table.kiosk_id.in_(in_stage)]
        previous = rollout.previous_bundle
        conditions.append(table.bundle.is_(None) if previous is None else table.bundle == previous)
        if not everyone:
            conditions.append(table.kiosk_id.not_in(in_stage))
        return conditions

    tally = Tally()
    for side, new in (("new", True), ("old", False)):
        sessions, failures = db.execute(
            select(
                func.coalesce(func.sum(Heartbeat.sessions), 0),
                func.coalesce(func.sum(Heartbeat.failures), 0),
            ).where(*where(Heartbeat, new))
        ).one()
        tally.add(side, "", sessions, failures)
        for flow, sessions, failures in db.execute(
            select(FlowCount.flow, func.sum(FlowCount.sessions), func.sum(FlowCount.failures))
            .where(*where(FlowCount, new))
            .group_by(FlowCount.flow)
        ):
            tally.add(side, flow, sessions, failures)
    rolled_back = select(Heartbeat.kiosk_id).where(  # on whichever bundle it rolled back to
        *when(Heartbeat), Heartbeat.rollbacks > 0, Heartbeat.kiosk_id.in_(in_stage)
    )
    tally.rolled_back.update(db.scalars(rolled_back.distinct()))
    return tally


def _in_stage(db: Session, rollout: Rollout) -> tuple[Any, bool]:
    """The stage's kiosks (a subquery of ids), and whether that is everyone."""
    groups = groups_for(db, stages_of(db, rollout), rollout.stage)
    in_stage = select(Kiosk.id)
    if ALL_GROUPS in groups:
        return in_stage, True
    return in_stage.where(Kiosk.group.in_(groups)), False


def _tally(db: Session, rollout: Rollout, now: float, keep: bool) -> Tally:
    """The current stage's tally up to `now`: what the row keeps, and the heartbeats since.
    `keep` stores the newly settled ones in the row (the caller holds its lock)."""
    tally = Tally.of(rollout.tally)
    if rollout.state != "running":  # what was kept when it stopped
        return tally
    in_stage, everyone = _in_stage(db, rollout)
    since = rollout.counted_until
    if since is None:
        since = rollout.stage_started_at
    settled = now - SETTLE
    if keep and settled > since:
        tally = tally.merged(_count(db, rollout, in_stage, everyone, since, settled))
        rollout.tally, rollout.counted_until = tally.stored(), settled
        since = settled
    return tally.merged(_count(db, rollout, in_stage, everyone, since, None))


def stats(db: Session, rollout: Rollout, now: float, *, keep: bool = False) -> StageStats:
    """The current stage's numbers since it started, overall and per flow.

    The rollout row keeps a tally of the heartbeats settled so far, so each check reads only
    the heartbeats since the last one, however long the stage has run. `keep` adds the newly
    settled ones to that tally: only for a caller holding the rollout's row lock."""
    tally = _tally(db, rollout, now, keep)

    def compared(flow: str) -> tuple[int, int, int, int]:
        new = tally.counts["new"].get(flow, [0, 0])
        old = tally.counts["old"].get(flow, [0, 0])
        return new[0], new[1], old[0], old[1]

    flows = sorted(
        (
            FlowStats(*compared(flow), flow=flow)
            for flow in (tally.counts["new"].keys() | tally.counts["old"].keys()) - {""}
        ),
        key=lambda f: (-f.excess, f.flow),
    )
    in_stage, _ = _in_stage(db, rollout)
    kiosks = db.scalar(select(func.count()).select_from(in_stage.subquery())) or 0
    return StageStats(
        *compared(""), kiosks=kiosks, rollbacks=len(tally.rolled_back), flows=tuple(flows)
    )


def halt(db: Session, rollout: Rollout, reason: str, now: float) -> None:
    """Stop a rollout where it is: no further groups get the bundle."""
    if rollout.state != "running":
        raise RolloutError("not_running", rollout=rollout.id)
    _stop(db, rollout, "halted", reason, now)
    log.warning("rollout %d halted: %s", rollout.id, describe(reason))


def _stop(db: Session, rollout: Rollout, state: str, reason: str, now: float) -> None:
    """End a rollout, keeping its stage's numbers as they are now (shown from then on)."""
    rollout.tally, rollout.counted_until = _tally(db, rollout, now, False).stored(), now
    rollout.state, rollout.reason = state, reason


def check(db: Session, rollout: Rollout, now: float) -> str | None:
    """Why the rollout must halt now, or None (the caller holds the rollout's row lock)."""
    stage = stages_of(db, rollout)[rollout.stage]
    numbers = stats(db, rollout, now, keep=True)
    if numbers.rollbacks > stage.max_rollbacks:
        return why(
            "rollbacks",
            kiosks=numbers.rollbacks,
            bundle=rollout.bundle,
            allowed=stage.max_rollbacks,
        )
    if numbers.exceeds(stage.max_failure_excess):
        return _compared("", numbers, rollout.bundle)
    for flow in numbers.flows:  # a flow that breaks halts it even when the whole looks fine
        if flow.exceeds(stage.max_failure_excess):
            return _compared(flow.flow, flow, rollout.bundle)
    return None


def _compared(flow: str, numbers: Compared, bundle: int) -> str:
    return why(
        "failure_rate",
        flow=flow,
        bundle=bundle,
        rate=round(numbers.failure_rate, 4),
        old_rate=round(numbers.old_failure_rate, 4),
        failures=numbers.failures,
        sessions=numbers.sessions,
        old_failures=numbers.old_failures,
        old_sessions=numbers.old_sessions,
    )


def advance(db: Session, rollout: Rollout, publisher: Publisher, now: float) -> None:
    """Move to the next stage (or finish), publishing the widened groups."""
    if rollout.state != "running":
        raise RolloutError("not_running", rollout=rollout.id)
    reason = check(db, rollout, now)
    if reason is not None:
        halt(db, rollout, reason, now)
        raise RolloutError("halted_now", rollout=rollout.id)
    stages = stages_of(db, rollout)
    if rollout.stage + 1 >= len(stages):
        _stop(db, rollout, "complete", why("complete"), now)
        return
    # published first: a publication refused (signatures awaited) leaves the stage as it was
    published = publisher.publish(rollout.bundle, groups_for(db, stages, rollout.stage + 1))
    rollout.stage += 1
    rollout.stage_started_at = now
    rollout.tally, rollout.counted_until = None, None  # a new stage counts afresh
    rollout.reason = published
    log.info("rollout %d at stage %d", rollout.id, rollout.stage + 1)


def tick(db: Session, publisher: Publisher, now: float) -> list[Rollout]:
    """Check every running rollout: halt the failing, advance those whose time has come."""
    changed = []
    running = select(Rollout).where(Rollout.state == "running").with_for_update()
    for rollout in db.scalars(running):
        reason = check(db, rollout, now)
        if reason is not None:
            halt(db, rollout, reason, now)
            changed.append(rollout)
            continue
        stage = stages_of(db, rollout)[rollout.stage]
        if (
            stage.advance_after is not None
            and now - rollout.stage_started_at >= stage.advance_after
        ):
            try:
                advance(db, rollout, publisher, now)
            except (RolloutError, RepositoryError) as exc:  # tried again at the next check
                log.warning("rollout %d not advanced on schedule: %s", rollout.id, exc)
                continue
            changed.append(rollout)
    return changed
