"""`courier_sign_in`: a courier's code checked by the courier back office; lock-out on misses."""

from __future__ import annotations

from kiosk.flow.inputs import InputRules, InputType
from kiosk.flow.locker import LockerError
from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind
from kiosk.flow.schema import CourierSignInStep
from kiosk.flow.steps.compartment_place import failed, locker_of
from kiosk.flow.steps.context import Next, StepContext, StepResult

KIND = "courier_sign_in"

RULES = InputRules(
    input_type=InputType.DIGITS, min_length=6, max_length=12, secret=True, personal=False
)


async def execute(ctx: StepContext, step: CourierSignInStep) -> StepResult:
    """Ask for the code until the back office knows it; too many misses end the flow."""
    locker = locker_of(ctx)
    error: str | None = None

    def build() -> Prompt:
        text = ctx.text(step.text) or ctx.translate("locker.sign_in")
        return ctx.prompt(PromptKind.INPUT, text=text, say=text, input=RULES, error=error)

    while True:
        reply = await ctx.ask(build)
        if isinstance(reply, Event):
            return reply
        code = str(reply.value if isinstance(reply, Answer) else "").strip()
        try:
            courier = await locker.sign_in(code)
        except LockerError as exc:
            ctx.journal(f"refused:{exc.key}")
            if exc.key != "locker.courier_refused":
                raise failed(exc) from exc
            error = exc.key
            continue
        ctx.save(step.save_as or step.id, courier)
        ctx.journal("signed_in")
        return Next()
