"""The ASGI application: API, web UI, and the guards every request passes."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from .api import router as api_router
from .context import Services
from .errors import ServiceError, unavailable_for
from .jobs import Scheduler
from .scans import ScanRunner
from .settings import Settings
from .web.pages import error_page_for
from .web.pages import router as web_router

__all__ = ["create_app"]

log = logging.getLogger("satark.service")
STATIC = Path(__file__).parent / "web" / "static"


class BodyGuard:
    """Refuses bodies over the limit (413) and JSON bodies that are not UTF-8 (400).

    Written as plain ASGI middleware because the limit must hold for chunked uploads that
    announce no length, before anything reads the whole body.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, max_upload_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        #: File uploads (multipart) may be larger: a phone's screenshot is several MB.
        self.max_upload_bytes = max_upload_bytes or max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        ctype = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        limit = self.max_upload_bytes if ctype == b"multipart/form-data" else self.max_bytes
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _error(scope, send, 413, "too_large", f"the request body is over {limit:,} bytes")
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _error(scope, send, 413, "too_large", f"the request body is over {limit:,} bytes")
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if ctype in (b"application/json", b"application/x-www-form-urlencoded"):
            try:
                body.decode("utf-8")
            except UnicodeDecodeError as exc:
                await _error(scope, send, 400, "invalid_utf8",
                             f"the request body is not valid UTF-8 (bad byte at position {exc.start})")
                return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"),
)


class SecurityHeaders:
    """Adds the security headers to every response that does not set its own.

    Plain ASGI rather than ``@app.middleware("http")``: Starlette's BaseHTTPMiddleware runs
    each request through an extra task and memory stream, which cost about a sixth of the
    server's time per screening request under load.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                # API responses carry tokens and CSRF values: no cache may keep them (issue 11).
                if scope["path"].startswith("/api/") and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _error(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
    """Refuse before the app runs: a page for a browser's form, JSON for everyone else."""
    request = Request(scope)
    response: Response
    if _wants_html(request):
        response = await error_page_for(request, status, message)
    else:
        response = JSONResponse({"error": code, "message": message, "details": {}}, status_code=status)
    await response(scope, _no_receive, send)



async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        if err.get("type") == "json_invalid":
            return "the request body is not valid JSON"
        parts.append(f"{where or 'body'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    svc = services or Services(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if svc.db.needs_upgrade():
            log.info("applying database migrations")
            svc.db.upgrade()
        # Compile the page templates and load the screening models beside serving, so the
        # first pages and posts need not wait for them (compiling the templates of one locale
        # takes about half a second; under load, the first live checks all queued behind it).
        def warm_up() -> None:
            _compile_templates()
            svc.screening.warm_up([settings.live_mode, settings.screening_mode])

        threading.Thread(target=warm_up, name="satark-warm-up", daemon=True).start()
        # Reminders and notification e-mail (SATARK_JOBS_INTERVAL; 0 leaves it to cron).
        # Each run of the lifespan stops what it started, even when the same app is started
        # twice (a test client and a server on one app): app.state names the latest only.
        scheduler = app.state.scheduler = Scheduler(svc.db, settings.jobs_interval)
        scheduler.start()
        # Audits of uploaded exports (issue 13), in worker threads of their own.
        scans = app.state.scans = ScanRunner(svc.db, svc.screening, workers=svc.settings.scan_workers)
        scans.start()
        try:
            yield
        finally:
            scans.stop()
            scheduler.stop()
        svc.db.dispose()

    app = FastAPI(
        title="Satark",
        version=__version__,
        summary="Government social-media conduct rules in practice: screening, approval, archive, audit.",
        lifespan=lifespan,
        docs_url=None,  # served below from local assets: the CSP allows no CDN and no inline script
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.services = svc
    app.add_middleware(BodyGuard, max_bytes=settings.max_body_bytes, max_upload_bytes=settings.max_upload_bytes)
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError) -> Response:
        headers = {"Retry-After": str(exc.details["retry_after"])} if "retry_after" in exc.details else None
        if _wants_html(request):
            page = await error_page_for(request, exc.status, exc.message)
            page.headers.update(headers or {})
            return page
        return JSONResponse({"error": exc.code, "message": exc.message, "details": exc.details},
                            status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        message = _validation_message(exc)
        # Malformed JSON is a bad request (400); well-formed JSON with wrong fields is 422.
        malformed = any(err.get("type") == "json_invalid" for err in exc.errors())
        status, code = (400, "malformed_json") if malformed else (422, "invalid_input")
        if _wants_html(request):
            return await error_page_for(request, status, message)
        return JSONResponse({"error": code, "message": message,
                             "details": {"errors": _plain(exc.errors()[:20])}}, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = str(exc.detail) if exc.detail else "error"
        if exc.status_code == 404:
            message = "not found"
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:  # Starlette names only the first matching route's methods
            headers["Allow"] = ", ".join(_allowed_methods(request))
        if _wants_html(request):
            page = await error_page_for(request, exc.status_code, message)
            page.headers.update(headers)
            return page
        return JSONResponse({"error": "http_error", "message": message, "details": {}},
                            status_code=exc.status_code, headers=headers or None)

    @app.exception_handler(OperationalError)
    @app.exception_handler(OSError)
    async def unavailable(request: Request, exc: Exception) -> Response:
        busy = unavailable_for(exc)
        if busy is None:
            return await internal_error(request, exc)
        log.warning("503 on %s %s: %s", request.method, request.url.path, str(exc).splitlines()[0])
        return await service_error(request, busy)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s %s", request.method, request.url.path)
        if _wants_html(request):
            try:
                return await error_page_for(request, 500, "internal error; it has been logged")
            except Exception:  # the page itself failed; the JSON below cannot
                log.exception("the error page failed too")
        return JSONResponse({"error": "internal", "message": "internal error; it has been logged", "details": {}},
                            status_code=500)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(_DOCS_PAGE.format(title=f"Satark {__version__}: API"))

    app.include_router(api_router)
    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/api/docs-assets", StaticFiles(directory=_swagger_ui_path()), name="docs-assets")
    return app


#: Swagger UI 5 (Apache-2.0; OpenAPI 3.1) from the fastapi-offline package (MIT), which
#: keeps a current copy; only its files are used, started by a script file of ours, so
#: the docs work offline and under the service's Content-Security-Policy.
_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/api/docs-assets/swagger-ui.css">
</head><body><div id="swagger-ui"></div>
<script src="/api/docs-assets/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body></html>
"""


def _swagger_ui_path() -> str:
    import fastapi_offline

    return str(Path(fastapi_offline.__file__).parent / "static")


def _compile_templates() -> None:
    from .i18n import LOCALES, make_environment

    try:
        for locale in LOCALES:
            env = make_environment(locale)
            for name in env.list_templates(extensions=["html"]):
                env.get_template(name)
    except Exception:  # the page that needs the template will meet the problem and report it
        log.exception("compiling the page templates failed")


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (a 405's Allow header, RFC 9110)."""
    from starlette.routing import Match

    return [method for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
            if any(route.matches({**request.scope, "method": method})[0] == Match.FULL
                   for route in request.app.router.routes)]


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def _plain(errors: Any) -> Any:
    # Pydantic error contexts may hold exceptions, which JSON cannot carry.
    out = []
    for err in errors:
        out.append({k: (str(v) if k == "ctx" else v) for k, v in err.items() if k in ("type", "loc", "msg", "ctx")})
    return out
