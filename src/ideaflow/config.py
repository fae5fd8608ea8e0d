"""Settings, read from the environment (prefix IDEAFLOW_) and an optional .env file."""

from __future__ import annotations

import os
import secrets
import time
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
    db_query_cache_size: int = Field(
        1200,
        ge=0,
        description="SQLAlchemy's compiled-statement cache per process (its default, 500, is below the "
        "number of distinct statements ideaflow sends; a miss recompiles the statement).",
    )
    db_autocommit_reads: bool = Field(
        False,
        description="PostgreSQL: run GET and HEAD requests without BEGIN/COMMIT (each statement commits on its own; "
        "under READ COMMITTED every statement already reads its own snapshot). Saves two round trips a page.",
    )
    db_ping_idle_seconds: float = Field(
        10.0,
        ge=0,
        description="PostgreSQL: a pooled connection idle at least this long is pinged before use, and replaced if "
        "the server dropped it (a restart, an idle timeout on the way). Connections in steady use skip the ping, "
        "a round trip that cost a third of a request's database time; 0 pings at every checkout.",
    )
    db_statement_cache_size: int = Field(
        500,
        ge=0,
        description="asyncpg's prepared statements kept per PostgreSQL connection (default 100): a miss "
        "costs a round trip to prepare the statement again.",
    )
    sqlite_busy_timeout_ms: int = 30_000
    list_etag_settle_seconds: float = Field(
        5.0,
        ge=0,
        description="Lists answer with an ETag (and 304) once their newest change is this old: a write transaction "
        "longer than this could otherwise commit a change the ETag misses (see kit/http_cache.py).",
    )
    session_days: int = 30
    cookie_secure: bool = False
    trending_half_life_hours: float = 72.0
    author_edit_window_minutes: int = 30
    password_hash_time_cost: int = Field(3, ge=1, description="argon2id passes.")
    password_hash_memory_kib: int = Field(65536, ge=8, description="argon2id memory per hash, in KiB.")
    rate_limit_auth_per_minute: int = 10
    rate_limit_write_per_minute: int = 120
    redis_url: str = Field("", description="Optional shared store for rate limits across app servers.")
    app_dir: Path = Field(
        REPO_ROOT, description="Holds alembic.ini and migrations/ (the repository, or /app in the image)."
    )
    static_dir: Path = REPO_ROOT / "static"
    templates_dir: Path = REPO_ROOT / "templates"
    node_modules_dir: Path = REPO_ROOT / "node_modules"
    log_sql: bool = False
    outbox_in_process: bool | None = Field(
        None, description="Deliver outbox events inside the web process; unset means yes on SQLite, no on PostgreSQL."
    )
    outbox_batch_size: int = 20
    outbox_lease_seconds: float = Field(
        60.0, description="How long a worker owns a claimed event; a crashed worker's events are retried after it."
    )
    outbox_max_attempts: int = 8
    outbox_backoff_base_seconds: float = 2.0
    outbox_backoff_max_seconds: float = 3600.0
    outbox_poll_seconds: float = 1.0
    outbox_retention_days: float = Field(7.0, description="Delivered events are kept this long; 0 keeps them.")
    webhooks_allow_private_targets: bool = Field(
        False,
        description="Let webhooks reach loopback and private-network addresses (and plain http), for self-hosters "
        "whose receivers live inside their own network. Cloud metadata addresses stay refused.",
    )
    webhooks_connect_timeout_seconds: float = 5.0
    webhooks_read_timeout_seconds: float = 10.0
    webhooks_max_response_bytes: int = Field(65536, description="Response bodies are read up to this size, no more.")
    webhooks_disable_after_failures: int = Field(
        15, description="Consecutive failed deliveries after which an endpoint is disabled (with the next setting)."
    )
    webhooks_disable_after_hours: float = Field(
        24.0, description="...and only once its first failure in the streak is at least this old."
    )
    widget_session_minutes: int = Field(
        60, ge=1, le=1440, description="How long a widget session (traded for a company's identity token) lasts."
    )
    access_log: bool = Field(True, description="One log line per request (turn off behind a proxy that logs).")
    # Outgoing email (notifications, password resets, invitations).
    smtp_host: str = Field("", description="SMTP server; empty means email is not configured and nothing is sent.")
    smtp_port: int = Field(587, description="587 for STARTTLS, 465 for implicit TLS, 25 for none.")
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_security: str = Field("starttls", pattern="^(none|starttls|tls)$", description="none | starttls | tls")
    smtp_from: str = Field("ideaflow <ideaflow@localhost>", description="The From address of every email.")
    smtp_timeout_seconds: float = 20.0
    smtp_ca_file: str = Field("", description="A CA bundle to trust for the SMTP server's certificate (internal CAs).")
    digest_hour_utc: int = Field(8, ge=0, le=23, description="When the daily notification digest goes out (UTC).")

    @field_validator("app_dir", "data_dir", "static_dir", "templates_dir", "node_modules_dir", mode="after")
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
        if self.data_dir not in _generated_keys:
            _generated_keys[self.data_dir] = _load_or_create_key(self.data_dir / "secret_key")
        return _generated_keys[self.data_dir]


_generated_keys: dict[Path, str] = {}


def _load_or_create_key(key_file: Path) -> str:
    """Read the key kept beside the embedded database, creating it atomically the first time
    (O_EXCL: when several processes start together, one writes it and the others read it)."""
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    for _ in range(50):
        key = key_file.read_text().strip()
        if key:
            return key
        time.sleep(0.01)  # another process is still writing it
    raise RuntimeError(f"{key_file} is empty")


@lru_cache
def get_settings() -> Settings:
    return Settings()
