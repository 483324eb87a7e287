"""The API against its own OpenAPI schema, fuzzed by Schemathesis on a live server.

A real ``satark serve`` process with the demo data, on SQLite and on PostgreSQL; every
operation gets a bounded number of generated requests (valid and invalid), and every
check must pass: no server error, every response as the schema describes it (status,
media type, body), and no request that should fail accepted.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .test_e2e_browser import _free_port, _satark_command, _wait_for

pytestmark = pytest.mark.slow

#: Generated requests per operation: bounded so that CI stays in minutes.
MAX_EXAMPLES = int(os.environ.get("SATARK_FUZZ_EXAMPLES", "30"))
#: Operations that would end the fuzzer's own login: each has its own tests.
SPARED = ["/api/v1/session", "/api/v1/me/logout-everywhere", "/api/v1/me/password"]


@pytest.fixture(params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A served demo site and an administrator's token."""
    data = tmp_path / "data"
    data.mkdir()
    env = {**os.environ, "SATARK_DATA_DIR": str(data), "SATARK_MODE": "rules", "SATARK_LIVE_MODE": "rules"}
    env.pop("SATARK_DATABASE_URL", None)
    schema = None
    if request.param == "postgresql":
        server: Any = request.getfixturevalue("postgres_server")
        schema = server.create_schema("satark_fuzz")
        env["SATARK_DATABASE_URL"] = server.schema_url(schema)
    command = _satark_command()
    try:
        seeded = subprocess.run([*command, "demo", "--no-serve"], env=env, capture_output=True, text=True,
                                timeout=300)
        assert seeded.returncode == 0, seeded.stdout + seeded.stderr
        made = subprocess.run([*command, "admin", "create-token", "admin", "--name", "fuzz"], env=env,
                              capture_output=True, text=True, timeout=120)
        assert made.returncode == 0, made.stdout + made.stderr
        token = made.stdout.strip().split()[-1]
        port = _free_port()
        log = data / "server.log"
        with log.open("wb") as out:
            proc = subprocess.Popen([*command, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                                    stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for(base + "/healthz", proc, log)
            yield base, token
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    finally:
        if schema is not None:
            request.getfixturevalue("postgres_server").drop_schema(schema)


def test_no_server_error_and_no_schema_violation(live: tuple[str, str], tmp_path: Path) -> None:
    base, token = live
    st = Path(sys.executable).parent / "st"
    if not st.exists():
        pytest.skip("schemathesis is not installed (it is in the [dev] extra)")
    # positive_data_acceptance ("a schema-valid request must be accepted") is left out: the
    # schema does not yet carry every business rule (which policy packs exist, the password
    # policy, a username's form, the ranges of institution settings), so such requests get a
    # clear 422 that the check counts as a failure.
    args = [str(st), "run", f"{base}/api/v1/openapi.json", "--checks", "all",
            "--exclude-checks", "positive_data_acceptance",
            # one worker: two trip a CPython 3.11 race in ast.parse inside Hypothesis
            "--max-examples", str(MAX_EXAMPLES), "--seed", "20261206", "--workers", "1",
            "-H", f"Authorization: Bearer {token}", "--request-timeout", "30",
            "--report", "junit", "--report-dir", str(tmp_path / "report")]
    for path in SPARED:
        args += ["--exclude-path", path]
    result = subprocess.run(args, capture_output=True, text=True, timeout=1500, cwd=tmp_path)  # its cache dir
    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-3000:]
