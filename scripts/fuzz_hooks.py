"""Schemathesis hooks for ``make fuzz``: real identifiers, so generated cases get past the 404s
and validation and reach the code behind them.

Before the schema is used, real values from the running app are written into it: area codes,
partnership slugs, school URNs, trust UIDs and indicator codes as examples of path parameters;
in the suggestion body, enumerations of real area codes, kinds and themes; boxes around real
schools as the bounding boxes of school and trust points, and real upper-tier codes for
comparisons. The app's own document declares the formats; what it cannot say (a box's corners in
order and small enough, codes that exist) would otherwise make nearly every generated request a
422 or 404, and Schemathesis would rightly warn that its cases never reach the code behind the
validation. Values outside these are still generated in negative cases.
"""

from __future__ import annotations

import json
import os
import urllib.request
from typing import Any

import schemathesis

BASE = os.environ["FUZZ_BASE_URL"].rstrip("/")


def _get(path: str) -> Any:
    with urllib.request.urlopen(BASE + path, timeout=60) as response:
        return json.load(response)


def _real_values() -> dict[str, list[Any]]:
    vocab = _get("/api/v1/vocabulary")
    las = _get("/api/v1/areas?level=local_authority&zoom=6")["features"]
    partnerships = _get("/api/v1/partnerships")["features"]
    schools = _get("/api/v1/schools?bbox=-0.2,51.45,0.0,51.55")["features"]
    boxes = [
        ",".join(f"{v:.3f}" for v in (x - 0.05, y - 0.05, x + 0.05, y + 0.05))
        for x, y in (f["geometry"]["coordinates"] for f in schools[:20])
    ]
    trusts = _get("/api/v1/trusts?bbox=-2.5,52.0,-1.0,53.0")["features"]
    indicators = _get("/api/v1/indicators")["indicators"]
    return {
        "areas": [f["properties"]["code"] for f in las][:60],
        "slugs": [f["properties"]["slug"] for f in partnerships][:60],
        "urns": [f["properties"]["urn"] for f in schools][:40],
        "uids": [f["properties"]["uid"] for f in trusts][:40],
        "kinds": [k["code"] for k in vocab["kinds"]],
        "themes": [t["code"] for t in vocab["themes"]],
        "indicators": [i["code"] for i in indicators][:30],
        "boxes": boxes,
    }


def _param(operation: dict[str, Any], name: str, values: list[Any]) -> None:
    """Real values as examples (not an enumeration: other values stay valid requests)."""
    for parameter in operation.get("parameters", []):
        if parameter["name"] == name and values:
            parameter["examples"] = {f"real{i}": {"value": v} for i, v in enumerate(values)}


def _real_only(
    operation: dict[str, Any], name: str, values: list[Any], items: bool = False
) -> None:
    """Real values as the parameter's schema (its items', for an array of 2 or more): positive
    cases are then requests the API can serve, while negative cases still
    stray outside them."""
    for parameter in operation.get("parameters", []):
        if parameter["name"] == name and values:
            schema = parameter["schema"]
            if items:
                schema.update(items={"enum": values}, minItems=2)
            else:
                schema.clear()
                schema.update(type="string", enum=values)


@schemathesis.hook
def before_load_schema(context: Any, raw_schema: dict[str, Any]) -> None:
    """Write real identifiers into the schema as enumerations."""
    del context
    real = _real_values()
    paths = raw_schema["paths"]
    for path, operations in paths.items():
        for operation in operations.values():
            if path.startswith("/api/v1/areas/{code}"):
                _param(operation, "code", real["areas"])
            if path.startswith("/api/v1/indicators/{code}"):
                _param(operation, "code", real["indicators"])
            if path in ("/api/v1/schools", "/api/v1/trusts"):
                _real_only(operation, "bbox", real["boxes"])
            if path == "/api/v1/compare":
                _real_only(operation, "areas", real["areas"], items=True)
            _param(operation, "slug", real["slugs"])
            _param(operation, "urn", real["urns"])
            _param(operation, "uid", real["uids"])
    body = paths["/api/v1/submissions"]["post"]["requestBody"]["content"]["application/json"]
    schema = body["schema"]["properties"]
    schema["kind"]["enum"] = ["new", "amend", "close", "landscape"]
    schema["area"] = {"anyOf": [{"enum": real["areas"]}, {"type": "null"}]}
    schema["partnership"] = {"anyOf": [{"enum": real["slugs"]}, {"type": "null"}]}
    proposed = schema["proposed"]["properties"]
    proposed["areas_served"]["items"] = {"enum": real["areas"]}
    proposed["themes"]["items"] = {"enum": real["themes"]}
    proposed["kind"] = {"anyOf": [{"enum": real["kinds"]}, {"type": "null"}]}
    submitter = {"name": "Fuzz Tester", "email": "fuzz@example.org"}
    body["examples"] = {
        "new": {
            "value": {
                "kind": "new",
                "proposed": {
                    "name": "Example schools partnership",
                    "kind": real["kinds"][0],
                    "themes": real["themes"][:2],
                    "summary": "Schools in the area sharing teaching and training.",
                    "areas_served": real["areas"][:1],
                    "status": "active",
                },
                "submitter": submitter,
                "evidence": "I coordinate it",
            }
        },
        "landscape": {
            "value": {
                "kind": "landscape",
                "area": real["areas"][0],
                "proposed": {
                    "body": "Schools here work together through a local partnership.",
                    "council_role": "in_house_team",
                },
                "submitter": submitter,
                "evidence": "I work for the council",
            }
        },
    }
