"""Application settings, read from the environment (prefix ``APP_``) and an optional ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GEODATA_DIR = PROJECT_ROOT.parent / "shared" / "geodata" / "raw"
DEV_SECRET = "development-only-secret-do-not-use-in-production"


class Settings(BaseSettings):
    """Every setting the service reads; see README.md for what each does."""

    model_config = SettingsConfigDict(env_prefix="APP_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = Field(
        default="",
        description="postgresql:// URL; empty means the private cluster under var/ (see `db url`).",
    )
    db_port: int = 54329
    db_dir: Path = PROJECT_ROOT / "var" / "pg"
    db_name: str = "partnerships_map"
    geodata_dir: Path = DEFAULT_GEODATA_DIR
    secret_key: str = DEV_SECRET
    tile_url: str = ""
    tile_attribution: str = ""
    pool_size: int = 4
    cache_max_mb: int = Field(
        default=128, ge=1, description="Bytes of finished payloads each app process keeps, in MB."
    )
    public_base_url: str = "http://127.0.0.1:8000"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    mail_from: str = ""
    moderator_notify_email: str = ""

    @model_validator(mode="after")
    def _no_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEV_SECRET:
            raise ValueError("APP_SECRET_KEY must be set in production")
        return self

    @property
    def effective_database_url(self) -> str:
        """The plain ``postgresql://`` URL in use: the configured one, or the private cluster's."""
        if self.database_url:
            return self.database_url
        return f"postgresql://postgres@127.0.0.1:{self.db_port}/{self.db_name}"

    def url_for_driver(self, driver: Literal["asyncpg", "psycopg"]) -> str:
        """The database URL with a SQLAlchemy driver name (``postgresql+asyncpg://…``)."""
        url = self.effective_database_url
        scheme, rest = url.split("://", 1)
        return f"postgresql+{driver}://{rest}" if scheme.startswith("postgres") else url

    @property
    def libpq_url(self) -> str:
        """The URL as libpq and psycopg understand it (no SQLAlchemy driver suffix)."""
        rest = self.effective_database_url.split("://", 1)[1]
        return f"postgresql://{rest}"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
