"""The declared dependencies match what the code imports; the web app needs no import-only stack."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

from app.cli import INGEST_STACK
from app.settings import PROJECT_ROOT

# Import name -> the distribution that provides it, where the two differ.
DISTRIBUTION = {
    "argon2": "argon2-cffi",
    "email_validator": "email-validator",
    "pydantic_settings": "pydantic-settings",
    "starlette": "fastapi",  # FastAPI depends on Starlette and pins its version
}


def _declared() -> tuple[set[str], dict[str, set[str]]]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]

    def names(specs: list[str]) -> set[str]:
        return {spec.split("[")[0].split(">")[0].split("=")[0].strip().lower() for spec in specs}

    extras = {k: names(v) for k, v in project["optional-dependencies"].items()}
    return names(project["dependencies"]), extras


# Run in a fresh interpreter: CPython 3.11.7 can refuse to build an AST ("recursion depth
# mismatch") in a process whose earlier tests left its recursion bookkeeping disturbed.
_SCAN = """
import ast, json, sys
from pathlib import Path
folder, exclude = Path(sys.argv[1]), sys.argv[2]
found = set()
for path in folder.rglob("*.py"):
    if exclude and exclude in path.parts:
        continue
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
print(json.dumps(sorted(found)))
"""


def _third_party_imports(folder: str, exclude: str | None = None) -> set[str]:
    scan = [sys.executable, "-c", _SCAN, str(PROJECT_ROOT / folder), exclude or ""]
    found = set(json.loads(subprocess.run(scan, capture_output=True, text=True, check=True).stdout))
    return {m for m in found if m not in sys.stdlib_module_names and m != "app"}


def test_everything_the_web_app_imports_is_declared() -> None:
    core, _ = _declared()
    used = {DISTRIBUTION.get(m, m).lower() for m in _third_party_imports("app", exclude="ingest")}
    assert used - core == set()
    assert "numpy" in core  # the similarity maths
    assert "python-multipart" not in core  # forms are parsed without it


def test_the_importers_stack_is_the_ingest_extra() -> None:
    core, extras = _declared()
    ingest_only = {DISTRIBUTION.get(m, m).lower() for m in _third_party_imports("app/ingest")}
    assert ingest_only - core <= extras["ingest"]
    assert set(INGEST_STACK) == extras["ingest"]
    assert not (extras["ingest"] & core)


def test_the_web_app_starts_without_the_ingest_stack_or_multipart() -> None:
    blocked = [*INGEST_STACK, "multipart", "python_multipart"]
    code = (
        "import sys\n"
        f"for name in {blocked!r}:\n"
        "    sys.modules[name] = None  # importing it now raises ImportError\n"
        "from app.main import create_app\n"
        "app = create_app()\n"
        "assert '/api/v1/submissions' in app.openapi()['paths']\n"
        "print('started')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"
