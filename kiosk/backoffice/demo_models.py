"""The back-office contract's bodies as pydantic models: what each request carries and each reply
holds (the OpenAPI document in `backoffice/openapi.yaml` is generated from these)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

IdNumber = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{17}[0-9Xx]$",
        description="Resident ID number (GB 11643: 17 digits and a check character)",
        examples=["110105198503122317"],
    ),
]
Money = Annotated[float, Field(ge=0, description="Yuan (CNY), two decimals")]
IsoDate = Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description="ISO date")]
Text = Annotated[str, Field(min_length=1, max_length=2000, pattern=r"\S")]
"""Free text: at least one character that is not a space."""
Short = Annotated[str, Field(min_length=1, max_length=100, pattern=r"\S")]

ERROR_EXAMPLE: dict[str, Any] = {"error": "invalid_id_number"}


class Request(BaseModel):
    """A request body: extra fields are allowed and ignored (kiosks may send more)."""

    model_config = ConfigDict(extra="allow")


class Error(BaseModel):
    """Every refusal: a stable code, never an echo of what was sent."""

    model_config = ConfigDict(json_schema_extra={"examples": [ERROR_EXAMPLE]})
    error: str = Field(description="Stable error code, e.g. `invalid_id_number`")


class Health(BaseModel):
    """The back office is up."""

    ok: bool


# Social insurance --------------------------------------------------------------------------


class CertificateRequest(Request):
    """Which certificate, for whom."""

    id_number: IdNumber
    type: Literal["personal", "payments"]


class Certificate(BaseModel):
    """A social insurance certificate ready to print."""

    type: Literal["personal", "payments"]
    pages: int = Field(ge=1)
    insured_since: str = Field(description="Year and month, e.g. 2014-03")
    unit: str = Field(description="Employer or 灵活就业人员")
    months: int = Field(ge=0, description="Months of contributions")
    verify_code: str = Field(description="URL to encode as the certificate's QR code")


# Feedback and staff calls ------------------------------------------------------------------


class FeedbackRequest(Request):
    """A resident's feedback; `phone` only when they agreed to a callback."""

    category: Short | None = None
    text: Text
    phone: str | None = Field(default=None, max_length=20, description="Empty when not given")


class FeedbackTicket(BaseModel):
    """Feedback taken."""

    ticket: str = Field(examples=["FB00042"])


class StaffCallRequest(Request):
    """A resident asked for staff at a terminal (nothing personal)."""

    terminal: Short
    screen: Short | None = None


class StaffCall(BaseModel):
    """The call was passed on."""

    call: str = Field(examples=["SC00007"])


# Medical insurance and payments ------------------------------------------------------------


class MedicalStatusRequest(Request):
    """Whose medical insurance."""

    id_number: IdNumber


class MedicalRecord(BaseModel):
    """One contribution paid."""

    period: str = Field(description="A year (resident insurance) or a month (employees)")
    amount: Money
    paid_on: IsoDate


class MedicalStatus(BaseModel):
    """Contribution status for the current collection year and the recent payments."""

    insured: bool
    category: Literal["urban_resident", "employee"]
    year: int = Field(description="The collection year (next year's contribution from September)")
    paid: bool = Field(description="Whether that year's contribution is paid")
    amount_due: Money
    records: list[MedicalRecord]


class MedicalOrderRequest(Request):
    """Pay the annual resident contribution."""

    id_number: IdNumber
    year: int = Field(ge=2000, le=2100)


class Order(BaseModel):
    """A payment order: show `qr` as a QR code and poll `GET /payments/{order}`."""

    order: str = Field(examples=["PO000031"])
    amount: Money
    qr: str = Field(description="URL to encode as a QR code for the resident's phone")
    expires_in: int = Field(ge=1, description="Seconds until the order expires unpaid")


class Payment(BaseModel):
    """Where a payment order stands."""

    order: str
    status: Literal["pending", "paid", "expired", "cancelled"]
    paid_at: str | None = Field(default=None, description="ISO date and time, once paid")
    receipt_no: str | None = Field(default=None, description="Payment receipt number, once paid")


class PaymentOutcome(Request):
    """Demo control: what the resident did with the order."""

    status: Literal["paid", "cancelled", "expired"]


# Utility bills -----------------------------------------------------------------------------

UtilityKind = Literal["water", "electricity", "gas"]


class Bill(BaseModel):
    """What an account owes."""

    account: str
    kind: UtilityKind
    holder: str = Field(description="Account holder's name, masked (林**)")
    amount_due: Money
    period: str = Field(description="Billing month, e.g. 2026-11")
    due_date: IsoDate


class BillOrderRequest(Request):
    """Pay (part of) a bill."""

    account: Annotated[str, Field(pattern=r"^[0-9]{1,40}$")]
    kind: UtilityKind
    amount: float = Field(gt=0, le=100000)


# Elderly allowance -------------------------------------------------------------------------


class EligibilityRequest(Request):
    """Who asks for the elderly allowance."""

    id_number: IdNumber


class Eligibility(BaseModel):
    """Whether the allowance can be applied for (from 80 years of age)."""

    eligible: bool
    age: int = Field(ge=0)
    monthly_amount: Money
    reason: Literal["under_age"] | None = None


class AllowanceApplication(Request):
    """An application for the elderly allowance."""

    id_number: IdNumber
    household: Short = Field(description="Household registration (户籍), as chosen")
    bank_card_last4: Annotated[str, Field(pattern=r"^[0-9]{4}$")]
    phone: str | None = Field(default=None, max_length=20, description="A number to call back")


class Acceptance(BaseModel):
    """An application accepted."""

    reference: str = Field(examples=["GL000003"])
    expected_days: int = Field(ge=1)


# Resident requests -------------------------------------------------------------------------


class ResidentRequest(Request):
    """A resident's request (诉求) for a department to answer."""

    category: Short
    place: Short
    text: Text
    phone: str | None = Field(default=None, max_length=20, description="Empty when not given")


class RequestTaken(BaseModel):
    """A request registered; its reference looks it up later."""

    reference: str = Field(examples=["SQ000012"])


class RequestStatus(BaseModel):
    """Where a request stands, and the department's reply once given."""

    reference: str
    status: Literal["received", "assigned", "replied", "closed"]
    category: str
    department: str | None = None
    reply: str | None = None
    updated_at: str = Field(description="ISO date and time")


class RequestReply(Request):
    """Demo control: a department answers a request."""

    department: Short
    reply: Text


# Community notices -------------------------------------------------------------------------

NoticeKind = Literal["affairs", "finance"]


class NoticeSummary(BaseModel):
    """One notice in a list."""

    id: int
    title: str
    published: IsoDate
    summary: str


class NoticePage(BaseModel):
    """A page of notices, newest first."""

    items: list[NoticeSummary]
    page: int = Field(ge=1)
    pages: int = Field(ge=1)
    total: int = Field(ge=0)


class Notice(BaseModel):
    """A whole notice; paragraphs separated by blank lines."""

    id: int
    kind: NoticeKind
    title: str
    published: IsoDate
    body: str


# Queue tickets -----------------------------------------------------------------------------


class QueueTicketRequest(Request):
    """A numbered ticket for a staff window."""

    matter: Short = Field(description="social_security, medical, civil, or anything else")


class QueueTicket(BaseModel):
    """The ticket to print."""

    ticket: str = Field(examples=["A023"])
    window: str = Field(examples=["2号窗口"], description="The window as its sign names it")
    window_number: int | None = Field(
        default=None, ge=1, description="The window's number, for a text in another language"
    )
    waiting: int = Field(ge=0, description="People ahead")
    expected_minutes: int = Field(ge=0)
