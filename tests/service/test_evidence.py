"""Evidence files: accepted by their content, kept once under their SHA-256 (0600), checked when read."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from satark.service import evidence
from satark.service.errors import Conflict, InvalidInput, NotFound
from satark.service.settings import Settings

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
TEXT = "কারণ দর্শানোর নোটিশের জবাব — कारण बताओ सूचना का उत्तर\n".encode()


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    """A session that knows the data directory (as ``Database`` sessions do); no database is used."""
    with Session(info={"settings": Settings(data_dir=tmp_path)}) as s:
        yield s


@pytest.mark.parametrize(("content", "name", "media"), [
    (PNG, "screen.png", "image/png"), (JPEG, "photo.JPG", "image/jpeg"), (JPEG, "photo.jpeg", "image/jpeg"),
    (PDF, "notice.pdf", "application/pdf"), (TEXT, "reply.txt", "text/plain"),
])
def test_accepted_kinds_are_kept_by_hash(session: Session, tmp_path: Path, content: bytes, name: str,
                                         media: str) -> None:
    stored = evidence.store(session, content, name)
    sha = hashlib.sha256(content).hexdigest()
    assert (stored.sha256, stored.size, stored.media_type, stored.filename) == (sha, len(content), media, name)
    path = tmp_path / "evidence" / sha[:2] / sha
    assert path.read_bytes() == content
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert evidence.read(session, sha) == content
    # The same content again is the same file: nothing new is written, no temporary file is left.
    assert evidence.store(session, content, "again" + name[name.rfind("."):]).sha256 == sha
    assert sorted(p.name for p in path.parent.iterdir()) == [sha]


@pytest.mark.parametrize(("content", "name"), [
    (b"<html><script>alert(1)</script></html>", "screen.png"),  # HTML renamed: plain text, but not .png
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "report.pdf"),  # an executable
    (PNG, "screen.pdf"),  # the extension disagrees with the content
    (PDF, "notice.txt"),
    (TEXT, "reply"),  # no extension
    (b"\x00\x01\x02binary", "x.txt"),
    (b"GIF89a....", "x.gif"),
    (b"", "empty.txt"),
    (PNG, ""),
    (PNG, "../"),
])
def test_refused_by_content_or_name(session: Session, tmp_path: Path, content: bytes, name: str) -> None:
    with pytest.raises(InvalidInput):
        evidence.store(session, content, name)
    assert not (tmp_path / "evidence").exists() or not any((tmp_path / "evidence").rglob("*"))


def test_size_limit(session: Session) -> None:
    with pytest.raises(InvalidInput, match="limit is 100"):
        evidence.store(session, PNG + b"\x00" * 100, "big.png", max_bytes=100)


def test_a_path_in_the_name_is_dropped(session: Session) -> None:
    assert evidence.store(session, PNG, "../../etc/screen.png").filename == "screen.png"
    assert evidence.store(session, PNG, "C:\\Users\\me\\স্ক্রিনশট.png").filename == "স্ক্রিনশট.png"


def test_altered_or_missing_files_are_reported(session: Session, tmp_path: Path) -> None:
    sha = evidence.store(session, PDF, "notice.pdf").sha256
    path = tmp_path / "evidence" / sha[:2] / sha
    path.write_bytes(PDF + b"% appended")
    with pytest.raises(Conflict, match="altered"):
        evidence.read(session, sha)
    path.unlink()
    with pytest.raises(NotFound):
        evidence.read(session, sha)
    with pytest.raises(NotFound):  # not a hash: never a path outside the store
        evidence.read(session, "../../audit.key")
