from __future__ import annotations

import os
from pathlib import Path

import pytest

# Whatever else is installed must not change what the tests see.
os.environ["SATARK_NO_PLUGINS"] = "1"

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def screener():  # type: ignore[no-untyped-def]
    from satark import default_screener

    return default_screener()
