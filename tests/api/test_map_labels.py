"""The map's scripts read their words from the page, which carries the server's own vocabulary."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import httpx

from app.maplabels import COVERAGE_MEASURES
from app.services.currency import CURRENCY_LABELS, CURRENCY_TITLES, currency_label
from app.services.landscape import ROLE_LABELS
from app.settings import PROJECT_ROOT

LABELS = re.compile(r'<script type="application/json" id="map-labels">(.*?)</script>', re.S)
SCRIPTS = PROJECT_ROOT / "static" / "js"


async def page_labels(client: httpx.AsyncClient, path: str) -> dict[str, Any]:
    """The labels a page carries for its scripts."""
    r = await client.get(path)
    assert r.status_code == 200
    found = LABELS.findall(r.text)
    assert len(found) == 1, f"{path} carries no map labels"
    labels: dict[str, Any] = json.loads(found[0])
    return labels


async def test_the_map_pages_carry_the_servers_vocabulary(client: httpx.AsyncClient) -> None:
    landscape = (await client.get("/api/v1/landscape")).json()
    for path in ("/", "/embed"):
        labels = await page_labels(client, path)
        # The same words the landscape API gives the popups, as a reader sees them.
        assert labels["council_roles"] == ROLE_LABELS == landscape["council_roles"]
        assert labels["council_roles"]["traded_company"] == "Traded company"
        currency = labels["currency"]
        assert currency["labels"] == CURRENCY_LABELS and currency["titles"] == CURRENCY_TITLES
        assert currency["labels"]["ended"] == "Ended"
        dated = currency["unconfirmed_since"].replace("{year}", "2015")
        assert dated == currency_label("unconfirmed", 2015) == "Unconfirmed since 2015"
        assert labels["coverage"] == COVERAGE_MEASURES


async def test_the_coverage_choices_read_real_fields_and_name_the_select(
    client: httpx.AsyncClient,
) -> None:
    page = (await client.get("/")).text
    coverage = (await client.get("/api/v1/coverage")).json()
    row = coverage["local_authorities"][0]
    for code, measure in (await page_labels(client, "/"))["coverage"].items():
        assert (
            f'<option value="{code}">{html.escape(measure["title"], quote=False)}</option>' in page
        )
        assert f"{measure['field']}_share" in row and f"{measure['field']}_schools" in row


async def test_the_scripts_copy_none_of_the_words(client: httpx.AsyncClient) -> None:
    labels = await page_labels(client, "/")
    words = [
        *labels["council_roles"].values(),
        *labels["currency"]["labels"].values(),
        *labels["currency"]["titles"].values(),
        *(m[key] for m in labels["coverage"].values() for key in ("title", "note", "heading")),
    ]
    assert len(words) > 12
    for script in SCRIPTS.rglob("*.js"):
        source = script.read_text()
        copied = [w for w in words if f"'{w}'" in source or f"`{w}" in source]
        assert copied == [], f"{script.relative_to(PROJECT_ROOT)} copies {copied}"
