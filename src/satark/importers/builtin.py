"""Satark's own importers, registered through ``satark_importers`` like a plugin's.

Tried in this order: the platform formats first, recognised by their structure, then the
generic CSV and JSON Lines importers, which accept any file with a text and a time column.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from ..hookspecs import hookimpl
from .base import Importer


@hookimpl
def satark_importers() -> list[Callable[[], Importer]]:
    from .facebook import FacebookImporter
    from .generic import GenericImporter
    from .instagram import InstagramImporter
    from .x import XImporter
    from .youtube import YouTubeImporter

    return [XImporter, YouTubeImporter, FacebookImporter, InstagramImporter,
            partial(GenericImporter, "jsonl"), partial(GenericImporter, "csv")]
