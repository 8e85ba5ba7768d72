"""The import map: every ES module at a fingerprinted URL, allowed by the CSP, cached as immutable."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import urllib.parse

import httpx

from app.compression import precompress
from app.settings import PROJECT_ROOT

STATIC = PROJECT_ROOT / "static"
IMPORT_MAP = re.compile(r'<script type="importmap">(.*?)</script>', re.S)
IMPORT_FROM = re.compile(r"""^import [^;]*? from '([^']+)';""", re.M)
IMMUTABLE = "public, max-age=31536000, immutable"


def page_import_map(html: str) -> tuple[str, dict[str, str]]:
    """The import map's text as the page carries it, and its imports."""
    found = IMPORT_MAP.findall(html)
    assert len(found) == 1, "a page carries exactly one import map"
    return found[0], json.loads(found[0])["imports"]


async def test_every_module_is_mapped_to_its_content_hash(client: httpx.AsyncClient) -> None:
    _text, imports = page_import_map((await client.get("/")).text)
    modules = sorted(p.relative_to(STATIC).as_posix() for p in (STATIC / "js").rglob("*.js"))
    assert "js/main.js" in modules and "js/map/app.js" in modules
    assert sorted(imports) == [f"/static/{m}" for m in modules]
    for module in modules:
        digest = hashlib.sha256((STATIC / module).read_bytes()).hexdigest()[:10]
        assert imports[f"/static/{module}"] == f"/static/{module}?v={digest}"


async def test_every_relative_import_resolves_to_a_mapped_module(
    client: httpx.AsyncClient,
) -> None:
    _text, imports = page_import_map((await client.get("/")).text)
    seen = 0
    for url in imports:
        source = (STATIC / url.removeprefix("/static/")).read_text()
        for specifier in IMPORT_FROM.findall(source):
            assert specifier.startswith("."), f"{url} imports {specifier} by a bare name"
            assert urllib.parse.urljoin(url, specifier) in imports, (url, specifier)
            seen += 1
    assert seen > 20  # main.js alone wires a dozen modules


async def test_the_csp_allows_the_import_map_by_its_hash(client: httpx.AsyncClient) -> None:
    for path in ("/", "/embed", "/about"):
        r = await client.get(path)
        text, _imports = page_import_map(r.text)
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        policy = r.headers["content-security-policy"]
        assert f"script-src 'self' 'sha256-{digest}'" in policy
        assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]


async def test_the_map_pages_load_main_and_preload_its_modules(client: httpx.AsyncClient) -> None:
    for path in ("/", "/embed"):
        html = (await client.get(path)).text
        _text, imports = page_import_map(html)
        assert f'<script type="module" src="{imports["/static/js/main.js"]}">' in html
        for module in ("main.js", "map/app.js", "map/layers/areas.js", "lib/dom.js"):
            assert f'<link rel="modulepreload" href="{imports[f"/static/js/{module}"]}">' in html
        assert "js/map.js" not in html


async def test_every_mapped_module_is_served_compressed_and_immutable(
    client: httpx.AsyncClient,
) -> None:
    precompress(STATIC)
    _text, imports = page_import_map((await client.get("/")).text)
    for plain, url in imports.items():
        body = (STATIC / plain.removeprefix("/static/")).read_bytes()
        r = await client.get(url, headers={"Accept-Encoding": "br, gzip"})
        assert r.status_code == 200, url
        assert r.headers["cache-control"] == IMMUTABLE, url
        assert r.headers["content-type"].startswith("text/javascript"), url
        assert r.headers["x-content-type-options"] == "nosniff", url
        assert "content-security-policy" not in r.headers, url  # a policy is for documents
        if len(body) >= 512:  # smaller files are not worth compressing
            assert r.headers["content-encoding"] == "br", url
        assert r.content == body, url
