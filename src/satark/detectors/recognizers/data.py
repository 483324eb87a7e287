"""The recognizers' word lists as data files, validated on load.

Context words (whose number it is: "शिकायतकर्ता", "হেল্পলাইন"), memo-number labels,
credential labels and the security cue lists live in YAML files, not in code, so that a
state can add its own words, and its own identifiers, without editing Satark: a plugin
returns more files from the ``satark_recognizer_data`` hook and they are merged with
Satark's (lists are appended in order; the first file is Satark's own). The format is
described in ``docs/recognizers.md``.

An ``identifiers`` entry defines a recognizer: an entity name, patterns with base
scores, the context words that label it, and optionally a validator (``verhoeff``,
``luhn`` or a python-stdnum module such as ``stdnum:in_.aadhaar``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from ..._datafile import load_validated
from ...errors import RecognizerDataError
from .context import CueKind

__all__ = [
    "DATA_DIR",
    "SECURITY_LISTS",
    "IdentifierSpec",
    "PatternSpec",
    "RecognizerData",
    "load_recognizer_data",
    "merged_data",
    "validator_for",
]

DATA_DIR = Path(__file__).parent / "data"
_BUILT_IN = ("context.yaml", "security.yaml")

Word = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
SECURITY_LISTS = ("strong", "raid", "patrol", "guard", "weak", "force", "route", "gap",
                  "schedule", "future", "when", "past", "advisory", "civic")
SecurityList = Literal["strong", "raid", "patrol", "guard", "weak", "force", "route", "gap",
                       "schedule", "future", "when", "past", "advisory", "civic"]
CredentialKind = Literal["otp", "pin", "password", "pass", "login"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PatternSpec(_Strict):
    """One pattern of an identifier: a name for the record, a regex, a base score."""

    name: Word
    regex: Annotated[str, StringConstraints(min_length=1)]
    score: float = Field(gt=0.0, le=1.0)

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        import regex

        try:
            regex.compile(value)
        except regex.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        return value


class IdentifierSpec(_Strict):
    """An identifier a data file adds ("OD_RATION_CARD"): found by patterns, labelled by words."""

    entity: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{1,40}$")]
    description: dict[Literal["en", "hi", "bn"], Word] = Field(min_length=1)
    patterns: list[PatternSpec] = Field(min_length=1)
    context: list[Word] = Field(min_length=1)
    validator: str = "none"

    @field_validator("validator")
    @classmethod
    def _known(cls, value: str) -> str:
        validator_for(value)  # raises ValueError naming the problem
        return value


class RecognizerData(_Strict):
    """One data file. Every section is optional; a state's file holds only its additions."""

    version: Literal[1] = 1
    context: dict[CueKind, list[Word]] = {}
    memo_labels: dict[Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")], list[Word]] = {}
    credential_labels: dict[CredentialKind, list[Word]] = {}
    credential_gate_words: list[Word] = []
    security: dict[SecurityList, list[Word]] = {}
    identifiers: list[IdentifierSpec] = []


def load_recognizer_data(path: str | Path) -> RecognizerData:
    """Read and validate one data file; a bad one raises :class:`RecognizerDataError`."""
    return load_validated(path, RecognizerData, what="recognizer data file",
                          error=RecognizerDataError, items="identifiers",
                          item_name="identifier", item_key="entity")


def _merge(files: Iterable[RecognizerData]) -> RecognizerData:
    context: dict[CueKind, list[str]] = {}
    memo: dict[str, list[str]] = {}
    cred: dict[str, list[str]] = {}
    gate: list[str] = []
    security: dict[str, list[str]] = {}
    identifiers: list[IdentifierSpec] = []
    seen: set[str] = set()
    for data in files:
        for kind, words in data.context.items():
            context.setdefault(kind, []).extend(words)
        for lang, words in data.memo_labels.items():
            memo.setdefault(lang, []).extend(words)
        for ckind, words in data.credential_labels.items():
            cred.setdefault(ckind, []).extend(words)
        gate.extend(data.credential_gate_words)
        for name, words in data.security.items():
            security.setdefault(name, []).extend(words)
        for spec in data.identifiers:
            if spec.entity in seen:
                raise RecognizerDataError(f"identifier {spec.entity} is defined twice")
            seen.add(spec.entity)
            identifiers.append(spec)
    return RecognizerData.model_validate({
        "context": context, "memo_labels": memo, "credential_labels": cred,
        "credential_gate_words": gate, "security": security, "identifiers": identifiers,
    })


@cache
def merged_data() -> RecognizerData:
    """Satark's data files and every plugin's, merged (read once per process)."""
    from ...plugins import get_plugin_manager

    paths: list[Path] = [DATA_DIR / name for name in _BUILT_IN]
    for result in get_plugin_manager().hook.satark_recognizer_data():
        paths.extend(Path(p) for p in result or ())
    return _merge(load_recognizer_data(p) for p in paths)


def _verhoeff(number: str) -> bool:
    from stdnum import verhoeff

    return bool(verhoeff.is_valid(number))


def _luhn(number: str) -> bool:
    from stdnum import luhn

    return bool(luhn.is_valid(number))


def validator_for(name: str) -> Callable[[str], bool] | None:
    """The checker a data file names: ``none``, ``verhoeff``, ``luhn`` or ``stdnum:<module>``.

    Verhoeff and Luhn read the digits only; a stdnum module gets the match as written
    (its ``is_valid`` strips separators itself).
    """
    if name == "none":
        return None
    if name == "verhoeff":
        return lambda text: _verhoeff("".join(c for c in text if c.isdigit()))
    if name == "luhn":
        return lambda text: _luhn("".join(c for c in text if c.isdigit()))
    if name.startswith("stdnum:"):
        module_name = name.removeprefix("stdnum:")
        try:
            module: Any = importlib.import_module(f"stdnum.{module_name}")
        except ImportError:
            raise ValueError(f"python-stdnum has no module {module_name!r}") from None
        check = getattr(module, "is_valid", None)
        if not callable(check):
            raise ValueError(f"stdnum.{module_name} has no is_valid()")
        return lambda text: bool(check(text))
    raise ValueError(f"unknown validator {name!r}: use none, verhoeff, luhn or stdnum:<module>")
