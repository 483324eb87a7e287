"""Tables of awareness training and quiz results (issue 12, section 5)."""

from __future__ import annotations
