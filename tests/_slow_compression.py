"""Slow compression on demand, for tests that a payload being built holds up no cached hit."""

from __future__ import annotations

from threading import Event

import pytest

from app import cache as cache_module
from app.cache import Payload


def slow_compression(monkeypatch: pytest.MonkeyPatch, body: bytes) -> tuple[Event, Event]:
    """Make compressing ``body`` wait for a release (at most 10 s, so a regression fails rather
    than hangs): the events say when compression has started and let it finish."""
    started, release = Event(), Event()
    original = Payload.build

    def build(data: bytes, media_type: str, headers: object = None) -> Payload:
        if data == body:
            started.set()
            release.wait(10)
        return original(data, media_type, headers)  # type: ignore[arg-type]

    monkeypatch.setattr(cache_module.Payload, "build", staticmethod(build))
    return started, release
