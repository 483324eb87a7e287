"""The audit chain's secrets and anchor, kept outside the database.

The key (HMAC-SHA256) comes from ``SATARK_AUDIT_KEY`` or from ``audit.key`` in the data
directory, created 0600 on first use. Without it nobody who can only write to the
database can recompute a valid chain. The head file ``audit-head.json`` records the
last committed event, so deleting the newest events (or the whole table) is found too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from .errors import ServiceError

__all__ = ["HEAD_FILE", "KEY_ENV", "KEY_FILE", "AuditKeyError", "Head", "load_key", "read_head", "write_head"]

KEY_ENV = "SATARK_AUDIT_KEY"
KEY_FILE = "audit.key"
HEAD_FILE = "audit-head.json"
_LOCK_FILE = "audit-head.lock"
MIN_KEY_CHARS = 32


class AuditKeyError(ServiceError):
    """The key or the head file cannot be used: a deployment problem, not a bad request."""

    status = 503
    code = "audit_key"


def load_key(data_dir: Path, *, create: bool = True) -> bytes | None:
    """The chain key: the environment's, else the key file's (made on first use when ``create``)."""
    value = os.environ.get(KEY_ENV, "")
    if value:
        if len(value.strip()) < MIN_KEY_CHARS:
            raise AuditKeyError(f"{KEY_ENV} must be at least {MIN_KEY_CHARS} characters (e.g. 64 hex digits)")
        return value.strip().encode("utf-8")
    path = data_dir / KEY_FILE
    if not path.exists():
        if not create:
            return None
        _create_key(path)
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise AuditKeyError(f"the audit key file {path} is readable by others; run: chmod 600 {path}")
    text = path.read_text(encoding="ascii").strip()
    if len(text) < MIN_KEY_CHARS:
        raise AuditKeyError(f"the audit key file {path} is damaged (shorter than {MIN_KEY_CHARS} characters)")
    return text.encode("utf-8")


def _create_key(path: Path) -> None:
    # Written whole under a temporary name, then linked into place: a second process that
    # races us either wins (we read its key) or sees a complete file, never half of one.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, (secrets.token_hex(32) + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


@dataclass(frozen=True)
class Head:
    """The last committed event as recorded outside the database."""

    id: int
    hash: str
    at: str = ""

    def line(self) -> str:
        return f"{self.id} {self.hash}"


def read_head(data_dir: Path) -> Head | None:
    """The head file's event, None when there is none; AuditKeyError when it is unreadable."""
    path = data_dir / HEAD_FILE
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(raw)
        head = Head(int(data["id"]), str(data["hash"]), str(data.get("at", "")))
    except (ValueError, KeyError, TypeError) as exc:
        raise AuditKeyError(f"the audit head file {path} is unreadable ({exc}); "
                            "check the chain and re-anchor with `satark audit anchor`") from exc
    if head.id < 1 or len(head.hash) != 64:
        raise AuditKeyError(f"the audit head file {path} is malformed")
    return head


def write_head(data_dir: Path, event_id: int, event_hash: str, *, force: bool = False) -> bool:
    """Record a committed event as the head, unless the file already names a later one.

    Writers in several processes may finish their commits in one order and reach here in
    another; the lock and the comparison keep the head from going backwards. ``force``
    (re-anchoring after a restore) writes it regardless. The new file is written beside the
    old one and renamed over it, so a killed process leaves the old head or the new one. It
    is not fsynced: that would put a disk flush inside every write transaction, while a head
    that lags after a power cut is harmless (``verify`` reports the later events, each still
    checked by its HMAC), and an unreadable one is reported (``satark audit anchor`` rewrites it).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    lock_fd = os.open(data_dir / _LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX)
        if not force:
            with contextlib.suppress(AuditKeyError):
                current = read_head(data_dir)
                if current is not None and current.id >= event_id:
                    return False
        body = {"id": event_id, "hash": event_hash, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        tmp = data_dir / f".{HEAD_FILE}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, (json.dumps(body) + "\n").encode("ascii"))
        finally:
            os.close(fd)
        os.replace(tmp, data_dir / HEAD_FILE)
        return True
    finally:
        os.close(lock_fd)
