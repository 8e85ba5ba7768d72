"""Importers, one per source, and the order they run in (later ones join to earlier ones)."""

from __future__ import annotations

import importlib

from app.ingest.base import Importer

# Order matters: schools need areas, postcodes and trusts; partnerships and landscape need areas;
# membership needs partnerships, schools and trusts.
IMPORTER_MODULES = (
    "boundaries",
    "postcodes",
    "trusts",
    "schools",
    "neighbours",
    "statistics",
    "partnerships",
    "landscape",
    "membership",
)


def get_importer(name: str) -> Importer:
    """The importer called ``name``; ValueError for an unknown name."""
    if name not in IMPORTER_MODULES:
        raise ValueError(f"unknown source {name!r}; choose from {', '.join(IMPORTER_MODULES)}")
    module = importlib.import_module(f"app.ingest.{name}")
    importer: Importer = module.IMPORTER
    return importer


def all_importers() -> list[Importer]:
    """Every importer, in dependency order."""
    return [get_importer(name) for name in IMPORTER_MODULES]
