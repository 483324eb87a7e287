"""Reading citizens' comments from an upload (CSV or JSON Lines) or a platform export.

Every format becomes the same records: ``text`` and ``received_at`` (ISO 8601 with a zone)
are required; ``author_handle``, ``link``, ``kind`` (comment, question, complaint),
``external_id`` (the platform's id: a second upload of it is skipped) and ``account`` (the
account's id or handle, when the upload is not for one account) are optional. Each row is
checked, and every problem is reported with its line and field, so an office can fix its
spreadsheet; an upload with any bad row imports nothing.

Platform-export importers (a Facebook page export, an X archive) register with
:func:`register_importer` and turn their file into the same records.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit
from .access import can, visible_institutions
from .errors import InvalidInput
from .inbox import KINDS, MAX_HANDLE, MAX_TEXT, create_item
from .models import Account, User
from .models_inbox import InboxItem
from .screening import Screening

__all__ = [
    "FIELDS",
    "MAX_ROWS",
    "Importer",
    "ParsedUpload",
    "Row",
    "RowError",
    "import_rows",
    "importers",
    "parse_upload",
    "register_importer",
    "resolve_accounts",
]

FIELDS = ("text", "received_at", "author_handle", "link", "kind", "external_id", "account")
MAX_ROWS = 5000
MAX_BYTES = 5_000_000

#: An importer: the uploaded bytes → raw records (mappings with the :data:`FIELDS` keys),
#: each with the line (or record number) it came from.
Importer = Callable[[bytes], Iterable[tuple[int, Mapping[str, Any]]]]

_IMPORTERS: dict[str, Importer] = {}


def register_importer(name: str, func: Importer) -> Importer:
    """Make ``func`` available as upload format ``name`` (a later one replaces an earlier)."""
    if not name or not name.replace("_", "").replace("-", "").isalnum() or len(name) > 40:
        raise ValueError(f"an importer's name is letters, digits, - and _: {name!r}")
    _IMPORTERS[name] = func
    return func


def importers() -> dict[str, Importer]:
    return dict(_IMPORTERS)


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class Row:
    line: int
    text: str
    received_at: dt.datetime
    author_handle: str = ""
    link: str = ""
    kind: str = "comment"
    external_id: str = ""
    account: str = ""


@dataclass
class ParsedUpload:
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("the upload is not UTF-8 text") from None


def _csv(data: bytes) -> Iterable[tuple[int, Mapping[str, Any]]]:
    reader = csv.DictReader(io.StringIO(_decode(data), newline=""))
    if not reader.fieldnames or "text" not in reader.fieldnames:
        raise InvalidInput("the CSV file needs a header line with at least the columns text and received_at")
    try:
        for record in reader:
            yield reader.line_num, {k: v for k, v in record.items() if k is not None}
    except csv.Error as exc:
        raise InvalidInput(f"the CSV file cannot be read: {exc}") from None


def _jsonl(data: bytes) -> Iterable[tuple[int, Mapping[str, Any]]]:
    for number, line in enumerate(_decode(data).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, {"__error__": f"not valid JSON ({exc.msg})"}
            continue
        yield number, record if isinstance(record, dict) else {"__error__": "each line must be a JSON object"}


register_importer("csv", _csv)
register_importer("jsonl", _jsonl)


def _time(value: object) -> dt.datetime | str:
    if not isinstance(value, str) or not value.strip():
        return "required"
    try:
        when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return "not an ISO 8601 time (like 2026-11-23T10:00:00+06:00)"
    if when.tzinfo is None:
        return "needs a time zone (like 2026-11-23T10:00:00+06:00 or ...Z)"
    return when.astimezone(dt.UTC)


def _check(line: int, raw: Mapping[str, Any], errors: list[RowError], now: dt.datetime) -> Row | None:
    if "__error__" in raw:
        errors.append(RowError(line, "", str(raw["__error__"])))
        return None
    start = len(errors)
    values: dict[str, str] = {}
    for name in FIELDS:
        value = raw.get(name)
        if value is None:
            value = ""
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            errors.append(RowError(line, name, "must be text"))
            value = ""
        values[name] = str(value).strip()
    text = values["text"]
    if not text:
        errors.append(RowError(line, "text", "required"))
    elif len(text) > MAX_TEXT or "\x00" in text:
        errors.append(RowError(line, "text", f"longer than {MAX_TEXT} characters or not storable"))
    when = _time(raw.get("received_at"))
    if isinstance(when, str):
        errors.append(RowError(line, "received_at", when))
    elif when > now + dt.timedelta(minutes=10):
        errors.append(RowError(line, "received_at", "in the future"))
    kind = values["kind"] or "comment"
    if kind not in KINDS:
        errors.append(RowError(line, "kind", f"one of {', '.join(KINDS)}"))
    link = values["link"]
    if link and (not link.startswith(("https://", "http://")) or len(link) > 500):
        errors.append(RowError(line, "link", "an http(s) address of at most 500 characters"))
    if len(values["author_handle"]) > MAX_HANDLE:
        errors.append(RowError(line, "author_handle", f"longer than {MAX_HANDLE} characters"))
    if len(values["external_id"]) > 200:
        errors.append(RowError(line, "external_id", "longer than 200 characters"))
    if len(errors) > start or isinstance(when, str):
        return None
    return Row(line=line, text=text, received_at=when, author_handle=values["author_handle"], link=link, kind=kind,
               external_id=values["external_id"], account=values["account"])


def parse_upload(data: bytes, fmt: str, *, now: dt.datetime | None = None) -> ParsedUpload:
    """Every row of the upload, checked; ``errors`` lists each problem (line, field, message)."""
    importer = _IMPORTERS.get(fmt)
    if importer is None:
        raise InvalidInput(f"unknown upload format {fmt!r}; known: {', '.join(sorted(_IMPORTERS))}")
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"the upload is larger than {MAX_BYTES // 1_000_000} MB")
    now = now or dt.datetime.now(dt.UTC)
    out = ParsedUpload()
    for count, (line, raw) in enumerate(importer(data), start=1):
        if count > MAX_ROWS:
            raise InvalidInput(f"the upload has more than {MAX_ROWS} rows; split it")
        row = _check(line, raw, out.errors, now)
        if row is not None:
            out.rows.append(row)
    if not out.rows and not out.errors:
        raise InvalidInput("the upload has no rows")
    return out


def format_of(filename: str, given: str | None = None) -> str:
    """The format named, else from the file name's extension (``.csv``, ``.jsonl``/``.ndjson``)."""
    if given:
        return given
    name = (filename or "").lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    raise InvalidInput("say the upload's format (csv or jsonl), or name the file .csv or .jsonl")


def resolve_accounts(session: Session, user: User, rows: list[Row], default_account_id: int | None
                     ) -> tuple[dict[int, Account], list[RowError]]:
    """The account of each row (by ``line``): the row's ``account`` (id or handle) or the
    upload's; a row whose account the user cannot handle comments for is an error."""
    visible = visible_institutions(session, user)
    accounts = list(session.scalars(select(Account).where(Account.institution_id.in_(visible))))
    by_id_ = {a.id: a for a in accounts}
    by_handle: dict[str, list[Account]] = {}
    for a in accounts:
        by_handle.setdefault(a.handle.lower().lstrip("@"), []).append(a)
    found: dict[int, Account] = {}
    errors: list[RowError] = []
    for row in rows:
        ref = row.account
        account: Account | None = None
        if ref:
            if ref.isdigit():
                account = by_id_.get(int(ref)) if len(ref) < 11 else None
            else:
                matches = by_handle.get(ref.lower().lstrip("@"), [])
                if len(matches) > 1:
                    errors.append(RowError(row.line, "account", "more than one account has this handle; give its id"))
                    continue
                account = matches[0] if matches else None
        elif default_account_id is not None:
            account = by_id_.get(default_account_id)
        else:
            errors.append(RowError(row.line, "account", "required (or choose the account for the whole upload)"))
            continue
        if account is None:
            errors.append(RowError(row.line, "account", "no such account"))
        elif not can(session, user, "handle_comments", account.institution_id):
            errors.append(RowError(row.line, "account", "you do not handle the comments of this account"))
        else:
            found[row.line] = account
    return found, errors


@dataclass
class ImportResult:
    created: list[InboxItem] = field(default_factory=list)
    #: Lines skipped because an item with the same platform id is already there.
    skipped: list[int] = field(default_factory=list)


def import_rows(session: Session, screening: Screening, user: User, rows: list[Row], accounts: Mapping[int, Account],
                reports: Mapping[int, dict[str, Any]], *, source: str = "upload",
                now: dt.datetime | None = None) -> ImportResult:
    """Create the items of checked rows (screened beforehand: ``reports`` by line), one audit
    event per institution for the whole upload."""
    result = ImportResult()
    known: set[tuple[int, str]] = set()
    ids = {a.id for a in accounts.values()}
    if ids:
        known = {(a, e) for a, e in session.execute(
            select(InboxItem.account_id, InboxItem.external_id)
            .where(InboxItem.account_id.in_(ids), InboxItem.external_id != ""))}
    for row in rows:
        account = accounts[row.line]
        if row.external_id and (account.id, row.external_id) in known:
            result.skipped.append(row.line)
            continue
        item = create_item(session, screening, user, account_id=account.id, text=row.text,
                           received_at=row.received_at, kind=row.kind, author_handle=row.author_handle,
                           link=row.link, source=source, external_id=row.external_id, report=reports.get(row.line),
                           now=now, record=False)
        if row.external_id:
            known.add((account.id, row.external_id))
        result.created.append(item)
    per_institution: dict[int, list[int]] = {}
    for item in result.created:
        per_institution.setdefault(item.institution_id, []).append(item.id)
    for inst_id, item_ids in sorted(per_institution.items()):
        audit.record(session, "inbox_items_imported", actor=user, institution_id=inst_id, object_type="institution",
                     object_id=inst_id, details={"source": source, "count": len(item_ids), "items": item_ids,
                                                 "skipped_lines": result.skipped})
    return result
