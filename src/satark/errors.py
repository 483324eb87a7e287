"""Exceptions Satark raises on purpose.

::

    SatarkError
    ├── ConfigError           a setting (a ``SATARK_*`` environment variable) is invalid
    ├── InputError            bad text: empty, too long, not UTF-8, binary
    ├── PackError             a policy pack failed validation (names file and clause)
    ├── LexiconError          a lexicon data file failed validation
    ├── UnknownJurisdiction   no pack is registered for the jurisdiction asked for
    └── UnknownClause         no clause with that id

Anything else escaping the engine is a bug.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "InputError",
    "LexiconError",
    "PackError",
    "RecognizerDataError",
    "SatarkError",
    "UnknownClause",
    "UnknownJurisdiction",
]


class SatarkError(Exception):
    """Base class: the CLI and the service turn these into a clear message, not a traceback."""


class ConfigError(SatarkError):
    """A setting is invalid: the command line says so in one line and exits 3, never 500 or 6."""


class InputError(SatarkError, ValueError):
    pass


class PackError(SatarkError):
    pass


class LexiconError(SatarkError):
    pass


class RecognizerDataError(SatarkError):
    """A recognizer data file (context words, cue lists, identifiers) is invalid."""


class UnknownJurisdiction(SatarkError, KeyError):
    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "unknown jurisdiction"


class UnknownClause(SatarkError, KeyError):
    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown clause"
