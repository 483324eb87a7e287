"""The hooks through which packs, lexicons and detectors reach the engine.

Satark's own packs and detectors are registered through these same hooks (see
``DEFAULT_PLUGINS`` in :mod:`satark.plugins`), so a third party extends Satark exactly the
way Satark extends itself: a package with an entry point in the ``satark`` group::

    [project.entry-points.satark]
    my_state = "my_state_pack.plugin"

whose module implements any of the hooks below with ``@satark.hookimpl``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .calibration import Calibration
    from .detectors.base import Detector
    from .detectors.recognizers.base import Recognizer
    from .importers.base import Importer
    from .packs.model import PolicyPack

__all__ = ["hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("satark")
hookimpl = pluggy.HookimplMarker("satark")


@hookspec
def satark_policy_packs() -> Iterable[Path | PolicyPack]:  # type: ignore[empty-body]
    """Policy packs: YAML files (validated on load) or ready :class:`PolicyPack` objects."""


@hookspec
def satark_lexicons() -> Iterable[Path]:  # type: ignore[empty-body]
    """Lexicon YAML files (format: ``docs/lexicon-format.md``), merged per category."""


@hookspec
def satark_detectors() -> Iterable[Callable[[], Detector]]:  # type: ignore[empty-body]
    """Detector factories. Called once per engine, so heavy models load only when used."""


@hookspec
def satark_recognizers() -> Iterable[Callable[[], Recognizer]]:  # type: ignore[empty-body]
    """Recognizer factories for the confidential-data detector (``docs/recognizers.md``).

    A recognizer with ``role = "generic"`` is decided by its own context words; Satark's
    own recognizers come first and carry the roles of the detector's decision table.
    """


@hookspec
def satark_recognizer_data() -> Iterable[Path]:  # type: ignore[empty-body]
    """Recognizer data files (context words, cue lists, declared identifiers), merged
    after Satark's own; validated on load (``docs/recognizers.md``)."""


@hookspec
def satark_reason_texts() -> Mapping[str, Mapping[str, str]]:  # type: ignore[empty-body]
    """Explanation texts: reason code -> language (en, hi, bn) -> template.

    A detector's ``Hit.reason`` names one; ``{key}`` fields are filled from ``Hit.details``.
    """


@hookspec(firstresult=True)
def satark_calibration() -> Calibration | None:
    """The confidence calibration for the detectors in use (the first plugin's wins)."""


@hookspec
def satark_importers() -> Iterable[Callable[[], Importer]]:  # type: ignore[empty-body]
    """Importer factories for platform exports (``docs/importers.md``); tried in order, the
    first whose ``detect`` accepts an export reads it."""
