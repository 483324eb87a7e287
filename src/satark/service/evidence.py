"""Evidence files: screenshots and documents kept beside the database, named by their SHA-256.

A file is accepted only if its *content* is one of the few kinds an inquiry needs (PNG,
JPEG, PDF, plain UTF-8 text), judged by its magic bytes; the name's extension must agree, so
a renamed executable or HTML page is refused rather than served back later. The bytes go to
``<data dir>/evidence/<aa>/<sha256>`` (0600, in 0700 folders): the same file uploaded twice is
stored once, and the name is its own integrity check, which :func:`read` verifies, so a file
altered on disk is reported instead of handed to the competent authority.

A file written for a transaction that then rolls back stays on disk unreferenced; it is
harmless (nothing links to it) and the next upload of the same content reuses it.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from .audit import data_dir_of
from .errors import Conflict, InvalidInput, NotFound

__all__ = ["ALLOWED", "MAX_BYTES", "StoredFile", "keep", "path_for", "read", "sniff", "store"]

#: The largest file kept (the request body limit, SATARK_MAX_BODY_BYTES, applies as well).
MAX_BYTES = 10 * 1024 * 1024
#: media type → the extensions a file of that content may carry.
ALLOWED: dict[str, tuple[str, ...]] = {
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "application/pdf": (".pdf",),
    "text/plain": (".txt",),
}
_SHA = re.compile(r"[0-9a-f]{64}")
#: Control characters plain text may not contain (tab, line feed, form feed and CR may).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    media_type: str
    filename: str


def sniff(content: bytes) -> str | None:
    """The media type the bytes are, by their magic numbers; None for anything else."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.strip() and not _CONTROL.search(text):
        return "text/plain"
    return None


def clean_filename(name: str) -> str:
    """The last part of an uploaded name, without control characters, at most 200 characters."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    if not base or base in (".", ".."):
        raise InvalidInput("the uploaded file needs a name ending in .png, .jpg, .jpeg, .pdf or .txt")
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 190] + dot + ext[:9]) if dot else base[:200]
    return base


def path_for(data_dir: Path, sha256: str) -> Path:
    if not _SHA.fullmatch(sha256):
        raise NotFound("no such file")
    return data_dir / "evidence" / sha256[:2] / sha256


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def store(session: Session, content: bytes, filename: str, *, max_bytes: int = MAX_BYTES) -> StoredFile:
    """Check an upload and keep it in the data directory; return its hash, size and type."""
    name = clean_filename(filename)
    if not content:
        raise InvalidInput("the uploaded file is empty")
    if len(content) > max_bytes:
        raise InvalidInput(f"the uploaded file is {len(content)} bytes; the limit is {max_bytes}")
    media_type = sniff(content)
    if media_type is None:
        raise InvalidInput("only PNG or JPEG images, PDF documents and plain UTF-8 text may be uploaded")
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED[media_type]:
        raise InvalidInput(f"the file's name ends in {ext or 'nothing'} but its content is {media_type}; "
                           f"name it {' or '.join(ALLOWED[media_type])}")
    return StoredFile(keep(session, content), len(content), media_type, name)


def keep(session: Session, content: bytes) -> str:
    """Write ``content`` under its SHA-256 (once: the same bytes are kept once); return the hash.

    No check of the content here: :func:`store` checks evidence files, and other uploads (the
    platform exports of :mod:`.scans`) are checked by whoever reads them.
    """
    sha = hashlib.sha256(content).hexdigest()
    target = path_for(data_dir_of(session), sha)
    if not target.exists():
        _private_dir(target.parent.parent)
        _private_dir(target.parent)
        tmp = target.with_name(f".{sha}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        finally:
            if tmp.exists():
                tmp.unlink()
    return sha


def read(session: Session, sha256: str) -> bytes:
    """The bytes stored under ``sha256``, checked against it."""
    path = path_for(data_dir_of(session), sha256)
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise NotFound("the evidence file is missing from the data directory") from None
    if hashlib.sha256(content).hexdigest() != sha256:
        raise Conflict("the evidence file on disk no longer matches its recorded SHA-256; it was altered")
    return content
