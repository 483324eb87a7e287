"""Web pages (placeholder until the UI lands)."""

from __future__ import annotations

import html

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    body = f"<!doctype html><title>Error {status}</title><p>{html.escape(message)}</p>"
    return HTMLResponse(body, status_code=status)
