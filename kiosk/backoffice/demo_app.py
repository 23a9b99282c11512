"""The demo back office's routes: the back-office contract on FastAPI (imported only when a demo
back office starts). `backoffice/openapi.yaml` is this app's document, kept equal by a test."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from kiosk.backoffice import demo_operations as run
from kiosk.backoffice.demo_models import (
    Acceptance,
    AllowanceApplication,
    Bill,
    BillOrderRequest,
    Certificate,
    CertificateRequest,
    Eligibility,
    EligibilityRequest,
    Error,
    FeedbackRequest,
    FeedbackTicket,
    Health,
    MedicalOrderRequest,
    MedicalStatus,
    MedicalStatusRequest,
    Notice,
    NoticeKind,
    NoticePage,
    Order,
    Payment,
    PaymentOutcome,
    QueueTicket,
    QueueTicketRequest,
    RequestReply,
    RequestStatus,
    RequestTaken,
    ResidentRequest,
    StaffCall,
    StaffCallRequest,
    UtilityKind,
)
from kiosk.backoffice.demo_openapi import document, errors
from kiosk.backoffice.demo_operations import DemoWorld, Refusal, field_refusal

VERSION = "1.1.0"

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="A retry with the same key and body gets the first reply again and is "
        "recorded once; the same key with another body is 422 `idempotency_key_reused`.",
    ),
]


def refusal_of(exc: RequestValidationError) -> tuple[int, str]:
    """The status and code of a request the models refuse (never echoing what was sent)."""
    problems = exc.errors()
    first = problems[0] if problems else {"type": "missing", "loc": ("body",)}
    loc = tuple(first.get("loc", ()))
    if first.get("type") == "json_invalid":
        return 400, "body_not_json"
    if loc == ("body",):
        return 400, "expected_object"
    return 422, field_refusal(str(loc[1] if len(loc) > 1 else loc[0]))


def build_app(world: DemoWorld) -> FastAPI:
    """The ASGI application serving the contract over `world`."""
    app = FastAPI(
        title="Community kiosk back office",
        version=VERSION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        strict_content_type=False,  # a body without a Content-Type is read as JSON
        generate_unique_id_function=lambda route: route.name,  # operationId: the function's
    )
    app.openapi = lambda: document(app)  # type: ignore[method-assign]

    @app.exception_handler(Refusal)
    async def refused(request: Request, exc: Refusal) -> JSONResponse:
        return JSONResponse({"error": exc.code}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, code = refusal_of(exc)
        return JSONResponse({"error": code}, status_code=status)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed"}
        return JSONResponse(
            {"error": codes.get(exc.status_code, "refused")},
            status_code=exc.status_code,
            headers=exc.headers,  # 405: Allow
        )

    # Common ----------------------------------------------------------------------------

    @app.get("/health", response_model=Health, tags=["common"], responses=errors())
    async def health() -> dict[str, Any]:
        """The back office is up."""
        return run.health(world)

    @app.post(
        "/feedback",
        status_code=201,
        response_model=FeedbackTicket,
        tags=["common"],
        responses=errors(400, 422, body=True),
    )
    async def feedback(body: FeedbackRequest, key: IdempotencyKey = None) -> dict[str, Any]:
        """Take a resident's feedback (422 `missing_text` without any text)."""
        return run.feedback(world, body.model_dump())

    @app.post(
        "/staff-calls",
        status_code=201,
        response_model=StaffCall,
        tags=["common"],
        responses=errors(400, 422, body=True),
    )
    async def staff_call(body: StaffCallRequest, key: IdempotencyKey = None) -> dict[str, Any]:
        """A resident called staff at a terminal (422 `missing_terminal`)."""
        return run.staff_call(world, body.model_dump())

    # Social and medical insurance --------------------------------------------------------

    @app.post(
        "/certificates",
        response_model=Certificate,
        tags=["social insurance"],
        responses=errors(400, 422, body=True),
    )
    async def certificate(body: CertificateRequest) -> dict[str, Any]:
        """A social insurance certificate (422 `invalid_id_number`, `invalid_type`)."""
        return run.certificate(world, body.model_dump())

    @app.post(
        "/medical/status",
        response_model=MedicalStatus,
        tags=["medical insurance"],
        responses=errors(400, 422, body=True),
    )
    async def medical_status(body: MedicalStatusRequest) -> dict[str, Any]:
        """Contribution status and payment records (422 `invalid_id_number`)."""
        return run.medical_status(world, body.model_dump())

    @app.post(
        "/medical/orders",
        status_code=201,
        response_model=Order,
        tags=["medical insurance"],
        responses=errors(400, 422, body=True),
    )
    async def medical_order(body: MedicalOrderRequest, key: IdempotencyKey = None) -> Any:
        """An order for the year's resident contribution (422 `invalid_id_number`,
        `invalid_year` (not the collection year), `nothing_due`)."""
        return run.medical_order(world, body.model_dump())

    # Payments --------------------------------------------------------------------------

    @app.get(
        "/payments/{order}",
        response_model=Payment,
        response_model_exclude_none=True,
        tags=["payments"],
        responses=errors(404, 422),
    )
    async def payment(order: Annotated[str, Path(max_length=40)]) -> Any:
        """Where a payment order stands (404 `unknown_order`); poll until it is not pending."""
        return run.payment(world, order)

    @app.post(
        "/_demo/payments/{order}",
        response_model=Payment,
        response_model_exclude_none=True,
        tags=["demo control"],
        responses=errors(400, 404, 422, body=True),
    )
    async def settle_payment(
        order: Annotated[str, Path(max_length=40)], body: PaymentOutcome
    ) -> Any:
        """Demo only: the resident paid, cancelled, or let the order expire (404
        `unknown_order`); an order no longer pending stays as it is."""
        return run.settle_payment(world, order, body.model_dump())

    # Utility bills ---------------------------------------------------------------------

    @app.get(
        "/bills",
        response_model=Bill,
        tags=["utility bills"],
        responses=errors(400, 404, 422),
    )
    async def bill(
        account: Annotated[str | None, Query(max_length=40)] = None,
        kind: Annotated[UtilityKind, Query()] = "water",
    ) -> Any:
        """What an account owes (400 `missing_account`, 404 `unknown_account`)."""
        return run.bill(world, account, kind)

    @app.post(
        "/bills/orders",
        status_code=201,
        response_model=Order,
        tags=["utility bills"],
        responses=errors(400, 422, body=True),
    )
    async def bill_order(body: BillOrderRequest, key: IdempotencyKey = None) -> Any:
        """An order to pay a bill (422 `unknown_account`, `nothing_due`, `invalid_amount`
        (more than is due)); paying it changes no record."""
        return run.bill_order(world, body.model_dump())

    # Elderly allowance -----------------------------------------------------------------

    @app.post(
        "/allowance/eligibility",
        response_model=Eligibility,
        response_model_exclude_none=True,
        tags=["elderly allowance"],
        responses=errors(400, 422, body=True),
    )
    async def eligibility(body: EligibilityRequest) -> Any:
        """Whether the elderly allowance can be applied for, from 80 (422 `invalid_id_number`)."""
        return run.eligibility(world, body.model_dump())

    @app.post(
        "/allowance/applications",
        status_code=201,
        response_model=Acceptance,
        tags=["elderly allowance"],
        responses=errors(400, 422, body=True),
    )
    async def apply_allowance(body: AllowanceApplication, key: IdempotencyKey = None) -> Any:
        """Apply for the elderly allowance (422 `invalid_id_number`, `not_eligible`,
        `invalid_bank_card`)."""
        return run.apply_allowance(world, body.model_dump())

    # Resident requests -----------------------------------------------------------------

    @app.post(
        "/requests",
        status_code=201,
        response_model=RequestTaken,
        tags=["resident requests"],
        responses=errors(400, 422, body=True),
    )
    async def add_request(body: ResidentRequest, key: IdempotencyKey = None) -> Any:
        """Register a resident's request; its reference looks it up later."""
        return run.add_request(world, body.model_dump())

    @app.get(
        "/requests/{reference}",
        response_model=RequestStatus,
        response_model_exclude_none=True,
        tags=["resident requests"],
        responses=errors(404, 422),
    )
    async def request_status(reference: Annotated[str, Path(max_length=40)]) -> Any:
        """Where a request stands (404 `unknown_request`)."""
        return run.request_status(world, reference)

    @app.post(
        "/_demo/requests/{reference}/reply",
        response_model=RequestStatus,
        response_model_exclude_none=True,
        tags=["demo control"],
        responses=errors(400, 404, 422, body=True),
    )
    async def reply_request(
        reference: Annotated[str, Path(max_length=40)], body: RequestReply
    ) -> Any:
        """Demo only: a department replies to a request (404 `unknown_request`)."""
        return run.reply_request(world, reference, body.model_dump())

    # Community notices -----------------------------------------------------------------

    @app.get(
        "/notices",
        response_model=NoticePage,
        tags=["community notices"],
        responses=errors(422),
    )
    async def notices(
        kind: Annotated[NoticeKind, Query()] = "affairs",
        page: Annotated[int, Query(ge=1, le=10000)] = 1,
        per_page: Annotated[int, Query(ge=1, le=50)] = 5,
    ) -> Any:
        """Notices of a kind, newest first, a page at a time."""
        return run.notices(world, kind, page, per_page)

    @app.get(
        "/notices/{notice_id}",
        response_model=Notice,
        tags=["community notices"],
        responses=errors(404, 422),
    )
    async def notice(notice_id: Annotated[int, Path(ge=1, le=1_000_000_000)]) -> Any:
        """One whole notice (404 `unknown_notice`)."""
        return run.notice(world, notice_id)

    # Queue tickets ---------------------------------------------------------------------

    @app.post(
        "/queue/tickets",
        status_code=201,
        response_model=QueueTicket,
        tags=["queue"],
        responses=errors(400, 422, body=True),
    )
    async def queue_ticket(body: QueueTicketRequest, key: IdempotencyKey = None) -> Any:
        """A numbered ticket for a staff window (social_security, medical, civil, other),
        with the people ahead."""
        return run.queue_ticket(world, body.model_dump())

    from kiosk.backoffice.demo_courier import add_routes  # it builds on this module

    add_routes(app, world)
    return app


__all__ = ["VERSION", "DemoWorld", "Error", "Refusal", "build_app"]
