"""Built-in detectors, one module each, registered through :mod:`satark.plugins`."""

from .base import Detector, ScreenContext

__all__ = ["Detector", "ScreenContext"]
