"""Tables of the violation register (issue 12, section 4)."""

from __future__ import annotations
