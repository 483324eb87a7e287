"""Imports the modules whose reminder sources are built in (each registers itself)."""

from __future__ import annotations

import importlib

#: Modules that register reminder sources with :func:`satark.service.reminders.reminder_source`.
MODULES: tuple[str, ...] = (
    "satark.service.inbox",
    "satark.service.grs",
    "satark.service.violations",
    "satark.service.workflow_reminders",
)

for _name in MODULES:
    importlib.import_module(_name)
