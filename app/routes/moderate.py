"""Moderation pages under ``/moderate``: sign-in, the queue, one submission, decisions, revert.

Every page needs a signed-in moderator (anonymous requests get 401) and every form carries the
session's CSRF token (a missing or wrong one gets 403). Session cookies are HttpOnly,
SameSite=Lax, and Secure when the site is served over HTTPS.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from app.db import SessionDep
from app.errors import Conflict, InvalidInput, RateLimited, Unauthorised
from app.routes._forms import (
    csrf_cookie,
    form_errors,
    form_token,
    is_https,
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
    whole_number,
)
from app.services import accounts, csrf, moderation, moderation_queue, records, submissions
from app.services import history as revision_history
from app.services.accounts import ModeratorIdentity
from app.services.record_writer import StaleRecord

router = APIRouter(prefix="/moderate", include_in_schema=False)


async def optional_moderator(request: Request, session: SessionDep) -> ModeratorIdentity | None:
    """The signed-in moderator, if the request carries a live session cookie."""
    return await accounts.current_moderator(session, request.cookies.get(accounts.SESSION_COOKIE))


async def _require(request: Request, session: SessionDep) -> ModeratorIdentity:
    moderator = await optional_moderator(request, session)
    if moderator is None:
        raise Unauthorised("Sign in as a moderator to do this")
    return moderator


async def _require_post(
    request: Request, session: SessionDep
) -> tuple[ModeratorIdentity, dict[str, str], list[tuple[str, str]]]:
    moderator = await _require(request, session)
    pairs = await read_form(request)
    data = dict(pairs)
    csrf.check_session_token(moderator.csrf_token, data.get("csrf_token"))
    return moderator, data, pairs


def _login_page(
    request: Request,
    next_url: str,
    errors: list[tuple[str, str]] | None = None,
    status: int = 200,
    email: str = "",
    notice: str = "",
) -> Response:
    cookie, new_cookie = csrf_cookie(request)
    response = render(
        request,
        "moderate/login.html",
        {
            "next": next_url,
            "email": email,
            "csrf_token": form_token(request, cookie, "login"),
            "errors": dict(errors or []),
            "error_list": errors or [],
            "notice": notice,
        },
        status,
    )
    if new_cookie:
        set_csrf_cookie(request, response, cookie)
    return response


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value[:500]
    return "/moderate"


@router.get("/login", response_class=HTMLResponse)
async def login_form(
    request: Request, next: Annotated[str, Query(max_length=500)] = "/moderate"
) -> Response:
    """The moderators' sign-in page."""
    return _login_page(request, _safe_next(next))


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, session: SessionDep) -> Response:
    """Check the credentials, start a session and go where the moderator was heading."""
    data = dict(await read_form(request, 16 * 1024))
    next_url = _safe_next(data.get("next"))
    email = data.get("email", "")[:254]
    try:
        csrf.check_form_token(
            settings_of(request).secret_key,
            request.cookies.get(csrf.COOKIE_NAME),
            data.get("csrf_token"),
            "login",
            min_seconds=0,
        )
    except csrf.FormExpired as exc:
        return _login_page(request, next_url, [("email", exc.detail)], 403, email)
    try:
        new = await accounts.sign_in(
            session,
            settings_of(request),
            email,
            data.get("password", ""),
            request.client.host if request.client else None,
        )
    except Unauthorised as exc:
        return _login_page(request, next_url, [("email", exc.detail)], 401, email)
    except RateLimited as exc:
        return _login_page(request, next_url, [("email", exc.detail)], 429, email)
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        accounts.SESSION_COOKIE,
        new.token,
        max_age=int(accounts.session_lifetime(settings_of(request)).total_seconds()),
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )
    return response


@router.post("/logout")
async def logout(request: Request, session: SessionDep) -> Response:
    """End the session."""
    await _require_post(request, session)
    await accounts.sign_out(session, request.cookies.get(accounts.SESSION_COOKIE))
    response = RedirectResponse("/moderate/login", status_code=303)
    response.delete_cookie(
        accounts.SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=is_https(request)
    )
    return response


def _unauthorised_page(request: Request) -> Response:
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    # Nothing was submitted yet: say what the page needs, without an error box.
    return _login_page(
        request, _safe_next(path), status=401, notice="Sign in as a moderator to see this page."
    )


@router.get("", response_class=HTMLResponse)
async def queue_page(
    request: Request,
    session: SessionDep,
    status: Annotated[str, Query(max_length=20)] = "pending",
    kind: Annotated[str, Query(max_length=20)] = "",
    area: Annotated[str, Query(max_length=12)] = "",
    done: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """The queue: oldest first, filtered by status, kind and area, with counts."""
    moderator = await optional_moderator(request, session)
    if moderator is None:
        return _unauthorised_page(request)
    result = await moderation_queue.queue(session, status, kind, area)
    vocab = await records.load_vocab(session)
    las = sorted(
        (a for a in vocab.areas.values() if a.level in ("local_authority", "combined_authority")),
        key=lambda a: a.name,
    )
    return render(
        request,
        "moderate/queue.html",
        {
            "moderator": moderator,
            "q": result,
            "areas": las,
            "status_labels": SUBMISSION_STATUS_LABELS,
            "kind_labels": SUBMISSION_KIND_LABELS,
            "done": done,
        },
    )


async def _review_page(
    request: Request,
    session: SessionDep,
    moderator: ModeratorIdentity,
    reference: str,
    *,
    errors: list[tuple[str, str]] | None = None,
    status: int = 200,
    flash: str | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    review = await moderation_queue.review(session, reference)
    return render(
        request,
        "moderate/submission.html",
        {
            "moderator": moderator,
            "r": review,
            "s": review.submission,
            "status_labels": SUBMISSION_STATUS_LABELS,
            "kind_labels": SUBMISSION_KIND_LABELS,
            "errors": dict(errors or []),
            "error_list": errors or [],
            "flash": flash,
            "values": values or {},
            "own": review.submission.submitter_email.strip().lower() == moderator.email.lower(),
        },
        status,
    )


@router.get("/submissions/{reference}", response_class=HTMLResponse)
async def submission_page(
    request: Request,
    session: SessionDep,
    reference: str,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """One submission beside the live record, with the decision forms."""
    moderator = await optional_moderator(request, session)
    if moderator is None:
        return _unauthorised_page(request)
    return await _review_page(request, session, moderator, reference, flash=done or None)


async def _edit_page(
    request: Request,
    session: SessionDep,
    moderator: ModeratorIdentity,
    reference: str,
    *,
    rebase: bool,
    form: PartnershipForm | None = None,
    errors: list[tuple[str, str]] | None = None,
    status: int = 200,
    extra_rows: int = 0,
    values: dict[str, str] | None = None,
) -> Response:
    review = await moderation_queue.review(session, reference)
    sub = review.submission
    if form is None:
        record = review.merged if (rebase and review.merged is not None) else review.proposed
        form = PartnershipForm.from_record(record, sub.kind)
        base = review.current_version if rebase else (sub.base_version or 0)
        form.base_version = str(base)
    vocab = await records.load_vocab(session)
    return render(
        request,
        "moderate/edit.html",
        {
            "moderator": moderator,
            "r": review,
            "s": sub,
            "form": form,
            "rows": form.member_rows(2 + extra_rows),
            "mode": sub.kind,
            "rebase": rebase,
            "errors": dict(errors or []),
            "error_list": errors or [],
            "csrf_token": moderator.csrf_token,
            "values": values or {},
            **vocab_context(vocab),
        },
        status,
    )


@router.get("/submissions/{reference}/edit", response_class=HTMLResponse)
async def edit_page(
    request: Request,
    session: SessionDep,
    reference: str,
    rebase: Annotated[str, Query(max_length=2)] = "",
) -> Response:
    """Edit a proposal before approving it; with ``rebase=1``, merged onto the live record."""
    moderator = await optional_moderator(request, session)
    if moderator is None:
        return _unauthorised_page(request)
    return await _edit_page(request, session, moderator, reference, rebase=bool(rebase))


@router.post("/submissions/{reference}/approve", response_class=HTMLResponse)
async def approve(request: Request, session: SessionDep, reference: str) -> Response:
    """Approve as proposed, or as edited on the edit page; a stale record shows the conflict."""
    moderator, data, pairs = await _require_post(request, session)
    note, private_note = data.get("note"), data.get("private_note")
    base_version = whole_number(data.get("base_version", ""))
    record: dict[str, Any] | None = None
    edited = data.get("edited") == "1"
    rebase = data.get("rebase") == "1"
    form = PartnershipForm.from_pairs(pairs) if edited else None

    async def edit_again(**page: Any) -> Response:
        """The edit page again, with what the moderator typed."""
        return await _edit_page(
            request, session, moderator, reference, rebase=rebase, form=form, values=data, **page
        )

    if form is not None:
        if data.get("action") == "more_members":
            return await edit_again(extra_rows=3)
        review = await moderation_queue.review(session, reference)
        kind = review.submission.kind
        try:
            submission = form.to_submission(kind)
            record = await submissions.validate_record(
                session, kind, submission.proposed, review.current
            )
            if kind == "landscape" and not record.get("body"):
                message = "Enter the description"
                raise InvalidInput(message, [{"field": "proposed.body", "message": message}])
        except (InvalidInput, ValidationError) as exc:
            return await edit_again(errors=form_errors(exc, form), status=422)
    try:
        applied = await moderation.approve(
            session,
            settings_of(request),
            moderator,
            reference,
            record=record,
            base_version=base_version if record is not None and rebase else None,
            note=note,
            private_note=private_note,
        )
    except Conflict as exc:
        errors = [("main", exc.detail)] + [("main-detail", e["message"]) for e in exc.errors[:1]]
        if form is not None:
            return await edit_again(errors=errors, status=409)
        return await _review_page(
            request, session, moderator, reference, errors=errors, status=409, values=data
        )
    except InvalidInput as exc:
        return await _review_page(
            request,
            session,
            moderator,
            reference,
            errors=[("approve_note", e["message"]) for e in exc.errors]
            or [("approve_note", exc.detail)],
            status=422,
            values=data,
        )
    del applied
    return RedirectResponse(f"/moderate/submissions/{reference}?done=approved", status_code=303)


async def _decide(
    request: Request, session: SessionDep, reference: str, to_status: str
) -> Response:
    moderator, data, _ = await _require_post(request, session)
    try:
        await moderation.decide(
            session,
            settings_of(request),
            moderator,
            reference,
            to_status,
            data.get("note"),
            data.get("private_note"),
        )
    except InvalidInput as exc:
        field = "note" if to_status == "rejected" else "info_note"
        errors = [(field, e["message"]) for e in exc.errors] or [(field, exc.detail)]
        return await _review_page(
            request, session, moderator, reference, errors=errors, status=422, values=data
        )
    except Conflict as exc:
        return await _review_page(
            request, session, moderator, reference, errors=[("main", exc.detail)], status=409
        )
    return RedirectResponse(f"/moderate/submissions/{reference}?done={to_status}", status_code=303)


@router.post("/submissions/{reference}/reject", response_class=HTMLResponse)
async def reject(request: Request, session: SessionDep, reference: str) -> Response:
    """Reject with a reason the submitter will see."""
    return await _decide(request, session, reference, "rejected")


@router.post("/submissions/{reference}/needs-info", response_class=HTMLResponse)
async def needs_info(request: Request, session: SessionDep, reference: str) -> Response:
    """Send back to the submitter asking for more information."""
    return await _decide(request, session, reference, "needs_info")


@router.post("/partnerships/{slug}/revert", response_class=HTMLResponse)
async def revert(request: Request, session: SessionDep, slug: str) -> Response:
    """Restore an earlier revision (as a new revision)."""
    moderator, data, _ = await _require_post(request, session)
    to_version = whole_number(data.get("to_version", ""))
    expected_version = whole_number(data.get("expected_version", ""))
    if to_version is None or expected_version is None:
        raise InvalidInput("Choose a version to restore")
    try:
        await revision_history.revert(
            session, moderator, slug, to_version, expected_version, data.get("note")
        )
    except Conflict as exc:
        error = "stale" if isinstance(exc, StaleRecord) else "refused"
        return RedirectResponse(f"/partnerships/{slug}/history?error={error}", status_code=303)
    return RedirectResponse(f"/partnerships/{slug}/history?reverted={to_version}", status_code=303)


@router.post("/partnerships/{slug}/confirm", response_class=HTMLResponse)
async def confirm_running(request: Request, session: SessionDep, slug: str) -> Response:
    """Record, in one step with a note, that a partnership is still running."""
    moderator, data, _ = await _require_post(request, session)
    expected_version = whole_number(data.get("expected_version", ""))
    if expected_version is None:
        raise InvalidInput("Reload the page and try again")
    try:
        await moderation.confirm_running(
            session, moderator, slug, expected_version, data.get("note")
        )
    except StaleRecord:
        return RedirectResponse(f"/partnerships/{slug}/history?error=stale", status_code=303)
    return RedirectResponse(f"/partnerships/{slug}/history?confirmed=1", status_code=303)
