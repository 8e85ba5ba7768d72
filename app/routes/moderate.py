"""Moderation pages under ``/moderate``: the queue, one submission, editing it, and decisions.

Sign-in and the checks every page makes (a signed-in moderator, the session's CSRF token) are in
``moderator_auth``; revert and confirm-running on a published record in ``moderate_records``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from app.db import SessionDep
from app.errors import Conflict, InvalidInput
from app.routes._forms import (
    form_errors,
    render,
    settings_of,
    vocab_context,
)
from app.routes.moderator_auth import optional_moderator, require_post, unauthorised_page
from app.schemas import (
    SUBMISSION_KIND_LABELS,
    SUBMISSION_STATUS_LABELS,
    PartnershipForm,
    whole_number,
)
from app.services import moderation, moderation_queue, records, submissions
from app.services.accounts import ModeratorIdentity

router = APIRouter(prefix="/moderate", include_in_schema=False)


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
        return unauthorised_page(request)
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
        return unauthorised_page(request)
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
        return unauthorised_page(request)
    return await _edit_page(request, session, moderator, reference, rebase=bool(rebase))


async def _edited_record(
    session: SessionDep, reference: str, form: PartnershipForm
) -> dict[str, Any]:
    """The moderator's edit of a submission, checked like a suggestion (``InvalidInput`` if not)."""
    review = await moderation_queue.review(session, reference)
    kind = review.submission.kind
    submission = form.to_submission(kind)
    record = await submissions.validate_record(session, kind, submission.proposed, review.current)
    if kind == "landscape" and not record.get("body"):
        message = "Enter the description"
        raise InvalidInput(message, [{"field": "proposed.body", "message": message}])
    return record


@router.post("/submissions/{reference}/approve", response_class=HTMLResponse)
async def approve(request: Request, session: SessionDep, reference: str) -> Response:
    """Approve as proposed, or as edited on the edit page; a stale record shows the conflict."""
    moderator, data, pairs = await require_post(request, session)
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
        try:
            record = await _edited_record(session, reference, form)
        except (InvalidInput, ValidationError) as exc:
            return await edit_again(errors=form_errors(exc, form), status=422)
    try:
        await moderation.approve(
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
    return RedirectResponse(f"/moderate/submissions/{reference}?done=approved", status_code=303)


async def _decide(
    request: Request, session: SessionDep, reference: str, to_status: str
) -> Response:
    moderator, data, _ = await require_post(request, session)
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
