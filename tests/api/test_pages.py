"""Server-rendered pages: each renders, says where its facts come from, and escapes input."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/", "partnerships"),
        ("/areas", "Combined authorities"),
        ("/areas/E08000019", "Learn Sheffield"),
        ("/areas/E47000004", "Liverpool City Region"),
        ("/areas/E08000019/brief", "partnerships brief"),
        ("/partnerships/learn-sheffield", "Suggest a correction"),
        ("/schools/100000", "The Aldgate School"),
        ("/near?postcode=SW1A+1AA", "Westminster"),
        ("/about", "Open Government Licence"),
        ("/coverage", "Coverage by local authority"),
        ("/search", "Search"),
        ("/embed", "Open in Partnerships Map"),
    ],
)
async def test_page_renders(client: httpx.AsyncClient, path: str, text: str) -> None:
    r = await client.get(path)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    assert text in r.text


async def test_home_list_works_without_javascript(client: httpx.AsyncClient) -> None:
    local = await client.get("/")
    careers = await client.get("/", params={"theme": "careers", "national": "1"})
    assert 'id="partnership-list"' in local.text
    assert 'class="tag national"' not in local.text  # national programmes hidden by default
    assert 'class="tag national">Careers Hub' in careers.text
    none = await client.get("/", params={"q": "zzzzzzzz"})
    assert "No partnerships match" in none.text


async def test_area_profile_shows_sources_and_landscape(client: httpx.AsyncClient) -> None:
    r = await client.get("/areas/E06000036")  # Bracknell Forest: no local partnership recorded
    assert "None recorded yet" in r.text and "No local partnership recorded yet" in r.text
    assert "How school improvement works in Bracknell Forest" in r.text
    assert "Not yet described" not in r.text
    # Cambridge: the register describes councils; a district shows its county's landscape.
    district = await client.get("/areas/E07000008")
    assert "Not yet described" not in district.text
    assert 'responsibility of <a href="/areas/E10000003">Cambridgeshire</a>' in district.text
    assert 'href="/suggest/landscape?area=E10000003"' in district.text
    assert "Office for National Statistics" in r.text
    sheffield = await client.get("/areas/E08000019")
    assert "Statistical neighbours" in sheffield.text
    neighbours = (await client.get("/api/v1/areas/E08000019")).json()["neighbours"]
    assert len(neighbours) == 10
    for n in neighbours:
        assert f'href="/areas/{n["code"]}"' in sheffield.text


async def test_search_page_redirects_or_lists(client: httpx.AsyncClient) -> None:
    r = await client.get("/search", params={"q": "SW1A 1AA"})
    assert r.status_code == 303 and r.headers["location"] == "/near?postcode=SW1A+1AA"
    listed = await client.get("/search", params={"q": "academy"})
    assert listed.status_code == 200 and "Choose one" in listed.text
    nothing = await client.get("/search", params={"q": "qqqqqqqqzzz"})
    assert "Nothing found" in nothing.text


async def test_user_text_is_escaped(client: httpx.AsyncClient) -> None:
    payload = "<script>alert(1)</script>"
    r = await client.get("/search", params={"q": payload})
    assert payload not in r.text
    assert "&lt;script&gt;" in r.text


@pytest.mark.parametrize(
    "path",
    ["/areas/E99999999", "/partnerships/nope", "/schools/999999", "/trusts/9999999", "/nowhere"],
)
async def test_not_found_pages(client: httpx.AsyncClient, path: str) -> None:
    r = await client.get(path)
    assert r.status_code == 404
    assert "Try a" in r.text  # the error page says what to do next


async def test_security_headers(client: httpx.AsyncClient) -> None:
    r = await client.get("/")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "SAMEORIGIN"
    embed = await client.get("/embed")
    assert "frame-ancestors *" in embed.headers["content-security-policy"]
    assert "x-frame-options" not in embed.headers
    assert embed.headers["x-robots-tag"] == "noindex"
