"""The API against its own OpenAPI schema, fuzzed by Schemathesis on a live server.

A real ``satark serve`` process with the demo data, on SQLite and on PostgreSQL; every
operation gets a bounded number of generated requests (valid and invalid), and every check
runs (``--checks all``): no server error, every response as the schema describes it
(status, media type, body), no request that should fail accepted, and no schema-valid
request refused. The request schemas carry the business rules (enums of the installed
packs and of roles, lengths, ranges, patterns), so that last check holds; the few rules no
schema can state are named in ``schemathesis.toml`` beside this file, per operation.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .test_e2e_browser import _free_port, _satark_command, _wait_for

HERE = Path(__file__).resolve().parent
#: Generated requests per operation in the fuzzing phase (the coverage and stateful phases add
#: their own): bounded so that CI stays in minutes. SATARK_FUZZ_EXAMPLES=300 for a longer run.
MAX_EXAMPLES = int(os.environ.get("SATARK_FUZZ_EXAMPLES", "100"))
#: Operations that would end the fuzzer's own login: each has its own tests.
SPARED = ["/api/v1/session", "/api/v1/me/logout-everywhere", "/api/v1/me/password"]


@pytest.fixture(params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A served demo site, and the environment that reaches its data."""
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
        port = _free_port()
        log = data / "server.log"
        with log.open("wb") as out:
            proc = subprocess.Popen([*command, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                                    stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for(base + "/healthz", proc, log)
            yield base, env
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    finally:
        if schema is not None:
            request.getfixturevalue("postgres_server").drop_schema(schema)


@pytest.mark.slow
def test_no_server_error_and_no_schema_violation(live: tuple[str, dict[str, str]], tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    base, env = live
    st = Path(sys.executable).parent / "st"
    if not st.exists():
        pytest.skip("schemathesis is not installed (it is in the [dev] extra)")
    args = [str(st), "--config-file", str(HERE / "schemathesis.toml"), "run", f"{base}/api/v1/openapi.json",
            "--checks", "all",
            # one worker: two trip a CPython 3.11 race in ast.parse inside Hypothesis
            "--max-examples", str(MAX_EXAMPLES), "--seed", "20261206", "--workers", "1", "--request-timeout", "30",
            "--report", "junit", "--report-dir", str(tmp_path / "report")]
    for path in SPARED:
        args += ["--exclude-path", path]
    # The administrator's token comes from schemathesis_hooks.py, renewed when the fuzzer revokes it.
    fuzz_env = {**env, "SCHEMATHESIS_HOOKS": "schemathesis_hooks", "SATARK_FUZZ_COMMAND": _satark_command()[0],
                "PYTHONPATH": os.pathsep.join(p for p in (str(HERE), env.get("PYTHONPATH", "")) if p)}
    started = time.monotonic()
    result = subprocess.run(args, capture_output=True, text=True, timeout=3000, cwd=tmp_path, env=fuzz_env)
    took = time.monotonic() - started
    output = result.stdout[-12000:] + result.stderr[-3000:]
    assert result.returncode == 0, output
    cases = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    assert cases is not None and cases[1] == cases[2], output
    operations = re.search(r"Tested: (\d+)", result.stdout)
    assert operations is not None and int(operations[1]) >= 40, output
    # Every operation ran signed in (a revoked token is renewed), so none answered only 401.
    assert "Authentication failed" not in result.stdout, output
    with capsys.disabled():
        print(f"\nschemathesis: {cases[1]} cases over {operations[1]} operations, 0 failures, {took:.0f} s")


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from satark.service.app import create_app
    from satark.service.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("openapi"), database_url="", screening_mode="rules",
                        live_mode="rules")
    schema: dict[str, Any] = create_app(settings).openapi()
    return schema


def _body(openapi: dict[str, Any], name: str) -> dict[str, Any]:
    properties: dict[str, Any] = openapi["components"]["schemas"][name]["properties"]
    return properties


def _enum(schema: dict[str, Any]) -> list[str]:
    for option in schema.get("anyOf", [schema]):
        if "enum" in option:
            return list(option["enum"])
    raise AssertionError(f"no enum in {schema}")


def _parameter(openapi: dict[str, Any], path: str, method: str, name: str) -> dict[str, Any]:
    found = next(p for p in openapi["paths"][f"/api/v1{path}"][method]["parameters"] if p["name"] == name)
    schema: dict[str, Any] = found["schema"]
    return schema


def test_the_schema_states_the_domain_rules(openapi: dict[str, Any]) -> None:
    """The enums and ranges come from the domain's own constants, so the schema cannot drift."""
    from satark.service.accounts import PLATFORMS
    from satark.service.archive import ARCHIVED_STATES
    from satark.service.directory import INSTITUTION_KINDS, SETTINGS_FIELDS
    from satark.service.models import ROLES
    from satark.service.screening import Screening
    from satark.service.workflow import MIN_REASON, STATES

    assert _enum(_body(openapi, "UserIn")["role"]) == list(ROLES)
    assert _enum(_body(openapi, "MemberIn")["role"]) == list(ROLES)
    assert _enum(_parameter(openapi, "/institutions/{institution_id}/members/{user_id}/{role}", "delete",
                            "role")) == list(ROLES)
    institution = _body(openapi, "InstitutionIn")
    assert _enum(institution["kind"]) == list(INSTITUTION_KINDS)
    packs = Screening("rules").packs
    assert set(_enum(institution["jurisdiction"])) == {*packs.jurisdictions, *(p.id for p in packs)}
    assert {"BD", "BD-2019", "IN-CG", "IN-CG-2017"} <= set(_enum(institution["jurisdiction"]))
    assert {"Asia/Dhaka", "Asia/Kolkata", "UTC"} <= set(_enum(institution["timezone"]))
    for name, (low, high) in SETTINGS_FIELDS.items():
        number = institution[name]["anyOf"][0]
        assert (number["type"], number["minimum"], number["maximum"]) == ("integer", low, high), name
    assert _enum(_body(openapi, "AccountCreate")["platform"]) == list(PLATFORMS)
    assert _enum(_parameter(openapi, "/posts", "get", "state")) == list(STATES)
    assert _enum(_parameter(openapi, "/archive", "get", "state")) == list(ARCHIVED_STATES)
    assert _body(openapi, "CommentIn")["comment"]["minLength"] == MIN_REASON
    user = openapi["components"]["schemas"]["UserIn"]
    assert user["dependentRequired"] == {"institution_id": ["role"], "role": ["institution_id"]}


@pytest.mark.parametrize(("pattern", "good", "bad"), [
    ("SAID", ["x", " x ", "\u00a0क\u3000", "a\nb"], ["", " ", "\x1c\x1d", "\u3000\u2028", "\x00", "x\x00"]),
    ("REASON", ["written out", "  ten chars!  ", "১২৩৪৫৬৭৮৯০"], ["short", " " * 20 + "nine char", "\x1cshort one\x1c",
                                                                "a\x00bcdefghij"]),
    ("USERNAME", ["ab", "rahima", "a.b_c-d", "0" * 80], ["a", "Rahima", " rahima", "ra him", "-ab", "a" * 81]),
    ("URL", ["https://dhaka.gov.bd", "http://x.example:8080/a?b#c", "https://bn.wikipedia.org/wiki/ঢাকা"],
     ["ftp://x.example", "https://", "https://x.example/a b", "https://x.example/\x1c", "https://ঢাকা.bd",
      " https://x.example", "https://x.example/\u00a0", "https://x.example/\ufeff", "javascript:alert(1)"]),
    ("SEARCH", ["", "one", " " + " ".join(["word"] * 10) + " ", "a\x00b"], [" ".join(["word"] * 11)]),
    ("DATE", ["2026-12-06", "0001-01-01"], ["0000-01-01", "2026-1-6", "20261206", "2026-12-06T00:00:00Z"]),
    ("TIMESTAMP", ["2026-11-23T10:00:00Z", "2026-11-23T10:00:00.123456+06:00", "0002-01-01T00:00:00+14:00"],
     ["2026-11-23T10:00:00", "2026-11-23 10:00:00Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:00:00-01:00",
      "2026-11-23T10:00:60Z", "2026-11-23T10:00:00.1234567Z", "2026-11-23t10:00:00z"]),
])
def test_the_patterns_mean_the_same_to_every_regex_engine(pattern: str, good: list[str], bad: list[str]) -> None:
    """Python's re (the service), Rust's regex (pydantic) and the JSON Schema validator that
    Schemathesis uses agree on each pattern: no engine's idea of white space slips in."""
    import re

    from pydantic import BaseModel, Field, ValidationError

    from satark.service.api import schemas

    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    regex = getattr(schemas, pattern)
    validator = jsonschema_rs.validator_for({"type": "string", "pattern": regex})

    class Rust(BaseModel):
        value: str = Field(pattern=regex)

    for text in good + bad:
        expected = text in good
        assert bool(re.fullmatch(regex, text)) == expected, (pattern, text)
        assert validator.is_valid(text) == expected, (pattern, text)
        try:
            Rust(value=text)
            assert expected, (pattern, text)
        except ValidationError:
            assert not expected, (pattern, text)
