"""The satark command as a user runs it: real processes, real files, real stdin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SATARK = str(Path(sys.executable).with_name("satark"))
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(*args: str, stdin: bytes | None = None, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SATARK_NO_PLUGINS": "1", "COLUMNS": "120", **settings}
    proc = subprocess.run([SATARK, *args], input=stdin, capture_output=True, env=env, timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode,
                                       proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


def test_clear_post_exits_0() -> None:
    r = run("check", "-j", "BD", "-a", "official", "আগামীকাল উপজেলা পরিষদে বিনামূল্যে চক্ষু শিবির অনুষ্ঠিত হবে।")
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr


def test_blocked_post_reads_like_a_linter() -> None:
    r = run("check", "-j", "BD", "-a", "official", "--lang", "bn", "-f", str(EXAMPLES / "bd-official-post.txt"))
    assert r.returncode == 2, r.stdout + r.stderr
    assert "BD-2019/" in r.stdout and "confidential" in r.stdout
    assert "bd-official-post.txt:1:" in r.stdout  # file:line:col like a linter
    assert "লঙ্ঘন" in r.stdout  # explanation in Bengali
    assert "⟦০১৭১১-২২৩৩৪৪⟧" in r.stdout  # the flagged span, marked (no colour in a pipe)


def test_json_output() -> None:
    r = run("check", "--json", "-j", "IN-CG", "-f", str(EXAMPLES / "cg-personal-post.txt"))
    data = json.loads(r.stdout)
    assert r.returncode == {"clear": 0, "review": 1, "block": 2}[data["verdict"]]
    assert data["findings"], data
    text = (EXAMPLES / "cg-personal-post.txt").read_text(encoding="utf-8")
    for finding in data["findings"]:
        assert finding["clause_ids"][0].startswith("IN-CG-2017/")
        for span in finding["spans"]:
            assert text[span["start"]:span["end"]] == span["text"]


def test_stdin_dash_and_pipe() -> None:
    post = "ये सरकार पूरी तरह निकम्मी है".encode()
    assert run("check", "-", stdin=post).returncode in (1, 2)
    assert run("check", "-f", "-", stdin=post).returncode in (1, 2)


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (("check", "-"), b"", 4, "empty"),
        (("check", "-"), b"   \n  ", 4, "empty"),
        (("check", "-"), b"\xff\xfe bad \xc3\x28", 4, "not valid UTF-8"),
        (("check", "-"), "क".encode() * 400_000, 4, "limit"),
        (("check", "-j", "IN-MH", "hello"), None, 3, "no policy pack"),
        (("check", "--account", "group", "hello"), None, 3, "group"),
        (("check", "--bogus"), None, 3, "bogus"),
        (("check", "-f", "/nonexistent/post.txt"), None, 4, "cannot read"),
        (("policy", "show", "BD-2019/99/zz"), None, 3, "no clause"),
        (("eval", "/nonexistent.jsonl"), None, 4, "cannot read"),
    ],
)
def test_errors_are_one_line_with_exit_codes(args: tuple[str, ...], stdin: bytes | None, code: int,
                                             message: str) -> None:
    r = run(*args, stdin=stdin if stdin is not None else b"")
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    assert message in r.stderr
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) <= 3


def test_a_1mb_post_and_a_binary_file(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("a" * 1_048_576, encoding="utf-8")
    r = run("check", "-f", str(big))
    assert r.returncode == 4 and "limit" in r.stderr
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)))
    r = run("check", "-f", str(binary))
    assert r.returncode == 4 and "binary" in r.stderr
    r = run("check", "-f", str(tmp_path))
    assert r.returncode == 4 and "directory" in r.stderr


def test_policy_list_and_show() -> None:
    r = run("policy", "list")
    assert r.returncode == 0 and "IN-CG-2017" in r.stdout and "BD-2019" in r.stdout
    r = run("policy", "list", "--pack", "BD")
    assert r.returncode == 0 and "BD-2019/10/gha" in r.stdout
    r = run("policy", "show", "BD-2019/10/gha", "--lang", "bn")
    assert r.returncode == 0 and "ক্ষুদ্র জাতিসত্তা" in r.stdout
    r = run("policy", "show", "BD-2019/10/gha", "--lang", "en")
    assert r.returncode == 0 and "original:" in r.stdout
    r = run("policy", "show", "IN-CG-2017/4", "--lang", "hi", "--json")
    data = json.loads(r.stdout)
    assert data["id"] == "IN-CG-2017/4" and data["categories"]


def test_policy_list_piped_gives_whole_ids_and_show_takes_the_citation() -> None:
    r = run("policy", "list", "--pack", "BD")  # stdout is a pipe here
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    gha = next(row for row in rows if row[0] == "BD-2019/10/gha")
    assert r.returncode == 0 and gha[:2] == ["BD-2019/10/gha", "§10(ঘ)"]
    assert "…" not in r.stdout
    clauses = json.loads(run("policy", "list", "--pack", "BD", "--json").stdout)
    assert {"id": "BD-2019/6.1/ka"}.items() <= next(c for c in clauses if c["id"] == "BD-2019/6.1/ka").items()
    for form in ("BD-2019/10/ঘ", "BD-2019 §10(ঘ)", "BD-2019/10/gha"):
        r = run("policy", "show", form, "--json")
        assert r.returncode == 0 and json.loads(r.stdout)["id"] == "BD-2019/10/gha", (form, r.stderr)
    assert run("policy", "show", "BD-2019/6.1/ক", "--json").returncode == 0
    assert run("policy", "show", "BD-2019/10/ঢ").returncode == 3


def test_eval_on_a_small_file(tmp_path: Path) -> None:
    path = tmp_path / "mini.jsonl"
    rows = [
        {"id": "1", "lang": "hi", "jurisdiction": "IN-CG", "account_type": "personal",
         "text": "ये सरकार पूरी तरह निकम्मी है", "labels": ["anti_government"]},
        {"id": "2", "lang": "bn", "jurisdiction": "BD", "account_type": "official",
         "text": "আগামীকাল উপজেলা পরিষদে চক্ষু শিবির অনুষ্ঠিত হবে।", "labels": []},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    r = run("eval", str(path), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["posts"] == 2 and "per_language" in data and data["posts_per_second"] > 0
    r = run("eval", str(path), "--markdown")
    assert r.returncode == 0 and "| anti_government | 1 |" in r.stdout
    path.write_text('{"id": 1, "text": "x"}\n', encoding="utf-8")
    r = run("eval", str(path))
    assert r.returncode == 4 and "mini.jsonl:1" in r.stderr


@pytest.mark.skipif(not (Path(__file__).resolve().parents[2] / "shared" / "data").exists(),
                    reason="../shared/data is not beside the repo")
def test_eval_dataset_scores_a_public_test_split(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The benchmark heads are trained on research-only data, so they are trained here, in
    # the data directory, never shipped in the package.
    monkeypatch.setenv("SATARK_DATA_DIR", str(tmp_path))
    r = run("eval", "--dataset", "hasoc2019-hindi", "--json")
    assert r.returncode == 4 and "satark train --benchmark hasoc2019-hindi" in r.stderr
    r = run("train", "--benchmark", "hasoc2019-hindi")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "models" / "bench" / "manifest.json").exists()
    r = run("eval", "--dataset", "hasoc2019-hindi", "--json")
    assert r.returncode == 0, r.stderr
    row = json.loads(r.stdout)[0]
    assert row["dataset"] == "hasoc2019-hindi" and row["test_rows"] == 1318
    assert row["ours"] >= 0.76 and row["published_best"] == 0.81
    r = run("eval", "--dataset", "no-such-set")
    assert r.returncode == 3 and "unknown benchmark" in r.stderr


def test_a_command_of_a_missing_extra_says_which_to_install(monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """`satark serve` without the [service] extra: a clear message and exit 3, not "internal error"."""
    import builtins

    from satark.cli import main

    real_import = builtins.__import__

    def no_uvicorn(name: str, *args: object, **kwargs: object) -> object:
        if name.split(".")[0] == "uvicorn":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_uvicorn)
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--port", "1"])
    assert exit_.value.code == 3
    err = capsys.readouterr().err
    assert "[service] extra" in err and "pip install 'satark[service]'" in err


@pytest.mark.parametrize(("settings", "args", "message"), [
    ({"SATARK_MODE": "bogus"}, ("check", "hello"), "SATARK_MODE='bogus': should be one of rules, fast, full"),
    ({"SATARK_MODE": "bogus"}, ("check", "--mode", "rules", "hello"), "SATARK_MODE='bogus'"),
    ({"SATARK_MODEL_SET": "nosuch"}, ("check", "hello"), "SATARK_MODEL_SET='nosuch': no model set at"),
    ({"SATARK_MODELS_DIR": "/nonexistent/models"}, ("check", "hello"),
     "SATARK_MODELS_DIR='/nonexistent/models' has no manifest.json"),
    ({"SATARK_DATASETS_DIR": "/nonexistent/data"}, ("eval", "--transfer", "--limit", "50"),
     "SATARK_DATASETS_DIR='/nonexistent/data' is not a directory"),
    ({"SATARK_MAX_BODY_BYTES": "abc"}, ("db", "current"), "SATARK_MAX_BODY_BYTES='abc': should be a valid integer"),
    ({"SATARK_SESSION_IDLE_MINUTES": "-1"}, ("demo", "--no-serve"), "SATARK_SESSION_IDLE_MINUTES='-1'"),
])
def test_a_bad_setting_is_a_configuration_error(tmp_path: Path, settings: dict[str, str], args: tuple[str, ...],
                                                message: str) -> None:
    """Exit 3 (a usage or configuration error) with one line naming the variable: not 6, no traceback."""
    r = run(*args, SATARK_DATA_DIR=str(tmp_path), **settings)
    assert r.returncode == 3, (r.returncode, r.stdout, r.stderr)
    assert r.stderr.startswith("satark: configuration error: ") and message in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert not (tmp_path / "satark.sqlite3").exists()


def test_the_engine_commands_need_no_service_settings(tmp_path: Path) -> None:
    """pydantic-settings is in the [service] extra: `satark check` works without it (and does
    not import it), `satark db` says which extra to install."""
    script = """
import sys
sys.modules["pydantic_settings"] = None  # not installed
from satark.cli import main
for argv in (["check", "-j", "BD", "hello"], ["db", "current"]):
    try:
        main(argv)
    except SystemExit as exc:
        print("exit", exc.code, flush=True)
"""
    env = {**os.environ, "SATARK_NO_PLUGINS": "1", "SATARK_DATA_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    exits = [line for line in proc.stdout.splitlines() if line.startswith("exit")]
    assert exits == ["exit 0", "exit 3"], proc.stdout + proc.stderr
    assert "needs the [service] extra (pydantic_settings is not installed)" in proc.stderr
