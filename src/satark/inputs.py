"""Reading a post from the command line, a file or standard input, safely.

Bytes are decoded here, strictly, so that a broken file gets a message that says where
it is broken instead of a post full of replacement characters.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .errors import InputError

__all__ = ["MAX_INPUT_BYTES", "decode_post", "read_post"]

#: Read at most this much; the engine's character limit is checked after decoding.
MAX_INPUT_BYTES = 4 * 1024 * 1024


def decode_post(data: bytes, *, source: str = "input") -> str:
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{source} is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")
    if b"\x00" in data[:8192]:
        raise InputError(f"{source} looks like a binary file, not text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source} is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def read_post(text: str | None, file: Path | None) -> str:
    """The post from exactly one of: TEXT, ``-f FILE``, or ``-`` / piped stdin."""
    if text is not None and file is not None:
        raise InputError("give the post as TEXT or with -f FILE, not both")
    if file is not None:
        if str(file) == "-":
            return decode_post(sys.stdin.buffer.read(MAX_INPUT_BYTES + 1), source="standard input")
        try:
            with file.open("rb") as fh:
                data = fh.read(MAX_INPUT_BYTES + 1)
        except IsADirectoryError:
            raise InputError(f"{file} is a directory") from None
        except OSError as exc:
            raise InputError(f"cannot read {file}: {exc.strerror or exc}") from None
        return decode_post(data, source=str(file))
    if text is None or text == "-":
        if text is None and sys.stdin.isatty():
            raise InputError("no post given: pass TEXT, -f FILE, or pipe it on standard input")
        return decode_post(sys.stdin.buffer.read(MAX_INPUT_BYTES + 1), source="standard input")
    return text
