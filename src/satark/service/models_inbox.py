"""Tables of the citizen comments inbox and GRS referrals (issue 12, sections 1 and 2)."""

from __future__ import annotations
