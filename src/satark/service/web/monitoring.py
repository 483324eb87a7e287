"""The monitor's pages: the dashboard at ``/monitor`` and the quarterly report form (BD §11(ক)).

Both read only (GET, read units). The report file is built in the read unit and rendered
after it closes, like the API's (``api/reports.py``), and served as an attachment.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..errors import Forbidden, InvalidInput
from ..i18n import LOCALE_NAMES, LOCALES
from ..models import utcnow
from ..reports.build import build_report, check_lang, report_filename
from ..reports.dashboard import AGE_BUCKETS, monitor_dashboard, monitored_institutions
from ..reports.fmt import quarter_label
from ..reports.quarter import Quarter, parse_quarter
from ..reports.render import FORMATS, MEDIA_TYPES, render
from .forms import opt_int
from .render import WebRoute, web_unit

router = APIRouter(route_class=WebRoute)

#: How many past quarters the report form offers (any other can be typed into the URL).
QUARTERS_OFFERED = 8


@router.get("/monitor", response_class=HTMLResponse)
def monitor(request: Request) -> Response:
    with web_unit(request) as web:
        institution_id = opt_int(request.query_params.get("institution"), "institution", low=1)
        board = monitor_dashboard(web.session, web.user, web.svc.screening, institution_id=institution_id)
        return web.render("monitoring.html", board=board, age_buckets=[k for _l, k in AGE_BUCKETS],
                          focus=institution_id, time_zone=board.time_zone,
                          quarter_text=quarter_label(board.quarter, web.locale))


@router.get("/monitor/report", response_class=HTMLResponse)
def report_form(request: Request) -> Response:
    with web_unit(request) as web:
        rows = monitored_institutions(web.session, web.user)
        if not rows:
            raise Forbidden("this needs the role admin or monitor in the institution")
        current = Quarter.containing(utcnow(), rows[0].institution.timezone)
        quarters = [current]
        while len(quarters) < QUARTERS_OFFERED:
            quarters.append(quarters[-1].previous())
        chosen = opt_int(request.query_params.get("institution"), "institution", low=1)
        return web.render("monitoring_report.html", rows=rows, quarters=[str(q) for q in quarters],
                          # the quarter so far: what a monitor checks during it, and what the
                          # demo's data fills (the previous quarters are one click away)
                          selected_quarter=str(current),
                          selected_institution=chosen or rows[0].institution.id, formats=FORMATS,
                          locales=[(c, LOCALE_NAMES[c]) for c in LOCALES], lang=web.locale)


@router.get("/monitor/report/file")
def report_file(request: Request) -> Response:
    params = request.query_params
    with web_unit(request) as web:
        institution_id = opt_int(params.get("institution_id"), "institution_id", low=1)
        if institution_id is None:
            raise InvalidInput("choose an institution")
        quarter = str(parse_quarter(params.get("quarter")))
        lang = check_lang(params.get("lang") or web.locale)
        fmt = params.get("format") or "pdf"
        if fmt not in FORMATS:
            raise InvalidInput(f"the report format must be one of {', '.join(FORMATS)}", field="format")
        report = build_report(web.session, institution_id=institution_id, quarter=quarter, lang=lang,
                              include_children=params.get("include_children") in ("1", "on", "true"),
                              user=web.user, screening=web.svc.screening)
    return Response(render(report, fmt), media_type=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{report_filename(report, fmt)}"',
                             "Cache-Control": "no-store"})
