"""The headless flow engine: runs a flow's steps against a renderer, UI-agnostic and async.

The engine never draws. Each step's executor (`kiosk.flow.steps`) builds a `Prompt` and
interprets the answer; the engine moves between steps (`when`, `next`, `$end`, `$cancel`),
keeps the back history, applies timeouts on the injected clock, routes failures to `on_error`,
journals every step without raw values, and ends (wipes) the session when the run ends.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import msgspec

from kiosk.flow.devices import Devices
from kiosk.flow.errors import KeyedError
from kiosk.flow.expressions import ExpressionError
from kiosk.flow.masked import MaskedRenderer
from kiosk.flow.outcome import Outcome, Status
from kiosk.flow.progress import loops_back
from kiosk.flow.prompt import Event, Prompt, PromptKind, Renderer
from kiosk.flow.schema import Flow, StepBase
from kiosk.flow.services import Backends, Clock, FlowLibrary, Journal, Outbox, Receipts, Texts
from kiosk.flow.session import Scope, Session
from kiosk.flow.steps import executor
from kiosk.flow.steps.context import (
    Finish,
    Next,
    Services,
    StepContext,
    StepFailed,
    SubflowEnd,
    error_text,
    holds,
)
from kiosk.privacy.masking import scrub

if TYPE_CHECKING:  # a government flow never loads the locker's protocol
    from kiosk.flow.locker import Locker

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 60.0
"""Seconds a waiting step waits when neither the step nor its flow says."""
MAX_DEPTH = 5
"""How deeply `call` steps may nest."""
MAX_UNATTENDED_STEPS = 200
"""Steps run without the resident answering anything before the flow is deemed looping."""


class _End(msgspec.Struct):
    """How one flow frame ended (`back`: the resident went back past its first step)."""

    status: str
    step: str
    result: dict[str, Any] = msgspec.field(default_factory=dict)
    error: str | None = None
    personal: frozenset[str] = frozenset()
    detail: str = ""
    """Why the step failed, for maintainers (never shown to residents; numbers masked)."""


class Engine:
    """Runs flows from a library with the kiosk's services.

    `texts` are the kiosk's own translations (`kiosk.i18n.catalog()` satisfies it), given here so
    the flow language never imports the app's translation machinery.
    """

    def __init__(
        self,
        library: FlowLibrary,
        *,
        backends: Backends,
        outbox: Outbox,
        journal: Journal,
        devices: Devices,
        receipts: Receipts,
        texts: Texts,
        clock: Clock,
        default_timeout: float = DEFAULT_TIMEOUT,
        locker: Locker | None = None,
    ) -> None:
        self.library = library
        self.services = Services(
            library=library,
            backends=backends,
            outbox=outbox,
            journal=journal,
            devices=devices,
            receipts=receipts,
            texts=texts,
            clock=clock,
            locker=locker,
        )
        self.default_timeout = default_timeout

    async def run(self, flow_id: str, session: Session, renderer: Renderer) -> Outcome:
        """Run a flow to its end, then end the session (wiping its data) and return how."""
        flow = self._flow(flow_id)
        journal = self.services.journal
        journal.record(session.id, flow.id, "", "started", {"language": session.language})
        session.touch()
        # every prompt reaches the renderer masked by the session's personal values
        renderer = MaskedRenderer(renderer, session)
        outcome: Outcome | None = None
        try:
            end = await self._run_frame(flow, session, session.scope, renderer, 0, False)
            status: Status = "cancelled" if end.status == "back" else _status(end.status)
            # the result outlives the session, whose vault is wiped: masked by its values now
            result = session.personal.mask_value(dict(end.result))
            outcome = Outcome(
                status, end.step, result, end.error, flow.id, end.personal, end.detail
            )
            if status == "failed" and end.error is not None:
                lang = session.language
                message = error_text(self.services.texts, end.error, lang)
                await renderer.show(_error_prompt(flow, end.step, end.error, message, lang))
        finally:
            status_text = outcome.status if outcome else "aborted"
            journal.record(
                session.id,
                flow.id,
                outcome.step if outcome else "",
                "ended",
                {"status": status_text},
            )
            session.end(outcome)
        return outcome

    async def run_subflow(self, ctx: StepContext, flow_id: str, scope: Scope) -> SubflowEnd:
        """Run a `call` step's flow in its own scope with the caller's session and renderer."""
        if ctx.depth + 1 > MAX_DEPTH:
            raise StepFailed("flow.call_too_deep", flow_id)
        try:
            flow = self._flow(flow_id)
        except KeyError as exc:
            raise StepFailed("flow.not_found", flow_id) from exc
        call = ctx.progress()  # the sub-flow's steps are numbered from the call's on
        end = await self._run_frame(
            flow,
            ctx.session,
            scope,
            ctx.renderer,
            ctx.depth + 1,
            ctx.can_go_back,
            (call[0] - 1, call[1]) if call else None,
        )
        return SubflowEnd(end.status, end.result, end.error, end.personal)

    def _flow(self, flow_id: str) -> Flow:
        flow = self.library.flow(flow_id)
        if not isinstance(flow, Flow):
            raise KeyError(flow_id)
        return flow

    def _timeout(self, flow: Flow, step: StepBase) -> float:
        return step.timeout or flow.defaults.timeout or self.default_timeout

    async def _run_frame(
        self,
        flow: Flow,
        session: Session,
        scope: Scope,
        renderer: Renderer,
        depth: int,
        parent_can_go_back: bool,
        progress_frame: tuple[int, int] | None = None,
    ) -> _End:
        """Run one flow's steps in `scope` until it ends."""
        index = {step.id: i for i, step in enumerate(flow.steps)}
        position = 0
        times: tuple[str, int] | None = None  # a named round's loop: (its first step, how many)
        # steps answered, to go back to: each with the time round it was answered in (back
        # from a second parcel's first step is the first parcel's last question, in its round)
        history: list[tuple[int, tuple[str, int] | None]] = []
        unattended = 0
        journal = self.services.journal

        def record(step: StepBase, event: str, detail: dict[str, Any] | None = None) -> None:
            journal.record(session.id, flow.id, step.id, event, detail)

        def goto(target: str, step: StepBase) -> _End | int:
            if target == "$end":
                return _End("finished", step.id)
            if target == "$cancel":
                return _End("cancelled", step.id)
            if target not in index:
                return _End("failed", step.id, error="flow.unknown_step")
            return index[target]

        while True:
            if position >= len(flow.steps):
                return _End("finished", flow.steps[-1].id)
            step = flow.steps[position]
            unattended += 1
            if unattended > MAX_UNATTENDED_STEPS:
                record(step, "error:flow.loop")
                return _End("failed", step.id, error="flow.loop")
            ctx = StepContext(
                flow=flow,
                step=step,
                session=session,
                scope=scope,
                renderer=renderer,
                services=self.services,
                timeout=self._timeout(flow, step),
                can_go_back=bool(history) or parent_can_go_back,
                subflows=self,
                depth=depth,
                progress_frame=progress_frame,
                round=times,
            )
            target: str | None = None
            try:
                if step.when is not None and not holds(step.when, scope.namespace()):
                    record(step, "skipped")
                    position += 1
                    continue
                record(step, "entered")
                result = await executor(_kind(step))(ctx, step)
                if isinstance(result, Next):
                    target = result.target
                    if target is None:
                        target = self._transition(step, scope)
            except (KeyedError, ExpressionError) as exc:
                key = _error_key(exc)
                detail = scrub(exc.detail if isinstance(exc, KeyedError) else str(exc))
                record(step, f"error:{key}")
                log.warning("step %s/%s failed: %s: %s", flow.id, step.id, key, detail)
                if step.on_error is None:
                    return _End("failed", step.id, error=key, detail=detail)
                # what went wrong, for the step it leads to (`error.key == 'backend.not_found'`)
                scope.set("error", {"key": key, "step": step.id})
                jump = goto(step.on_error, step)
                if isinstance(jump, _End):
                    return jump
                position = jump
                continue

            if result is Event.CANCEL:
                record(step, "cancelled")
                return _End("cancelled", step.id)
            if result is Event.TIMEOUT:
                record(step, "timeout")
                if step.on_timeout is None:
                    return _End("timeout", step.id)
                jump = goto(step.on_timeout, step)
                if isinstance(jump, _End):
                    return jump
                position = jump
                continue
            if result is Event.BACK:
                record(step, "back")
                unattended = 0
                if history:
                    position, times = history.pop()
                elif depth > 0 and parent_can_go_back:
                    return _End("back", step.id)
                continue
            if isinstance(result, Finish):
                status = "finished" if result.status == "success" else "failed"
                return _End(status, step.id, result.result, personal=result.personal)

            if step.WAITS:
                record(step, "answered")
                unattended = 0
                history.append((position, times))
            if step.IRREVERSIBLE:
                # Nothing before a submission can be changed any more.
                history.clear()
                parent_can_go_back = False
            if target is None:
                position += 1
                continue
            if flow.round is not None and loops_back(flow, step.id, target):
                times = (target, (times[1] if times else 1) + 1)  # another parcel: round 2
            jump = goto(target, step)
            if isinstance(jump, _End):
                return jump
            position = jump

    def _transition(self, step: StepBase, scope: Scope) -> str | None:
        """The step's `next`: a target, the first transition whose `when` holds, or None."""
        if step.next is None or isinstance(step.next, str):
            return step.next
        variables = scope.namespace()
        for transition in step.next:
            if transition.when is None or holds(transition.when, variables):
                return transition.to
        return None


def _kind(step: StepBase) -> str:
    kind: str = getattr(step, "kind")  # noqa: B009 - every concrete step model has a `kind`
    return kind


def _status(status: str) -> Status:
    statuses: dict[str, Status] = {"finished": "finished", "cancelled": "cancelled"}
    statuses["timeout"] = "timeout"
    return statuses.get(status, "failed")


def _error_key(exc: Exception) -> str:
    if isinstance(exc, KeyedError):
        return exc.key
    return "flow.expression"


def _error_prompt(flow: Flow, step: str, key: str, message: str, lang: str) -> Prompt:
    return Prompt(
        flow=flow.id,
        step=step,
        kind=PromptKind.ERROR,
        text=message,
        say=message,
        title=flow.title.get(lang),
        waits=False,
        error=key,
        error_text=message,
        language=lang,
    )


__all__ = ["Engine", "Outcome"]
