"""What membership matching reads from the database: partnerships, open schools and trusts, indexed
by normalised name and area, and the member rows matching produces.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from app.ingest.base import Context, ImportFailed
from app.ingest.common import statement
from app.ingest.partnerships_store import moderated_partnerships
from app.text import one_line

# A bracketed note at the end of a name, such as "(URN 123456)" or "(lead school)".
TRAILING_NOTE = re.compile(r"\s*\([^()]*\)\s*$")
# Words that only say what sort of body it is, dropped so 'X Ltd' and 'X Limited' compare equal.
_LEGAL_SUFFIX = re.compile(r"\b(limited|ltd|plc|cic)\b")


def normalise_name(name: str) -> str:
    """A name reduced for comparison: case, accents, '&', punctuation, 'the', 'Ltd' and any
    trailing parenthetical note ignored ('The X Trust (charity)' equals 'X TRUST')."""
    text = name
    while TRAILING_NOTE.search(text):
        text = TRAILING_NOTE.sub("", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ").replace("'", "").replace("\u2019", "")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = _LEGAL_SUFFIX.sub(" ", text)
    text = re.sub(r"^the\s+", "", text.strip())
    return one_line(text)


@dataclass(frozen=True)
class PartnershipRef:
    """A partnership as matching needs it."""

    id: int
    name: str
    kind: str
    lead: str | None
    areas: tuple[str, ...]
    moderated: bool


@dataclass(frozen=True)
class SchoolRef:
    """An open school as matching needs it."""

    urn: int
    name: str
    la_code: str | None
    district_code: str | None
    trust_uid: int | None


@dataclass(frozen=True)
class TrustRef:
    """A GIAS group as matching needs it."""

    uid: int
    name: str
    group_type: str


@dataclass
class World:
    """Partnerships, schools and trusts, indexed for matching."""

    partnerships: dict[int, PartnershipRef]
    by_name: dict[str, PartnershipRef]
    schools: dict[int, SchoolRef]
    trusts: dict[int, TrustRef]
    # area code (LA or district) -> normalised name -> candidates
    school_names: dict[str, dict[str, set[int]]] = field(default_factory=dict)
    trust_names: dict[str, dict[str, set[int]]] = field(default_factory=dict)
    district_la: dict[str, str] = field(default_factory=dict)

    def areas_for(self, codes: tuple[str, ...]) -> set[str]:
        """The codes themselves and, for a district, its LA (a trust's footprint is by LA)."""
        found = set(codes)
        found |= {self.district_la[c] for c in codes if c in self.district_la}
        return found

    def school_candidates(self, name: str, codes: tuple[str, ...]) -> set[int]:
        """Open schools in these areas whose normalised name is ``name``."""
        return {u for c in codes for u in self.school_names.get(c, {}).get(name, set())}

    def trust_candidates(self, name: str, codes: tuple[str, ...]) -> set[int]:
        """Trusts with a school or their head office in these areas, named ``name``."""
        return {
            u for c in self.areas_for(codes) for u in self.trust_names.get(c, {}).get(name, set())
        }


def load_world(ctx: Context) -> World:
    """Read what matching needs from the database; ImportFailed when an input is missing."""
    conn = ctx.conn
    moderated = moderated_partnerships(conn)
    partnerships = {
        row[0]: PartnershipRef(row[0], row[1], row[2], row[3], tuple(row[4]), row[0] in moderated)
        for row in conn.execute(statement("membership_partnerships"))
    }
    if not partnerships:
        raise ImportFailed("membership: no partnerships; import partnerships first")
    schools = {
        urn: SchoolRef(urn, name, la, district, trust)
        for urn, name, la, district, trust in conn.execute(
            "SELECT urn, name, la_code, district_code, trust_uid FROM school"
        )
    }
    if not schools:
        raise ImportFailed("membership: no schools; import schools first")
    trusts = {
        uid: TrustRef(uid, name, group_type)
        for uid, name, group_type in conn.execute("SELECT uid, name, group_type FROM trust")
    }
    world = World(partnerships, {p.name: p for p in partnerships.values()}, schools, trusts)
    for school in schools.values():
        key = normalise_name(school.name)
        for code in (school.la_code, school.district_code):
            if code:
                world.school_names.setdefault(code, {}).setdefault(key, set()).add(school.urn)
    # A trust belongs to each LA where it has a school, and to its head office's LA.
    for uid, la_code in conn.execute(statement("membership_trust_areas")):
        if uid in trusts:
            key = normalise_name(trusts[uid].name)
            world.trust_names.setdefault(la_code, {}).setdefault(key, set()).add(uid)
    world.district_la = dict(
        conn.execute(
            "SELECT code, parent_code FROM area WHERE level = 'district' AND parent_code IS NOT NULL"
        ).fetchall()
    )
    return world


@dataclass(frozen=True)
class Member:
    """A member row to write."""

    partnership_id: int
    member_type: str
    name: str
    urn: int | None
    trust_uid: int | None
    area_code: str | None
    role: str
    origin: str
