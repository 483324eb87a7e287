"""Load benchmark: a real ``satark serve`` process on loopback, 16 concurrent clients.

Measures ``POST /api/v1/screen``, the web editor's live check (``POST /ui/screen`` with a
login cookie and CSRF token, as htmx sends it while the author types) and the post-submit
path (``POST /api/v1/posts`` — which screens the draft and stores it with its report —
then ``POST /api/v1/posts/{id}/submit``) on SQLite (default) or PostgreSQL, and prints
requests/s and p50/p99 latency. The same path through the web pages follows: the editor's
form (``POST /posts/new``), the post's page it redirects to, the submit form and the page
again, as a browser does it.

    python benchmarks/load.py                       # SQLite in a temporary data directory
    python benchmarks/load.py --db postgresql       # PostgreSQL (a fresh schema, dropped after)
    python benchmarks/load.py --mode fast           # every screening in one mode

With the server's defaults, ``screen`` runs the live mode (``fast``) and drafts are screened
in ``full`` mode; the run then also measures ``screen`` with ``"mode": "full"``.

Posts come from the seeded corpus of ``satark bench`` (seven language varieties, mixed
clean and violating posts), each made unique so no cache can answer for the engine.
Clients are closed-loop: each sends its next request as soon as the last one returns.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from satark.bench import generate_corpus

DEMO_PASSWORD = "satark-demo-2026"
PG_URL = os.environ.get("SATARK_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _satark() -> str:
    exe = Path(sys.executable).parent / "satark"
    return str(exe) if exe.exists() else shutil.which("satark") or "satark"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_schema_url(schema: str) -> str:
    return f"{PG_URL}?options=-csearch_path%3D{schema},public"


def _psql(sql: str) -> None:
    import sqlalchemy

    engine = sqlalchemy.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(sql)
    engine.dispose()


class Server:
    """``satark demo --no-serve`` then ``satark serve`` in a scratch data directory."""

    def __init__(self, db: str, workers: int, mode: str | None) -> None:
        self.tmp = tempfile.mkdtemp(prefix="satark-load-")
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.schema = f"satark_load_{uuid.uuid4().hex[:8]}"
        self.env = {**os.environ, "SATARK_DATA_DIR": self.tmp}
        self.env.pop("SATARK_NO_PLUGINS", None)
        if mode:
            self.env["SATARK_MODE"] = mode
        if db == "postgresql":
            _psql(f"CREATE SCHEMA {self.schema}")
            self.env["SATARK_DATABASE_URL"] = _pg_schema_url(self.schema)
        self.db = db
        subprocess.run([_satark(), "demo", "--no-serve"], env=self.env, check=True, capture_output=True)
        self.tokens = {
            user: subprocess.run([_satark(), "admin", "create-token", user, "--name", "load"], env=self.env,
                                 check=True, capture_output=True, text=True).stdout.strip()
            for user in ("rahima", "sohel", "karim")
        }
        self.proc = subprocess.Popen(
            [_satark(), "serve", "--port", str(self.port), "--workers", str(workers)], env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.close()
        raise SystemExit("the server did not start")

    def close(self) -> None:
        if getattr(self, "proc", None) is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self.db == "postgresql":
            _psql(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
        shutil.rmtree(self.tmp, ignore_errors=True)


def _run(clients: int, jobs: list[Any], call: Any) -> dict[str, Any]:
    """Closed loop: ``clients`` threads take jobs in turn; ``call(client, job)`` returns
    ``[(name, seconds, ok), ...]`` for the requests it made."""
    lock = threading.Lock()
    results: list[tuple[str, float, bool]] = []
    next_job = iter(jobs)

    def worker(token: str) -> None:
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
            if token.startswith("web:"):  # a browser: a login session (cookie) and its CSRF token
                base, _, username = token[4:].rpartition(":")
                client.headers.pop("Authorization")
                login = client.post(base + "/api/v1/session", json={"username": username, "password": DEMO_PASSWORD})
                login.raise_for_status()
                client.headers["X-CSRF-Token"] = login.json()["csrf_token"]
            while True:
                with lock:
                    job = next(next_job, None)
                if job is None:
                    return
                got = call(client, job)
                with lock:
                    results.extend(got)

    threads = [threading.Thread(target=worker, args=(jobs[0]["token"],)) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    out: dict[str, Any] = {}
    for name in sorted({r[0] for r in results}):
        lat = sorted(r[1] for r in results if r[0] == name)
        errors = sum(1 for r in results if r[0] == name and not r[2])
        out[name] = {
            "requests": len(lat), "errors": errors, "requests_per_s": round(len(lat) / elapsed, 1),
            "p50_ms": round(statistics.median(lat) * 1000, 1),
            "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000, 1),
            "max_ms": round(lat[-1] * 1000, 1),
        }
    return out


def _timed(client: httpx.Client, name: str, method: str, url: str, **kw: Any) -> tuple[tuple[str, float, bool], Any]:
    t0 = time.perf_counter()
    r = client.request(method, url, **kw)
    dt = time.perf_counter() - t0
    return (name, dt, r.status_code < 400), (r.json() if r.status_code < 400 else None)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--requests", type=int, default=1600, help="screen requests (and half as many posts)")
    ap.add_argument("--workers", type=int, default=1, help="server worker processes")
    ap.add_argument("--mode", choices=["rules", "fast", "full"], default=None,
                    help="one mode for every screening (default: the server's: live fast, stored full)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()

    corpus = generate_corpus(args.requests + 100, seed=11)
    server = Server(args.db, args.workers, args.mode)
    try:
        url = server.url
        # Account 1 is the Dhaka office's Facebook page (BD); 3 the Raipur office's (IN-CG).
        accounts = {"BD": (1, server.tokens["rahima"]), "IN-CG": (3, server.tokens["rahima"])}

        def screen(client: httpx.Client, job: dict[str, Any]) -> list[tuple[str, float, bool]]:
            rec, _ = _timed(client, "screen", "POST", url + "/api/v1/screen", json=job["body"])
            return [rec]

        def create_and_submit(client: httpx.Client, job: dict[str, Any]) -> list[tuple[str, float, bool]]:
            t0 = time.perf_counter()
            rec1, post = _timed(client, "create post", "POST", url + "/api/v1/posts", json=job["body"])
            if post is None:
                return [rec1]
            rec2, _ = _timed(client, "submit", "POST", f"{url}/api/v1/posts/{post['id']}/submit",
                              json={"confirm": True})  # a blocked draft: the author has read why
            return [rec1, rec2, ("create + submit", time.perf_counter() - t0, rec1[2] and rec2[2])]

        # Load the models before measuring: each mode's on its first post.
        warm = [{"token": server.tokens["rahima"], "body": {"text": f"warm {t} #{i}", "jurisdiction": j,
                                                            "account_type": a, "mode": mode}}
                for mode in ("fast", "full") for i, (t, j, a) in enumerate(corpus[:50])]
        _run(4, warm, screen)

        def screen_jobs(offset: int, mode: str | None) -> list[dict[str, Any]]:
            return [{"token": server.tokens["rahima"],
                     "body": {"text": f"{t} #{offset + i}", "jurisdiction": j, "account_type": a,
                              **({"mode": mode} if mode else {})}}
                    for i, (t, j, a) in enumerate(corpus[100:])]

        def live_check(client: httpx.Client, job: dict[str, Any]) -> list[tuple[str, float, bool]]:
            # What the editor's live panel sends on each pause in typing (htmx, a form post).
            t0 = time.perf_counter()
            r = client.post(url + "/ui/screen", data=job["form"], headers={"HX-Request": "true"})
            return [("live check (web editor)", time.perf_counter() - t0, r.status_code < 400)]

        figures = _run(args.clients, screen_jobs(0, args.mode), screen)
        live_form = {"account_id": str(accounts["BD"][0])}
        live_jobs = [{"token": f"web:{url}:rahima", "form": {**live_form, "text": f"{t} #live{i}"}}
                     for i, (t, _j, _a) in enumerate(corpus[100:])]
        figures |= _run(args.clients, live_jobs, live_check)
        if args.mode is None:
            full = _run(args.clients, screen_jobs(len(corpus), "full"), screen)
            figures["screen, mode full"] = full["screen"]
        post_jobs = []
        for i, (t, j, _a) in enumerate(corpus[100: 100 + args.requests // 2]):
            account_id, token = accounts["BD" if j.startswith("BD") else "IN-CG"]
            # Only the BD office has an author in the demo; post there for every text.
            post_jobs.append({"token": token, "body": {"account_id": accounts["BD"][0], "text": f"{t} #{i}"}})
            del account_id
        figures |= _run(args.clients, post_jobs, create_and_submit)

        def web_create_and_submit(client: httpx.Client, job: dict[str, Any]) -> list[tuple[str, float, bool]]:
            # A browser: the form posts, each answered with a redirect to the post's page, followed.
            t0 = time.perf_counter()
            saved = client.post(url + "/posts/new", data=job["form"], follow_redirects=True)
            ok = saved.status_code == 200 and "/posts/" in saved.url.path
            if ok:
                submitted = client.post(f"{url}{saved.url.path}/submit", data={"confirm": "1"}, follow_redirects=True)
                ok = submitted.status_code == 200
            return [("create + submit (web pages)", time.perf_counter() - t0, ok)]

        web_jobs = [{"token": f"web:{url}:rahima",
                     "form": {"account_id": str(accounts["BD"][0]), "title": f"load {i}", "text": f"{t} #web{i}"}}
                    for i, (t, _j, _a) in enumerate(corpus[100: 100 + args.requests // 4])]
        figures |= _run(args.clients, web_jobs, web_create_and_submit)
    finally:
        server.close()

    meta = {"db": args.db, "clients": args.clients, "workers": args.workers,
            "mode": args.mode or "server defaults (screen: fast, drafts: full)",
            "cpus": os.cpu_count()}
    if args.json:
        print(json.dumps({"settings": meta, "figures": figures}, indent=2))
        return
    print(f"{args.db}, {args.clients} clients, {args.workers} worker(s), mode {meta['mode']}, {meta['cpus']} CPUs")
    print("| endpoint | requests | errors | requests/s | p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|---|")
    for name, f in figures.items():
        print(f"| {name} | {f['requests']} | {f['errors']} | {f['requests_per_s']} | {f['p50_ms']} | {f['p99_ms']} "
              f"| {f['max_ms']} |")


if __name__ == "__main__":
    main()
