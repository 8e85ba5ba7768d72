"""Suggestion forms and status pages (HTML); the JSON API is in ``submissions_api``.

Routes here parse requests, apply the abuse controls that belong to HTTP (body size caps, CSRF
cookie and token, honeypot, minimum fill time, per-IP rate limit) and hand the rest to
``app.services.submissions``. A form that fails is shown again with everything typed kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from app.db import SessionDep
from app.errors import InvalidInput
from app.routes._forms import (
    HONEYPOT,
    client_hash,
    csrf_cookie,
    form_errors,
    form_page,
    form_token,
    guard_form,
    private,
    read_form,
    render,
    set_csrf_cookie,
    settings_of,
    vocab_context,
)
from app.schemas import (
    SUBMISSION_KIND_LABELS,
    SUBMISSION_STATUS_LABELS,
    PartnershipForm,
    SubmissionIn,
)
from app.services import csrf, records, submission_store, submissions
from app.services.submission_store import Duplicate, SubmissionRow

router = APIRouter()
MORE_ROWS = 3


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
    vocab = await records.load_vocab(session)
    area = area.strip().upper()
    area_ref = vocab.areas.get(area)
    duplicates: list[Duplicate] = []
    checked = bool(check) and bool(name.strip() or area_ref)
    errors: list[tuple[str, str]] = []
    if check and not (name.strip() or area_ref):
        errors.append(("name", "Enter the partnership's name, or choose an area, to check"))
    if checked:
        duplicates = await submission_store.likely_duplicates(
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
            **vocab_context(vocab),
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
    current = await submission_store.partnership_by_slug(session, slug)
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
    current = await submission_store.partnership_by_slug(session, slug) if slug else None
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
    message, status = await guard_form(request, session, data, purpose)
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
        submission_store.status_path(created.reference, created.token) + "&created=1",
        status_code=303,
    )


# --- landscape notes ----------------------------------------------------------------------------


@router.get("/suggest/landscape", response_class=HTMLResponse, include_in_schema=False)
async def suggest_landscape_form(
    request: Request, session: SessionDep, area: Annotated[str, Query(max_length=12)] = ""
) -> HTMLResponse:
    """The form describing an area's local landscape (how schools work together there)."""
    info = await submission_store.landscape_target(session, area)
    current = info.current or {}
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
    info = await submission_store.landscape_target(session, data.get("area", ""))
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
        lambda: form.to_submission("landscape").model_copy(update={"area": info.code}),
    )


# --- status pages and resubmission --------------------------------------------------------------


async def _status_page(
    request: Request,
    session: SessionDep,
    row: SubmissionRow,
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
    if row.status == "needs_info":
        if form is None:
            form = PartnershipForm.from_record(row.proposed, row.kind).with_submission(row)
            form.base_version = str(row.base_version or "")
        vocab = await records.load_vocab(session)
        context.update(vocab_context(vocab))
        context.update(
            form=form,
            rows=form.member_rows(),
            mode=row.kind,
            csrf_token=csrf_form_token
            if csrf_form_token and not new_cookie
            else form_token(request, cookie, "resubmit"),
        )
    response = render(request, "submission_status.html", context, status)
    if new_cookie and row.status == "needs_info":
        set_csrf_cookie(request, response, cookie)
    return private(response)


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
    row = await submission_store.load_with_token(session, reference, token)
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
    row = await submission_store.load_with_token(session, reference, token)
    form = PartnershipForm.from_pairs(pairs)
    form.base_version = str(row.base_version or "")
    if row.status != "needs_info":
        return await _status_page(request, session, row, token, status=409)
    message, status = await guard_form(request, session, data, "resubmit")
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
        payload = form.to_submission(row.kind, row.partnership_slug)
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
        submission_store.status_path(row.reference, token) + "&resubmitted=1", status_code=303
    )
