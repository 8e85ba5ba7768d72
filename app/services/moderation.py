"""Moderation decisions: approve, reject or send back a suggestion, and confirm a record still runs.

Approval applies a suggestion in one transaction: the partnership row is updated only if its
version is still the one the suggestion (or the moderator's rebase) was based on
(``UPDATE … WHERE id = … AND version = …``), so a stale proposal becomes a ``Conflict`` and never
overwrites a newer change. The same transaction writes an immutable revision, marks the
submission approved, writes the audit row and bumps the data version, so public caches refresh
at once, or, if anything fails, none of it happens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import is_unavailable
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.queries import moderation as moderation_q
from app.queries import record_writes
from app.queries.moderation import LockedSubmission
from app.schemas import SUBMISSION_STATUS_LABELS
from app.services import notifications, submission_fields, submission_store
from app.services.accounts import ModeratorIdentity
from app.services.record_writer import (
    StaleRecord,
    apply_landscape,
    create_partnership,
    update_partnership,
    write_links,
    write_revision,
)
from app.services.submission_store import audit
from app.services.versions import bump_data_version
from app.settings import Settings

MAX_NOTE = 2000
CONFIRMED_CHANGE = "confirmed still running"


@dataclass(frozen=True)
class Applied:
    """What an approval or revert changed: where to see it, and its new version."""

    kind: str
    slug: str | None
    area_code: str | None
    version: int


async def _lock_submission(session: AsyncSession, reference: str) -> LockedSubmission:
    ref = submission_store.normalise_reference(reference)
    row = await moderation_q.lock_submission(session, ref)
    if row is None:
        raise NotFound("No suggestion has this reference")
    return row


def clean_note(note: str | None, label: str, required: bool) -> str | None:
    """A moderator's note cleaned and capped (``InvalidInput`` when missing but required)."""
    value = submission_fields.clean(note)
    if required and not value:
        raise InvalidInput(f"Enter {label}", [{"field": "note", "message": f"Enter {label}"}])
    if len(value) > MAX_NOTE:
        raise InvalidInput(
            f"The note must be {MAX_NOTE:,} characters or fewer",
            [{"field": "note", "message": f"The note must be {MAX_NOTE:,} characters or fewer"}],
        )
    return value or None


CHANGE_TEXT = {
    "new": "added from a suggestion",
    "amend": "corrected from a suggestion",
    "close": "closed from a suggestion",
    "landscape": "description updated from a suggestion",
}


async def approve(
    session: AsyncSession,
    settings: Settings,
    moderator: ModeratorIdentity,
    reference: str,
    *,
    record: dict[str, Any] | None = None,
    base_version: int | None = None,
    note: str | None = None,
    private_note: str | None = None,
) -> Applied:
    """Apply a submission (or the moderator's edit of it) and publish it, all or nothing.

    The change is checked against the version the suggestion was based on, read here from the
    submission itself. Only a moderator's own edit (``record``) rebased onto a newer record may
    name another ``base_version``: the one they edited against. A record that has moved on since
    raises ``Conflict``; a ``base_version`` sent with an unedited approval is ignored, so a
    hand-made request cannot approve an old suggestion over a newer change.
    """
    try:
        applied = await _approve(
            session, moderator, reference, record, base_version, note, private_note
        )
        await session.commit()
    except (IntegrityError, DBAPIError) as exc:
        await session.rollback()
        if is_unavailable(exc):
            raise  # busy or down (a lock waited for too long behind an import): a 503, not a fault
        raise Conflict(
            "The change could not be applied as it stands (the database refused it). Edit it "
            "and try again.",
            [
                {
                    "field": "",
                    "message": str(exc.orig).splitlines()[0][:300] if exc.orig else "refused",
                }
            ],
        ) from exc
    except BaseException:
        await session.rollback()
        raise
    await _notify_decision(session, settings, reference)
    return applied


async def _approve(
    session: AsyncSession,
    moderator: ModeratorIdentity,
    reference: str,
    record: dict[str, Any] | None,
    base_version: int | None,
    note: str | None,
    private_note: str | None,
) -> Applied:
    sub = await _lock_submission(session, reference)
    if sub.status not in ("pending", "needs_info"):
        raise Conflict(
            f"This suggestion has already been decided ({SUBMISSION_STATUS_LABELS[sub.status].lower()})"
        )
    if sub.submitter_email.strip().lower() == moderator.email.lower():
        raise Forbidden("You cannot approve your own suggestion; ask another moderator")
    kind = sub.kind
    edited = record is not None
    proposal = dict(record if record is not None else sub.proposed)
    base = sub.base_version
    if record is not None and base_version is not None:
        base = base_version
    public_note = clean_note(note, "a note", required=False)
    private = clean_note(private_note, "a private note", required=False)
    partnership_id = sub.partnership_id
    slug: str | None = sub.partnership_slug
    area_code: str | None = sub.area_code
    if kind == "new":
        partnership_id, slug = await create_partnership(
            session, {**proposal, "evidence": sub.evidence}, sub.reference, moderator.id
        )
        await write_links(session, partnership_id, proposal)
        version = 1
    elif kind in ("amend", "close"):
        if kind == "close":
            proposal["status"] = "ended"
        version, slug = await update_partnership(
            session, partnership_id, base, proposal, verified_by=moderator.id
        )
    else:
        assert area_code is not None
        version = await apply_landscape(session, area_code, base or 0, proposal)
    await write_revision(
        session,
        partnership_id=partnership_id,
        area_code=area_code,
        version=version,
        change=CHANGE_TEXT[kind],
        moderator_id=moderator.id,
        submission_id=sub.id,
    )
    await moderation_q.mark_approved(
        session, sub.id, moderator.id, public_note, private, partnership_id
    )
    await audit(
        session,
        "approved",
        submission_id=sub.id,
        moderator_id=moderator.id,
        from_status=sub.status,
        to_status="approved",
        edited=edited,
        applied_to_version=base,
        new_version=version,
        note=public_note,
    )
    await bump_data_version(session, f"approved {sub.reference}")
    return Applied(kind, slug, area_code, version)


async def decide(
    session: AsyncSession,
    settings: Settings,
    moderator: ModeratorIdentity,
    reference: str,
    to_status: str,
    note: str | None,
    private_note: str | None = None,
) -> None:
    """Reject a submission, or send it back for more information, with a note for the submitter."""
    if to_status not in ("rejected", "needs_info"):
        raise InvalidInput("Choose reject or ask for more information")
    label = (
        "the reason (the submitter will see it)"
        if to_status == "rejected"
        else "what you need to know"
    )
    public_note = clean_note(note, label, required=True)
    private = clean_note(private_note, "a private note", required=False)
    try:
        sub = await _lock_submission(session, reference)
        allowed = ("pending", "needs_info") if to_status == "rejected" else ("pending",)
        if sub.status not in allowed:
            raise Conflict(
                f"This suggestion is {SUBMISSION_STATUS_LABELS[sub.status].lower()}, so it cannot be "
                f"{'rejected' if to_status == 'rejected' else 'sent back'} now"
            )
        await moderation_q.mark_decided(
            session, sub.id, to_status, moderator.id, public_note, private
        )
        await audit(
            session,
            to_status,
            submission_id=sub.id,
            moderator_id=moderator.id,
            from_status=sub.status,
            to_status=to_status,
            note=public_note,
        )
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    await _notify_decision(session, settings, reference)


async def _notify_decision(session: AsyncSession, settings: Settings, reference: str) -> None:
    if not notifications.mail_enabled(settings):
        return
    sub = await submission_store.load_by_reference(session, reference)
    status = SUBMISSION_STATUS_LABELS.get(sub.status, sub.status)
    lines = [f"Your suggestion {reference} has a new status: {status}."]
    if sub.moderator_note:
        lines.append(f"\nThe moderator's note:\n{sub.moderator_note}")
    if sub.status == "needs_info":
        lines.append(
            "\nUse the private link from our first email to add the details and send it again."
        )
    await notifications.send_mail(
        session,
        settings,
        sub.id,
        sub.submitter_email,
        f"Suggestion {reference}: {status}",
        "\n".join(lines),
    )


async def confirm_running(
    session: AsyncSession,
    moderator: ModeratorIdentity,
    slug: str,
    expected_version: int,
    note: str | None,
) -> Applied:
    """Record a moderator's check that a partnership is still running, with a note saying how.

    The record's checked and verified dates become today and the moderator is named as the
    verifier; its content is unchanged. A new revision records the check, so history shows it and
    a re-import leaves the record alone. ``Conflict`` if the record moved on or has ended.
    """
    how = clean_note(note, "how you confirmed it (a page, a call…)", required=True)
    try:
        found = None if "\x00" in slug else await moderation_q.partnership_state(session, slug)
        if found is None:
            raise NotFound("No partnership has this address")
        if found.status == "ended":
            raise Conflict(
                "This partnership is recorded as ended; correct its status through a suggestion"
            )
        assert how is not None
        confirmed = await record_writes.confirm_running(
            session, found.id, expected_version, moderator.id, how
        )
        if confirmed is None:
            raise StaleRecord(
                "The partnership has changed since you opened it. Reload the page and check again."
            )
        version = confirmed
        await write_revision(
            session,
            partnership_id=found.id,
            area_code=None,
            version=version,
            change=f"{CONFIRMED_CHANGE}: {how}",
            moderator_id=moderator.id,
            submission_id=None,
        )
        await audit(
            session,
            "confirmed running",
            moderator_id=moderator.id,
            partnership=slug,
            new_version=version,
            note=how,
        )
        await bump_data_version(session, f"confirmed {slug} still running")
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return Applied("confirm", slug, None, version)
