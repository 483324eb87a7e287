"""Tables of notifications and their delivery (issue 12, section 6)."""

from __future__ import annotations
