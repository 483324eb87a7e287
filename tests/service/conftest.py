"""Fixtures for the governance service: every API and workflow test runs on SQLite and on PostgreSQL.

- ``backend`` is parametrised over ``sqlite`` and ``postgresql``. SQLite databases are copies
  of a migrated template file; PostgreSQL tests share one schema per test session
  (``satark_test_<pid>_<random>``, migrated once, emptied with TRUNCATE ... RESTART IDENTITY
  before each test and dropped at the end). The server is ``SATARK_TEST_POSTGRES_URL`` or
  ``postgresql+psycopg://postgres@127.0.0.1:5432/test``; when it cannot be reached the
  PostgreSQL tests are skipped, or fail when ``SATARK_REQUIRE_POSTGRES=1``.
- ``demo``: the data of :func:`satark.service.demo.seed_demo`, with an access token for every
  demo user. It is seeded once per session and backend and copied in (a second SQLite template;
  a snapshot schema on PostgreSQL) for each test that asks for it.
- ``settings_overrides`` (``{}`` by default) goes into ``Settings``; parametrise it to change
  one, e.g. ``@pytest.mark.parametrize("settings_overrides", [{"max_body_bytes": 10_000}])``.
- ``as_user("rahima")`` is an API client authenticated as that demo user, ``anonymous`` one
  without credentials, ``with_token(t)`` one with any token; ``flow`` moves posts through the
  workflow over the API; ``check_error(response, status, code)`` checks an error response.

The screening engine (rules mode) is built once per session and shared. Password hashing
(``security.hash_password``, which ``security.new_password`` calls) is memoised per password,
so seeding eight users costs one argon2 hash rather than eight (logins still verify for real).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import secrets
import shutil
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
import sqlalchemy as sa
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette 1.10 asks for ``httpx2`` and warns when its test client falls back to ``httpx``
    # (which is what is installed); the client works the same with either.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from satark.service import security
from satark.service.app import create_app
from satark.service.context import Services
from satark.service.db import Database
from satark.service.demo import seed_demo
from satark.service.models import Account, Base, Institution, Post, User
from satark.service.screening import Screening
from satark.service.settings import Settings

if TYPE_CHECKING:
    import httpx

API = "/api/v1"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", "postgresql"]

#: Texts with a known verdict in rules mode on an official account.
CLEAR_BN = "আগামী ১৬ ডিসেম্বর বিজয় দিবস উপলক্ষে জেলা প্রশাসনের পক্ষ থেকে সকাল ৯টায় পুষ্পস্তবক অর্পণ করা হবে।"
REVIEW_BN = "সেবা সপ্তাহে অভিযোগ জানাতে ফোন করুন। আমার মেয়ের জন্মদিনের ছবিও দিলাম!"
BLOCK_BN = "অভিযোগকারী রহিম উদ্দিনের মোবাইল নম্বর ০১৭১১২২৩৩৪৪"
CLEAR_HI = "ग्राम पंचायत भवन में कल सुबह 10 बजे स्वास्थ्य शिविर लगेगा। सभी नागरिक आमंत्रित हैं।"


# --- the screening engine and cheap password hashes ----------------------------------------

@pytest.fixture(scope="session")
def screening() -> Screening:
    """One engine for the session (building it takes seconds); rules mode needs no models."""
    engine = Screening("rules")
    known = engine.jurisdictions()
    # The packs are built-in plugins, so SATARK_NO_PLUGINS (set in tests/conftest.py, which only
    # stops third-party entry points) leaves them loaded; fail loudly if that ever changes.
    assert {"BD", "IN-CG"} <= set(known), f"the service tests need the BD and IN-CG packs; loaded: {known}"
    engine.screen("warm up", jurisdiction="BD", account_type="official")
    return engine


@pytest.fixture
def argon2_outside_write_units(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fails the test if a password is hashed or verified (argon2, tens of milliseconds on
    purpose) inside a write unit, where every other writer would wait for it; the list says
    what ran, so a test can check that its paths hashed at all."""
    from satark.service.db import in_any_write_unit

    ran: list[str] = []
    hashing, verifying = security.hash_password, security.verify_password

    def hash_password(password: str) -> str:
        assert not in_any_write_unit(), "a password hashed inside a write unit"
        ran.append("hash")
        return hashing(password)

    def verify_password(password_hash: str, password: str) -> bool:
        assert not in_any_write_unit(), "a password verified inside a write unit"
        ran.append("verify")
        return verifying(password_hash, password)

    monkeypatch.setattr(security, "hash_password", hash_password)
    monkeypatch.setattr(security, "verify_password", verify_password)
    return ran


@pytest.fixture(scope="session", autouse=True)
def _memoised_password_hashing() -> Iterator[None]:
    cached = functools.cache(security.hash_password)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(security, "hash_password", cached)
        yield


# --- databases ---------------------------------------------------------------------------------

def postgres_schema_url(base: str, schema: str) -> str:
    """``base`` with every connection's search_path set to ``schema`` (then public, for pg_trgm)."""
    url = sa.engine.make_url(base).update_query_dict({"options": f"-csearch_path={schema},public"})
    return url.render_as_string(hide_password=False)


@dataclass
class PostgresServer:
    base_url: str
    admin: sa.Engine

    def create_schema(self, prefix: str = "satark_test") -> str:
        schema = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
        with self.admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            # Alembic looks for its version table by visibility on the search_path, so with
            # ``public`` on the path (for pg_trgm) a stray ``public.alembic_version`` would pass for
            # this schema's and the migration would not run. Give the schema its own, empty, as
            # Alembic would create it.
            conn.exec_driver_sql(
                f'CREATE TABLE "{schema}".alembic_version (version_num VARCHAR(32) NOT NULL, '
                "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
            )
        return schema

    def schema_url(self, schema: str) -> str:
        return postgres_schema_url(self.base_url, schema)

    def drop_schema(self, schema: str) -> None:
        with self.admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    base = os.environ.get("SATARK_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    admin = sa.create_engine(base, connect_args={"connect_timeout": 5})
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.DBAPIError as exc:
        admin.dispose()
        where = sa.engine.make_url(base).render_as_string(hide_password=True)
        reason = f"PostgreSQL is not reachable at {where} ({str(exc.orig).strip().splitlines()[0]})"
        if os.environ.get("SATARK_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + "; SATARK_REQUIRE_POSTGRES=1 makes this an error", pytrace=False)
        pytest.skip(reason + "; set SATARK_TEST_POSTGRES_URL to point at one")
    try:
        yield PostgresServer(base, admin)
    finally:
        admin.dispose()


@dataclass
class PostgresSchema:
    """The session's schema, and a snapshot of it with the demo data in a second schema."""

    server: PostgresServer
    schema: str
    url: str
    #: Every table but Alembic's, parents before children.
    tables: list[str]
    demo: Demo | None = None
    #: The data directory the demo was seeded with: its audit key and head file.
    data_dir: Path | None = None

    @property
    def snapshot(self) -> str:
        return self.schema + "_demo"

    def _q(self, table: str, schema: str | None = None) -> str:
        return f'"{schema or self.schema}"."{table}"'

    def reset(self, *, seeded: bool = False) -> None:
        """Empty every table (TRUNCATE skips the audit table's row-level triggers), then restore the demo."""
        with self.server.admin.begin() as conn:
            # The audit table refuses TRUNCATE (a statement-level trigger): switch it off here.
            conn.exec_driver_sql(f"ALTER TABLE {self._q('audit_events')} DISABLE TRIGGER USER")
            conn.exec_driver_sql(f"TRUNCATE {', '.join(map(self._q, self.tables))} RESTART IDENTITY CASCADE")
            # A test that tampers with the audit table disables its triggers; never leave them off.
            conn.exec_driver_sql(f"ALTER TABLE {self._q('audit_events')} ENABLE TRIGGER USER")
            if not seeded:
                return
            for table in self.tables:
                conn.exec_driver_sql(f"INSERT INTO {self._q(table)} SELECT * FROM {self._q(table, self.snapshot)}")
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{self._q(table)}', 'id'), "
                    f"COALESCE(max(id), 0) + 1, false) FROM {self._q(table)}")

    def take_snapshot(self) -> None:
        with self.server.admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{self.snapshot}"')
            for table in self.tables:
                conn.exec_driver_sql(f"CREATE TABLE {self._q(table, self.snapshot)} AS SELECT * FROM {self._q(table)}")


def _seed(settings: Settings, screening: Screening) -> Demo:
    """Load the demo data set into a migrated, empty database, with an access token for every user."""
    db = Database(settings)
    try:
        with db.session() as session:
            assert seed_demo(session, screening).created
            users = {u.username: u for u in session.scalars(sa.select(User))}
            tokens = {name: security.create_token(session, user, "tests")[0] for name, user in users.items()}
            inst = {i.short_name: i.id for i in session.scalars(sa.select(Institution))}
            acc = {a.handle: a.id for a in session.scalars(sa.select(Account))}
            # the first post in each state (the demo publishes one in Dhaka, then one in Raipur)
            posts = {p.state: p.id for p in session.scalars(sa.select(Post).order_by(Post.id.desc()))}
            cg_published = session.scalar(sa.select(Post.id).where(
                Post.account_id == acc["collectorraipur"], Post.state == "published"))
            assert cg_published is not None
            return Demo(
                institutions={"ministry": inst["MoPA"], "district": inst["DC Office Dhaka"],
                              "cg": inst["Collector Raipur"]},
                users={name: u.id for name, u in users.items()},
                tokens=tokens,
                accounts={"dhaka_fb": acc["dcdhaka"], "karim_x": acc["karim_dc"], "cg_fb": acc["collectorraipur"]},
                published_post=posts["published"],
                submitted_post=posts["submitted"],
                cg_published_post=cg_published,
            )
    finally:
        db.dispose()


@pytest.fixture(scope="session")
def postgres(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory, screening: Screening
) -> Iterator[PostgresSchema]:
    """One migrated schema for the session's PostgreSQL tests, and the demo data's snapshot."""
    schema = postgres_server.create_schema()
    pg: PostgresSchema | None = None
    try:
        url = postgres_server.schema_url(schema)
        settings = Settings(data_dir=tmp_path_factory.mktemp("pg"), database_url=url)
        db = Database(settings)
        try:
            db.upgrade()
        finally:
            db.dispose()
        order = [t.name for t in Base.metadata.sorted_tables]
        with postgres_server.admin.connect() as conn:
            tables = set(conn.execute(
                sa.text("SELECT tablename FROM pg_tables WHERE schemaname = :s AND tablename <> 'alembic_version'"),
                {"s": schema}).scalars())
        assert tables == set(order), tables ^ set(order)
        pg = PostgresSchema(postgres_server, schema, url, order, data_dir=settings.data_dir)
        pg.demo = _seed(settings, screening)
        pg.take_snapshot()
        yield pg
    finally:
        if pg is not None:
            postgres_server.drop_schema(pg.snapshot)
        postgres_server.drop_schema(schema)


def _copy_audit_files(source_dir: Path, target_dir: Path, *, head: bool = True) -> None:
    """The audit chain's key and head file live beside the database, outside it: copy them too."""
    for name in ("audit.key", "audit-head.json") if head else ("audit.key",):
        if (source_dir / name).exists():
            shutil.copy2(source_dir / name, target_dir / name)


def _copy_sqlite(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    for suffix in ("-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
    _copy_audit_files(source.parent, target.parent)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite database, copied for each test."""
    data_dir = tmp_path_factory.mktemp("sqlite-template")
    db = Database(Settings(data_dir=data_dir))
    try:
        db.upgrade()
    finally:
        db.dispose()
    return data_dir / "satark.sqlite3"


@pytest.fixture(scope="session")
def sqlite_demo_template(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory, screening: Screening
) -> tuple[Path, Demo]:
    """The same with the demo data in it."""
    data_dir = tmp_path_factory.mktemp("sqlite-demo-template")
    _copy_sqlite(sqlite_template, data_dir / "satark.sqlite3")
    return data_dir / "satark.sqlite3", _seed(Settings(data_dir=data_dir), screening)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
def settings(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, settings_overrides: dict[str, Any]
) -> Settings:
    """Settings for a migrated database on the backend under test: empty, or with the demo data
    when the test asks for ``demo``."""
    seeded = "demo" in request.fixturenames
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    url = ""
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_demo_template")[0] if seeded else \
            request.getfixturevalue("sqlite_template")
        _copy_sqlite(template, data_dir / "satark.sqlite3")
    else:
        pg: PostgresSchema = request.getfixturevalue("postgres")
        pg.reset(seeded=seeded)
        url = pg.url
        if pg.data_dir is not None:
            _copy_audit_files(pg.data_dir, data_dir, head=seeded)
    defaults = {"screening_mode": "rules", "live_mode": "rules"}
    return Settings(data_dir=data_dir, database_url=url, **{**defaults, **settings_overrides})


@pytest.fixture
def svc(settings: Settings, screening: Screening) -> Iterator[Services]:
    services = Services(settings, screening=screening)
    try:
        yield services
    finally:
        services.db.dispose()


@pytest.fixture
def client(svc: Services) -> Iterator[TestClient]:
    with TestClient(create_app(svc.settings, svc)) as test_client:
        yield test_client


# --- the demo data and API clients ------------------------------------------------------------

@dataclass
class Demo:
    """Ids in the demo data set, and a token (named ``tests``) for each of its users."""

    institutions: dict[str, int]
    users: dict[str, int]
    tokens: dict[str, str]
    accounts: dict[str, int]
    published_post: int
    submitted_post: int
    #: The Raipur office's published post (the demo's second published one).
    cg_published_post: int


@pytest.fixture
def demo(backend: str, settings: Settings, request: pytest.FixtureRequest) -> Demo:
    """The demo data set (``settings`` puts it in the database when a test asks for this)."""
    if backend == "sqlite":
        return request.getfixturevalue("sqlite_demo_template")[1]
    found = request.getfixturevalue("postgres").demo
    assert found is not None
    return found


class Api:
    """The test client under ``/api/v1``, sending one user's bearer token (or none)."""

    def __init__(self, client: TestClient, token: str | None = None) -> None:
        self.client = client
        self.token = token

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if self.token is not None:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return self.client.request(method, API + path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        """Make the request, check its status, return the JSON body."""
        response = self.request(method, path, **kwargs)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()


def expect_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """An error response: the status, and a JSON body with ``error`` and ``message``."""
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text}"
    body: dict[str, Any] = response.json()
    assert set(body) >= {"error", "message"}, body
    assert isinstance(body["message"], str) and body["message"].strip(), body
    if code is not None:
        assert body["error"] == code, body
    return body


@pytest.fixture
def check_error() -> Callable[..., dict[str, Any]]:
    return expect_error


@pytest.fixture
def as_user(client: TestClient, demo: Demo) -> Callable[[str], Api]:
    return lambda username: Api(client, demo.tokens[username])


@pytest.fixture
def with_token(client: TestClient) -> Callable[[str], Api]:
    """An API client sending any given bearer token."""
    return lambda token: Api(client, token)


@pytest.fixture
def anonymous(client: TestClient) -> Api:
    return Api(client)


class Flow:
    """Moves posts through the workflow over the API, with the demo's people."""

    #: account -> (author, approver, publisher)
    PEOPLE: ClassVar[dict[str, tuple[str, str, str]]] = {
        "dhaka_fb": ("rahima", "karim", "sohel"), "karim_x": ("rahima", "karim", "sohel"),
        "cg_fb": ("priya", "arvind", "priya")}
    ORDER: ClassVar[tuple[str, ...]] = (
        "draft", "submitted", "approved", "published", "corrected", "retracted", "archived")

    def __init__(self, as_user: Callable[[str], Api], demo: Demo) -> None:
        self.as_user = as_user
        self.demo = demo

    def create(self, text: str = CLEAR_BN, *, account: str = "dhaka_fb", title: str = "", author: str = "") -> Any:
        author = author or self.PEOPLE[account][0]
        return self.as_user(author).ok("POST", "/posts", 201, json={
            "account_id": self.demo.accounts[account], "text": text, "title": title})

    def post(self, state: str, text: str = CLEAR_BN, *, account: str = "dhaka_fb", title: str = "",
             published_at: dt.datetime | None = None, override_reason: str | None = None) -> Any:
        """A new post taken to ``state`` along the main path."""
        author, approver, publisher = (self.as_user(n) for n in self.PEOPLE[account])
        post = self.create(text, account=account, title=title)
        pid = post["id"]
        # A correction and a retraction wait for an approver, like the post did (issue 11);
        # on the CG account the approver fast-tracks the retraction alone.
        approval = {"comment": "fine", "override_reason": override_reason}
        retraction = {"reason": "superseded by a new notice", "fast_track": account == "cg_fb"}
        steps: list[list[tuple[Api, str, dict[str, Any] | None]]] = [
            [(author, "submit", {"confirm": True})],
            [(approver, "approve", approval)],
            [(publisher, "publish", {"url": f"https://example.gov/posts/{pid}",
                                     "published_at": published_at.isoformat() if published_at else None})],
            [(author, "correct", {"text": text + " (সংশোধিত / संशोधित)", "note": "a date was wrong in the post"}),
             (approver, "approve", approval)],
            [(publisher if account != "cg_fb" else approver, "retract", retraction)]
            + ([(approver, "approve", {"comment": "fine"})] if account != "cg_fb" else []),
            [(self.as_user("admin"), "archive", None)],
        ]
        for group, reached in zip(steps, self.ORDER[1:], strict=True):
            if self.ORDER.index(state) < self.ORDER.index(reached):
                break
            for api, action, body in group:
                post = api.ok("POST", f"/posts/{pid}/{action}", json=body)
            assert post["state"] == reached, post
        return post


@pytest.fixture
def flow(as_user: Callable[[str], Api], demo: Demo) -> Flow:
    return Flow(as_user, demo)
