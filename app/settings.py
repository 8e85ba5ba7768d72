"""Application settings, read from the environment (prefix ``APP_``) and an optional ``.env`` file."""

from __future__ import annotations

import os
import secrets
import time
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GEODATA_DIR = PROJECT_ROOT.parent / "shared" / "geodata" / "raw"
DEV_SECRET = "development-only-secret-do-not-use-in-production"
MIN_SECRET_LENGTH = 32


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
    secret_key: str = Field(
        default="",
        description=(
            "Keys form tokens and the hashes of client addresses. Required in production (at "
            f"least {MIN_SECRET_LENGTH} characters); elsewhere a random one is kept in var/."
        ),
    )
    tile_url: str = ""
    tile_attribution: str = ""
    pool_size: int = 4
    db_connect_timeout_s: float = 3.0
    db_pool_timeout_s: float = 3.0
    db_statement_timeout_ms: int = 8000
    header_timeout_s: float = 10.0
    keep_alive_s: int = Field(
        default=75,
        ge=1,
        description=(
            "How long an idle keep-alive connection is held open. Longer than any client's or"
            " proxy's idle timeout, so they close idle connections first and never reuse one the"
            " server is closing."
        ),
    )
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
    # Abuse controls and sessions: production values here; the test suite sets its own.
    submit_rate_limit: int = Field(default=20, description="Suggestions per client per window.")
    submit_rate_window_s: int = 3600
    login_rate_limit: int = Field(default=20, description="Sign-in attempts per client per window.")
    login_rate_window_s: int = 900
    form_min_fill_seconds: float = Field(
        default=3.0, description="A person takes longer than this to read and fill in a form."
    )
    moderator_session_hours: int = 12
    login_lockout_failures: int = Field(
        default=5, ge=1, description="Failed sign-ins for one address from one client that lock it."
    )
    login_lockout_minutes: int = Field(
        default=15, ge=1, description="How long a failed sign-in counts: the lock's length."
    )

    @model_validator(mode="after")
    def _real_secret(self) -> Settings:
        if self.environment == "production":
            if self.secret_key == DEV_SECRET or len(self.secret_key) < MIN_SECRET_LENGTH:
                raise ValueError(
                    f"APP_SECRET_KEY must be set in production: a random value of at least "
                    f"{MIN_SECRET_LENGTH} characters (python -c 'import secrets; "
                    "print(secrets.token_urlsafe(48))')"
                )
        elif not self.secret_key:
            self.secret_key = _local_secret(self.db_dir.parent / "secret-key")
        return self

    @property
    def db_password_file(self) -> Path:
        """Where the private cluster's password is kept (beside its data directory)."""
        return self.db_dir.parent / f"{self.db_dir.name}.password"

    @property
    def effective_database_url(self) -> str:
        """The plain ``postgresql://`` URL in use: the configured one, or the private cluster's."""
        if self.database_url:
            return self.database_url
        user = "postgres"
        if self.db_password_file.exists():
            password = self.db_password_file.read_text().strip()
            user = f"postgres:{quote(password, safe='')}"
        return f"postgresql://{user}@127.0.0.1:{self.db_port}/{self.db_name}"

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


def _local_secret(path: Path) -> str:
    """This installation's own random secret (made once, mode 0600), for development and tests.

    Made with O_EXCL, so worker processes starting together all end up with the same one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            value = path.read_text().strip()
            if len(value) >= MIN_SECRET_LENGTH:
                return value
            time.sleep(0.02)  # another process has just created it and is writing
        raise ValueError(
            f"{path} does not hold a usable secret; delete it to make a new one"
        ) from None
    value = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
