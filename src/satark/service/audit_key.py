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
import threading
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
    try:
        info = path.stat()
    except FileNotFoundError:
        if not create:
            return None
        _create_key(path)
        info = path.stat()
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise AuditKeyError(f"the audit key file {path} is readable by others; run: chmod 600 {path}")
    # Every audited change needs the key: read the file again only when it changed.
    signature = (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size)
    known = _read_keys.get(path)
    if known is not None and known[0] == signature:
        return known[1]
    text = path.read_text(encoding="ascii").strip()
    if len(text) < MIN_KEY_CHARS:
        raise AuditKeyError(f"the audit key file {path} is damaged (shorter than {MIN_KEY_CHARS} characters)")
    key = text.encode("utf-8")
    _read_keys[path] = (signature, key)
    return key


#: Key files read, by path: (their stat signature then, the key).
_read_keys: dict[Path, tuple[tuple[int, int, int, int], bytes]] = {}


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


#: The head file holds one record, padded to this size and overwritten in place.
HEAD_BYTES = 256


def read_head(data_dir: Path) -> Head | None:
    """The head file's event, None when there is none; AuditKeyError when it is unreadable."""
    path = data_dir / HEAD_FILE
    try:
        raw = path.read_bytes()
        # A writer overwrites the record in place: read until two reads agree, so a read that
        # met a write half-way is not taken for the head.
        for _ in range(5):
            again = path.read_bytes()
            if again == raw:
                break
            raw = again
    except FileNotFoundError:
        return None
    return _parse_head(path, raw)


def _parse_head(path: Path, raw: bytes) -> Head:
    try:
        data = json.loads(raw.decode("utf-8"))
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
    (re-anchoring after a restore) writes it regardless. The record is overwritten in place
    with one write of :data:`HEAD_BYTES` (one disk sector), so a killed process leaves the old
    head or the new one; a new file renamed over the old one, as before, cost a journal
    transaction of the file system each time, milliseconds under load. It is not fsynced: that
    would put a disk flush inside every write transaction, while a head that lags after a
    power cut is harmless (``verify`` reports the later events, each still checked by its
    HMAC), and an unreadable one is reported (``satark audit anchor`` rewrites it).

    Within one process, writers that queue up together write once: one that finds a later
    event queued behind it leaves the head to that one (whose write follows at once), so a
    burst of commits renames the file once rather than once per commit, each behind the lock.
    Returns whether this call wrote the file.
    """
    queue = _head_queues.setdefault(str(data_dir), _HeadQueue())
    with queue.state:
        if not force and event_id <= queue.latest:
            return False  # a later event is queued: its write covers this one
        queue.latest = max(queue.latest, event_id)
        queue.waiting += 1
    try:
        with queue.turn:
            if not force and event_id < queue.latest:
                return False
            return _write_head_file(data_dir, event_id, event_hash, force=force)
    finally:
        with queue.state:
            queue.waiting -= 1
            if not queue.waiting:
                queue.latest = 0


class _HeadQueue:
    """This process's writers of one head file: the latest event any of them is about to write."""

    def __init__(self) -> None:
        self.state = threading.Lock()
        self.turn = threading.Lock()
        self.latest = 0
        self.waiting = 0


_head_queues: dict[str, _HeadQueue] = {}


def _write_head_file(data_dir: Path, event_id: int, event_hash: str, *, force: bool) -> bool:
    try:
        lock_fd = os.open(data_dir / _LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    except FileNotFoundError:
        data_dir.mkdir(parents=True, exist_ok=True)
        lock_fd = os.open(data_dir / _LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX)
        path = data_dir / HEAD_FILE
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            if not force:
                with contextlib.suppress(AuditKeyError):  # an unreadable head is replaced
                    current = _parse_head(path, os.pread(fd, 4 * HEAD_BYTES, 0))
                    if current.id >= event_id:
                        return False
            body = {"id": event_id, "hash": event_hash, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
            record = json.dumps(body).encode("ascii")
            record += b" " * max(0, HEAD_BYTES - 1 - len(record)) + b"\n"
            os.pwrite(fd, record, 0)
            if os.fstat(fd).st_size > len(record):  # a longer file of an older version
                os.ftruncate(fd, len(record))
            return True
        finally:
            os.close(fd)
    finally:
        os.close(lock_fd)
