"""`submit`: hand a submission to the durable outbox; saves `{reference, status}`."""

from __future__ import annotations

from kiosk.flow.prompt import PromptKind
from kiosk.flow.schema import SubmitStep
from kiosk.flow.services import BackendError
from kiosk.flow.steps.context import Next, StepContext, StepFailed, StepResult

KIND = "submit"


def idempotency_key(ctx: StepContext) -> str:
    """One key per pass of the session through this step of this flow: retries of one
    submission (the outbox's) are delivered once, and a flow looping back submits anew."""
    place = f"{ctx.flow.id}/{ctx.step.id}"
    return f"{ctx.session.id}:{place}:{ctx.session.next_pass(place)}"


async def execute(ctx: StepContext, step: SubmitStep) -> StepResult:
    """Submit; a back office that is down leaves the submission queued, still with a reference."""
    path = ctx.render(step.path)
    payload = ctx.value(step.payload)
    busy = ctx.text(step.text) or ctx.translate("voice.busy")
    await ctx.show(ctx.prompt(PromptKind.BUSY, text=busy, say=busy, waits=False))
    try:
        submission = await ctx.services.outbox.submit(
            step.backend,
            path,
            payload,
            idempotency_key=idempotency_key(ctx),
            reference_field=step.reference_field,
        )
    except BackendError as exc:
        raise StepFailed(exc.key, exc.detail) from exc
    # the back office's own reference when it gave one at once; the kiosk's local one else
    ctx.save(
        step.save_as or step.id,
        {
            "reference": submission.remote_reference or submission.reference,
            "local_reference": submission.reference,
            "status": submission.status,
        },
    )
    if submission.status == "queued":
        ctx.session.queued += 1
    ctx.journal("submitted", {"status": submission.status})
    return Next()
