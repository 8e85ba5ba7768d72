"""What start-up leaves behind for the process: objects frozen out of full garbage collections."""

from __future__ import annotations

import gc

from asgi_lifespan import LifespanManager

from app.main import create_app
from app.settings import Settings


async def test_start_up_objects_are_frozen_out_of_full_collections(settings: Settings) -> None:
    """A full collection walks every tracked object it can see; what start-up made (modules, the
    app, templates) lives as long as the process, so it is frozen out of those passes. Shutdown
    gives it back."""
    application = create_app(settings)
    async with LifespanManager(application):
        frozen = gc.get_freeze_count()
        visible = len(gc.get_objects(generation=2))
        assert frozen > 50_000, frozen
        assert visible < frozen / 4, (visible, frozen)
        await application.state.prebuilt
    assert gc.get_freeze_count() == 0
