"""Settings, read from the environment (prefix IDEAFLOW_) and an optional .env file."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IDEAFLOW_", env_file=".env", extra="ignore")

    env: str = Field("development", description="development | production | test")
    data_dir: Path = Field(REPO_ROOT / "data", description="Where the embedded SQLite database lives.")
    database_url: str = Field("", description="SQLAlchemy async URL; empty means SQLite in data_dir.")
    secret_key: str = Field("", description="Signs CSRF tokens. Generated and kept in data_dir if empty.")
    base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    db_pool_size: int = 10
    db_max_overflow: int = 10
    sqlite_busy_timeout_ms: int = 30_000
    session_days: int = 30
    cookie_secure: bool = False
    trending_half_life_hours: float = 72.0
    author_edit_window_minutes: int = 30
    rate_limit_auth_per_minute: int = 10
    rate_limit_write_per_minute: int = 120
    redis_url: str = Field("", description="Optional shared store for rate limits across app servers.")
    static_dir: Path = REPO_ROOT / "static"
    templates_dir: Path = REPO_ROOT / "templates"
    node_modules_dir: Path = REPO_ROOT / "node_modules"
    log_sql: bool = False

    @field_validator("data_dir", "static_dir", "templates_dir", "node_modules_dir", mode="after")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+asyncpg://" + url.split("://", 1)[1]
            return url
        return f"sqlite+aiosqlite:///{self.data_dir / 'ideaflow.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    def effective_secret_key(self) -> str:
        """The configured key, or one generated once and kept beside the embedded database."""
        if self.secret_key:
            return self.secret_key
        key_file = self.data_dir / "secret_key"
        if key_file.exists():
            return key_file.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
