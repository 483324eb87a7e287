"""(being written: issue 12)"""

from __future__ import annotations

from fastapi import APIRouter

from .render import WebRoute

router = APIRouter(route_class=WebRoute)
