"""The flow language: msgspec structs that are the single truth for flow files.

Structs are built at import in microseconds and validate a flow in a few; `convert` reads plain
data into them. Data that does not fit is read again by the same models in pydantic
(`kiosk.flow.schema_models`, built only then), whose error list the loader turns into
messages; those models also give the JSON Schema (`json_schema`).
"""

# No `from __future__ import annotations`: msgspec reads a struct's annotations when it first
# converts to it, and each one written as a string costs a compile (~20 ms a process for the
# flow schema and the configuration).

import ctypes
from typing import Annotated, Any, ClassVar, Literal, TypeVar, cast

import msgspec
from msgspec import UNSET, Meta, UnsetType, field

from kiosk.flow.devices import DeviceKind
from kiosk.flow.inputs import InputType

# Re-exported: the schema is where flow authors and tools look for the languages.
from kiosk.flow.languages import LANGUAGES as LANGUAGES

STEP_ID = r"^[a-z][a-z0-9_]*$"
END_TARGETS: frozenset[str] = frozenset({"$cancel", "$end"})
"""Reserved transition targets: `$cancel` cancels the session, `$end` finishes it."""


def _for_life(cls: type) -> None:
    """Keep a struct class alive until the process ends.

    msgspec (0.22, issue #717) can crash the interpreter when the cyclic garbage collector frees
    a struct class together with its type information, which at exit it does in an order of its
    choosing: one reference nobody gives back keeps flow structs out of that collection.
    """
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(cls))


class Strict(msgspec.Struct, frozen=True, forbid_unknown_fields=True, repr_omit_defaults=True):
    """Base for flow models: unknown keys are errors, so typos are caught at load time."""

    def __init_subclass__(cls, **options: Any) -> None:
        super().__init_subclass__(**options)
        _for_life(cls)


class Text(msgspec.Struct, frozen=True, forbid_unknown_fields=True, repr_omit_defaults=True):
    """A multilingual text: language code to a template string."""

    zh_CN: str | UnsetType = UNSET
    en: str | UnsetType = UNSET

    def __post_init__(self) -> None:
        if self.zh_CN is UNSET and self.en is UNSET:
            raise ValueError("a text needs at least one language")

    @property
    def root(self) -> dict[str, str]:
        """The text by language, for the languages it has."""
        zh_cn, en = self.zh_CN, self.en
        if zh_cn is UNSET:
            return {} if en is UNSET else {"en": en}
        return {"zh_CN": zh_cn} if en is UNSET else {"zh_CN": zh_cn, "en": en}

    def get(self, lang: str) -> str:
        """Return the text in `lang`, falling back to the default language, then any."""
        root = self.root
        return root.get(lang) or root.get(LANGUAGES[0]) or next(iter(root.values()))

    def complete(self) -> bool:
        """Whether the text has every language."""
        return bool(self.zh_CN) and bool(self.en)  # UNSET and "" are false

    def missing(self) -> list[str]:
        """Languages this text lacks."""
        missing = []
        if not self.zh_CN:  # UNSET or empty
            missing.append("zh_CN")
        if not self.en:
            missing.append("en")
        return missing


_for_life(Text)
if Text.__struct_fields__ != LANGUAGES:  # pragma: no cover - a language added in one place only
    raise ImportError("kiosk.flow.schema.Text needs a field (and a place in `root`) per language")


Expression = Annotated[str, Meta(min_length=1, description="A sandboxed condition expression")]
Template = Annotated[str, Meta(description="A sandboxed template string, e.g. '{{ cert.pages }}'")]
StepId = Annotated[str, Meta(pattern=STEP_ID)]
Target = Annotated[
    str,
    Meta(
        description="A step id of this flow, or `$cancel` / `$end`",
        pattern=r"^(\$cancel|\$end|[a-z][a-z0-9_]*)$",
    ),
]
VarName = Annotated[str, Meta(pattern=r"^[a-z_][a-z0-9_]*$")]
Timeout = Annotated[float, Meta(gt=0, le=3600)]


class Transition(Strict, frozen=True, kw_only=True):
    """Go to `to` when `when` holds (no `when`: always)."""

    to: Target
    when: Expression | None = None


class StepBase(Strict, frozen=True, kw_only=True, tag_field="kind"):
    """Fields common to every step kind."""

    id: StepId
    title: Text | None = None
    text: Annotated[Text | None, Meta(description="What the screen shows")] = None
    voice: Annotated[Text | None, Meta(description="What is spoken, if it differs from `text`")] = (
        None
    )
    help: Text | None = None
    when: Annotated[
        Expression | None, Meta(description="Skip this step unless the condition holds")
    ] = None
    next: Annotated[
        Target | list[Transition] | None,
        Meta(description="Where to go next; default: the following step"),
    ] = None
    timeout: Annotated[
        Timeout | None, Meta(description="Seconds to wait for the resident (at most an hour)")
    ] = None
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

    @property
    def kind(self) -> str:
        """The step's kind, as written in the flow (`info`, `choose`, ...)."""
        return cast(str, self.__struct_config__.tag)


class InfoStep(StepBase, frozen=True, kw_only=True, tag="info"):
    """Show a message and wait for the resident to continue; a long one a page at a time."""

    page_chars: Annotated[
        Annotated[int, Meta(ge=40, le=2000)] | None,
        Meta(
            description="Show the text in pages of at most this many characters, each spoken, "
            "with next and previous page (long notices in large type)"
        ),
    ] = None
    WAITS = True


class Option(Strict, frozen=True, kw_only=True):
    """One choice of a `choose` step."""

    value: str
    label: Text
    voice: Text | None = None
    when: Expression | None = None


class ChooseStep(StepBase, frozen=True, kw_only=True, tag="choose"):
    """Pick one of several options; the value is saved under `save_as` (default: the step id)."""

    options: Annotated[list[Option], Meta(min_length=1)]
    save_as: VarName | None = None
    WAITS = True


class InputStep(StepBase, frozen=True, kw_only=True, tag="input"):
    """Ask for a typed value, validated by its type and the length and pattern rules."""

    input_type: InputType
    min_length: Annotated[int, Meta(ge=0)] | None = None
    max_length: Annotated[int, Meta(ge=1)] | None = None
    pattern: Annotated[
        str | None, Meta(description="A regular expression the whole value must match")
    ] = None
    minimum: Annotated[float | None, Meta(description="For amounts")] = None
    maximum: Annotated[float | None, Meta(description="For amounts")] = None
    personal: Annotated[
        bool | None, Meta(description="Personal data; default for id_number, phone")
    ] = None
    phrases: Annotated[
        list[Text],
        Meta(
            max_length=9,
            description="Common answers to a text input, picked by number on the keypad or by "
            "touch",
        ),
    ] = field(default_factory=list)
    save_as: VarName | None = None
    WAITS = True

    def __post_init__(self) -> None:
        if self.min_length is not None and self.max_length is not None:
            if self.min_length > self.max_length:
                raise ValueError("min_length is greater than max_length")
        if self.phrases and self.input_type is not InputType.TEXT:
            raise ValueError("phrases are for text inputs only")

    def is_personal(self) -> bool:
        """Whether the entered value is personal data."""
        if self.personal is not None:
            return self.personal
        return self.input_type in (InputType.ID_NUMBER, InputType.PHONE, InputType.SECRET)


class ReviewRow(Strict, frozen=True, kw_only=True):
    """A labelled value shown for review; personal values are masked for display."""

    label: Text
    value: Annotated[Template | Text, Meta(description="A template, or one per language")]
    personal: Annotated[
        bool | None,
        Meta(
            description="true: always masked; false: not identifying even if it reads personal "
            "data (an age); default: masked when it reads personal data"
        ),
    ] = None


class ConfirmStep(StepBase, frozen=True, kw_only=True, tag="confirm"):
    """Review before committing: yes goes on, no goes to `on_decline` (default: cancel)."""

    rows: list[ReviewRow] = field(default_factory=list)
    on_decline: Target = "$cancel"
    WAITS = True


class ConsentStep(StepBase, frozen=True, kw_only=True, tag="consent"):
    """Ask for consent to process personal data for a stated purpose."""

    purpose: Text
    on_decline: Target = "$cancel"
    WAITS = True


class SetStep(StepBase, frozen=True, kw_only=True, tag="set"):
    """Set variables from templates, in order (a value may read the ones before it); a value
    that is exactly one `{{ expr }}` keeps its type."""

    values: dict[VarName, Any]
    public: Annotated[
        list[VarName],
        Meta(
            description="Values that do not identify the resident although they read personal "
            "data (an age from an ID number): shown and spoken in full"
        ),
    ] = field(default_factory=list)

    def __post_init__(self) -> None:
        unknown = [name for name in self.public if name not in self.values]
        if unknown:
            raise ValueError(f"public name {unknown[0]!r} is not one of the values set")


class BranchStep(StepBase, frozen=True, kw_only=True, tag="branch"):
    """Only decide where to go: the first of `next` whose `when` holds (else the next step)."""

    next: Annotated[Target | list[Transition], Meta(description="Where to go, by condition")]


Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


class HttpRequest(Strict, frozen=True, kw_only=True):
    """A request to a named back office."""

    method: Method = "GET"
    path: Template
    json_body: Any = field(default=None, name="json")
    query: dict[str, Template] | None = None


Backend = Annotated[
    str, Meta(description="A backend named in the kiosk configuration, never a URL")
]


class HttpStep(StepBase, frozen=True, kw_only=True, tag="http"):
    """Call a back office now and save its JSON reply; failures go to `on_error`."""

    backend: Backend
    request: HttpRequest
    save_as: VarName | None = None
    personal_fields: Annotated[
        list[str], Meta(description="Reply fields that are personal data")
    ] = field(default_factory=list)


class PayStep(StepBase, frozen=True, kw_only=True, tag="pay"):
    """Pay by QR code: the back office issues an order, the screen shows its code and the kiosk
    polls the order until it is paid (go on), expired or cancelled (`on_error`, with
    `error.key` `payment.expired` / `payment.cancelled`). Saves `{order, amount, status,
    receipt_no, paid_at}`; `order` (the order reply) may be read by the step's own texts."""

    backend: Backend
    order: Annotated[
        HttpRequest,
        Meta(description="Creates the order; the reply has `order`, `amount`, `qr`, `expires_in`"),
    ]
    status_path: Annotated[
        Template, Meta(description="Polled with GET; the reply has `status`")
    ] = "/payments/{{ order.order }}"
    poll_every: Annotated[float, Meta(gt=0, le=60, description="Seconds between status polls")] = (
        3.0
    )
    save_as: VarName | None = None
    WAITS = True
    IRREVERSIBLE = True
    LOCALS = frozenset({"order"})


class BrowseStep(StepBase, frozen=True, kw_only=True, tag="browse"):
    """List records a page at a time, from a value (`items`) or a paged back-office reply
    (`request`, reading `page`); the resident picks one (saved) or, with `pick: false`, reads
    and goes on. `row` is each record's line, reading `item`."""

    items: Annotated[Template | None, Meta(description="A lone expression giving a list")] = None
    backend: str | None = None
    request: Annotated[
        HttpRequest | None,
        Meta(description="Fetches one page (templates read `page`); reply: {items, pages}"),
    ] = None
    row: Text
    per_page: Annotated[
        int, Meta(ge=1, le=7, description="Records per page when paging `items`")
    ] = 5
    pick: bool = True
    empty: Annotated[Text | None, Meta(description="Shown when there is nothing to list")] = None
    save_as: VarName | None = None
    WAITS = True
    LOCALS = frozenset({"item", "page"})

    def __post_init__(self) -> None:
        if (self.items is None) == (self.request is None):
            raise ValueError("give either `items` or `request` (with `backend`)")
        if self.request is not None and self.backend is None:
            raise ValueError("a `request` needs a `backend`")


class SubmitStep(StepBase, frozen=True, kw_only=True, tag="submit"):
    """Hand a submission to the durable outbox; saves `{reference, local_reference, status}`."""

    backend: str
    path: Template
    payload: Any = None
    reference_field: Annotated[
        Annotated[str, Meta(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")] | None,
        Meta(
            description="Where the back office's own reference is in its reply (e.g. `ticket`): "
            "shown instead of the kiosk's local one when the back office answers at once"
        ),
    ] = None
    save_as: VarName | None = None
    IRREVERSIBLE = True


class CallStep(StepBase, frozen=True, kw_only=True, tag="call"):
    """Run another flow as a sub-flow and save what its `finish` returns."""

    flow: str
    with_: dict[VarName, Any] = field(default_factory=dict, name="with")
    save_as: VarName | None = None


class FinishStep(StepBase, frozen=True, kw_only=True, tag="finish"):
    """End the flow, showing the result text; `result` is returned to a calling flow."""

    status: Literal["success", "failure"] = "success"
    result: dict[VarName, Any] | None = None
    reference: Annotated[
        str | None,
        Meta(
            description="Template of the reference number (受理编号) the result screen shows large"
        ),
    ] = None


class DeviceStepBase(StepBase, frozen=True, kw_only=True):
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

_CARD_FIELDS = "The card fields this flow needs; the rest is dropped as soon as read"


class ReadIdCardStep(DeviceStepBase, frozen=True, kw_only=True, tag="read_id_card"):
    """Wait for an ID card on the reader and read it, keeping only the declared `fields`."""

    fields: Annotated[list[IdCardField], Meta(min_length=1, description=_CARD_FIELDS)]
    WAITS = True
    PERSONAL_READ = True
    DEVICE = DeviceKind.ID_CARD
    SPEAKS_ITSELF = True  # without a text: the kiosk's own words for the device


class ReadSmartCardStep(DeviceStepBase, frozen=True, kw_only=True, tag="read_smart_card"):
    """Wait for a social security card and read it, keeping only the declared `fields`."""

    fields: Annotated[list[SmartCardField], Meta(min_length=1, description=_CARD_FIELDS)]
    WAITS = True
    PERSONAL_READ = True
    DEVICE = DeviceKind.SMART_CARD
    SPEAKS_ITSELF = True  # without a text: the kiosk's own words for the device


class ScanCodeStep(DeviceStepBase, frozen=True, kw_only=True, tag="scan_code"):
    """Wait for a code at the scanner."""

    pattern: str | None = None
    WAITS = True
    DEVICE = DeviceKind.SCANNER
    SPEAKS_ITSELF = True  # without a text: the kiosk's own words for the device


class PrintStep(DeviceStepBase, frozen=True, kw_only=True, tag="print"):
    """Print a receipt from a template under `flows/receipts/`."""

    receipt: Annotated[
        str,
        Meta(
            pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$",
            description="A template's id: the file flows/receipts/<id>.yaml",
        ),
    ]
    DEVICE = DeviceKind.PRINTER
    SPEAKS_ITSELF = True  # without a text: the kiosk's own words for the device


class CourierSignInStep(StepBase, frozen=True, kw_only=True, tag="courier_sign_in"):
    """A courier signs in with a code the courier back office checks or, where the locker has
    a smart-card reader, a courier card (its number on the `courier_cards` allow list or
    checked with the back office); misses lock the sign-in out (locker mode). Saves
    `{courier, company}`."""

    save_as: VarName | None = None
    WAITS = True
    SPEAKS_ITSELF = True


class AcceptItemStep(StepBase, frozen=True, kw_only=True, tag="accept_item"):
    """Go on only with an item kind the locker takes: one its configuration refuses
    (`refused_items`: fresh, valuable, damaged...) fails with `locker.refused_item` at once,
    before the courier scans and sizes the parcel (locker mode)."""

    item: Annotated[Template, Meta(description="The item kind, e.g. '{{ item }}'")]


class PickCompartmentStep(StepBase, frozen=True, kw_only=True, tag="pick_compartment"):
    """Offer the smallest free compartment that fits `size` first, then one of each larger size;
    saves the compartment id (locker mode)."""

    size: Annotated[Template, Meta(description="S, M, L or XL (a template, e.g. '{{ size }}')")]
    low: Annotated[Template | bool, Meta(description="Only compartments in the low band")] = False
    wheelchair: Annotated[Template | bool, Meta(description="Only wheelchair-reachable ones")] = (
        False
    )
    save_as: VarName | None = None
    WAITS = True
    SPEAKS_ITSELF = True


class DepositParcelStep(DeviceStepBase, frozen=True, kw_only=True, tag="deposit_parcel"):
    """Open a compartment for a courier's parcel, wait until its door is closed, record the
    parcel and queue the recipient's notice. An item kind the locker refuses fails with
    `locker.refused_item`; a jammed door moves the parcel to another compartment. Saves
    `{parcel, compartment, moved_from, free_hours}`; `elder` gives the parcel the elderly's
    longer free storage period (`elder_storage_hours`), if configured."""

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


class FindParcelsStep(DeviceStepBase, frozen=True, kw_only=True, tag="find_parcels"):
    """A resident's 6-digit pickup code, typed or scanned from the notice's QR code: every
    parcel of that recipient. Wrong codes are asked again and limited per terminal. Saves
    `{count, ids, fee, free_hours, places}` (`free_hours`: the free storage period of the
    parcels a fee is due for, else of all)."""

    WAITS = True
    DEVICE = DeviceKind.SCANNER


class RefuseParcelsStep(StepBase, frozen=True, kw_only=True, tag="refuse_parcels"):
    """After a pickup code: the resident collects every parcel `found` (the variable a
    `find_parcels` step saved) or refuses some (拒收), one at a time. A refused parcel's door
    stays shut, its code dies and it owes no fee; the courier back office is told. Saves
    `found` again without the refused parcels, with `refused` (their compartments) added."""

    found: VarName = "found"
    WAITS = True
    SPEAKS_ITSELF = True


class RetrievableParcelsStep(StepBase, frozen=True, kw_only=True, tag="retrievable_parcels"):
    """The parcels of `company` for its courier to take back: overdue ones and refused ones.
    Saves `{count, ids, places, compartments, overdue, refused}` (the last two:
    `{count, compartments}`)."""

    company: Annotated[
        Template, Meta(description="The courier's company, e.g. '{{ courier.company }}'")
    ]
    save_as: VarName | None = None


class ReleaseParcelsStep(DeviceStepBase, frozen=True, kw_only=True, tag="release_parcels"):
    """Open the compartments of `parcels` (a list of ids) one after another, saying where each
    is, record each taken, then wait for the doors to be closed: a reminder at the step's
    timeout, an alarm at the next. `paid` (fen) is recorded before any door opens."""

    parcels: Annotated[Template, Meta(description="A list of parcel ids, e.g. '{{ found.ids }}'")]
    action: Literal["pickup", "retrieve"] = "pickup"
    paid: Template | int = 0
    WAITS = True
    SPEAKS_ITSELF = True
    DEVICE = DeviceKind.LOCK_BOARD


Step = (
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
    | AcceptItemStep
    | PickCompartmentStep
    | DepositParcelStep
    | FindParcelsStep
    | RefuseParcelsStep
    | RetrievableParcelsStep
    | ReleaseParcelsStep
)
"""Every step kind, told apart by its `kind` key."""


TerminalMode = Literal["government", "locker"]


def _government_only() -> list[TerminalMode]:
    return ["government"]


class FlowDefaults(Strict, frozen=True, kw_only=True):
    """Flow-wide defaults."""

    timeout: Annotated[
        Timeout | None, Meta(description="Default timeout of waiting steps (at most an hour)")
    ] = None


class Flow(Strict, frozen=True, kw_only=True):
    """A service transaction: metadata and an ordered list of steps."""

    id: Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_-]*$")]
    version: Annotated[int, Meta(ge=1)] = 1
    title: Text
    description: Text | None = None
    category: str = "general"
    icon: Annotated[
        Annotated[str, Meta(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")] | None,
        Meta(description="Material Design Icons name of the menu tile (e.g. file-document)"),
    ] = None
    modes: Annotated[
        list[TerminalMode], Meta(description="Terminal modes whose catalogue offers this flow")
    ] = field(default_factory=_government_only)
    needs: Annotated[
        list[str], Meta(description="Device kinds the flow needs: without one it is not offered")
    ] = field(default_factory=list)
    uses: Annotated[
        list[str],
        Meta(
            description="Device kinds the flow uses when present and does without otherwise "
            "(each step on one has an `on_error`): a kiosk without them still offers it"
        ),
    ] = field(default_factory=list)
    inputs: Annotated[list[VarName], Meta(description="Variables a calling flow passes in")] = (
        field(default_factory=list)
    )
    round: Annotated[
        Text | None,
        Meta(
            description="What the resident does once each time the flow loops back (件 / "
            "Parcel): each time round is named in the header (第 2 件 / Parcel 2) and its steps "
            "are counted from the step the loop returns to"
        ),
    ] = None
    defaults: FlowDefaults = field(default_factory=FlowDefaults)
    steps: Annotated[list[Step], Meta(min_length=1)]

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for step in self.steps:
            if step.id in seen:
                raise ValueError(f"step id {step.id!r} is used twice")
            seen.add(step.id)

    def step(self, step_id: str) -> StepBase:
        """Return the step with this id."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)


Model = TypeVar("Model", bound=msgspec.Struct)


class SchemaError(ValueError):
    """Data that does not fit a model; `errors` lists every problem as pydantic reports it
    (`loc`, `msg`, `type`, `input`, `ctx`)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        first = errors[0] if errors else {"loc": (), "msg": "invalid"}
        where = ".".join(str(part) for part in first["loc"])
        super().__init__(f"{where}: {first['msg']}" if where else str(first["msg"]))
        self.errors = errors


def convert(data: Any, model: type[Model]) -> Model:
    """`data` (plain YAML or JSON values) as `model`; `SchemaError` with every problem."""
    try:
        return msgspec.convert(data, model, strict=False)
    except msgspec.ValidationError as exc:
        from kiosk.flow.schema_models import problems  # pydantic: only for data that is wrong

        raise SchemaError(problems(model, data, str(exc))) from None


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a flow file, for editors and independent validators."""
    from kiosk.flow.schema_models import model

    schema = model(Flow).model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Kiosk flow"
    return schema
