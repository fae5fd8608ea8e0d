"""The `ideaflow` command: serve, migrate, seed the demo, and create users and workspaces."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.config import get_settings
from ideaflow.db import Database, create_engine
from ideaflow.errors import IdeaflowError

T = TypeVar("T")


def _alembic_config():
    from alembic.config import Config

    app_dir = get_settings().app_dir
    config = Config(str(app_dir / "alembic.ini"))
    config.set_main_option("script_location", str(app_dir / "migrations"))
    return config


def run_in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one write transaction against the configured database."""

    async def main() -> T:
        database = Database.from_engine(create_engine(get_settings(), pool=False))
        try:
            async with database.write() as session, session.begin():
                return await work(session)
        finally:
            await database.engine.dispose()

    try:
        return asyncio.run(main())
    except IdeaflowError as exc:
        fields = "".join(f"\n  {k}: {v}" for k, v in exc.fields.items())
        raise click.ClickException(f"{exc.message}{fields}") from None


@click.group()
@click.version_option(package_name="ideaflow")
def main() -> None:
    """ideaflow: collect ideas, vote, answer and close the loop."""


@main.command()
@click.option("--host", default=None, help="Interface to bind (default from IDEAFLOW_HOST, 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default from IDEAFLOW_PORT, 8000).")
@click.option("--workers", default=None, type=int, help="Worker processes (PostgreSQL only for more than 1).")
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
def serve(host: str | None, port: int | None, workers: int | None, reload: bool) -> None:
    """Serve ideaflow over HTTP."""
    import uvicorn

    settings = get_settings()
    workers = workers or settings.workers
    if workers > 1 and settings.is_sqlite:
        raise click.ClickException("Several workers need PostgreSQL: set IDEAFLOW_DATABASE_URL.")
    uvicorn.run(
        "ideaflow.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        reload=reload,
        proxy_headers=True,
        forwarded_allow_ips="*" if settings.is_production else None,
        server_header=False,
        access_log=settings.access_log,
        log_level="info",
    )


@main.command()
def worker() -> None:
    """Deliver outbox events (notifications, emails, webhooks, tracker pushes) until SIGTERM.

    On PostgreSQL run any number of these beside `ideaflow serve`; they share the work safely. On SQLite
    the web process already delivers in process (unless IDEAFLOW_OUTBOX_IN_PROCESS=false)."""
    import logging

    from ideaflow.outbox.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(run_worker(get_settings()))


@main.command("send-digests")
def send_digests() -> None:
    """Send every queued daily digest now (workers also send them daily at IDEAFLOW_DIGEST_HOUR_UTC)."""
    from ideaflow.notifications import digest

    sent = asyncio.run(digest.send_now(get_settings()))
    click.echo(f"Sent {sent} digest email(s).")


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from alembic import command

    command.upgrade(_alembic_config(), revision)


@db.command()
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (e.g. -1, or base)."""
    from alembic import command

    command.downgrade(_alembic_config(), revision)


@main.command()
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--token", "token_name", default=None, help="Also create an API token with this name and print it.")
def create_user(email: str, name: str, password: str, token_name: str | None) -> None:
    """Create a user (optionally printing a new API token)."""
    from ideaflow.accounts import service

    async def work(session: AsyncSession) -> tuple[int, str | None]:
        user = await service.sign_up(session, email=email, name=name, password=password)
        raw = None
        if token_name:
            _, raw = await service.create_api_token(session, user=user, name=token_name)
        return user.id, raw

    user_id, raw = run_in_transaction(work)
    click.echo(f"Created user #{user_id} <{email.strip().lower()}>")
    if raw:
        click.echo(f"API token (shown once): {raw}")


@main.command()
@click.option("--owner", "owner_email", required=True, help="Email of the user who will own the workspace.")
@click.option("--name", required=True)
@click.option("--slug", required=True, help="Its address: the portal will be at /SLUG.")
def create_workspace(owner_email: str, name: str, slug: str) -> None:
    """Create a workspace owned by an existing user."""
    from ideaflow.accounts import repository as accounts
    from ideaflow.workspaces import service

    async def work(session: AsyncSession) -> str:
        owner = await accounts.get_user_by_email(session, owner_email.strip().lower())
        if owner is None:
            raise click.ClickException(f"No user with email {owner_email}; create one with `ideaflow create-user`.")
        workspace = await service.create_workspace(session, user=owner, name=name, slug=slug)
        return workspace.slug

    created = run_in_transaction(work)
    click.echo(f"Created workspace {name!r}: {get_settings().base_url.rstrip('/')}/{created}")


@main.command()
@click.option("--if-missing", is_flag=True, help="Do nothing if the demo workspace already exists.")
def demo(if_missing: bool) -> None:
    """Seed the demo workspace `acme` and print how to sign in."""
    from ideaflow import demo as demo_data

    result = run_in_transaction(lambda session: demo_data.seed(session, if_missing=if_missing))
    click.echo(result.describe(get_settings().base_url))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
