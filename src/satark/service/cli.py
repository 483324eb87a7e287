"""``satark serve | db | admin | demo | audit``: the service's commands.

Heavy imports (SQLAlchemy, FastAPI, uvicorn) happen inside the commands, so ``satark
check`` stays quick to start.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from .context import Services

__all__ = ["register"]

db_app = typer.Typer(help="The service's database: migrations.", no_args_is_help=True)
admin_app = typer.Typer(help="Users, roles and access tokens, from the command line.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)


def _services() -> Services:
    from .context import Services
    from .settings import Settings

    return Services(Settings.from_env())


@contextmanager
def _opened() -> Iterator[Services]:
    """Services for a one-shot command, their database connections closed at the end."""
    svc = _services()
    try:
        yield svc
    finally:
        svc.db.dispose()


def _upgrade(svc: Services) -> None:
    if svc.db.needs_upgrade():
        svc.db.upgrade()


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (each loads the screening models).", min=1)] = 1,
) -> None:
    """Run the web app and the API (SQLite in the data directory unless SATARK_DATABASE_URL is set)."""
    import os

    import uvicorn

    # The sentence encoder's OpenMP threads must sleep, not spin, between calls, or they
    # take the cores from the request threads (read when the engine loads, so set it now).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    svc = _services()
    _upgrade(svc)
    console = Console(stderr=True, highlight=False)
    where = svc.settings.url if not svc.settings.is_sqlite else str(svc.settings.data_dir / "satark.sqlite3")
    console.print(f"Satark on http://{host}:{port}/  ·  API docs /api/docs  ·  data: {where}")
    svc.db.dispose()
    uvicorn.run("satark.service.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False, proxy_headers=False)


def demo(
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="Start the server afterwards.")] = True,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
) -> None:
    """Seed a demo ministry, district offices, official accounts, users and posts; then serve."""
    from .demo import DEMO_PASSWORD, DEMO_USERS, seed_demo

    svc = _services()
    _upgrade(svc)
    with svc.db.session() as session:
        result = seed_demo(session, svc.screening)
    console = Console(highlight=False)
    console.print("Demo data " + ("created." if result.created else "is already there."))
    console.print(f"Log in at http://{host}:{port}/login with any of these (password: {DEMO_PASSWORD}):")
    for username, (name, roles) in DEMO_USERS.items():
        console.print(f"  {username:<9} {name}  ·  " + ", ".join(f"{role} ({where})" for where, role in roles))
    svc.db.dispose()
    if serve_after:
        serve(host=host, port=port, workers=1)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply any pending migrations (also done when the server starts)."""
    with _opened() as svc:
        before = svc.db.current_revision()
        svc.db.upgrade()
        after = svc.db.current_revision()
        typer.echo(f"database at revision {after}" + ("" if before == after else f" (was {before or 'empty'})"))


@db_app.command("current")
def db_current() -> None:
    """Show the database's migration revision and the newest one."""
    with _opened() as svc:
        typer.echo(f"current: {svc.db.current_revision() or 'empty'}  head: {svc.db.head_revision()}")


@admin_app.command("create-user")
def create_user(
    username: Annotated[str, typer.Argument(help="Lowercase login name.")],
    name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
    password: Annotated[str | None, typer.Option(help="Password (asked for when not given).")] = None,
    superuser: Annotated[bool, typer.Option(help="A site administrator (may add top-level institutions).")] = False,
    institution: Annotated[int | None, typer.Option(help="Institution id to give a role in.")] = None,
    role: Annotated[str | None, typer.Option(help="author, moderator, approver, monitor or admin.")] = None,
) -> None:
    """Create a user, optionally with a role in an institution."""
    from . import directory

    if (institution is None) != (role is None):
        raise typer.BadParameter("give --institution and --role together")
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _opened() as svc:
        _upgrade(svc)
        with svc.db.session() as session:
            user = directory.create_user(session, None, username=username, display_name=name, password=password,
                                         superuser=superuser)
            if institution is not None and role is not None:
                directory.add_member(session, None, institution, user.username, role)
        typer.echo(f"created user {user.username} (id {user.id})")


@admin_app.command("create-token")
def create_token(
    username: Annotated[str, typer.Argument(help="Whose token.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "command line",
) -> None:
    """Create a personal access token and print it (it is shown only once)."""
    from sqlalchemy import select

    from . import security
    from .errors import NotFound
    from .models import User

    with _opened() as svc:
        _upgrade(svc)
        with svc.db.session() as session:
            user = session.scalar(select(User).where(User.username == username.strip().lower()))
            if user is None:
                raise NotFound(f"no user {username!r}")
            value, _ = security.create_token(session, user, name)
        typer.echo(value)


@audit_app.command("verify")
def audit_verify() -> None:
    """Re-hash the whole audit chain. Exit code 0 intact, 1 tampered (each problem printed)."""
    from .audit import verify_chain

    with _opened() as svc:
        with svc.db.session() as session:
            count, problems = verify_chain(session)
        for p in problems:
            sys.stdout.write(f"event {p.event_id}: {p.problem}\n")
        if problems:
            sys.stdout.write(f"audit chain BROKEN: {len(problems)} problem(s) in {count} events\n")
            raise typer.Exit(1)
        sys.stdout.write(f"audit chain intact: {count} events\n")


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(demo)
    app.add_typer(db_app, name="db")
    app.add_typer(admin_app, name="admin")
    app.add_typer(audit_app, name="audit")
