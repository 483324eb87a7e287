"""Database engine, sessions and migrations, for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import fcntl
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from .errors import ServiceError
from .settings import Settings

__all__ = ["Database", "ReadUnitWrote", "after_unit", "in_any_write_unit", "is_write_unit"]

MIGRATIONS = Path(__file__).parent / "migrations"
#: ``Session.info`` keys: whether the session is a write unit, and what runs once it is over.
_WRITE = "satark_write"
_AFTER = "satark_after_unit"


#: how many write units of any :class:`Database` this thread is inside
_ANY_WRITING = threading.local()


def in_any_write_unit() -> bool:
    """Whether this thread is inside a write unit of any database (see
    :meth:`Database.in_write_unit`): for checks that slow work (screening, argon2) stays out."""
    return getattr(_ANY_WRITING, "depth", 0) > 0


class ReadUnitWrote(RuntimeError):
    """A read unit (``Database.session(write=False)``) was asked to change something: a bug.

    Its transaction is rolled back, so without this the change would be lost without a word.
    """


def is_write_unit(session: Session) -> bool:
    """Whether ``session`` may write: a write unit of :class:`Database`, or a session made elsewhere."""
    return bool(session.info.get(_WRITE, True))


def after_unit(session: Session, action: Callable[[], object]) -> None:
    """Run ``action`` when the write unit of ``session`` is over and its write lock released
    (at once for sessions made elsewhere). For work that follows a commit but need not hold
    every other writer up, like writing the audit head file."""
    pending: list[Callable[[], object]] | None = session.info.get(_AFTER)
    if pending is None:
        action()
    else:
        pending.append(action)


class Database:
    """One engine and its session factory."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = settings.url
        self._write_lock: FairLock | None = None
        self._writing = threading.local()
        self._open_writes = 0
        self._count_lock = threading.Lock()
        if settings.is_sqlite:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            path = _sqlite_file(make_url(self.url).database)
            _create_private(path)
            self.engine = _sqlite_engine(self.url, immediate=True)
            self.read_engine = _sqlite_engine(self.url, immediate=False)
            self._write_lock = FairLock(path)
        else:
            self.engine = create_engine(self.url, pool_size=20, max_overflow=20, pool_pre_ping=True)
            self.read_engine = self.engine
        # The audit trail finds its key and head file in the data directory (``audit``).
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, info={"settings": settings, _WRITE: True})
        self.read_sessions = sessionmaker(self.read_engine, expire_on_commit=False,
                                          info={"settings": settings, _WRITE: False})
        event.listen(self.read_sessions, "before_flush", _refuse_flush)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on any error.

        An error that ``keeps_changes`` (a lapse found while refusing) commits first.

        ``write=False`` promises not to write (a change raises :class:`ReadUnitWrote`). On
        SQLite it then runs beside writers (WAL) instead of queueing for the one write lock.
        """
        if not write:
            with self.read_sessions() as session:
                try:
                    yield session
                    if _has_changes(session):
                        raise ReadUnitWrote("a read unit of work changed something; open a write unit")
                finally:
                    session.rollback()
            return
        after: list[Callable[[], object]] = []
        try:
            with self._write_lock or nullcontext(), self.sessions(info={_AFTER: after}) as session:
                self._enter_write()
                try:
                    yield session
                    session.commit()
                except ServiceError as exc:
                    if exc.keeps_changes:
                        session.commit()
                    else:
                        session.rollback()
                    raise
                except BaseException:
                    session.rollback()
                    raise
                finally:
                    self._leave_write()
        finally:
            # What follows the commit (the audit head file) runs once the lock is released.
            while after:
                after.pop(0)()

    def _enter_write(self) -> None:
        self._writing.depth = getattr(self._writing, "depth", 0) + 1
        _ANY_WRITING.depth = getattr(_ANY_WRITING, "depth", 0) + 1
        with self._count_lock:
            self._open_writes += 1

    def _leave_write(self) -> None:
        self._writing.depth -= 1
        _ANY_WRITING.depth -= 1
        with self._count_lock:
            self._open_writes -= 1

    def in_write_unit(self) -> bool:
        """Whether this thread is inside a write unit (on SQLite: holding the one write lock).

        Screening takes milliseconds to tens of them; it must never run in here, or every
        other writer (a login, an approval) waits for it.
        """
        return getattr(self._writing, "depth", 0) > 0

    @property
    def open_write_units(self) -> int:
        """How many write units are open now, in all threads (for tests of async paths, whose
        waits run on the event loop's thread rather than the request's)."""
        return self._open_writes

    def alembic_config(self) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["engine"] = self.engine
        return cfg

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            opts = {}
            if conn.dialect.name == "postgresql":
                opts["version_table_schema"] = conn.exec_driver_sql("SELECT current_schema()").scalar()
            return MigrationContext.configure(conn, opts=opts).get_current_revision()

    def head_revision(self) -> str | None:
        return ScriptDirectory.from_config(self.alembic_config()).get_current_head()

    def upgrade(self, revision: str = "head") -> None:
        command.upgrade(self.alembic_config(), revision)

    def needs_upgrade(self) -> bool:
        return self.current_revision() != self.head_revision()

    def dispose(self) -> None:
        self.engine.dispose()
        self.read_engine.dispose()


def _has_changes(session: Session) -> bool:
    return bool(session.new or session.deleted or any(session.is_modified(obj) for obj in session.dirty))


def _refuse_flush(session: Session, _flush_context: Any, _instances: Any) -> None:
    if _has_changes(session):
        raise ReadUnitWrote("a read unit of work tried to write; open a write unit")


class FairLock:
    """SQLite's writers: first come, first served within a process, and one process at a time.

    Without it, threads queue inside SQLite's busy handler, which sleeps and retries
    with growing pauses in no order: under load a write could wait seconds while later
    ones pass it. ``threading.Lock`` promises no order either, hence this queue. The lock
    is handed to the next waiter directly, waking that one alone: waking every waiter to
    check whose turn it is cost each release a dozen thread switches, under the GIL.

    Between processes (``satark serve --workers N``, the CLI beside a server) the holder of
    the queue then takes two advisory file locks beside the database (``flock``), a
    turnstile: the queue lock, then the writer lock, then it lets the queue lock go. The one
    holding the queue lock is next, so the writer lock alternates between processes rather
    than staying with the one whose next writer is already running; and the kernel wakes the
    next one the moment the lock is free. Without them, writers of the other processes wait
    in SQLite's busy handler, which sleeps 1, 2, 5 … 100 ms between tries: seconds of p99 with
    two workers.

    A turn is fair to writers, not to processes: the process whose turn it is runs the writers
    that were already queued in it when the turn began, then lets the writer lock go. With
    strict alternation a process serving more clients than the other gave each of its writers
    a smaller share of the lock (the clients of a keep-alive connection stay with one worker),
    and every write paid for a hand-over between processes. The writers that queue during a
    turn wait for the next one, so neither process can keep the lock.

    Like the queue, the file locks wait without a limit; they are only ever held across the
    write units of one turn, and a process that dies lets them go. Something else holding
    SQLite's own lock (a backup, another program) still meets ``busy_timeout``, then 503.
    """

    def __init__(self, database: str | None = None) -> None:
        """``database``: the SQLite file (:func:`_sqlite_file`) whose lock files to take; None
        for one process only (an in-memory database)."""
        self._mutex = threading.Lock()
        self._held = False
        self._waiters: deque[threading.Lock] = deque()
        self._base = database
        self._fds: tuple[int, int] | None = None
        self._files_held = False  # this process's turn: the writer lock is held
        self._turn_left = 0  # writers still to run in this turn (queued when it began)

    def __enter__(self) -> None:
        with self._mutex:
            if not self._held:
                self._held = True
                waiter = None
            else:
                waiter = threading.Lock()
                waiter.acquire()
                self._waiters.append(waiter)
        if waiter is not None:
            waiter.acquire()  # released by __exit__ when it is this waiter's turn; the queue stays held
        if self._base is not None and not self._files_held:
            try:
                self._lock_files()
            except BaseException:
                self._hand_over()
                raise
            self._files_held = True
            with self._mutex:
                self._turn_left = len(self._waiters)

    def __exit__(self, *exc: object) -> None:
        with self._mutex:
            if self._turn_left > 0 and self._waiters:  # the turn goes on: the next writer, files held
                self._turn_left -= 1
                self._waiters.popleft().release()
                return
            self._turn_left = 0
        if self._files_held:
            self._files_held = False
            assert self._fds is not None
            fcntl.flock(self._fds[1], fcntl.LOCK_UN)
        self._hand_over()

    def _hand_over(self) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()
            else:
                self._held = False

    def _lock_files(self) -> None:
        if self._fds is None:
            assert self._base is not None
            flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
            self._fds = (os.open(f"{self._base}-queue.lock", flags, 0o600),
                         os.open(f"{self._base}-writer.lock", flags, 0o600))
        queue, writer = self._fds
        fcntl.flock(queue, fcntl.LOCK_EX)
        try:
            fcntl.flock(writer, fcntl.LOCK_EX)
        finally:
            fcntl.flock(queue, fcntl.LOCK_UN)


#: How long a request waits for SQLite's write lock when another process holds it (this
#: process's own writers queue in :class:`FairLock` first). Past it the request gets 503
#: with Retry-After, rather than a 500 after 30 seconds with logins queueing behind it.
BUSY_TIMEOUT_MS = 5000


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    # A pool as large as the request thread pool (anyio's 40): SQLAlchemy's default keeps
    # 5, so under load every request past the fifth opened a connection and re-ran the
    # PRAGMAs below, then closed it.
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
                           pool_size=40, max_overflow=10)

    # pysqlite's own transaction handling starts transactions late and as DEFERRED; two
    # writers that both read first then deadlock on the upgrade to a write lock. Take the
    # write lock at BEGIN instead (BEGIN IMMEDIATE), which also keeps the audit hash chain
    # in order. See SQLAlchemy's "Serializable isolation / Savepoints / Transactional DDL".
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _sqlite_file(database: str | None) -> str | None:
    """The path of a SQLite database kept in a file; None for an in-memory one or a ``file:`` URI."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database


def _create_private(path: str | None) -> None:
    """Create a new SQLite file (:func:`_sqlite_file`) readable by its owner only (0600); SQLite
    gives its -wal and -shm files the same permissions. An existing file is left as it is."""
    if path is None or os.path.exists(path):
        return
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
