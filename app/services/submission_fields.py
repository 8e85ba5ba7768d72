"""Cleaning and checking single fields of a suggestion: text, web links, URLs, emails, years, dates.

Messages are collected in ``Errors`` by field path, so the form and the API report the same ones.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from app.errors import InvalidInput
from app.schemas import (
    whole_number,
)
from app.services.records import CONTROL_CHARS, LINK, MAX_EMAIL, MAX_URL
from app.text import one_line


class Errors:
    """Field errors collected in order, each with the path of the field (``proposed.name``)."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, path: str, message: str) -> None:
        """Record one message for one field (the first message for a field wins)."""
        if not any(e["field"] == path for e in self.items):
            self.items.append({"field": path, "message": message})

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        """``InvalidInput`` with every message, when there are any."""
        if self.items:
            raise InvalidInput("There is a problem with your answers", self.items)


def clean(value: str | None, single_line: bool = False) -> str:
    """Text without control characters, with tidy line ends and spaces, trimmed."""
    if value is None:
        return ""
    text_ = CONTROL_CHARS.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    if single_line:
        text_ = one_line(text_)
    return text_.strip()


def count_links(value: str) -> int:
    """How many web links a piece of text holds."""
    return len(LINK.findall(value))


def checked_text(
    errors: Errors,
    path: str,
    value: str | None,
    label: str,
    *,
    max_len: int,
    required: str | None = None,
    max_links: int = 0,
    single_line: bool = True,
) -> str | None:
    """A free-text answer cleaned and checked for presence, length and links; errors go to ``errors``."""
    result = clean(value, single_line=single_line)
    if not result:
        if required:
            errors.add(path, required)
        return None
    if len(result) > max_len:
        errors.add(
            path, f"{label} must be {max_len:,} characters or fewer (you gave {len(result):,})"
        )
    links = count_links(result)
    if links > max_links:
        if max_links == 0:
            errors.add(path, f"{label} must not contain web links")
        else:
            errors.add(
                path, f"{label} can contain at most {max_links} web links (you gave {links})"
            )
    return result


def check_url(errors: Errors, path: str, value: str | None) -> str | None:
    """A web address starting ``http(s)://`` (``https://`` is added to a bare domain)."""
    url = clean(value, single_line=True)
    if not url:
        return None
    if "://" not in url and " " not in url and "." in url:
        url = f"https://{url}"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:  # e.g. an unclosed IPv6 bracket, "https://[::1/"
        host = ""
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or "." not in host or " " in url or len(url) > MAX_URL:
        errors.add(path, "Enter a web address in the right format, like https://example.org.uk")
        return None
    return url


def check_email(errors: Errors, path: str, value: str | None, required: str | None) -> str | None:
    """An email address in the right format."""
    address = clean(value, single_line=True)
    if not address:
        if required:
            errors.add(path, required)
        return None
    if len(address) > MAX_EMAIL:
        errors.add(path, f"Email address must be {MAX_EMAIL} characters or fewer")
        return None
    try:
        return str(validate_email(address, check_deliverability=False).normalized)
    except EmailNotValidError:
        errors.add(path, "Enter an email address in the right format, like name@example.org")
        return None


def check_year(errors: Errors, path: str, value: int | str | None) -> int | None:
    """A year between 1800 and next year."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    latest = dt.date.today().year + 1
    text_ = str(value).strip()
    year = whole_number(text_, 4) if len(text_) == 4 else None
    if year is None:
        errors.add(path, "Enter the year as 4 digits, like 2016")
        return None
    if not 1800 <= year <= latest:
        errors.add(path, f"The year must be between 1800 and {latest}")
        return None
    return year


def check_date(errors: Errors, path: str, value: str | None, label: str) -> str | None:
    """A date as YYYY-MM-DD (or DD/MM/YYYY), returned as YYYY-MM-DD."""
    text_ = clean(value, single_line=True)
    if not text_:
        return None
    day: dt.date | None = None
    try:
        day = dt.date.fromisoformat(text_)
    except ValueError:
        try:
            day = dt.datetime.strptime(text_, "%d/%m/%Y").date()
        except ValueError:
            day = None
    if day is None or not 1900 <= day.year <= 2100:
        errors.add(path, f"{label} must be a real date, like 2024-09-01")
        return None
    return day.isoformat()
