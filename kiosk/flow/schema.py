"""The flow language: pydantic models that are the single truth for flow files."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator, model_validator

from kiosk.flow.devices import DeviceKind
from kiosk.flow.inputs import InputType

# Re-exported: the schema is where flow authors and tools look for the languages.
from kiosk.flow.languages import LANGUAGES as LANGUAGES

STEP_ID = r"^[a-z][a-z0-9_]*$"
END_TARGETS: frozenset[str] = frozenset({"$cancel", "$end"})
"""Reserved transition targets: `$cancel` cancels the session, `$end` finishes it."""


class Strict(BaseModel):
    """Base for flow models: unknown keys are errors, so typos are caught at load time."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(RootModel[dict[str, str]]):
    """A multilingual text: language code to a template string."""

    model_config = ConfigDict(
        json_schema_extra={"propertyNames": {"enum": list(LANGUAGES)}, "minProperties": 1}
    )

    @field_validator("root")
    @classmethod
    def _known_languages(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown:
            raise ValueError(f"unknown language {unknown[0]!r}; use one of {', '.join(LANGUAGES)}")
        if not value:
            raise ValueError("a text needs at least one language")
        return value

    def get(self, lang: str) -> str:
        """Return the text in `lang`, falling back to the default language, then any."""
        return self.root.get(lang) or self.root.get(LANGUAGES[0]) or next(iter(self.root.values()))

    def missing(self) -> list[str]:
        """Languages this text lacks."""
        return [lang for lang in LANGUAGES if not self.root.get(lang)]


Expression = Annotated[str, Field(min_length=1, description="A sandboxed condition expression")]
Template = Annotated[str, Field(description="A sandboxed template string, e.g. '{{ cert.pages }}'")]
StepId = Annotated[str, Field(pattern=STEP_ID)]
Target = Annotated[
    str,
    Field(
        description="A step id of this flow, or `$cancel` / `$end`",
        pattern=r"^(\$cancel|\$end|[a-z][a-z0-9_]*)$",
    ),
]
VarName = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$")]


class Transition(Strict):
    """Go to `to` when `when` holds (no `when`: always)."""

    to: Target
    when: Expression | None = None


class StepBase(Strict):
    """Fields common to every step kind."""

    id: StepId
    title: Text | None = None
    text: Text | None = Field(None, description="What the screen shows")
    voice: Text | None = Field(None, description="What is spoken, if it differs from `text`")
    help: Text | None = None
    when: Expression | None = Field(None, description="Skip this step unless the condition holds")
    next: Target | list[Transition] | None = Field(
        None, description="Where to go next; default: the following step"
    )
    timeout: float | None = Field(
        None, gt=0, le=3600, description="Seconds to wait for the resident (at most an hour)"
    )
    on_timeout: Target | None = None
    on_error: Target | None = None

    WAITS: ClassVar[bool] = False
    """Whether the step waits for the resident (and so needs a timeout)."""
    PERSONAL_READ: ClassVar[bool] = False
    """Whether the step reads personal data (and so needs a preceding consent)."""
    IRREVERSIBLE: ClassVar[bool] = False
    """Whether the step commits something (and so needs a preceding review)."""
    DEVICE: ClassVar[DeviceKind | None] = None
    """The device kind the step needs, if any."""
    SPEAKS_ITSELF: ClassVar[bool] = False
    """Whether the step says something of its own (the kiosk's texts) when it has no `text`."""
    LOCALS: ClassVar[frozenset[str]] = frozenset()
    """Names the step's own templates may read besides the flow's variables (`item`, `page`)."""


class InfoStep(StepBase):
    """Show a message and wait for the resident to continue; a long one a page at a time."""

    kind: Literal["info"]
    page_chars: int | None = Field(
        None,
        ge=40,
        le=2000,
        description="Show the text in pages of at most this many characters, each spoken, "
        "with next and previous page (long notices in large type)",
    )
    WAITS = True


class Option(Strict):
    """One choice of a `choose` step."""

    value: str
    label: Text
    voice: Text | None = None
    when: Expression | None = None


class ChooseStep(StepBase):
    """Pick one of several options; the value is saved under `save_as` (default: the step id)."""

    kind: Literal["choose"]
    options: list[Option] = Field(min_length=1)
    save_as: VarName | None = None
    WAITS = True


class InputStep(StepBase):
    """Ask for a typed value, validated by its type and the length and pattern rules."""

    kind: Literal["input"]
    input_type: InputType
    min_length: int | None = Field(None, ge=0)
    max_length: int | None = Field(None, ge=1)
    pattern: str | None = Field(None, description="A regular expression the whole value must match")
    minimum: float | None = Field(None, description="For amounts")
    maximum: float | None = Field(None, description="For amounts")
    personal: bool | None = Field(None, description="Personal data; default for id_number, phone")
    phrases: list[Text] = Field(
        default_factory=list,
        max_length=9,
        description="Common answers to a text input, picked by number on the keypad or by touch",
    )
    save_as: VarName | None = None
    WAITS = True

    @model_validator(mode="after")
    def _lengths(self) -> InputStep:
        if self.min_length is not None and self.max_length is not None:
            if self.min_length > self.max_length:
                raise ValueError("min_length is greater than max_length")
        if self.phrases and self.input_type is not InputType.TEXT:
            raise ValueError("phrases are for text inputs only")
        return self

    def is_personal(self) -> bool:
        """Whether the entered value is personal data."""
        if self.personal is not None:
            return self.personal
        return self.input_type in (InputType.ID_NUMBER, InputType.PHONE, InputType.SECRET)


class ReviewRow(Strict):
    """A labelled value shown for review; personal values are masked for display."""

    label: Text
    value: Template | Text = Field(description="A template, or one per language")
    personal: bool | None = Field(
        None,
        description="true: always masked; false: not identifying even if it reads personal data "
        "(an age); default: masked when it reads personal data",
    )


class ConfirmStep(StepBase):
    """Review before committing: yes goes on, no goes to `on_decline` (default: cancel)."""

    kind: Literal["confirm"]
    rows: list[ReviewRow] = Field(default_factory=list)
    on_decline: Target = "$cancel"
    WAITS = True


class ConsentStep(StepBase):
    """Ask for consent to process personal data for a stated purpose."""

    kind: Literal["consent"]
    purpose: Text
    on_decline: Target = "$cancel"
    WAITS = True


class SetStep(StepBase):
    """Set variables from templates, in order (a value may read the ones before it); a value
    that is exactly one `{{ expr }}` keeps its type."""

    kind: Literal["set"]
    values: dict[VarName, Any]
    public: list[VarName] = Field(
        default_factory=list,
        description="Values that do not identify the resident although they read personal "
        "data (an age from an ID number): shown and spoken in full",
    )

    @model_validator(mode="after")
    def _public_are_set(self) -> SetStep:
        unknown = [name for name in self.public if name not in self.values]
        if unknown:
            raise ValueError(f"public name {unknown[0]!r} is not one of the values set")
        return self


class BranchStep(StepBase):
    """Only decide where to go: the first of `next` whose `when` holds (else the next step)."""

    kind: Literal["branch"]
    next: Target | list[Transition] = Field(description="Where to go, by condition")


class HttpRequest(Strict):
    """A request to a named back office."""

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "GET"
    path: Template
    json_body: Any = Field(None, alias="json")
    query: dict[str, Template] | None = None


class HttpStep(StepBase):
    """Call a back office now and save its JSON reply; failures go to `on_error`."""

    kind: Literal["http"]
    backend: str = Field(description="A backend named in the kiosk configuration, never a URL")
    request: HttpRequest
    save_as: VarName | None = None
    personal_fields: list[str] = Field(
        default_factory=list, description="Reply fields that are personal data"
    )


class PayStep(StepBase):
    """Pay by QR code: the back office issues an order, the screen shows its code and the kiosk
    polls the order until it is paid (go on), expired or cancelled (`on_error`, with
    `error.key` `payment.expired` / `payment.cancelled`). Saves `{order, amount, status,
    receipt_no, paid_at}`; `order` (the order reply) may be read by the step's own texts."""

    kind: Literal["pay"]
    backend: str = Field(description="A backend named in the kiosk configuration, never a URL")
    order: HttpRequest = Field(
        description="Creates the order; the reply has `order`, `amount`, `qr`, `expires_in`"
    )
    status_path: Template = Field(
        "/payments/{{ order.order }}", description="Polled with GET; the reply has `status`"
    )
    poll_every: float = Field(3.0, gt=0, le=60, description="Seconds between status polls")
    save_as: VarName | None = None
    WAITS = True
    IRREVERSIBLE = True
    LOCALS = frozenset({"order"})


class BrowseStep(StepBase):
    """List records a page at a time, from a value (`items`) or a paged back-office reply
    (`request`, reading `page`); the resident picks one (saved) or, with `pick: false`, reads
    and goes on. `row` is each record's line, reading `item`."""

    kind: Literal["browse"]
    items: Template | None = Field(None, description="A lone expression giving a list")
    backend: str | None = None
    request: HttpRequest | None = Field(
        None, description="Fetches one page (templates read `page`); reply: {items, pages}"
    )
    row: Text
    per_page: int = Field(5, ge=1, le=7, description="Records per page when paging `items`")
    pick: bool = True
    empty: Text | None = Field(None, description="Shown when there is nothing to list")
    save_as: VarName | None = None
    WAITS = True
    LOCALS = frozenset({"item", "page"})

    @model_validator(mode="after")
    def _one_source(self) -> BrowseStep:
        if (self.items is None) == (self.request is None):
            raise ValueError("give either `items` or `request` (with `backend`)")
        if self.request is not None and self.backend is None:
            raise ValueError("a `request` needs a `backend`")
        return self


class SubmitStep(StepBase):
    """Hand a submission to the durable outbox; saves `{reference, local_reference, status}`."""

    kind: Literal["submit"]
    backend: str
    path: Template
    payload: Any = None
    reference_field: str | None = Field(
        None,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$",
        description="Where the back office's own reference is in its reply (e.g. `ticket`): "
        "shown instead of the kiosk's local one when the back office answers at once",
    )
    save_as: VarName | None = None
    IRREVERSIBLE = True


class CallStep(StepBase):
    """Run another flow as a sub-flow and save what its `finish` returns."""

    kind: Literal["call"]
    flow: str
    with_: dict[VarName, Any] = Field(default_factory=dict, alias="with")
    save_as: VarName | None = None


class FinishStep(StepBase):
    """End the flow, showing the result text; `result` is returned to a calling flow."""

    kind: Literal["finish"]
    status: Literal["success", "failure"] = "success"
    result: dict[VarName, Any] | None = None
    reference: str | None = Field(
        None,
        description="Template of the reference number (受理编号) the result screen shows large",
    )


class DeviceStepBase(StepBase):
    """Base for steps served by a peripheral through its typed door in the engine's `Devices`."""

    save_as: VarName | None = None


IdCardField = Literal[
    "name",
    "sex",
    "nation",
    "birth",
    "address",
    "id_number",
    "issuer",
    "valid_from",
    "valid_to",
    "card_type",
]
"""What a resident ID card gives a flow (the photo never)."""

SmartCardField = Literal["card_number", "ssn", "name", "sex", "nation", "birth_date", "birthplace"]
"""What a social security card gives a flow."""


class ReadIdCardStep(DeviceStepBase):
    """Wait for an ID card on the reader and read it, keeping only the declared `fields`."""

    kind: Literal["read_id_card"]
    fields: list[IdCardField] = Field(
        min_length=1,
        description="The card fields this flow needs; the rest is dropped as soon as read",
    )
    WAITS = True
    PERSONAL_READ = True
    DEVICE = DeviceKind.ID_CARD


class ReadSmartCardStep(DeviceStepBase):
    """Wait for a social security card and read it, keeping only the declared `fields`."""

    kind: Literal["read_smart_card"]
    fields: list[SmartCardField] = Field(
        min_length=1,
        description="The card fields this flow needs; the rest is dropped as soon as read",
    )
    WAITS = True
    PERSONAL_READ = True
    DEVICE = DeviceKind.SMART_CARD


class ScanCodeStep(DeviceStepBase):
    """Wait for a code at the scanner."""

    kind: Literal["scan_code"]
    pattern: str | None = None
    WAITS = True
    DEVICE = DeviceKind.SCANNER


class PrintStep(DeviceStepBase):
    """Print a receipt from a template under `flows/receipts/`."""

    kind: Literal["print"]
    receipt: Annotated[
        str,
        Field(
            pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$",
            description="A template's id: the file flows/receipts/<id>.yaml",
        ),
    ]
    DEVICE = DeviceKind.PRINTER


class CourierSignInStep(StepBase):
    """A courier signs in with a code the courier back office checks or, where the locker has
    a smart-card reader, a courier card (its number on the `courier_cards` allow list or
    checked with the back office); misses lock the sign-in out (locker mode). Saves
    `{courier, company}`."""

    kind: Literal["courier_sign_in"]
    save_as: VarName | None = None
    WAITS = True
    SPEAKS_ITSELF = True


class PickCompartmentStep(StepBase):
    """Offer the smallest free compartment that fits `size` first, then one of each larger size;
    saves the compartment id (locker mode)."""

    kind: Literal["pick_compartment"]
    size: Template = Field(description="S, M, L or XL (a template, e.g. '{{ size }}')")
    low: Template | bool = Field(False, description="Only compartments in the low band")
    wheelchair: Template | bool = Field(False, description="Only wheelchair-reachable ones")
    save_as: VarName | None = None
    WAITS = True
    SPEAKS_ITSELF = True


class DepositParcelStep(DeviceStepBase):
    """Open a compartment for a courier's parcel, wait until its door is closed, record the
    parcel and queue the recipient's notice. An item kind the locker refuses fails with
    `locker.refused_item`; a jammed door moves the parcel to another compartment. Saves
    `{parcel, compartment, moved_from, free_hours}`; `elder` gives the parcel the elderly's
    longer free storage period (`elder_storage_hours`), if configured."""

    kind: Literal["deposit_parcel"]
    compartment: Template
    waybill: Template
    company: Template
    phone: Template
    courier: Template
    item: Template = "ordinary"
    elder: Template | bool = False
    WAITS = True
    SPEAKS_ITSELF = True
    IRREVERSIBLE = True
    DEVICE = DeviceKind.LOCK_BOARD


class FindParcelsStep(DeviceStepBase):
    """A resident's 6-digit pickup code, typed or scanned from the notice's QR code: every
    parcel of that recipient. Wrong codes are asked again and limited per terminal. Saves
    `{count, ids, fee, free_hours, places}` (`free_hours`: the free storage period of the
    parcels a fee is due for, else of all)."""

    kind: Literal["find_parcels"]
    WAITS = True
    DEVICE = DeviceKind.SCANNER


class RefuseParcelsStep(StepBase):
    """After a pickup code: the resident collects every parcel `found` (the variable a
    `find_parcels` step saved) or refuses some (拒收), one at a time. A refused parcel's door
    stays shut, its code dies and it owes no fee; the courier back office is told. Saves
    `found` again without the refused parcels, with `refused` (their compartments) added."""

    kind: Literal["refuse_parcels"]
    found: VarName = "found"
    WAITS = True
    SPEAKS_ITSELF = True


class RetrievableParcelsStep(StepBase):
    """The parcels of `company` for its courier to take back: overdue ones and refused ones.
    Saves `{count, ids, places, compartments, overdue, refused}` (the last two:
    `{count, compartments}`)."""

    kind: Literal["retrievable_parcels"]
    company: Template = Field(description="The courier's company, e.g. '{{ courier.company }}'")
    save_as: VarName | None = None


class ReleaseParcelsStep(DeviceStepBase):
    """Open the compartments of `parcels` (a list of ids) one after another, saying where each
    is, record each taken, then wait for the doors to be closed: a reminder at the step's
    timeout, an alarm at the next. `paid` (fen) is recorded before any door opens."""

    kind: Literal["release_parcels"]
    parcels: Template = Field(description="A list of parcel ids, e.g. '{{ found.ids }}'")
    action: Literal["pickup", "retrieve"] = "pickup"
    paid: Template | int = 0
    WAITS = True
    SPEAKS_ITSELF = True
    DEVICE = DeviceKind.LOCK_BOARD


Step = Annotated[
    InfoStep
    | ChooseStep
    | InputStep
    | ConfirmStep
    | ConsentStep
    | SetStep
    | BranchStep
    | HttpStep
    | PayStep
    | BrowseStep
    | SubmitStep
    | CallStep
    | FinishStep
    | ReadIdCardStep
    | ReadSmartCardStep
    | ScanCodeStep
    | PrintStep
    | CourierSignInStep
    | PickCompartmentStep
    | DepositParcelStep
    | FindParcelsStep
    | RefuseParcelsStep
    | RetrievableParcelsStep
    | ReleaseParcelsStep,
    Field(discriminator="kind"),
]


TerminalMode = Literal["government", "locker"]


def _government_only() -> list[TerminalMode]:
    return ["government"]


class FlowDefaults(Strict):
    """Flow-wide defaults."""

    timeout: float | None = Field(
        None, gt=0, le=3600, description="Default timeout of waiting steps (at most an hour)"
    )


class Flow(Strict):
    """A service transaction: metadata and an ordered list of steps."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]
    version: int = Field(1, ge=1)
    title: Text
    description: Text | None = None
    category: str = "general"
    icon: str | None = Field(
        None,
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        description="Material Design Icons name of the menu tile (e.g. file-document)",
    )
    modes: list[TerminalMode] = Field(
        default_factory=_government_only,
        description="Terminal modes whose catalogue offers this flow",
    )
    needs: list[str] = Field(
        default_factory=list,
        description="Device kinds the flow needs: without one it is not offered",
    )
    uses: list[str] = Field(
        default_factory=list,
        description="Device kinds the flow uses when present and does without otherwise "
        "(each step on one has an `on_error`): a kiosk without them still offers it",
    )
    inputs: list[VarName] = Field(
        default_factory=list, description="Variables a calling flow passes in"
    )
    round: Text | None = Field(
        None,
        description="What the resident does once each time the flow loops back (件 / "
        "Parcel): each time round is named in the header (第 2 件 / Parcel 2) and its steps "
        "are counted from the step the loop returns to",
    )
    defaults: FlowDefaults = Field(default_factory=FlowDefaults)
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Flow:
        seen: set[str] = set()
        for step in self.steps:
            if step.id in seen:
                raise ValueError(f"step id {step.id!r} is used twice")
            seen.add(step.id)
        return self

    def step(self, step_id: str) -> StepBase:
        """Return the step with this id."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a flow file, for editors and independent validators."""
    schema = Flow.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Kiosk flow"
    return schema
