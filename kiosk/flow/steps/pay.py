"""`pay`: the back office issues an order, the screen shows its QR code, the kiosk polls it."""

from __future__ import annotations

import logging
from typing import Any

from kiosk.flow.prompt import Answer, Event, Prompt, PromptKind
from kiosk.flow.schema import PayStep
from kiosk.flow.services import BackendError
from kiosk.flow.steps.context import Done, Next, StepContext, StepFailed, StepResult
from kiosk.flow.steps.request import send

log = logging.getLogger(__name__)

KIND = "pay"
FINAL = frozenset({"paid", "expired", "cancelled"})
"""Order states that end the wait."""
GRACE = 30.0
"""Seconds the kiosk keeps asking after the order's own expiry before calling it expired."""


async def execute(ctx: StepContext, step: PayStep) -> StepResult:
    """Create the order, show its code, and wait for the outcome or the resident."""
    busy = ctx.translate("voice.busy")
    await ctx.show(ctx.prompt(PromptKind.BUSY, text=busy, say=busy, waits=False))
    order: Any = await send(ctx, step.backend, step.order)
    if not isinstance(order, dict) or not order.get("order") or not order.get("qr"):
        raise StepFailed("backend.bad_reply", f"{step.backend}: an order needs `order` and `qr`")
    ctx.locals["order"] = order
    path = ctx.render(step.status_path)
    expires_in = _seconds(order.get("expires_in"), default=300.0)
    if step.timeout is None:
        # time to take out a phone and pay: the order expires (and is given up) before the
        # resident is taken for gone
        ctx.timeout = max(ctx.timeout, expires_in + GRACE + 2 * step.poll_every)
    give_up = ctx.services.clock.now() + expires_in + GRACE
    ctx.journal("order", {"order": str(order["order"])})

    def build() -> Prompt:
        text = ctx.text(step.text) or ctx.translate("pay.scan", amount=_amount(order))
        say = ctx.text(step.voice) if step.voice is not None else text
        return ctx.prompt(PromptKind.QR_WAIT, text=text, say=say, code=str(order["qr"]))

    while True:
        outcome = await ctx.ask(build, _poll(ctx, step, path, give_up))
        if not isinstance(outcome, Answer):
            break  # a tap or a key has nothing to answer here: keep waiting
    if isinstance(outcome, Event):
        ctx.journal("abandoned", {"order": str(order["order"])})
        return outcome
    reply: dict[str, Any] = outcome.value if isinstance(outcome, Done) else {}
    status = str(reply.get("status", "pending"))
    ctx.save(
        step.save_as or step.id,
        {
            "order": order["order"],
            "amount": order.get("amount"),
            "status": status,
            "receipt_no": reply.get("receipt_no"),
            "paid_at": reply.get("paid_at"),
        },
    )
    ctx.journal("payment", {"order": str(order["order"]), "status": status})
    if status != "paid":
        raise StepFailed(f"payment.{status}", str(order["order"]))
    return Next()


async def _poll(ctx: StepContext, step: PayStep, path: str, give_up: float) -> dict[str, Any]:
    """Ask the back office for the order's state until it is final or `give_up` (clock time)."""
    clock = ctx.services.clock
    while clock.now() < give_up:
        await clock.sleep(step.poll_every)
        try:
            reply = await ctx.services.backends.request(step.backend, "GET", path)
        except BackendError as exc:
            log.warning("pay: status poll failed (%s); asking again", exc.key)
            continue
        if isinstance(reply, dict) and reply.get("status") in FINAL:
            return reply
    return {"status": "expired"}


def _seconds(value: Any, default: float) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return default
    return min(max(seconds, 10.0), 3600.0)


def _amount(order: dict[str, Any]) -> str:
    try:
        return f"{float(order.get('amount', 0)):.2f}"
    except (TypeError, ValueError):
        return str(order.get("amount", ""))
