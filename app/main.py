"""The web application: ``create_app()`` wires settings, database, caches, templates and routes."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import __version__
from app.cache import PayloadCache
from app.compression import CompressionMiddleware, PrecompressedStaticFiles
from app.db import make_async_engine
from app.errors import add_exception_handlers
from app.fastlane import FastLaneMiddleware
from app.middleware import SecurityHeadersMiddleware
from app.observability import RequestContextMiddleware, configure_logging
from app.openapi import install as install_openapi
from app.recodes import RecodedAreaRedirect
from app.routes import (
    api,
    compare,
    docs,
    feeds,
    health,
    history,
    landscape,
    moderate,
    moderate_records,
    moderator_auth,
    pages,
    submissions,
    submissions_api,
    tiles,
)
from app.services import areas
from app.services.versions import DataVersions
from app.settings import PROJECT_ROOT, Settings, get_settings
from app.templating import make_templates

log = logging.getLogger(__name__)


async def _prebuild(app: FastAPI, versions: DataVersions) -> None:
    """Build the fixed national layers in the background at start-up."""
    maker: async_sessionmaker[AsyncSession] = app.state.sessionmaker
    async with maker() as session:
        session.info["data_versions"] = versions
        try:
            await areas.prebuild_layers(session, app.state.cache)
        except Exception as exc:  # a cold cache is only slower: the first visitor builds it
            log.warning("could not prebuild the map layers: %s", type(exc).__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; tests pass their own settings."""
    settings = settings or get_settings()
    configure_logging()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_async_engine(settings)
        app.state.engine = engine
        app.state.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
        versions = DataVersions(settings.libpq_url)
        app.state.data_versions = versions
        await versions.start()
        # Start-up made most of what the process will ever hold (modules, the app, templates,
        # about 160,000 objects). Frozen, they are left out of the garbage collector's full
        # passes, each of which would otherwise walk them all while every request waits (about
        # 60 ms here: the spikes at the 99th percentile under load). Collected first, so no
        # garbage is frozen with them; nothing is serving yet.
        gc.collect()
        gc.freeze()
        app.state.prebuilt = asyncio.create_task(_prebuild(app, versions))
        yield
        app.state.prebuilt.cancel()
        # A start-up build cut short by shutdown is not an error worth a traceback.
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await app.state.prebuilt
        await versions.stop()
        await engine.dispose()
        gc.unfreeze()

    app = FastAPI(
        title="Partnerships Map API",
        version=__version__,
        description=(
            "Local education partnerships, schools, academy trusts and local authority areas of "
            "England. GeoJSON is EPSG:4326. Every fact carries its source and vintage; see "
            "/about for licences and attribution."
        ),
        lifespan=lifespan,
        docs_url=None,  # served by app.routes.docs from local files
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.cache = PayloadCache(max_bytes=settings.cache_max_mb * 1024 * 1024)
    app.state.templates = make_templates(settings)
    app.add_middleware(FastLaneMiddleware)  # innermost: cached payloads before routing
    app.add_middleware(RecodedAreaRedirect)
    app.add_middleware(CompressionMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestContextMiddleware)  # outermost: ids, logs, catch-all
    add_exception_handlers(app)
    app.mount("/static", PrecompressedStaticFiles(directory=PROJECT_ROOT / "static"), name="static")
    app.include_router(health.router)
    app.include_router(docs.router)
    app.include_router(api.router)
    app.include_router(tiles.router)
    app.include_router(pages.router)
    app.include_router(compare.router)
    app.include_router(submissions.router)
    app.include_router(submissions_api.router)
    app.include_router(moderator_auth.router)
    app.include_router(moderate.router)
    app.include_router(moderate_records.router)
    app.include_router(history.router)
    app.include_router(landscape.router)
    app.include_router(feeds.router)
    install_openapi(app)
    return app


app = create_app()
