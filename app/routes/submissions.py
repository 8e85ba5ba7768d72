"""Suggestion forms, status pages and the submissions JSON API.

Routes here parse requests, apply the abuse controls that belong to HTTP (body size caps, CSRF
cookie and token, honeypot, minimum fill time, per-IP rate limit) and hand the rest to
``app.services.submissions``. A form that fails is shown again with everything typed kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from app import templating
from app.db import SessionDep
from app.errors import AppError, Forbidden, InvalidInput, NotFound, RateLimited
from app.models import MEMBER_TYPES
from app.schemas import (
    COUNCIL_ROLE_LABELS,
    MEMBER_ROLE_LABELS,
    MEMBER_TYPE_LABELS,
    PARTNERSHIP_STATUS_LABELS,
    SUBMISSION_KIND_LABELS,
    SUBMISSION_STATUS_LABELS,
    PartnershipForm,
    SubmissionCreated,
    SubmissionIn,
    SubmissionStatus,
    form_field_id,
    whole_number,
)
from app.services import csrf, hashing, ratelimit, submissions
from app.services.landscape import FORM_LABELS
from app.services.submissions import Vocab
from app.settings import Settings

router = APIRouter()
HONEYPOT = "homepage"
MORE_ROWS = 3


class PayloadTooLarge(AppError):
    """The request body is bigger than any genuine suggestion."""

    status_code = 413


class UnsupportedMediaType(AppError):
    """The body is not sent as the API expects (JSON)."""

    status_code = 415


def require_json(request: Request) -> None:
    """Refuse a body not declared as JSON.

    A cross-site page can post ``text/plain``, a form or multipart without asking, but not
    ``application/json``, which needs a CORS preflight this site never grants; so insisting on
    JSON keeps other sites from submitting in a visitor's name.
    """
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise UnsupportedMediaType(
            "Send the suggestion as JSON, with the header Content-Type: application/json",
            [{"field": "", "message": f"unsupported content type {media or '(none)'!r}"[:120]}],
        )


# --- helpers shared with the moderation routes ----------------------------------------------------


def settings_of(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def client_hash(request: Request) -> str:
    """The keyed hash of the client's IP address (the address itself is never stored)."""
    host = request.client.host if request.client else None
    return hashing.hash_ip(settings_of(request).secret_key, host)


def render(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """Render a page; these pages are personal or change often, so they are never cached."""
    return templating.render(request, template, context, status, no_store=True)


async def read_body(request: Request, cap: int) -> bytes:
    """The request body, refusing anything over ``cap`` bytes without reading it all."""
    length = whole_number(request.headers.get("content-length", ""), 18)
    if length is not None and length > cap:
        raise PayloadTooLarge(f"The request is too large (over {cap // 1024} KB)")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            raise PayloadTooLarge(f"The request is too large (over {cap // 1024} KB)")
    return bytes(body)


async def read_form(
    request: Request, cap: int = submissions.MAX_FORM_BYTES
) -> list[tuple[str, str]]:
    """A posted URL-encoded form as name/value pairs, size-capped."""
    content_type = request.headers.get("content-type", "")
    if "application/x-www-form-urlencoded" not in content_type:
        raise InvalidInput("Send the form as application/x-www-form-urlencoded")
    body = await read_body(request, cap)
    try:
        return parse_qsl(
            body.decode("utf-8", errors="replace"),
            keep_blank_values=True,
            max_num_fields=4000,
        )
    except ValueError as exc:
        raise PayloadTooLarge("The form has too many fields") from exc


def is_https(request: Request) -> bool:
    """Whether the page was served over HTTPS (behind a proxy, from its forwarded scheme)."""
    return request.url.scheme == "https"


def csrf_cookie(request: Request) -> tuple[str, bool]:
    """The browser's CSRF cookie value, or a new one (and whether it must be set)."""
    value = request.cookies.get(csrf.COOKIE_NAME, "")
    if 20 <= len(value) <= 64:
        return value, False
    return csrf.new_cookie_value(), True


def set_csrf_cookie(request: Request, response: Response, value: str) -> None:
    """Send the CSRF cookie (HttpOnly, SameSite=Lax, Secure over HTTPS)."""
    response.set_cookie(
        csrf.COOKIE_NAME,
        value,
        max_age=7 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )


def form_token(request: Request, cookie: str, purpose: str) -> str:
    """A fresh CSRF token for one form."""
    return csrf.issue_form_token(settings_of(request).secret_key, cookie, purpose)


def field_errors(
    errors: Iterable[dict[str, Any]], form: PartnershipForm | None
) -> list[tuple[str, str]]:
    """Error messages keyed by the id of the form control they belong to, in page order."""
    result: list[tuple[str, str]] = []
    for e in errors:
        field_id = form_field_id(str(e.get("field") or ""), form)
        if all(field_id != f for f, _ in result):
            result.append((field_id, str(e.get("message") or "")))
    return result


def form_errors(
    exc: InvalidInput | ValidationError, form: PartnershipForm | None
) -> list[tuple[str, str]]:
    """A failed check's messages keyed by form control: field errors, or one for the page."""
    if isinstance(exc, ValidationError):
        return field_errors(submissions.payload_errors(exc), form)
    return field_errors(exc.errors or [{"field": "main", "message": exc.detail}], form)


def area_groups(vocab: Vocab) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """Areas for the picker: by region, each upper-tier authority followed by its districts."""
    areas = vocab.areas.values()
    regions = sorted((a for a in areas if a.level == "region"), key=lambda a: a.name)
    uppers = sorted((a for a in areas if a.level == "local_authority"), key=lambda a: a.name)
    districts: dict[str, list[Any]] = {}
    for a in sorted(areas, key=lambda a: a.name):
        if a.level == "district" and a.parent_code:
            districts.setdefault(a.parent_code, []).append(a)
    groups: list[tuple[str, list[tuple[str, str, bool]]]] = []
    for region in regions:
        items: list[tuple[str, str, bool]] = []
        for la in (u for u in uppers if u.region_code == region.code):
            items.append((la.code, la.name, False))
            items.extend((d.code, d.name, True) for d in districts.get(la.code, []))
        if items:
            groups.append((region.name, items))
    wider = [
        (a.code, a.name, False)
        for a in sorted(areas, key=lambda a: a.name)
        if a.level == "combined_authority"
    ]
    wider += [(a.code, f"{a.name} (region)", False) for a in regions]
    wider += [(a.code, a.name, False) for a in areas if a.level == "country"]
    groups.append(("Combined authorities, regions and England", wider))
    return groups


def _vocab_context(vocab: Vocab) -> dict[str, Any]:
    return {
        "kinds": vocab.kinds,
        "themes": vocab.themes,
        "area_groups": area_groups(vocab),
        "area_names": {code: a.name for code, a in vocab.areas.items()},
        "member_types": {t: MEMBER_TYPE_LABELS[t] for t in MEMBER_TYPES},
        "member_roles": MEMBER_ROLE_LABELS,
        "statuses": PARTNERSHIP_STATUS_LABELS,
        "council_roles": COUNCIL_ROLE_LABELS,
        "collaboration_forms": FORM_LABELS,
    }


async def form_page(
    request: Request,
    session: SessionDep,
    *,
    mode: str,
    form: PartnershipForm,
    action: str,
    current: dict[str, Any] | None = None,
    area: dict[str, Any] | None = None,
    errors: list[tuple[str, str]] | None = None,
    token: str | None = None,
    status: int = 200,
    extra_rows: int = 0,
    notice: str | None = None,
) -> HTMLResponse:
    """The suggestion form (new, correction or landscape), filled in with ``form``."""
    cookie, new_cookie = csrf_cookie(request)
    purpose = "landscape" if mode == "landscape" else "suggest"
    if token is None or new_cookie:
        token = form_token(request, cookie, purpose)
    vocab = await submissions.load_vocab(session)
    template = "suggest/landscape.html" if mode == "landscape" else "suggest/form.html"
    response = render(
        request,
        template,
        {
            "nav": "suggest",
            "mode": mode,
            "form": form,
            "rows": form.member_rows(2 + extra_rows),
            "action": action,
            "current": current,
            "area": area,
            "errors": dict(errors or []),
            "error_list": errors or [],
            "csrf_token": token,
            "honeypot": HONEYPOT,
            "notice": notice,
            **_vocab_context(vocab),
        },
        status,
    )
    if new_cookie:
        set_csrf_cookie(request, response, cookie)
    return response


async def _guard_form(
    request: Request, session: SessionDep, data: dict[str, str], purpose: str
) -> tuple[str | None, int]:
    """Run the CSRF, timing, honeypot and rate-limit checks; a message and status if one fails."""
    settings = settings_of(request)
    if data.get(HONEYPOT):
        raise Forbidden("Your suggestion could not be accepted.")
    try:
        csrf.check_form_token(
            settings.secret_key,
            request.cookies.get(csrf.COOKIE_NAME),
            data.get("csrf_token"),
            purpose,
            min_seconds=settings.form_min_fill_seconds,
        )
    except csrf.FormTooFast as exc:
        return exc.detail, 403
    except csrf.FormExpired as exc:
        return exc.detail, 403
    try:
        await ratelimit.hit(
            session, "submit", client_hash(request), ratelimit.submit_limit(settings)
        )
    except RateLimited as exc:
        return exc.detail, 429
    return None, 200


# --- adding a partnership -----------------------------------------------------------------------


@router.get("/suggest", response_class=HTMLResponse, include_in_schema=False)
async def suggest_start(
    request: Request,
    session: SessionDep,
    name: Annotated[str, Query(max_length=200)] = "",
    area: Annotated[str, Query(max_length=12)] = "",
    theme: Annotated[str, Query(max_length=60)] = "",
    check: Annotated[str, Query(max_length=2)] = "",
) -> HTMLResponse:
    """Step one of adding a partnership: name and area, then the likely duplicates."""
    vocab = await submissions.load_vocab(session)
    area = area.strip().upper()
    area_ref = vocab.areas.get(area)
    duplicates: list[dict[str, Any]] = []
    checked = bool(check) and bool(name.strip() or area_ref)
    errors: list[tuple[str, str]] = []
    if check and not (name.strip() or area_ref):
        errors.append(("name", "Enter the partnership's name, or choose an area, to check"))
    if checked:
        duplicates = await submissions.likely_duplicates(
            session, name, area if area_ref else None, theme if theme in vocab.themes else None
        )
    next_query = urlencode(
        {k: v for k, v in (("name", name), ("area", area), ("theme", theme)) if v}
    )
    return render(
        request,
        "suggest/start.html",
        {
            "nav": "suggest",
            "name": name,
            "area": area_ref,
            "area_code": area if area_ref else "",
            "theme": theme if theme in vocab.themes else "",
            "checked": checked,
            "duplicates": duplicates,
            "next_url": "/suggest/new" + (f"?{next_query}" if next_query else ""),
            "errors": dict(errors),
            "error_list": errors,
            **_vocab_context(vocab),
        },
        422 if errors else 200,
    )


@router.get("/suggest/new", response_class=HTMLResponse, include_in_schema=False)
async def suggest_new_form(
    request: Request,
    session: SessionDep,
    name: Annotated[str, Query(max_length=200)] = "",
    area: Annotated[str, Query(max_length=12)] = "",
    theme: Annotated[str, Query(max_length=60)] = "",
) -> HTMLResponse:
    """The form for a new partnership, with what step one gave filled in."""
    form = PartnershipForm(
        submission_kind="new",
        name=name,
        areas_served=[area.strip().upper()] if area.strip() else [],
        themes=[theme] if theme else [],
    )
    return await form_page(request, session, mode="new", form=form, action="/suggest/new")


@router.post("/suggest/new", response_class=HTMLResponse, include_in_schema=False)
async def suggest_new_post(request: Request, session: SessionDep) -> Response:
    """Check and store a suggested new partnership."""
    return await _post_partnership_form(request, session, mode="new", slug=None)


# --- correcting or closing one ----------------------------------------------------------------


@router.get("/partnerships/{slug}/suggest", response_class=HTMLResponse, include_in_schema=False)
async def suggest_correction_form(request: Request, session: SessionDep, slug: str) -> HTMLResponse:
    """The correction form, filled in with the partnership's current record."""
    current = await submissions.partnership_by_slug(session, slug)
    form = PartnershipForm.from_record(current, "amend")
    return await form_page(
        request,
        session,
        mode="amend",
        form=form,
        action=f"/partnerships/{current['slug']}/suggest",
        current=current,
    )


@router.post("/partnerships/{slug}/suggest", response_class=HTMLResponse, include_in_schema=False)
async def suggest_correction_post(request: Request, session: SessionDep, slug: str) -> Response:
    """Check and store a correction or closure."""
    return await _post_partnership_form(request, session, mode="amend", slug=slug)


async def _post_partnership_form(
    request: Request, session: SessionDep, *, mode: str, slug: str | None
) -> Response:
    pairs = await read_form(request)
    data = dict(pairs)
    form = PartnershipForm.from_pairs(pairs)
    current = await submissions.partnership_by_slug(session, slug) if slug else None
    action = f"/partnerships/{current['slug']}/suggest" if current else "/suggest/new"
    kind = "new" if mode == "new" else ("close" if form.submission_kind == "close" else "amend")
    form.submission_kind = kind
    page: dict[str, Any] = {"mode": mode, "form": form, "action": action, "current": current}
    if data.get("action") == "more_members":
        return await form_page(
            request, session, **page, token=data.get("csrf_token"), extra_rows=MORE_ROWS
        )
    return await _guard_and_store(
        request,
        session,
        page,
        data,
        "suggest",
        lambda: form.to_submission(kind, current["slug"] if current else None),
    )


async def _guard_and_store(
    request: Request,
    session: SessionDep,
    page: dict[str, Any],
    data: dict[str, str],
    purpose: str,
    payload: Callable[[], SubmissionIn],
) -> Response:
    """Run the form's abuse checks, check and store the suggestion, and go to its status page.

    A failed check shows the form again (``page``) with its message.
    """
    message, status = await _guard_form(request, session, data, purpose)
    if message:
        return await form_page(request, session, **page, errors=[("main", message)], status=status)
    try:
        valid = await submissions.validate(session, payload())
    except (InvalidInput, ValidationError) as exc:
        return await form_page(
            request,
            session,
            **page,
            errors=form_errors(exc, page["form"]),
            token=data.get("csrf_token"),
            status=422,
        )
    try:
        await csrf.consume_form_token(session, data.get("csrf_token") or "")
    except csrf.FormExpired as exc:
        await session.rollback()
        return await form_page(request, session, **page, errors=[("main", exc.detail)], status=403)
    created = await submissions.create(session, settings_of(request), valid, client_hash(request))
    return RedirectResponse(
        submissions.status_path(created.reference, created.token) + "&created=1", status_code=303
    )


# --- landscape notes ----------------------------------------------------------------------------


async def _landscape_area(session: SessionDep, code: str) -> dict[str, Any]:
    vocab = await submissions.load_vocab(session)
    ref = vocab.areas.get(code.strip().upper())
    if ref is None or ref.level not in submissions.LANDSCAPE_LEVELS:
        raise NotFound("Choose a local authority or combined authority from its area page")
    current = await submissions.landscape_record(session, ref.code)
    return {"code": ref.code, "name": ref.name, "current": current}


@router.get("/suggest/landscape", response_class=HTMLResponse, include_in_schema=False)
async def suggest_landscape_form(
    request: Request, session: SessionDep, area: Annotated[str, Query(max_length=12)] = ""
) -> HTMLResponse:
    """The form describing an area's local landscape (how schools work together there)."""
    info = await _landscape_area(session, area)
    current = info["current"] or {}
    form = PartnershipForm(
        submission_kind="landscape",
        base_version=str(current.get("version") or 0),
        body=current.get("body") or "",
        council_role=current.get("council_role") or "",
        provider_name=current.get("provider_name") or "",
        provider_url=current.get("provider_url") or "",
        collaboration_forms=list(current.get("collaboration_forms") or []),
    )
    return await form_page(
        request, session, mode="landscape", form=form, action="/suggest/landscape", area=info
    )


@router.post("/suggest/landscape", response_class=HTMLResponse, include_in_schema=False)
async def suggest_landscape_post(request: Request, session: SessionDep) -> Response:
    """Check and store a landscape note."""
    pairs = await read_form(request)
    data = dict(pairs)
    info = await _landscape_area(session, data.get("area", ""))
    form = PartnershipForm.from_pairs(pairs)
    form.submission_kind = "landscape"
    page: dict[str, Any] = {
        "mode": "landscape",
        "form": form,
        "action": "/suggest/landscape",
        "area": info,
    }
    return await _guard_and_store(
        request,
        session,
        page,
        data,
        "landscape",
        lambda: form.to_submission("landscape").model_copy(update={"area": info["code"]}),
    )


# --- status pages and resubmission --------------------------------------------------------------


def _private(response: Response) -> Response:
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    return response


async def _status_page(
    request: Request,
    session: SessionDep,
    row: dict[str, Any],
    token: str,
    *,
    form: PartnershipForm | None = None,
    errors: list[tuple[str, str]] | None = None,
    status: int = 200,
    flash: str | None = None,
    csrf_form_token: str | None = None,
) -> Response:
    context: dict[str, Any] = {
        "s": row,
        "token": token,
        "flash": flash,
        "kind_labels": SUBMISSION_KIND_LABELS,
        "status_labels": SUBMISSION_STATUS_LABELS,
        "errors": dict(errors or []),
        "error_list": errors or [],
        "honeypot": HONEYPOT,
    }
    cookie, new_cookie = csrf_cookie(request)
    if row["status"] == "needs_info":
        if form is None:
            form = PartnershipForm.from_record(row["proposed"], row["kind"]).with_submission(row)
            form.base_version = str(row["base_version"] or "")
        vocab = await submissions.load_vocab(session)
        context.update(_vocab_context(vocab))
        context.update(
            form=form,
            rows=form.member_rows(),
            mode=row["kind"],
            csrf_token=csrf_form_token
            if csrf_form_token and not new_cookie
            else form_token(request, cookie, "resubmit"),
        )
    response = render(request, "submission_status.html", context, status)
    if new_cookie and row["status"] == "needs_info":
        set_csrf_cookie(request, response, cookie)
    return _private(response)


@router.get("/submissions/{reference}", response_class=HTMLResponse, include_in_schema=False)
async def submission_status_page(
    request: Request,
    session: SessionDep,
    reference: str,
    token: Annotated[str, Query(max_length=100)] = "",
    created: str = "",
    resubmitted: str = "",
) -> Response:
    """A suggestion's private status page (reached only with the token from its link)."""
    row = await submissions.load_with_token(session, reference, token)
    flash = "created" if created else ("resubmitted" if resubmitted else None)
    return await _status_page(request, session, row, token, flash=flash)


@router.post(
    "/submissions/{reference}/resubmit", response_class=HTMLResponse, include_in_schema=False
)
async def submission_resubmit(request: Request, session: SessionDep, reference: str) -> Response:
    """Send back a corrected suggestion that a moderator asked more about."""
    pairs = await read_form(request)
    data = dict(pairs)
    token = data.get("token", "")
    row = await submissions.load_with_token(session, reference, token)
    form = PartnershipForm.from_pairs(pairs)
    form.base_version = str(row["base_version"] or "")
    if row["status"] != "needs_info":
        return await _status_page(request, session, row, token, status=409)
    message, status = await _guard_form(request, session, data, "resubmit")
    if message:
        return await _status_page(
            request, session, row, token, form=form, errors=[("main", message)], status=status
        )
    try:
        await csrf.consume_form_token(session, data.get("csrf_token") or "")
    except csrf.FormExpired as exc:
        await session.rollback()
        return await _status_page(
            request, session, row, token, form=form, errors=[("main", exc.detail)], status=403
        )
    try:
        payload = form.to_submission(row["kind"], row["partnership_slug"])
        await submissions.resubmit(
            session, settings_of(request), reference, token, payload, client_hash(request)
        )
    except InvalidInput as exc:
        return await _status_page(
            request,
            session,
            row,
            token,
            form=form,
            errors=form_errors(exc, form),
            status=422,
            csrf_form_token=data.get("csrf_token"),
        )
    return RedirectResponse(
        submissions.status_path(row["reference"], token) + "&resubmitted=1", status_code=303
    )


# --- JSON API -----------------------------------------------------------------------------------


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema with its ``$defs`` written in place, for the OpenAPI request body."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return walk(dict(defs[ref.rsplit("/", 1)[1]]))
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    result: dict[str, Any] = walk(schema)
    return result


_REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": _inline_refs(SubmissionIn.model_json_schema())}},
    }
}


@router.post(
    "/api/v1/submissions",
    status_code=201,
    response_model=SubmissionCreated,
    tags=["submissions"],
    openapi_extra=_REQUEST_BODY,
    responses={
        201: {
            "description": "Stored as pending; keep status_url (its token is shown only once)",
            "links": {
                "status": {
                    "operationId": "api_submission_status_api_v1_submissions__reference__get",
                    "parameters": {"reference": "$response.body#/reference"},
                    "description": "The suggestion's status (needs the token from status_url)",
                }
            },
        },
        413: {"description": "Body over 64 KB"},
        415: {"description": "Body not sent as application/json"},
        422: {"description": "Field errors: {detail, errors: [{field, message}]}"},
        429: {"description": "Too many submissions from this client"},
    },
)
async def api_submit(request: Request, session: SessionDep) -> JSONResponse:
    """Suggest a new partnership, a correction, a closure or a landscape note.

    Nothing changes on the map until a moderator approves it. Keep ``status_url``: its token is
    shown only once.
    """
    require_json(request)
    body = await read_body(request, submissions.MAX_JSON_BYTES)
    await ratelimit.hit(
        session, "submit", client_hash(request), ratelimit.submit_limit(settings_of(request))
    )
    try:
        payload = SubmissionIn.model_validate_json(body or b"{}")
    except ValidationError as exc:
        raise InvalidInput(
            "The request does not have the expected shape", submissions.payload_errors(exc)
        ) from exc
    valid = await submissions.validate(session, payload)
    settings = settings_of(request)
    created = await submissions.create(session, settings, valid, client_hash(request))
    url = submissions.status_url(settings, created.reference, created.token)
    result = SubmissionCreated(reference=created.reference, status=created.status, status_url=url)
    return JSONResponse(
        result.model_dump(),
        status_code=201,
        headers={"Location": f"/api/v1/submissions/{created.reference}?token={created.token}"},
    )


@router.get(
    "/api/v1/submissions/{reference}",
    response_model=SubmissionStatus,
    tags=["submissions"],
    responses={404: {"description": "Unknown reference, or wrong token"}},
)
async def api_submission_status(
    session: SessionDep,
    reference: str,
    token: Annotated[str, Query(max_length=100, description="The token from status_url")] = "",
) -> Response:
    """Where a suggestion has got to: pending, approved, rejected or needs more information."""
    row = await submissions.load_with_token(session, reference, token)
    result = SubmissionStatus(
        reference=row["reference"],
        kind=row["kind"],
        status=row["status"],
        status_label=row["status_label"],
        partnership=row["partnership_slug"],
        area=row["area_code"],
        moderator_note=row["moderator_note"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        decided_at=row["decided_at"],
    )
    return _private(JSONResponse(result.model_dump(mode="json")))
