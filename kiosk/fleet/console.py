"""The console: server-rendered pages (Jinja2) for viewers, operators and administrators."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.fleet import accounts, alerts, places, rollouts
from kiosk.fleet.models import Audit, Heartbeat, Kiosk, Rollout
from kiosk.fleet.reasons import describe, why
from kiosk.i18n import catalog, t
from kiosk.updates.repository import RepositoryError

if TYPE_CHECKING:
    from kiosk.fleet.app import Fleet

log = logging.getLogger(__name__)

COOKIE = "fleet_session"
LANGS = ("zh_CN", "en")
_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
_CHINA = timezone(timedelta(hours=8))


def _when(seconds: float | None) -> str:
    """A stored time as China Standard Time, to the second."""
    if seconds is None:
        return "-"
    return datetime.fromtimestamp(seconds, _CHINA).strftime("%Y-%m-%d %H:%M:%S")


_TEMPLATES.filters["when"] = _when


def _lang(request: Request) -> str:
    wanted = request.query_params.get("lang") or request.cookies.get("fleet_lang") or "zh_CN"
    return wanted if wanted in LANGS else "zh_CN"


def _page(request: Request, name: str, login: accounts.Login | None, **values: Any) -> Response:
    lang = _lang(request)

    def text(key: str, **params: object) -> str:
        return t(f"fleet.{key}", lang, **params)

    def named(key: str, code: str) -> str:
        """A stored code (mode, state, action) in words when there are words for it; `key`
        under `fleet.`, or a whole key (`service.kind`: the maintainers' words)."""
        full = f"{key}.{code}" if key.startswith("service.") else f"fleet.{key}.{code}"
        return t(full, lang) if catalog().has(full) else code

    def fault(code: str) -> str:
        """A device fault code in words, the code beside it for technicians."""
        key = f"faults.{code}"
        return f"{t(key, lang)} ({code})" if catalog().has(key) else code

    other = "en" if lang == "zh_CN" else "zh_CN"
    switch = request.url.include_query_params(lang=other)
    html = _TEMPLATES.get_template(name).render(
        t=text,
        named=named,
        fault=fault,
        reason=lambda stored, titles=None: describe(stored, lang, titles),
        lang=lang,
        login=login,
        switch=f"{switch.path}?{switch.query}",
        **values,
    )
    response = HTMLResponse(html)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie("fleet_lang", lang, samesite="strict")
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; style-src 'self' 'unsafe-inline'"
    )
    response.headers["X-Frame-Options"] = "DENY"
    return response


class _NeedsLogin(Exception):
    pass


def mount(app: FastAPI, fleet: Fleet) -> None:
    """Add the console's routes under /console."""
    settings = fleet.settings

    @app.exception_handler(_NeedsLogin)
    def to_login(request: Request, exc: _NeedsLogin) -> Response:
        return RedirectResponse("/console/login", status_code=303)

    def who(request: Request, db: Session, role: str = "viewer") -> accounts.Login:
        login = accounts.login_for(db, request.cookies.get(COOKIE), fleet.now())
        if login is None:
            raise _NeedsLogin()
        if not login.may(role):
            raise HTTPException(403, f"this needs the {role} role")
        return login

    def acting(request: Request, db: Session, csrf: str, role: str) -> accounts.Login:
        login = who(request, db, role)
        if not accounts.csrf_ok(login, csrf):
            raise HTTPException(403, "the form's CSRF token is missing or wrong")
        return login

    @app.get("/console/login")
    def login_page(request: Request) -> Response:
        return _page(request, "login.html", None, failed=False)

    @app.post("/console/login")
    def login_post(request: Request, name: str = Form(...), password: str = Form(...)) -> Response:
        with fleet.db() as db:
            token = accounts.log_in(db, name, password, fleet.now(), settings.session_hours)
            accounts.audit(db, fleet.now(), name, "login" if token else "login_failed")
        if token is None:
            page = _page(request, "login.html", None, failed=True)
            page.status_code = 401
            return page
        response = RedirectResponse("/console/", status_code=303)
        response.set_cookie(
            COOKIE, token, httponly=True, samesite="strict", secure=settings.secure_cookies
        )
        return response

    @app.post("/console/logout")
    def logout(request: Request, csrf: str = Form("")) -> Response:
        with fleet.db() as db:
            login = acting(request, db, csrf, "viewer")
            accounts.log_out(db, request.cookies.get(COOKIE, ""))
            accounts.audit(db, fleet.now(), login.name, "logout")
        response = RedirectResponse("/console/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    @app.get("/console/")
    def overview(request: Request) -> Response:
        with fleet.db() as db:
            login = who(request, db)
            view = alerts.overview(db, settings, fleet.now())
            found = alerts.all_alerts(db, settings, fleet.now())
        return _page(
            request, "overview.html", login, view=view, alerts=found[:200], alert_count=len(found)
        )

    @app.get("/console/kiosks")
    def kiosk_list(
        request: Request, district: str = "", community: str = "", page: int = 1
    ) -> Response:
        with fleet.db() as db:
            login = who(request, db)
            query = select(Kiosk)
            if district:
                query = query.where(Kiosk.district == district)
            if community:
                query = query.where(Kiosk.community == community)
            total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
            size = settings.list_page
            page = max(1, min(page, (total + size - 1) // size or 1))
            shown = query.order_by(Kiosk.district, Kiosk.community, Kiosk.terminal)
            now = fleet.now()
            tree: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(
                lambda: defaultdict(list)
            )
            for kiosk in db.scalars(shown.offset((page - 1) * size).limit(size)):
                tree[kiosk.district or "-"][kiosk.community or "-"].append(
                    {
                        "kiosk": kiosk,
                        "online": alerts.online(kiosk, settings, now),
                        "alerts": [a.kind for a in alerts.alerts_of(kiosk, settings, now)],
                    }
                )
        first = (page - 1) * size + 1 if total else 0
        paging = {
            "first": first,
            "last": min(page * size, total),
            "total": total,
            "previous": _with(request, page=page - 1) if page > 1 else None,
            "next": _with(request, page=page + 1) if page * size < total else None,
        }
        return _page(
            request,
            "kiosks.html",
            login,
            tree=tree,
            district=district,
            community=community,
            paging=paging,
        )

    @app.get("/console/map")
    def kiosk_map(request: Request, district: str = "") -> Response:
        with fleet.db() as db:
            login = who(request, db)
            found = places.by_place(db, settings, fleet.now())
        every = places.grid(found).districts  # the districts' totals, for choosing one
        if district:
            found = {key: place for key, place in found.items() if key[0] == district}
        return _page(
            request,
            "map.html",
            login,
            grid=places.grid(found),
            districts=every,
            district=district,
        )

    @app.get("/console/kiosks/{terminal}")
    def kiosk_detail(request: Request, terminal: str) -> Response:
        with fleet.db() as db:
            login = who(request, db)
            kiosk = db.scalar(select(Kiosk).where(Kiosk.terminal == terminal))
            if kiosk is None:
                raise HTTPException(404, "no such kiosk")
            history = list(
                db.scalars(
                    select(Heartbeat)
                    .where(Heartbeat.kiosk_id == kiosk.id)
                    .order_by(Heartbeat.id.desc())
                    .limit(50)
                )
            )
            now = fleet.now()
            found = alerts.alerts_of(kiosk, settings, now)
        return _page(request, "kiosk.html", login, kiosk=kiosk, history=history, alerts=found)

    @app.get("/console/rollouts")
    def rollout_list(request: Request, error: str = "") -> Response:
        lang = _lang(request)
        with fleet.db() as db:
            login = who(request, db)
            shown = []
            for rollout in db.scalars(select(Rollout).order_by(Rollout.id.desc()).limit(20)):
                stages = rollouts.stages_of(db, rollout)
                shown.append(
                    {
                        "rollout": rollout,
                        "stages": [
                            (s, rollouts.groups_for(db, stages, s.position)) for s in stages
                        ],
                        "stats": rollouts.stats(db, rollout, fleet.now()),
                        "limit": stages[rollout.stage].max_failure_excess,
                        "titles": _flow_titles(fleet.publisher, rollout, lang),
                    }
                )
        offered = fleet.publisher.bundles()
        return _page(
            request,
            "rollouts.html",
            login,
            rollouts=shown,
            error=error,
            offered=sorted(offered.items(), reverse=True) if offered is not None else None,
        )

    @app.post("/console/rollouts")
    def rollout_start(
        request: Request,
        csrf: str = Form(""),
        bundle: int = Form(...),
        stages: str = Form(...),
        max_failure_excess: float = Form(0.05),
        max_rollbacks: int = Form(0),
        advance_after_hours: float | None = Form(None),
    ) -> Response:
        with fleet.db() as db:
            login = acting(request, db, csrf, "administrator")
            try:
                specs = [
                    rollouts.StageSpec(
                        s.groups,
                        s.percent,
                        max_failure_excess,
                        max_rollbacks,
                        advance_after_hours * 3600 if advance_after_hours else None,
                    )
                    for s in rollouts.parse_stages(stages)
                ]
                with db.begin_nested():
                    rollout = rollouts.start(
                        db, bundle, specs, fleet.publisher, fleet.now(), login.name
                    )
            except (rollouts.RolloutError, RepositoryError) as exc:
                accounts.audit(db, fleet.now(), login.name, "rollout_refused", str(exc))
                return _back(_reason_of(exc))
            accounts.audit(db, fleet.now(), login.name, "rollout_start", f"{rollout.id}: {stages}")
        return _back()

    @app.post("/console/rollouts/{rollout_id}/{action}")
    def rollout_action(
        request: Request, rollout_id: int, action: str, csrf: str = Form("")
    ) -> Response:
        if action not in ("advance", "halt"):
            raise HTTPException(404, "no such action")
        error = ""
        with fleet.db() as db:
            login = acting(request, db, csrf, "operator")
            rollout = db.get(Rollout, rollout_id, with_for_update=True)
            if rollout is None:
                raise HTTPException(404, "no such rollout")
            try:
                if action == "advance":
                    rollouts.advance(db, rollout, fleet.publisher, fleet.now())
                else:
                    rollouts.halt(db, rollout, why("halted_by", name=login.name), fleet.now())
            except (rollouts.RolloutError, RepositoryError) as exc:
                error = _reason_of(exc)
            accounts.audit(
                db,
                fleet.now(),
                login.name,
                f"rollout_{action}",
                f"{rollout_id} {describe(error)}".strip(),
            )
        return _back(error)

    @app.get("/console/tours")
    def tour_list(request: Request, bundle: str = "") -> Response:
        with fleet.db() as db:
            login = who(request, db)
        root = settings.tours
        bundles = (
            sorted(p.name for p in root.iterdir() if p.is_dir()) if root and root.is_dir() else []
        )
        pictures: dict[str, list[str]] = defaultdict(list)
        titles: dict[str, str] = {}
        if root is not None and bundle in bundles:
            for picture in sorted((root / bundle).rglob("*.png")):
                relative = picture.relative_to(root / bundle)
                pictures[str(relative.parent)].append(relative.as_posix())
            if bundle.isdigit():  # a tour's folder per flow: each headed by the flow's title
                titles = _in_language(fleet.publisher.flow_titles(int(bundle)), _lang(request))
        return _page(
            request,
            "tours.html",
            login,
            bundles=bundles,
            bundle=bundle,
            pictures=pictures,
            titles=titles,
        )

    @app.get("/console/tours/{bundle}/{path:path}")
    def tour_picture(request: Request, bundle: str, path: str) -> Response:
        with fleet.db() as db:
            who(request, db)
        root = settings.tours
        if root is None:
            raise HTTPException(404, "no tours folder")
        base = (root / bundle).resolve()
        target = (base / path).resolve()
        if not target.is_relative_to(root.resolve()) or target.suffix != ".png":
            raise HTTPException(404, "no such picture")
        if not target.is_file():
            raise HTTPException(404, "no such picture")
        return FileResponse(target, media_type="image/png")

    @app.get("/console/audit")
    def audit_page(request: Request) -> Response:
        with fleet.db() as db:
            login = who(request, db, "administrator")
            rows = list(db.scalars(select(Audit).order_by(Audit.id.desc()).limit(200)))
        return _page(request, "audit.html", login, rows=rows)


def _flow_titles(publisher: rollouts.Publisher, rollout: Rollout, lang: str) -> dict[str, str]:
    """The title of each flow of a rollout's bundles in `lang` (else in another language), by
    flow id: the new bundle's, else the previous bundle's (a flow the new one dropped)."""
    titles = {**publisher.flow_titles(rollout.bundle)}
    if rollout.previous_bundle is not None:
        titles = {**publisher.flow_titles(rollout.previous_bundle), **titles}
    return _in_language(titles, lang)


def _in_language(titles: Mapping[str, Mapping[str, str]], lang: str) -> dict[str, str]:
    """Each flow's title in `lang` (else in another language), by flow id."""
    named = {}
    for flow, title in titles.items():
        name = title.get(lang) or next(iter(title.values()), "")
        if name:
            named[flow] = name
    return named


def _reason_of(exc: Exception) -> str:
    """What the console says about a refused action (in its language when it has a key)."""
    return exc.reason if isinstance(exc, rollouts.RolloutError) else str(exc)


def _with(request: Request, **params: object) -> str:
    """This page's address with `params` replaced in its query."""
    url = request.url.include_query_params(**params)
    return f"{url.path}?{url.query}"


def _back(error: str = "") -> Response:
    from urllib.parse import urlencode

    suffix = f"?{urlencode({'error': error})}" if error else ""
    return RedirectResponse(f"/console/rollouts{suffix}", status_code=303)
