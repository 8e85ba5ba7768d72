"""The partnership vocabulary: kinds and themes, kept as data (``partnership_kind``, ``theme``).

Every part of the service that needs kinds or themes (filters, forms, moderation, feeds, the
similar-areas page, the API) reads them through ``load_vocabulary``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class Kind:
    """A kind of partnership; national programmes can be shown or hidden as a group."""

    code: str
    label: str
    description: str | None
    is_national: bool
    network_size: int | None = None
    network_size_approx: bool = False
    network_size_source: str | None = None
    recorded: int = 0  # records of this kind that have not ended


@dataclass(frozen=True)
class Theme:
    """A theme a partnership works on."""

    code: str
    label: str
    description: str | None


@dataclass(frozen=True)
class Vocabulary:
    """Kinds (local before national, then by label) and themes (by label)."""

    kinds: tuple[Kind, ...]
    themes: tuple[Theme, ...]

    @property
    def kind_labels(self) -> dict[str, str]:
        """Kind labels by code, in the vocabulary's order."""
        return {k.code: k.label for k in self.kinds}

    @property
    def theme_labels(self) -> dict[str, str]:
        """Theme labels by code, in label order."""
        return {t.code: t.label for t in self.themes}


_KINDS = text(
    "SELECT k.code, k.label, k.description, k.is_national, k.network_size,"
    " k.network_size_approx, k.network_size_source,"
    " (SELECT count(*) FROM partnership p WHERE p.kind = k.code AND p.currency <> 'ended')"
    " AS recorded"
    " FROM partnership_kind k ORDER BY k.is_national, k.label"
)
_THEMES = text("SELECT code, label, description FROM theme ORDER BY label")


async def load_vocabulary(session: AsyncSession) -> Vocabulary:
    """Every kind and theme, with labels and descriptions."""
    kinds = (await session.execute(_KINDS)).all()
    themes = (await session.execute(_THEMES)).all()
    return Vocabulary(
        kinds=tuple(
            Kind(
                r.code,
                r.label,
                r.description,
                bool(r.is_national),
                r.network_size,
                bool(r.network_size_approx),
                r.network_size_source,
                int(r.recorded),
            )
            for r in kinds
        ),
        themes=tuple(Theme(r.code, r.label, r.description) for r in themes),
    )


@dataclass(frozen=True)
class AreaChoice:
    """An area a form may offer, with its parent and region codes."""

    code: str
    name: str
    level: str
    parent_code: str | None
    region_code: str | None


async def form_areas(session: AsyncSession) -> list[AreaChoice]:
    """Every area, by name, for the suggestion forms."""
    rows = await session.execute(
        text("SELECT code, name, level, parent_code, region_code FROM area ORDER BY name, code")
    )
    return [AreaChoice(r.code, r.name, r.level, r.parent_code, r.region_code) for r in rows]
