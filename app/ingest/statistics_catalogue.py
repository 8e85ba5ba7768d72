"""The indicators the statistics importer publishes, read once from ``geodata/indicators.json``.

The catalogue is project data. ``lait_measures``: which LAIT measure (by its short code) becomes
which indicator, in which unit and topic, from which publication, whether it is in the default
similarity set, and, where LAIT's own wording or polarity does not fit, our label and polarity.
``iod_indicators`` and ``mysociety_indicators``: the indicators made from IoD 2019 and from
mySociety's files, each described in full (label, description, unit, polarity, topic, source,
period, default similarity); how their values are read stays with their importers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from app.ingest.base import ImportFailed
from app.ingest.statistics_parsing import IndicatorSpec
from app.models import POLARITIES
from app.settings import PROJECT_ROOT

INDICATORS_PATH = PROJECT_ROOT / "geodata" / "indicators.json"

_TEXT_FIELDS = ("code", "short_desc", "unit", "topic", "publication")
_OPTIONAL_TEXT_FIELDS = ("label", "polarity")
_SPEC_TEXT_FIELDS = (
    "code",
    "label",
    "description",
    "unit",
    "polarity",
    "topic",
    "source",
    "period",
)


@dataclass(frozen=True)
class LaitMeasure:
    """A LAIT measure we publish: our slug and unit; label and polarity default to LAIT's."""

    code: str
    short_desc: str
    unit: str
    topic: str
    publication: str
    in_default_similarity: bool = False
    label: str | None = None
    polarity: str | None = None


def _required_text(entry: dict[str, object], keys: tuple[str, ...], where: str) -> dict[str, str]:
    """The entry's non-blank text fields named by ``keys``; ImportFailed names the first missing."""
    text: dict[str, str] = {}
    for key in keys:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ImportFailed(f"{where}: {key} must be text in {entry!r}")
        text[key] = value
    return text


def _measure(entry: object, name: str) -> LaitMeasure:
    """One catalogue entry, checked; ImportFailed says what is wrong with it."""
    if not isinstance(entry, dict):
        raise ImportFailed(f"{name}: lait_measures: {entry!r} is not an object")
    unknown = sorted(set(entry) - {*_TEXT_FIELDS, *_OPTIONAL_TEXT_FIELDS, "in_default_similarity"})
    if unknown:
        raise ImportFailed(f"{name}: lait_measures: unknown fields {unknown} in {entry!r}")
    text = _required_text(entry, _TEXT_FIELDS, f"{name}: lait_measures")
    optional: dict[str, str | None] = {}
    for key in _OPTIONAL_TEXT_FIELDS:
        value = entry.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ImportFailed(f"{name}: lait_measures: {key} must be text in {entry!r}")
        optional[key] = value
    if optional["polarity"] is not None and optional["polarity"] not in POLARITIES:
        raise ImportFailed(f"{name}: lait_measures: {text['code']}: unknown polarity")
    similarity = entry.get("in_default_similarity", False)
    if not isinstance(similarity, bool):
        raise ImportFailed(
            f"{name}: lait_measures: {text['code']}: in_default_similarity must be true/false"
        )
    return LaitMeasure(
        code=text["code"],
        short_desc=text["short_desc"],
        unit=text["unit"],
        topic=text["topic"],
        publication=text["publication"],
        in_default_similarity=similarity,
        label=optional["label"],
        polarity=optional["polarity"],
    )


def read_catalogue(path: Path = INDICATORS_PATH) -> dict[str, object]:
    """The catalogue file as JSON; ImportFailed when it is missing or not a JSON object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ImportFailed(f"missing indicator catalogue: {path}") from exc
    except json.JSONDecodeError as exc:
        raise ImportFailed(f"{path.name}: not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ImportFailed(f"{path.name}: expected a JSON object")
    return data


def lait_measures(data: dict[str, object], name: str) -> tuple[LaitMeasure, ...]:
    """The catalogue's LAIT measures, checked, in file order."""
    entries = data.get("lait_measures")
    if not isinstance(entries, list) or not entries:
        raise ImportFailed(f"{name}: 'lait_measures' must be a non-empty list")
    measures = tuple(_measure(entry, name) for entry in entries)
    for key in ("code", "short_desc"):
        seen = [getattr(m, key) for m in measures]
        twice = sorted({v for v in seen if seen.count(v) > 1})
        if twice:
            raise ImportFailed(f"{name}: lait_measures: {key} appears twice: {twice}")
    return measures


def _spec(entry: object, name: str, section: str) -> IndicatorSpec:
    """One fully described indicator, checked; ImportFailed says what is wrong with it."""
    if not isinstance(entry, dict):
        raise ImportFailed(f"{name}: {section}: {entry!r} is not an object")
    unknown = sorted(set(entry) - {*_SPEC_TEXT_FIELDS, "in_default_similarity"})
    if unknown:
        raise ImportFailed(f"{name}: {section}: unknown fields {unknown} in {entry!r}")
    text = _required_text(entry, _SPEC_TEXT_FIELDS, f"{name}: {section}")
    if text["polarity"] not in POLARITIES:
        raise ImportFailed(f"{name}: {section}: {text['code']}: unknown polarity")
    similarity = entry.get("in_default_similarity")
    if not isinstance(similarity, bool):
        raise ImportFailed(
            f"{name}: {section}: {text['code']}: in_default_similarity must be true/false"
        )
    return IndicatorSpec(in_default_similarity=similarity, **text)


def indicator_specs(data: dict[str, object], name: str, section: str) -> dict[str, IndicatorSpec]:
    """A section of fully described indicators, by code, in file order; codes unique."""
    entries = data.get(section)
    if not isinstance(entries, list) or not entries:
        raise ImportFailed(f"{name}: '{section}' must be a non-empty list")
    specs: dict[str, IndicatorSpec] = {}
    for entry in entries:
        spec = _spec(entry, name, section)
        if spec.code in specs:
            raise ImportFailed(f"{name}: {section}: {spec.code} appears twice")
        specs[spec.code] = spec
    return specs


def _catalogue(
    path: Path = INDICATORS_PATH,
) -> tuple[tuple[LaitMeasure, ...], dict[str, IndicatorSpec], dict[str, IndicatorSpec]]:
    """Every section of the catalogue, read and checked once; an indicator code names one."""
    data = read_catalogue(path)
    lait = lait_measures(data, path.name)
    iod = indicator_specs(data, path.name, "iod_indicators")
    mysociety = indicator_specs(data, path.name, "mysociety_indicators")
    codes = [m.code for m in lait] + [*iod, *mysociety]
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        raise ImportFailed(f"{path.name}: indicator codes in more than one section: {twice}")
    return lait, iod, mysociety


LAIT_MEASURES, IOD_INDICATORS, MYSOCIETY_INDICATORS = _catalogue()
