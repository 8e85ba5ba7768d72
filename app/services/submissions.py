"""Suggestions from the public: validation, likely duplicates, storing, status links, resubmission.

A submission holds a whole proposed record (not a patch), the version it was based on, who sent
it and their evidence. Nothing here touches the public tables: a suggestion changes the map only
when a moderator approves it (``app.services.moderation``). The HTML form and the JSON API share
``validate``, so both give the same field-level messages.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, NotFound
from app.queries import submissions as submission_q
from app.queries.submissions import SubmissionRow
from app.schemas import (
    ProposedIn,
    SubmissionIn,
)
from app.services.hashing import hash_token
from app.services.notifications import mail_enabled, notify_received, send_mail
from app.services.records import (
    LANDSCAPE_LEVELS,
    MAX_EVIDENCE,
    MAX_LINKS_EVIDENCE,
    Submitter,
    ValidSubmission,
    load_vocab,
)
from app.services.submission_fields import Errors, checked_text, clean
from app.services.submission_store import (
    Created,
    audit,
    landscape_record,
    load_with_token,
    new_reference,
    partnership_by_slug,
    resolve_members,
    stored_proposal,
)
from app.services.submission_validation import (
    check_base_version,
    check_landscape,
    check_record_fields,
    check_submitter,
    comparable,
    fill_from_current,
)
from app.settings import Settings


async def validate_record(
    session: AsyncSession,
    kind: str,
    proposed: ProposedIn,
    current: dict[str, Any] | None,
    errors: Errors | None = None,
) -> dict[str, Any]:
    """Check a proposed record (partnership or landscape note); ``InvalidInput`` when wrong."""
    own = errors is None
    errors = errors if errors is not None else Errors()
    if kind == "landscape":
        record = check_landscape(errors, proposed)
    else:
        vocab = await load_vocab(session)
        record, lookups = check_record_fields(errors, proposed, vocab, current)
        await resolve_members(session, errors, record["members"], lookups, current)
    if own:
        errors.raise_if_any()
    return record


async def validate(session: AsyncSession, payload: SubmissionIn) -> ValidSubmission:
    """Check every part of a suggestion against the rules and the database."""
    errors = Errors()
    kind = payload.kind
    current: dict[str, Any] | None = None
    valid = ValidSubmission(kind=kind, record={}, submitter=Submitter(), evidence=None)
    if kind not in ("new", "amend", "close", "landscape"):
        errors.add("kind", "Choose new, amend, close or landscape")
        errors.raise_if_any()
    if kind in ("amend", "close"):
        slug = clean(payload.partnership, single_line=True)
        if not slug:
            errors.add("partnership", "Give the slug of the partnership to change")
        else:
            try:
                current = await partnership_by_slug(session, slug)
            except NotFound:
                errors.add("partnership", f"No partnership has the slug {slug[:80]!r}")
        if current is not None:
            valid.partnership_id = current["id"]
            valid.partnership_slug = current["slug"]
            valid.base_version = check_base_version(
                errors, payload.base_version, current["version"]
            )
    elif kind == "landscape":
        code = clean(payload.area, single_line=True).upper()
        vocab_area = await submission_q.area_level(session, code[:12])
        if not code:
            errors.add("area", "Give the GSS code of the area")
        elif vocab_area not in LANDSCAPE_LEVELS:
            errors.add(
                "area", f"No local authority or combined authority has the code {code[:12]!r}"
            )
        else:
            valid.area_code = code
            current = await landscape_record(session, code)
            latest = current["version"] if current else 0
            valid.base_version = (
                latest
                if payload.base_version is None
                else check_base_version(errors, payload.base_version, latest, 0)
            )
    valid.current = current
    if kind == "close":
        if current is not None:
            valid.record = {k: v for k, v in current.items() if k not in ("id", "slug", "version")}
            valid.record["status"] = "ended"
            if current.get("status") == "ended":
                errors.add("kind", "This partnership is already shown as ended")
    else:
        proposed = payload.proposed
        if kind == "amend" and current is not None:
            proposed = fill_from_current(proposed, current)
        valid.record = await validate_record(session, kind, proposed, current, errors)
        if (
            kind == "amend"
            and current is not None
            and comparable(valid.record) == comparable(current)
        ):
            errors.add(
                "proposed",
                "You have not changed anything. Change at least one answer, or tell us the "
                "partnership has ended",
            )
        if (
            kind == "landscape"
            and current
            and all(current.get(k) == v for k, v in valid.record.items())
        ):
            errors.add("proposed.body", "You have not changed the description")
    valid.submitter = check_submitter(errors, payload.submitter)
    valid.evidence = checked_text(
        errors,
        "evidence",
        payload.evidence,
        "The evidence",
        max_len=MAX_EVIDENCE,
        required="Tell us how you know: give a link or a short note",
        max_links=MAX_LINKS_EVIDENCE,
        single_line=False,
    )
    errors.raise_if_any()
    return valid


def _stored_values(valid: ValidSubmission) -> submission_q.SubmissionValues:
    """What a submission row stores of a checked suggestion."""
    return submission_q.SubmissionValues(
        proposed_json=json.dumps(stored_proposal(valid)),
        submitter_name=valid.submitter.name,
        submitter_email=valid.submitter.email,
        submitter_organisation=valid.submitter.organisation,
        submitter_role=valid.submitter.role,
        evidence=valid.evidence,
    )


async def create(
    session: AsyncSession, settings: Settings, valid: ValidSubmission, client_hash: str
) -> Created:
    """Store a checked suggestion as pending, with an audit row; the public map is untouched."""
    token = secrets.token_urlsafe(24)
    for _attempt in range(5):
        reference = new_reference()
        try:
            submission_id = await submission_q.insert_submission(
                session,
                reference=reference,
                token_hash=hash_token(token),
                kind=valid.kind,
                partnership_id=valid.partnership_id,
                area_code=valid.area_code,
                base_version=valid.base_version,
                values=_stored_values(valid),
                ip_hash=client_hash,
            )
        except IntegrityError:
            await session.rollback()
            continue
        await audit(
            session,
            "submitted",
            submission_id=submission_id,
            to_status="pending",
            kind=valid.kind,
            client=client_hash,
        )
        await session.commit()
        await notify_received(session, settings, submission_id, reference, token, valid)
        return Created(reference, token, "pending")
    raise Conflict("Could not store the suggestion just now; please try again")


async def resubmit(
    session: AsyncSession,
    settings: Settings,
    reference: str,
    token: str | None,
    payload: SubmissionIn,
    client_hash: str,
) -> SubmissionRow:
    """Send back a suggestion that was returned for more information; it is pending again."""
    row = await load_with_token(session, reference, token)
    if row.status != "needs_info":
        raise Conflict("This suggestion is not waiting for more information")
    payload = payload.model_copy(
        update={
            "kind": row.kind,
            "partnership": row.partnership_slug,
            "area": row.area_code,
            "base_version": row.base_version,
        }
    )
    valid = await validate(session, payload)
    if not await submission_q.resubmit(session, row.id, _stored_values(valid)):
        await session.rollback()
        raise Conflict("This suggestion is not waiting for more information")
    await audit(
        session,
        "resubmitted",
        submission_id=row.id,
        from_status="needs_info",
        to_status="pending",
        client=client_hash,
    )
    await session.commit()
    if mail_enabled(settings) and settings.moderator_notify_email:
        await send_mail(
            session,
            settings,
            row.id,
            settings.moderator_notify_email,
            f"Suggestion {row.reference} sent again with more information",
            f"{settings.public_base_url.rstrip('/')}/moderate/submissions/{row.reference}\n",
            reply_to=valid.submitter.email,
        )
    return await load_with_token(session, reference, token)
