"""``satark serve | db | admin | demo | audit``: the service's commands.

Heavy imports (SQLAlchemy, FastAPI, uvicorn) happen inside the commands, so ``satark
check`` stays quick to start.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .audit import Verification
    from .context import Services
    from .models import User

__all__ = ["register"]

db_app = typer.Typer(help="The service's database: migrations, backup and restore.", no_args_is_help=True)
admin_app = typer.Typer(help="Users, roles and access tokens, from the command line.", no_args_is_help=True)
audit_app = typer.Typer(help="The keyed, hash-chained audit trail.", no_args_is_help=True)
report_app = typer.Typer(help="Monitoring reports (BD §11(ক)).", no_args_is_help=True)
jobs_app = typer.Typer(help="Reminders and notification e-mail (run by `satark serve`, or from cron).",
                       no_args_is_help=True)


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
    forwarded_allow_ips: Annotated[str | None, typer.Option(
        help="Behind a reverse proxy: the proxy addresses (comma-separated) whose X-Forwarded-For and "
             "X-Forwarded-Proto are trusted; default SATARK_FORWARDED_ALLOW_IPS, else none.")] = None,
) -> None:
    """Run the web app and the API (SQLite in the data directory unless SATARK_DATABASE_URL is set).

    Login throttling counts per client address, so behind a reverse proxy give the proxy's
    address with --forwarded-allow-ips; X-Forwarded-For is trusted from there only.
    """
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
    trusted = (svc.settings.forwarded_allow_ips if forwarded_allow_ips is None else forwarded_allow_ips).strip()
    uvicorn.run("satark.service.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False, server_header=False,
                proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None)


def demo(
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="Start the server afterwards.")] = True,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
) -> None:
    """Seed a demo ministry, district offices, official accounts, users and posts, with citizens'
    comments, GRS referrals, violation cases and quiz results this quarter; then serve."""
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
    console.print("Then try: /inbox (sohel: citizens' comments, two overdue), /monitor and /monitor/report "
                  "(monitor: the dashboard and this quarter's report), /violations (monitor), /training (anyone).")
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
    from . import directory, security

    if (institution is None) != (role is None):
        raise typer.BadParameter("give --institution and --role together")
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _opened() as svc:
        _upgrade(svc)
        # refused, or checked and hashed (argon2) before the write unit: a server beside this
        # command waits for the write lock meanwhile
        with svc.db.session(write=False) as session:
            stored_name = directory.check_new_user(session, None, username=username, superuser=superuser)
        new_password = security.new_password(password, username=stored_name)
        with svc.db.session() as session:
            user = directory.create_user(session, None, username=username, display_name=name,
                                         password=new_password, superuser=superuser)
            if institution is not None and role is not None:
                directory.add_member(session, None, institution, user.username, role)
        typer.echo(f"created user {user.username} (id {user.id})")


def _user_named(session: Session, username: str) -> User:
    from sqlalchemy import select

    from .errors import NotFound
    from .models import User

    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


@contextmanager
def _user_unit(username: str) -> Iterator[tuple[Session, User]]:
    """A write unit on the migrated database, with the user named on the command line."""
    with _opened() as svc:
        _upgrade(svc)
        with svc.db.session() as session:
            yield session, _user_named(session, username)


@admin_app.command("list-users")
def list_users() -> None:
    """Every user: id, username, active or not, site administrator or not, roles."""
    from sqlalchemy import select

    from .models import User

    with _opened() as svc:
        _upgrade(svc)
        with svc.db.session(write=False) as session:
            for user in session.scalars(select(User).order_by(User.username)):
                roles = ", ".join(f"{m.role}@{m.institution_id}" for m in user.memberships)
                flags = ("active" if user.is_active else "deactivated") + (" superuser" if user.is_superuser else "")
                typer.echo(f"{user.id}\t{user.username}\t{flags}\t{roles}")


@admin_app.command("deactivate")
def deactivate(username: Annotated[str, typer.Argument(help="Whom to deactivate (logged out everywhere).")]) -> None:
    """Deactivate a user: they cannot log in, and their sessions and tokens end."""
    _set_active(username, False)


@admin_app.command("activate")
def activate(username: Annotated[str, typer.Argument(help="Whom to reactivate.")]) -> None:
    """Reactivate a deactivated user."""
    _set_active(username, True)


def _set_active(username: str, active: bool) -> None:
    from . import directory

    with _user_unit(username) as (session, user):
        directory.set_active(session, None, user, active)
        typer.echo(f"{user.username} is {'active' if active else 'deactivated'}")


@admin_app.command("reset-password")
def reset_password(
    username: Annotated[str, typer.Argument(help="Whose password.")],
    password: Annotated[str | None, typer.Option(help="The new password (asked for when not given).")] = None,
) -> None:
    """Set a new password for a user; their sessions and tokens end."""
    from . import directory, security

    if password is None:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    with _opened() as svc:  # the user found, then the password hashed before the write unit
        _upgrade(svc)
        with svc.db.session(write=False) as session:
            stored_name = _user_named(session, username).username
        new_password = security.new_password(password, username=stored_name)
        with svc.db.session() as session:
            user = _user_named(session, username)
            directory.reset_password(session, None, user, new_password)
            typer.echo(f"password of {user.username} reset; logged out everywhere")


@admin_app.command("logout-everywhere")
def logout_everywhere(username: Annotated[str, typer.Argument(help="Whom to log out.")]) -> None:
    """End every browser session and revoke every access token of a user."""
    from . import directory

    with _user_unit(username) as (session, user):
        sessions, tokens = directory.logout_everywhere(session, None, user)
        typer.echo(f"{user.username}: {sessions} session(s) ended, {tokens} token(s) revoked")


@admin_app.command("totp-reset")
def totp_reset(username: Annotated[str, typer.Argument(help="Whose two-step sign-in.")]) -> None:
    """Reset a user's two-step sign-in (lost phone and recovery codes): they log in with the
    password alone and set it up again; their sessions and tokens end. Audited."""
    from . import totp

    with _user_unit(username) as (session, user):
        sessions, tokens = totp.reset(session, None, user)
        typer.echo(f"two-step sign-in of {user.username} reset; {sessions} session(s) ended, "
                   f"{tokens} token(s) revoked")


@admin_app.command("create-token")
def create_token(
    username: Annotated[str, typer.Argument(help="Whose token.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "command line",
) -> None:
    """Create a personal access token and print it (it is shown only once)."""
    from . import security

    with _user_unit(username) as (session, user):
        value, _ = security.create_token(session, user, name)
    typer.echo(value)


@contextmanager
def _snapshot(svc: Services) -> Iterator[Session]:
    """A read session over one snapshot: on PostgreSQL repeatable read, so writers keep going
    while the chain and the posts are compared as of one moment (SQLite's read transaction
    in WAL mode is one snapshot already)."""
    if svc.db.dialect == "postgresql":
        bind = svc.db.engine.execution_options(isolation_level="REPEATABLE READ")
        with svc.db.read_sessions(bind=bind) as session:
            try:
                yield session
            finally:
                session.rollback()
        return
    with svc.db.session(write=False) as session:
        yield session


def _print_problems(result: Verification) -> None:
    for p in result.problems:
        sys.stdout.write(f"event {p.event_id}: {p.problem}\n" if p.event_id else f"{p.problem}\n")


def _print_head(result: Verification) -> None:
    if result.head is not None:
        lag = f" ({result.after_head} later event(s) committed after it was written)" if result.after_head else ""
        sys.stdout.write(f"head file: event {result.head.id} {result.head.hash}{lag}\n")
    if result.legacy:
        sys.stdout.write(f"{result.legacy} event(s) from before the chain had a key (plain SHA-256)\n")


@audit_app.command("verify")
def audit_verify() -> None:
    """Re-check the chain with the key, against the head file and the posts' rows. Exit 0 intact, 1 not."""
    from .audit import verify

    with _opened() as svc, _snapshot(svc) as session:
        result = verify(session)
    _print_problems(result)
    if result.problems:
        sys.stdout.write(f"audit chain BROKEN: {len(result.problems)} problem(s) in {result.count} events\n")
        _print_head(result)
        raise typer.Exit(1)
    sys.stdout.write(f"audit chain intact: {result.count} events, {result.posts_checked} posts checked\n")
    _print_head(result)


@audit_app.command("head")
def audit_head() -> None:
    """Print the head file's last event (id and hash), to keep somewhere else as an anchor."""
    from .audit_key import read_head

    with _opened() as svc:
        head = read_head(svc.settings.data_dir)
    if head is None:
        sys.stderr.write("satark: no audit head file yet (no keyed event has been recorded)\n")
        raise typer.Exit(1)
    sys.stdout.write(head.line() + "\n")


@audit_app.command("anchor")
def audit_anchor(
    force: Annotated[bool, typer.Option("--force", help="Also replace a head file that names another event "
                                        "(after a deliberate restore by hand).")] = False,
) -> None:
    """Write the head file from the chain's last event, when the chain verifies apart from the head.

    For a chain upgraded from before the key, or a head file lost with the data directory.
    A head file that names a later or a different event is kept unless --force: that is what
    the removal of the newest events looks like.
    """
    from .audit import anchor, verify

    with _opened() as svc:
        with _snapshot(svc) as session:
            result = verify(session)
        lost = ("no head file", "the audit head file")
        blocking = [p for p in result.problems if not p.problem.startswith(lost)
                    and not (force and "head file" in p.problem)]
        if blocking:
            _print_problems(result)
            sys.stdout.write("not anchored: the chain has problems besides a missing head file\n")
            raise typer.Exit(1)
        with svc.db.session() as session:
            head = anchor(session)
    sys.stdout.write(f"anchored: {head.line()}\n" if head else "no events: nothing to anchor\n")


@audit_app.command("export")
def audit_export(
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file (default: standard output).",
                                             dir_okay=False)] = None,
) -> None:
    """Every event as JSON lines, oldest first, with its chain version, content fingerprint and hashes."""
    from .audit import export_events

    with _opened() as svc, _snapshot(svc) as session:
        if out is None:
            for line in export_events(session):
                sys.stdout.write(line)
            return
        partial = out.with_name(f".{out.name}.partial")
        with open(partial, "w", encoding="utf-8") as fh:
            count = sum(1 for line in export_events(session) if fh.write(line) is not None)
        partial.replace(out)
    sys.stderr.write(f"exported {count} events to {out}\n")


@db_app.command("backup")
def db_backup(
    file: Annotated[Path, typer.Argument(help="The backup file to write (replaced if it exists).", dir_okay=False)],
    logical: Annotated[bool, typer.Option("--logical", help="PostgreSQL: Satark's own JSON-lines dump even "
                                          "where pg_dump is installed.")] = False,
) -> None:
    """A consistent copy while the service runs (SQLite: online backup API; PostgreSQL: pg_dump, else a
    logical dump)."""
    from .backup import backup

    with _opened() as svc:
        how = backup(svc.db, file, logical=logical)
        key_note = ("SATARK_AUDIT_KEY" if os.environ.get("SATARK_AUDIT_KEY")
                    else str(svc.settings.data_dir / "audit.key"))
    typer.echo(f"backed up to {file} ({how})")
    typer.echo(f"the audit key is not in the backup: keep {key_note} safe, apart from it")


@db_app.command("restore")
def db_restore(
    file: Annotated[Path, typer.Argument(help="A file written by `satark db backup`.", dir_okay=False)],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before replacing the database.")] = False,
) -> None:
    """Replace the database with a backup (stop the service first), then verify the audit chain."""
    from .backup import restore

    if not yes:
        typer.confirm("Replace the current database with the backup?", abort=True)
    with _opened() as svc:
        restored = restore(svc.db, file)
    result = restored.verification
    typer.echo(f"restored from {file}: {result.count} audit events, head re-anchored at event {result.last_id}")
    previous = restored.previous_head
    if previous is not None and previous.id > result.last_id:
        typer.echo(f"note: the head file recorded event {previous.id}; events after {result.last_id} were "
                   "not in the backup")
    _print_problems(result)
    if result.problems:
        sys.stdout.write(f"audit chain BROKEN after restore: {len(result.problems)} problem(s)\n")
        raise typer.Exit(1)
    sys.stdout.write("audit chain intact\n")


@jobs_app.command("run")
def jobs_run() -> None:
    """Send what is due once: reminders (in-app and e-mail) and waiting e-mail; for cron.

    Safe beside the scheduler of ``satark serve`` and beside itself: each reminder and e-mail
    is claimed in the database first, so none goes out twice. Exits 1 when something failed
    (it is tried again on the next run).
    """
    from .jobs import run_once

    with _opened() as svc:
        _upgrade(svc)
        report = run_once(svc.db)
    typer.echo(report.summary())
    if report.errors:
        raise typer.Exit(1)


@report_app.command("quarterly")
def report_quarterly(
    institution: Annotated[int, typer.Option("--institution", help="The institution's id.", min=1)],
    quarter: Annotated[str, typer.Option("--quarter", help="The quarter, like 2026Q3 (in the institution's zone).")],
    out: Annotated[Path, typer.Option("--out", help="The file to write; .pdf, .html, .csv or .xlsx picks the format.",
                                      dir_okay=False)],
    include_children: Annotated[bool, typer.Option("--include-children",
                                                   help="Add every institution below it.")] = False,
    lang: Annotated[str, typer.Option("--lang", help="en, hi or bn.")] = "en",
) -> None:
    """The quarterly monitoring report of an institution (posts, approvals, screening, corrections,
    comments, GRS, accounts, violations, training), written to a file."""
    from .reports.build import build_report_in_read_unit
    from .reports.render import FORMATS, render

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise typer.BadParameter(f"--out must end in one of {', '.join('.' + f for f in FORMATS)}")
    with _opened() as svc:
        _upgrade(svc)
        report = build_report_in_read_unit(svc, institution_id=institution, quarter=quarter,
                                           include_children=include_children, lang=lang)
    data = render(report, fmt)
    partial = out.with_name(f".{out.name}.partial")
    partial.write_bytes(data)
    partial.replace(out)
    sys.stderr.write(f"wrote {out} ({len(data)} bytes): {report.institution}, {report.scope.quarter}, {lang}\n")


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(demo)
    app.add_typer(db_app, name="db")
    app.add_typer(admin_app, name="admin")
    app.add_typer(audit_app, name="audit")
    app.add_typer(report_app, name="report")
    app.add_typer(jobs_app, name="jobs")
