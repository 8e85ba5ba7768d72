"""Email about suggestions (optional): off unless the SMTP settings are filled in.

A failure to send is logged and audited, never raised.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import AsyncSession

from app.services.records import ValidSubmission
from app.services.submission_store import audit, status_url
from app.settings import Settings

log = logging.getLogger(__name__)


def mail_enabled(settings: Settings) -> bool:
    """Whether the SMTP settings are filled in; email is off by default."""
    return bool(settings.smtp_host and settings.mail_from)


def _send(settings: Settings, to: str, subject: str, body: str, reply_to: str | None) -> None:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    if reply_to:
        message["Reply-To"] = reply_to
    message.set_content(body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        secure = smtp.has_extn("starttls")
        if secure:
            smtp.starttls()
            smtp.ehlo()
        if settings.smtp_user:
            if not secure:
                raise smtplib.SMTPException(
                    "the server offers no STARTTLS; not sending the password"
                )
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)


async def send_mail(
    session: AsyncSession,
    settings: Settings,
    submission_id: int | None,
    to: str,
    subject: str,
    body: str,
    reply_to: str | None = None,
) -> bool:
    """Send one email if mail is configured; a failure is logged and audited, never raised."""
    if not mail_enabled(settings) or not to:
        return False
    try:
        await asyncio.to_thread(_send, settings, to, subject, body, reply_to)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("email to submitter or moderators failed: %s", exc)
        await audit(
            session,
            "email_failed",
            submission_id=submission_id,
            subject=subject,
            error=str(exc)[:200],
        )
        await session.commit()
        return False
    return True


async def notify_received(
    session: AsyncSession,
    settings: Settings,
    submission_id: int,
    reference: str,
    token: str,
    valid: ValidSubmission,
) -> None:
    """Tell the submitter their suggestion arrived, and the moderators that one is waiting."""
    if not mail_enabled(settings):
        return
    link = status_url(settings, reference, token)
    await send_mail(
        session,
        settings,
        submission_id,
        valid.submitter.email,
        f"Your suggestion {reference} has been received",
        "Thank you. A moderator will look at your suggestion; nothing changes on the map until "
        f"they approve it.\n\nYour reference: {reference}\nFollow its progress (keep this link "
        f"private): {link}\n",
    )
    if settings.moderator_notify_email:
        await send_mail(
            session,
            settings,
            submission_id,
            settings.moderator_notify_email,
            f"New suggestion {reference} waiting",
            f"A suggestion is waiting: {settings.public_base_url.rstrip('/')}/moderate/submissions/{reference}\n",
            reply_to=valid.submitter.email,
        )
