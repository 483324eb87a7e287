"""Moved to :mod:`satark.pdf` (engine-level); kept so that existing imports work."""

from ..pdf import *  # noqa: F403
