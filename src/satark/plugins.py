"""The plugin manager: Satark's own modules first, then installed plugins.

Built-ins are plugins (the Datasette way): ``DEFAULT_PLUGINS`` are registered through the
same hooks a third-party package uses. Installed plugins (entry point group ``satark``)
load lazily, on first use, and not at all when ``SATARK_NO_PLUGINS=1`` (the test suite
sets it so that whatever else is installed cannot change results).
"""

from __future__ import annotations

import importlib
import os
from functools import cache

import pluggy

from . import hookspecs

__all__ = ["DEFAULT_PLUGINS", "get_plugin_manager"]

DEFAULT_PLUGINS: tuple[str, ...] = (
    "satark.packs",
    "satark.lexicons",
    "satark.detectors.recognizers",
    "satark.detectors.confidential",
    "satark.detectors.lexicon",
    "satark.detectors.context_rules",
    "satark.detectors.classifier",
    "satark.importers.builtin",
)


@cache
def get_plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("satark")
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    if os.environ.get("SATARK_NO_PLUGINS", "") not in ("1", "true", "yes"):
        pm.load_setuptools_entrypoints("satark")
    return pm
