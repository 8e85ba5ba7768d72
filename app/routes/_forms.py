"""Form plumbing shared by the suggestion and moderation routes: settings and client hash, body
size caps, URL-encoded form reading, the CSRF cookie and tokens, error messages keyed by form
control, the vocabulary for the pickers, the suggestion form page and its abuse checks (CSRF,
honeypot, minimum fill time, per-IP rate limit).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from app import templating
from app.db import SessionDep
from app.errors import AppError, Forbidden, InvalidInput, RateLimited
from app.models import MEMBER_TYPES
from app.schemas import (
    COUNCIL_ROLE_LABELS,
    MEMBER_ROLE_LABELS,
    MEMBER_TYPE_LABELS,
    PARTNERSHIP_STATUS_LABELS,
    PartnershipForm,
    form_field_id,
    whole_number,
)
from app.services import csrf, hashing, ratelimit, records, submission_validation
from app.services.landscape import FORM_LABELS
from app.services.records import Vocab
from app.services.submission_store import LandscapeTarget
from app.settings import Settings

HONEYPOT = "homepage"


class PayloadTooLarge(AppError):
    """The request body is bigger than any genuine suggestion."""

    status_code = 413


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


async def read_form(request: Request, cap: int = records.MAX_FORM_BYTES) -> list[tuple[str, str]]:
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
        return field_errors(submission_validation.payload_errors(exc), form)
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


def vocab_context(vocab: Vocab) -> dict[str, Any]:
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
    area: LandscapeTarget | None = None,
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
    vocab = await records.load_vocab(session)
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
            **vocab_context(vocab),
        },
        status,
    )
    if new_cookie:
        set_csrf_cookie(request, response, cookie)
    return response


async def guard_form(
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


def private(response: Response) -> Response:
    """Keep a personal page out of referrers, search engines and caches."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    return response
