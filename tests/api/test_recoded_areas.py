"""Barnsley and Sheffield, recoded in 2025, are reached under either code."""

from __future__ import annotations

import httpx
import pytest

from app.codes import RECODED_2025
from app.recodes import stored_path


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/areas/E08000039", "/areas/E08000019"),
        ("/areas/e08000038/similar", "/areas/E08000016/similar"),
        ("/api/v1/areas/E08000039/gaps", "/api/v1/areas/E08000019/gaps"),
        (
            "/downloads/areas/E08000039/partnerships.csv",
            "/downloads/areas/E08000019/partnerships.csv",
        ),
    ],
)
def test_a_2025_code_in_a_path_becomes_the_stored_code(path: str, target: str) -> None:
    assert stored_path(path) == target


@pytest.mark.parametrize(
    "path", ["/areas/E08000019", "/areas", "/partnerships/E08000039", "/api/v1/areas/E0800003"]
)
def test_other_paths_are_left_alone(path: str) -> None:
    assert stored_path(path) is None


async def test_the_2025_code_redirects_to_the_area_page(client: httpx.AsyncClient) -> None:
    r = await client.get("/areas/E08000039?tab=landscape")
    assert r.status_code == 308
    assert r.headers["location"] == "/areas/E08000019?tab=landscape"
    page = await client.get(r.headers["location"])
    assert page.status_code == 200
    assert "Sheffield" in page.text


async def test_the_api_follows_both_codes_to_one_area(client: httpx.AsyncClient) -> None:
    for new, stored in RECODED_2025.items():
        r = await client.get(f"/api/v1/areas/{new}", follow_redirects=True)
        assert r.status_code == 200, r.text[:300]
        assert r.json()["area"]["code"] == stored


async def test_a_comparison_accepts_the_2025_codes(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/compare", params={"areas": "E08000039,E08000038"})
    assert r.status_code == 200, r.text[:300]
    codes = [a["code"] for a in r.json()["areas"]]
    assert codes == ["E08000019", "E08000016"]
