"""An export as a set of named files, whether it came as a ZIP, an unpacked folder or one
file (a CSV or JSON Lines file is an export of one file, named by its file name)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from ..errors import InputError

__all__ = ["MAX_MEMBER_BYTES", "ExportSource", "open_export"]

#: The most one file of a ZIP export may hold once unpacked. A real export's largest JSON
#: file is tens of MB; a ZIP whose member claims (or turns out) to be larger is refused
#: rather than unpacked into memory: a "zip bomb" of a few MB can expand to gigabytes.
MAX_MEMBER_BYTES = 1 << 30


class ExportSource:
    """Read-only access to an export's files by their POSIX path inside the export."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._zip: zipfile.ZipFile | None = None
        self._single = False
        if root.is_file():
            if zipfile.is_zipfile(root):
                self._zip = zipfile.ZipFile(root)
            else:
                self._single = True

    def names(self) -> Iterator[str]:
        """Every file's path, ``/``-separated, relative to the export's top."""
        if self._zip is not None:
            for info in self._zip.infolist():
                if not info.is_dir():
                    yield info.filename
        elif self._single:
            yield self.root.name
        else:
            for path in sorted(self.root.rglob("*")):
                if path.is_file():
                    yield path.relative_to(self.root).as_posix()

    def read_bytes(self, name: str) -> bytes:
        if self._zip is not None:
            return self._read_member(name)
        if self._single:
            if name != self.root.name:
                raise KeyError(name)
            return self.root.read_bytes()
        path = (self.root / PurePosixPath(name)).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"{name}: outside the export")
        return path.read_bytes()

    def _read_member(self, name: str) -> bytes:
        assert self._zip is not None
        info = self._zip.getinfo(name)
        too_big = f"{self.root.name}: {name} unpacks to more than {MAX_MEMBER_BYTES:,} bytes; refused"
        if info.file_size > MAX_MEMBER_BYTES:
            raise InputError(too_big)
        # The header's size can lie: read at most one byte past the limit.
        with self._zip.open(info) as member:
            data = member.read(MAX_MEMBER_BYTES + 1)
        if len(data) > MAX_MEMBER_BYTES:
            raise InputError(too_big)
        return data

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> ExportSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_export(path: str | Path) -> ExportSource:
    """A ZIP file, a folder or a single file as an :class:`ExportSource`."""
    root = Path(path)
    if not root.exists():
        raise FileNotFoundError(f"{root}: no such file or folder")
    return ExportSource(root)
