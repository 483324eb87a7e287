"""Images attached to draft posts: read with OCR, screened, and counted in the post's verdict.

Reading an image takes Tesseract about a second of CPU, and screening its text takes the
engine's time too, so neither runs inside a unit of work (on SQLite a write unit holds the
database's one write lock): :func:`read` does both first, after a read unit has checked that
the user may attach to the post (:func:`check_attachable`), and :func:`attach` then stores the
file and the result in a short write unit.

The post's verdict is the worst of its text's and its images' (:func:`include_images`), so a
``block`` inside a picture asks the author to confirm and the approver for an override reason,
exactly as one in the text does. Whoever attaches an image becomes an editor of the revision,
so, like one who edits its text, they may not approve it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from satark import InputError
from satark import ocr as satark_ocr

from . import audit, evidence
from .access import require
from .errors import Conflict, InvalidInput, NotFound, Unavailable
from .models import Post, Revision, RevisionEditor, User, utcnow
from .models_attachments import PostAttachment
from .screening import Screening

__all__ = [
    "IMAGE_TYPES",
    "MAX_IMAGES",
    "Reading",
    "attach",
    "attachments_of",
    "check_attachable",
    "content_of",
    "get_attachment",
    "image_findings",
    "include_images",
    "read",
    "remove",
]

#: What may be attached: photographs and screenshots (evidence.ALLOWED's image types).
IMAGE_TYPES = ("image/png", "image/jpeg")
#: Images one post may carry (platforms allow 4 to 20 per post).
MAX_IMAGES = 10
#: States whose images may change: those whose text may (workflow.TRANSITIONS["edit"]).
EDITABLE = ("draft", "changes_requested")
_RANK = {"clear": 0, "review": 1, "block": 2}
OCR_MISSING = ("images cannot be read on this server: Tesseract is not installed "
               "(Debian: apt-get install tesseract-ocr tesseract-ocr-hin tesseract-ocr-ben)")


@dataclass(frozen=True)
class Reading:
    """An image read and screened, ready to be stored: computed outside any unit of work."""

    sha256: str
    width: int
    height: int
    ocr: satark_ocr.OcrResult
    #: The screening report of the text read, findings with ``boxes``; {} when there was no text.
    report: dict[str, Any]

    @property
    def verdict(self) -> str:
        return str(self.report.get("verdict", "clear"))


def _current(post: Post) -> Revision:
    return next(r for r in post.revisions if r.number == post.revision_number)


def check_attachable(session: Session, user: User, post: Post) -> None:
    """The author (or one who may edit any post) of a draft, or of a post sent back for changes."""
    if post.author_id == user.id:
        require(session, user, "write_post", post.institution_id, what="post")
    else:
        require(session, user, "edit_any_post", post.institution_id, what="post")
    if post.state not in EDITABLE:
        raise Conflict("images can be attached or removed only while the post is a draft or sent back for changes",
                       state=post.state)


def read(screening: Screening, content: bytes, *, jurisdiction: str) -> Reading:
    """Check that ``content`` is a PNG or JPEG image, read its text and screen it (no database)."""
    if not content:
        raise InvalidInput("the uploaded file is empty")
    if len(content) > evidence.MAX_BYTES:
        raise InvalidInput(f"the uploaded file is {len(content)} bytes; the limit is {evidence.MAX_BYTES}")
    if evidence.sniff(content) not in IMAGE_TYPES:
        raise InvalidInput("only PNG or JPEG images may be attached to a post")
    try:
        result = satark_ocr.read_image(content)
    except satark_ocr.OcrUnavailable:
        raise Unavailable(OCR_MISSING, retry_after=3600) from None
    except InputError:
        raise InvalidInput("the image could not be read; attach a PNG or JPEG file that opens as a picture") from None
    report: dict[str, Any] = {}
    if result.text.strip():
        report = screening.screen(result.text, jurisdiction=jurisdiction, account_type="official")
        report["findings"] = satark_ocr.locate(result, report.get("findings", []))
    return Reading(hashlib.sha256(content).hexdigest(), result.width, result.height, result, report)


def attachments_of(session: Session, post: Post) -> list[PostAttachment]:
    if post.id is None:
        return []
    return list(session.scalars(select(PostAttachment).where(PostAttachment.post_id == post.id)
                                .order_by(PostAttachment.id)))


def include_images(post: Post) -> None:
    """Make the post's verdict and categories the worst of its current text and its images."""
    session = object_session(post)
    if session is None:
        return
    images = attachments_of(session, post)
    revision = _current(post) if post.revision_number else None
    verdicts = [revision.verdict] if revision is not None else []
    categories = {f["category"] for f in revision.report.get("findings", [])} if revision is not None else set()
    for image in images:
        verdicts.append(image.verdict)
        categories |= {f["category"] for f in image.findings}
    post.verdict = max(verdicts, key=lambda v: _RANK.get(v, 0), default="clear")
    post.categories = ",".join(sorted(categories))


def image_findings(post: Post) -> list[dict[str, Any]]:
    """Every image's findings, each with the image's id (for the author's confirmation)."""
    session = object_session(post)
    if session is None:
        return []
    return [f | {"attachment_id": image.id} for image in attachments_of(session, post) for f in image.findings]


def attach(session: Session, user: User, post: Post, content: bytes, filename: str, reading: Reading) -> PostAttachment:
    """Keep the image and what :func:`read` found in it; the post's verdict takes it into account."""
    check_attachable(session, user, post)
    images = attachments_of(session, post)
    if len(images) >= MAX_IMAGES:
        raise Conflict(f"a post may carry at most {MAX_IMAGES} images")
    stored = evidence.store(session, content, filename)
    if stored.sha256 != reading.sha256:  # pragma: no cover - a caller's mistake, not the user's
        raise RuntimeError("the reading given is of another image")
    row = PostAttachment(
        post_id=post.id, filename=stored.filename, media_type=stored.media_type, size=stored.size,
        sha256=stored.sha256, width=reading.width, height=reading.height, ocr_text=reading.ocr.text,
        ocr_langs=reading.ocr.langs, ocr_words={"words": [w.to_dict() for w in reading.ocr.words]},
        report=reading.report, verdict=reading.verdict, uploaded_by_id=user.id,
    )
    session.add(row)
    revision = _current(post)
    if user.id not in revision.editor_ids:  # what they add is in this revision: they may not approve it
        revision.editors.append(RevisionEditor(user_id=user.id))
    session.flush()
    include_images(post)
    post.updated_at = utcnow()
    audit.record(session, "post_attachment_added", actor=user, institution_id=post.institution_id,
                 object_type="post", object_id=post.id,
                 details={"attachment_id": row.id, "sha256": row.sha256, "size": row.size,
                          "media_type": row.media_type, "verdict": row.verdict, "post_verdict": post.verdict,
                          "categories": sorted({f["category"] for f in row.findings})})
    return row


def get_attachment(session: Session, post: Post, attachment_id: int) -> PostAttachment:
    row = session.get(PostAttachment, attachment_id) if 0 < attachment_id <= 2**31 - 1 else None
    if row is None or row.post_id != post.id:
        raise NotFound(f"no image {attachment_id} on this post")
    return row


def content_of(session: Session, row: PostAttachment) -> bytes:
    """The image's bytes, checked against its SHA-256."""
    return evidence.read(session, row.sha256)


def remove(session: Session, user: User, post: Post, attachment_id: int) -> None:
    """Take an image off a draft (the file stays in the data directory: it may be evidence elsewhere)."""
    row = get_attachment(session, post, attachment_id)
    check_attachable(session, user, post)
    session.delete(row)
    session.flush()
    include_images(post)
    post.updated_at = utcnow()
    audit.record(session, "post_attachment_removed", actor=user, institution_id=post.institution_id,
                 object_type="post", object_id=post.id,
                 details={"attachment_id": attachment_id, "sha256": row.sha256, "post_verdict": post.verdict})
