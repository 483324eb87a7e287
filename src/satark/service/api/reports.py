"""``/api/v1/reports``: the quarterly monitoring report (BD §11(ক)) as a file.

The report is built in a read unit and rendered after it is closed: a PDF takes a second or
more to lay out, and no database connection need wait for it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ..models import MAX_ID
from ..reports.build import build_report, report_filename
from ..reports.quarter import QUARTER_PATTERN
from ..reports.render import MEDIA_TYPES, render
from .routes import Svc

router = APIRouter()

_FILE_TYPES = {"application/pdf": {"schema": {"type": "string", "format": "binary"}},
               "text/html": {"schema": {"type": "string"}},
               "text/csv": {"schema": {"type": "string"}},
               MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}}}


@router.get("/reports/quarterly", tags=["reports"], response_class=Response,
            summary="The quarterly monitoring report of an institution (pdf, html, csv or xlsx)",
            responses={200: {"content": _FILE_TYPES, "description": "The report file (an attachment)."}})
def quarterly_report(
    request: Request, svc: Svc,
    institution_id: Annotated[int, Query(ge=1, le=MAX_ID, description="The institution's id.")],
    quarter: Annotated[str, Query(pattern=QUARTER_PATTERN, max_length=8,
                                  description="The quarter, like 2026Q3, in the institution's time zone.")],
    include_children: Annotated[bool, Query(description="Roll up every institution below it.")] = False,
    lang: Annotated[Literal["en", "hi", "bn"], Query(description="The report's language.")] = "en",
    format: Annotated[Literal["pdf", "html", "csv", "xlsx"], Query(description="The file format.")] = "pdf",
) -> Response:
    """Posts published, approval times, screening findings and overrides, corrections, comments
    and response times, GRS referrals, the accounts' checklist, violations and training, for the
    quarter. Needs the monitor or admin role in the institution (or above it)."""
    with svc.unit(request) as (session, user):
        report = build_report(session, institution_id=institution_id, quarter=quarter,
                              include_children=include_children, lang=lang, user=user, screening=svc.screening)
    filename = report_filename(report, format)
    return Response(render(report, format), media_type=MEDIA_TYPES[format],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
