"""Serve the app for ``make fuzz`` as in production (``scripts/fuzz.sh`` raises the suggestion
rate limit through ``APP_SUBMIT_RATE_LIMIT``, so generated suggestions reach validation)."""

from __future__ import annotations

import sys

from app import server
from app.settings import get_settings


def main() -> None:
    """``python scripts/fuzz_server.py PORT``."""
    server.run(get_settings(), host="127.0.0.1", port=int(sys.argv[1]))


if __name__ == "__main__":
    main()
