"""The rolled-back test transaction takes with it what the app learnt inside it."""

from __future__ import annotations

from typing import Any

from _snapshots import forget_rolled_back_versions
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.services.versions import bump_data_version


async def test_a_rolled_back_approval_leaves_no_data_version_behind(
    running_app: tuple[FastAPI, Any],
) -> None:
    state = running_app[0].state
    versions = state.data_versions
    before = versions.current()
    assert versions.live and before is not None
    async with state.engine.connect() as connection:
        outer = await connection.begin()
        maker = async_sessionmaker(
            bind=connection, class_=AsyncSession, join_transaction_mode="create_savepoint"
        )
        async with maker() as session:
            session.info["data_versions"] = versions
            phantom = await bump_data_version(session, "approved inside a test transaction")
            await session.commit()  # releases the savepoint; the app is told at once
        assert versions.current() == phantom > before
        await outer.rollback()
    await forget_rolled_back_versions(state)
    assert versions.live and versions.current() == before
