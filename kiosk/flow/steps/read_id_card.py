"""`read_id_card`: wait for an ID card and read it into the personal-data vault."""

from __future__ import annotations

from kiosk.flow.prompt import Answer, Event
from kiosk.flow.schema import ReadIdCardStep
from kiosk.flow.steps.context import Next, StepContext, StepResult
from kiosk.flow.steps.device import run_device

KIND = "read_id_card"

SHARED_FIELDS = frozenset({"sex", "nation", "card_type", "issuer", "valid_from", "valid_to"})
"""Card fields many residents share: they identify nobody, and masking them wherever they
appear would mask ordinary words ("长期", "resident") in every text."""


async def execute(ctx: StepContext, step: ReadIdCardStep) -> StepResult:
    """Read the card; its fields (name, ID number...) are personal data."""
    result = await run_device(ctx, step, lambda devices: devices.id_card().read())
    if isinstance(result, Event):
        return result
    card = result.value if isinstance(result, Answer) else result
    identifying = (
        [key for key in card if key not in SHARED_FIELDS] if isinstance(card, dict) else None
    )
    ctx.save(step.save_as or step.id, card, personal=True, fields=identifying)
    ctx.journal("card_read")
    return Next()
