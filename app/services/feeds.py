"""The Atom feed of approved changes: everywhere, in one area, or on one theme.

Entries are revisions written by moderators (approvals and reverts), newest first, each saying
which fields changed. The XML is built with ElementTree, which escapes every value, so text
from a suggestion can never become markup in a feed reader.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from urllib.parse import urlencode, urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound
from app.queries import moderation as moderation_q
from app.queries.moderation import FeedRow
from app.services.moderation_queue import vocabulary_labels
from app.services.record_diff import diff_records
from app.services.submission_fields import clean

ATOM = "http://www.w3.org/2005/Atom"
FEED_LIMIT = 50
MEDIA_TYPE = "application/atom+xml"


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _sub(parent: ET.Element, tag: str, value: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if value is not None:
        element.text = value
    return element


async def resolve_filters(session: AsyncSession, area: str, theme: str) -> str:
    """The feed's title suffix; ``NotFound`` for an unknown area or theme code."""
    suffix = ""
    if area:
        name = await moderation_q.area_name(session, area)
        if name is None:
            raise NotFound(f"No area has the code {area[:12]!r}")
        suffix = f" in {name}"
    if theme:
        label = await moderation_q.theme_label(session, theme)
        if label is None:
            raise NotFound(f"No theme has the code {theme[:40]!r}")
        suffix += f" on {label.lower()}"
    return suffix


async def changes_feed(
    session: AsyncSession, base_url: str, area: str = "", theme: str = ""
) -> bytes:
    """The Atom document (UTF-8 bytes) of the latest approved changes matching the filters."""
    area = clean(area, single_line=True).upper()[:12]
    theme = clean(theme, single_line=True)[:60]
    suffix = await resolve_filters(session, area, theme)
    rows = await moderation_q.feed_rows(session, area, theme, FEED_LIMIT)
    kinds, themes = await vocabulary_labels(session)
    base = base_url.rstrip("/")
    host = urlsplit(base).hostname or "localhost"
    query = urlencode({k: v for k, v in (("area", area), ("theme", theme)) if v})
    self_url = f"{base}/feeds/changes.atom" + (f"?{query}" if query else "")

    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "id", f"tag:{host},2025:changes" + (f"?{query}" if query else ""))
    _sub(feed, "title", f"Partnerships Map: approved changes{suffix}")
    _sub(feed, "subtitle", "Corrections, additions and closures approved by the moderators")
    _sub(feed, "link", rel="self", href=self_url, type=MEDIA_TYPE)
    _sub(feed, "link", rel="alternate", href=f"{base}/", type="text/html")
    _sub(feed, "updated", _iso(rows[0].created_at) if rows else "2025-01-01T00:00:00Z")
    author = _sub(feed, "author")
    _sub(author, "name", "Partnerships Map moderators")
    for row in rows:
        feed.append(_entry(row, base, host, kinds, themes))
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document


def _entry(
    row: FeedRow, base: str, host: str, kinds: dict[str, str], themes: dict[str, str]
) -> ET.Element:
    snapshot = dict(row.snapshot)
    previous = dict(row.previous) if row.previous else None
    diff = diff_records(previous, snapshot, kinds, themes)
    entry = ET.Element(f"{{{ATOM}}}entry")
    if row.partnership_id is not None:
        name = snapshot.get("name") or "A partnership"
        link = f"{base}/partnerships/{snapshot.get('slug')}"
        title = f"{name}: {row.change}"
    else:
        link = f"{base}/areas/{row.area_code}"
        title = f"{row.area_name or row.area_code}: {row.change}"
    _sub(entry, "id", f"tag:{host},2025:revision/{row.id}")
    _sub(entry, "title", title)
    _sub(entry, "link", rel="alternate", href=link, type="text/html")
    if row.partnership_id is not None:
        _sub(entry, "link", rel="related", href=f"{link}/history", type="text/html")
    _sub(entry, "updated", _iso(row.created_at))
    lines = [f"Version {row.version}."]
    if previous is None:
        lines.append("New record.")
        described = snapshot.get("body") or snapshot.get("summary")
        if described:
            lines.append(str(described))
    else:
        for f in diff.fields:
            if f.changed:
                lines.append(f"{f.label}: {f.old or '(none)'} → {f.new or '(none)'}")
        for c in diff.lists:
            if c.added:
                lines.append(f"{c.label} added: {'; '.join(c.added)}")
            if c.removed:
                lines.append(f"{c.label} removed: {'; '.join(c.removed)}")
            for old, new in c.changed:
                lines.append(f"{c.label} changed: {old} → {new}")
    _sub(entry, "summary", "\n".join(lines), type="text")
    for code in snapshot.get("themes") or []:
        _sub(entry, "category", term=code, label=themes.get(code, code))
    return entry
